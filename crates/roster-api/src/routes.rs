//! One module per resource. Handlers are thin: extract, run the use case,
//! map the result.

pub mod accounts;
pub mod api_keys;
pub mod athlete;
pub mod attention;
pub mod audit;
mod body;
pub mod calendar;
pub mod coaches;
pub mod groups;
pub mod invitations;
pub mod members;
pub mod ops;
pub mod organizations;
pub mod plans;
pub mod privacy;
pub mod profile;
pub(crate) mod query;
pub mod roster_csv;
pub mod sessions;
pub(crate) mod timestamp;
pub mod webhooks;

pub use body::Json;

use crate::error::ApiError;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use roster_domain::DomainError;
use roster_domain::error::FieldErrors;
use roster_domain::values::InvalidValue;

/// `value` in JSON, written into a buffer of `capacity` bytes to start with
/// (a roster page of 50 is some 50 KB: growing from nothing copies it over
/// nine times).
pub fn to_json<T: serde::Serialize>(value: &T, capacity: usize) -> serde_json::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut body, value)?;
    Ok(body)
}

/// `200` with a body [`to_json`] wrote.
pub fn json_ok(body: serde_json::Result<Vec<u8>>) -> Result<HttpResponse, ApiError> {
    let body = body.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().content_type(ContentType::json()).body(body))
}

/// `ETag: "<version>"`.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// The version in `If-Match`, if any. `*` means any version.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::bad_request("invalid_header", "If-Match", "If-Match must be an ETag such as \"3\"."))
}

/// Parses a required field into `errors`.
pub fn field<T>(errors: &mut FieldErrors, name: &str, result: Result<T, InvalidValue>) -> Option<T> {
    errors.check(name, result)
}

/// Finishes collecting: all parsed, or the validation error.
pub fn all_valid<T>(errors: FieldErrors, value: impl FnOnce() -> Option<T>) -> Result<T, DomainError> {
    errors.finish()?;
    value().ok_or(DomainError::Validation(Vec::new()))
}

/// An opaque keyset cursor: base64url of the last id seen.
pub fn encode_cursor(last_id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_id)
}

/// Decodes a cursor made by [`encode_cursor`]; `400` names `cursor` otherwise.
pub fn decode_cursor<T: std::str::FromStr>(cursor: &str) -> Result<T, ApiError> {
    let bad = || ApiError::bad_request("invalid_parameter", "cursor", "cursor is not one this server issued");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    String::from_utf8(bytes).ok().and_then(|s| s.parse().ok()).ok_or_else(bad)
}

/// Checks `limit` (1–200, default 50).
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(50),
        Some(n @ 1..=200) => Ok(n),
        Some(_) => Err(ApiError::bad_request("invalid_parameter", "limit", "limit must be between 1 and 200")),
    }
}
