//! Form errors shown beside their fields, and the redirect that ends a post.

use actix_web::HttpResponse;
use actix_web::http::header;
use roster_domain::DomainError;
use roster_domain::error::FieldError;

/// The messages of a form that did not pass, by field name. A message not
/// tied to a field of the form is under `""` (shown above the form).
#[derive(Debug, Default, Clone)]
pub struct Errors(Vec<(String, String)>);

impl Errors {
    /// No errors.
    pub fn none() -> Self {
        Self::default()
    }

    /// One message for `field` (`""`: the whole form).
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Self(vec![(field.to_owned(), message.into())])
    }

    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// Whether the form passed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Messages of fields the form does not show go to the form as a whole.
    pub fn for_fields(errors: Vec<FieldError>, shown: &[&str]) -> Self {
        Self(
            errors
                .into_iter()
                .map(|e| {
                    let field = if shown.contains(&e.field.as_str()) { e.field } else { String::new() };
                    (field, capitalize(&e.message))
                })
                .collect(),
        )
    }

    /// The errors of a refusal a form can show (a validation, a conflict, a
    /// wrong password), or the refusal itself for a page of its own.
    pub fn from_domain(e: DomainError, shown: &[&str]) -> Result<Self, DomainError> {
        use DomainError as E;
        match e {
            E::Validation(errors) => Ok(Self::for_fields(errors, shown)),
            E::Conflict(c) => Ok(Self::one("", capitalize(&c.to_string()))),
            E::InvalidCredentials
            | E::UserNotFound
            | E::NotACoach
            | E::PlanArchived
            | E::StartDateInPast
            | E::Session(_)
            | E::InvitationEmailMismatch => Ok(Self::one("", capitalize(&e.to_string()))),
            other => Err(other),
        }
    }
}

/// The message as a sentence.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// `303 See Other` to `to`: a post answered with a page to GET.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_the_form_does_not_show_is_reported_for_the_whole_form() {
        let errors = Errors::for_fields(
            vec![FieldError::new("email", "invalid_email", "not an e-mail"), FieldError::new("x", "c", "bad x")],
            &["email"],
        );
        assert_eq!(errors.get("email"), Some("Not an e-mail."));
        assert_eq!(errors.get(""), Some("Bad x."));
    }
}

/// What a form post ends in: a redirect, or its form again with the
/// messages (built on the blocking pool, rendered on the way out).
#[derive(Debug)]
pub enum Outcome<P> {
    /// Done: GET this.
    Redirect(String),
    /// Not done: show the form again with this status.
    Again(P),
    /// Done, with something to show once (a link just made).
    Show(P),
}

impl<P: askama::Template> Outcome<P> {
    /// The answer: `303` to the redirect, or the form with `422`.
    pub fn respond(self) -> Result<HttpResponse, crate::PageError> {
        match self {
            Outcome::Redirect(to) => Ok(redirect(&to)),
            Outcome::Show(page) => crate::view::render(&page),
            Outcome::Again(page) => {
                let mut res = crate::view::render(&page)?;
                *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
                Ok(res)
            }
        }
    }
}
