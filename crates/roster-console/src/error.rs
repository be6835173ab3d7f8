//! Refusals as pages: not found, forbidden, a conflict, an outage. Never a
//! stack trace or a store message; those go to the log.

use crate::assets;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use roster_domain::DomainError;

/// A request the console cannot answer with the page asked for.
#[derive(Debug)]
pub enum PageError {
    /// No session: go to the sign-in page, then back to `next`.
    SignIn(String),
    /// A refusal shown as a page with this status, title and text.
    Page(StatusCode, &'static str, String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    css: &'static str,
    title: &'a str,
    detail: &'a str,
}

impl PageError {
    /// A failure the user cannot act on; the cause is logged.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "console request failed");
        Self::Page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "The error was logged. Try again.".into())
    }

    /// The database cannot be reached (the cause is logged): a `503` page.
    pub fn unavailable(e: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %e, "console request: the database is unavailable");
        Self::Page(
            StatusCode::SERVICE_UNAVAILABLE,
            "roster is unavailable",
            "The database cannot be reached right now. Try again in a minute.".into(),
        )
    }

    /// A page that does not exist.
    pub fn not_found() -> Self {
        Self::Page(StatusCode::NOT_FOUND, "Page not found", "There is nothing at this address.".into())
    }

    /// A form post without the session's CSRF token.
    pub fn bad_form() -> Self {
        Self::Page(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "Go back, reload the page and send the form again.".into(),
        )
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::SignIn(_) => f.write_str("sign in first"),
            PageError::Page(status, title, _) => write!(f, "{status}: {title}"),
        }
    }
}

impl From<DomainError> for PageError {
    fn from(e: DomainError) -> Self {
        use DomainError as E;
        let page = |status, title, detail: String| PageError::Page(status, title, detail);
        match e {
            E::Unauthenticated => PageError::SignIn("/".into()),
            E::NotFound(_) | E::UserNotFound | E::InvitationNotFound => PageError::not_found(),
            E::Forbidden(why) => page(StatusCode::FORBIDDEN, "Not allowed", capitalized(why)),
            E::NotAssignedToYou
            | E::HeadCoachRequired
            | E::NotACoach
            | E::InvitationEmailMismatch
            | E::InsufficientScope(_) => page(StatusCode::FORBIDDEN, "Not allowed", capitalized(&e.to_string())),
            E::Conflict(c) => page(StatusCode::CONFLICT, "That did not work", capitalized(&c.to_string())),
            E::LinkUnavailable => page(StatusCode::CONFLICT, "Link not available", capitalized(&e.to_string())),
            E::InvitationGone(g) => page(StatusCode::GONE, "Invitation no longer valid", capitalized(&g.to_string())),
            E::Validation(errors) => page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Check your input",
                errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
            ),
            E::InvalidCredentials | E::PlanArchived | E::StartDateInPast | E::Session(_) => {
                page(StatusCode::BAD_REQUEST, "That did not work", capitalized(&e.to_string()))
            }
            E::Unavailable(..) => PageError::unavailable(e),
            E::Store(_) => PageError::internal(e),
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".").unwrap_or_default()
}

fn error_page(status: StatusCode, title: &str, detail: &str) -> HttpResponse {
    let body = ErrorPage { css: assets::url("console.css"), title, detail }.render().unwrap_or_default();
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// The console's 404 page, for any unknown address a browser asks for.
pub fn not_found_page() -> HttpResponse {
    error_page(StatusCode::NOT_FOUND, "Page not found", "There is nothing at this address.")
}

/// The page for a request refused before any page ran: a query value that
/// is not text (`400`), a method the page does not take (`405`).
pub fn refusal_page(status: StatusCode, detail: &str) -> HttpResponse {
    let title = if status == StatusCode::METHOD_NOT_ALLOWED { "Not available this way" } else { "That did not work" };
    error_page(status, title, detail)
}

/// The page for a browser the rate limit stopped (the answer keeps its
/// `Retry-After`).
pub fn too_many_requests_page() -> HttpResponse {
    error_page(StatusCode::TOO_MANY_REQUESTS, "Too many attempts", "Wait a minute, then try again.")
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn(_) => StatusCode::SEE_OTHER,
            PageError::Page(status, ..) => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::SignIn(next) => {
                let to = if next == "/" { "/sign-in".to_owned() } else { format!("/sign-in?next={}", encode(next)) };
                HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
            }
            PageError::Page(status, title, detail) => error_page(*status, title, detail),
        }
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
