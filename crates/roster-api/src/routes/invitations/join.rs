//! `GET /join/{token}`: a small self-contained page (no external assets) that
//! shows where the link leads and lets a person sign up or sign in and accept.

use crate::error::ApiError;
use crate::state::{AppState, run};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use roster_domain::DomainError;
use roster_domain::invitation::mail::escape_html;
use roster_domain::invitation::{InvitationKind, InvitationStatus, InvitationToken};
use roster_domain::services::invitations;

const TEMPLATE: &str = include_str!("../join.html");

fn status_text(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "This invitation is valid.",
        InvitationStatus::Accepted => "This invitation was already used.",
        InvitationStatus::Expired => "This invitation has expired. Ask your coach for a new one.",
        InvitationStatus::Revoked => "This invitation is no longer valid. Ask your coach for a new one.",
        InvitationStatus::Exhausted => "This link has been used the maximum number of times.",
    }
}

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        // The token is in the URL: never send it elsewhere, and run only this page's own code.
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; \
             form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// The join page.
pub async fn page(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let token = InvitationToken::from_link(&path.into_inner());
    let found = run(&state, move |s| match invitations::preview(&s.store, &s.clock, &token) {
        Ok(p) => Ok(Some(p)),
        Err(DomainError::InvitationNotFound) => Ok(None),
        Err(e) => Err(e),
    })
    .await?;
    let Some(p) = found else {
        let body = TEMPLATE
            .replace("{{ORG_NAME}}", "roster")
            .replace("{{STATUS}}", "not_found")
            .replace("{{STATUS_TEXT}}", "This invitation link is not valid. Check the link in your e-mail.")
            .replace("{{KIND}}", "")
            .replace("{{GREETING}}", "")
            .replace("{{EMAIL_HINT}}", "");
        return Ok(html(actix_web::http::StatusCode::NOT_FOUND, body));
    };
    let greeting =
        p.invitation.first_name.as_ref().map(|f| format!("Hi {},", escape_html(f.as_str()))).unwrap_or_default();
    let hint = p.invitation.email.as_ref().map(|e| escape_html(&e.hint())).unwrap_or_default();
    let kind = match p.invitation.kind {
        InvitationKind::SingleUse => "single_use",
        InvitationKind::MultiUse => "multi_use",
    };
    let body = TEMPLATE
        .replace("{{ORG_NAME}}", &escape_html(&p.org_name))
        .replace("{{STATUS}}", p.status.as_str())
        .replace("{{STATUS_TEXT}}", status_text(p.status))
        .replace("{{KIND}}", kind)
        .replace("{{GREETING}}", &greeting)
        .replace("{{EMAIL_HINT}}", &hint);
    Ok(html(actix_web::http::StatusCode::OK, body))
}
