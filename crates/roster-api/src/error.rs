//! Errors as RFC 9457 problem details with stable codes. Each domain error
//! has one status; 5xx bodies say nothing internal (the cause is logged).

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use roster_domain::{Conflict, DomainError, FieldError, Outage};
use serde::Serialize;
use utoipa::ToSchema;

/// The problem+json media type.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client is told to wait after a `503`: an outage is not over in
/// less, and a client retrying sooner only adds load to a recovering server.
const RETRY_UNAVAILABLE_S: &str = "2";

/// An RFC 9457 problem details body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` for plain HTTP errors).
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the status.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Explanation of this occurrence.
    pub detail: String,
    /// Stable snake_case machine code.
    pub code: String,
    /// Per-field problems (validation failures).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
}

/// An error answered to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    detail: String,
    errors: Vec<FieldError>,
}

impl ApiError {
    /// An error with `status`, `code` and `detail`.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self { status, code: code.to_owned(), detail: detail.into(), errors: Vec::new() }
    }

    /// Adds field errors.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// `400` naming a bad query parameter or body field.
    pub fn bad_request(code: &str, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(StatusCode::BAD_REQUEST, code, message.clone())
            .with_errors(vec![FieldError::new(field, code, message)])
    }

    /// `500`, logging the cause and telling the client nothing about it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "The server failed; the error was logged.")
    }

    /// `503` with the outage's code (`database_unavailable`,
    /// `storage_unavailable`, `database_busy`), logging the cause; the client may retry.
    pub fn unavailable(outage: Outage, cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, code = outage.code(), "the store is unavailable");
        let detail = match outage {
            Outage::Database => "The database cannot be reached; retry after the time in Retry-After.",
            Outage::Storage => "The database cannot be written; retry after the time in Retry-After.",
            Outage::Busy => "The database is busy with other writes; retry after the time in Retry-After.",
        };
        Self::new(StatusCode::SERVICE_UNAVAILABLE, outage.code(), detail)
    }

    /// `404 not_found` for `what`.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("No such {what}."))
    }

    /// The sentence a person reads.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The machine code.
    pub fn code(&self) -> &str {
        &self.code
    }

    pub(crate) fn problem(&self) -> Problem {
        Problem {
            type_: format!("https://roster.dev/problems/{}", self.code.replace('_', "-")),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header((header::RETRY_AFTER, HeaderValue::from_static(RETRY_UNAVAILABLE_S)));
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let code = e.code().to_owned();
        let status = match &e {
            DomainError::Validation(_)
            | DomainError::NotACoach
            | DomainError::PlanArchived
            | DomainError::StartDateInPast => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::Unauthenticated | DomainError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            DomainError::Forbidden(_)
            | DomainError::InvitationEmailMismatch
            | DomainError::NotAssignedToYou
            | DomainError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            DomainError::NotFound(_) | DomainError::UserNotFound | DomainError::InvitationNotFound => {
                StatusCode::NOT_FOUND
            }
            DomainError::InvitationGone(_) => StatusCode::GONE,
            DomainError::Conflict(Conflict::VersionMismatch) => StatusCode::PRECONDITION_FAILED,
            DomainError::Conflict(_) | DomainError::HeadCoachRequired | DomainError::LinkUnavailable => {
                StatusCode::CONFLICT
            }
            DomainError::Session(e) => crate::routes::sessions::status_of(*e),
            DomainError::Store(cause) => return ApiError::internal(cause),
            DomainError::Unavailable(outage, cause) => return ApiError::unavailable(*outage, cause),
        };
        let detail = match &e {
            DomainError::Validation(errors) if errors.len() == 1 => {
                format!("{}: {}", errors[0].field, errors[0].message)
            }
            DomainError::Validation(_) => "Some fields are invalid; see `errors`.".to_owned(),
            DomainError::NotFound(what) => format!("No such {what}."),
            other => capitalize(&other.to_string()),
        };
        let errors = match e {
            DomainError::Validation(errors) => errors,
            _ => Vec::new(),
        };
        ApiError { status, code, detail, errors }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

/// `JsonConfig` error handler: malformed JSON, unknown fields, wrong types,
/// too large and wrong content type all become problem+json.
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The body is larger than 1 MiB.")
        }
        E::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        ),
        E::Deserialize(e) => deserialize_error(e),
        other => ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", other.to_string()),
    };
    api.into()
}

/// A serde_json error as a `400`, naming the field where serde knows it.
fn deserialize_error(e: &serde_json::Error) -> ApiError {
    let message = e.to_string();
    let quoted = |s: &str| s.split('`').nth(1).map(str::to_owned);
    if e.is_data() {
        if message.starts_with("unknown field") {
            let field = quoted(&message).unwrap_or_default();
            return ApiError::bad_request("unknown_field", &field, format!("Unknown field `{field}`."));
        }
        if message.starts_with("missing field") {
            let field = quoted(&message).unwrap_or_default();
            return ApiError::bad_request("missing_field", &field, format!("Field `{field}` is required."));
        }
        let detail = message.split(" at line ").next().unwrap_or(&message).to_owned();
        return ApiError::bad_request("invalid_type", "body", detail);
    }
    ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", format!("The body is not valid JSON: {message}"))
}

/// `QueryConfig` error handler: a bad query value is a `400`.
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let message = err.to_string();
    let field = message.split('`').nth(1).unwrap_or("query").to_owned();
    let code = if message.contains("unknown field") { "unknown_parameter" } else { "invalid_parameter" };
    ApiError::bad_request(code, &field, message).into()
}

/// `PathConfig` error handler: an id that is not a UUID cannot exist.
pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::not_found("resource").into()
}
