//! The error answers every operation shares, added in one place: handlers
//! document only the statuses their own rules produce (403, 409, 422, ...),
//! while the framework around them (authentication, body and query parsing,
//! rate limits, the database) answers the rest the same way everywhere.

use crate::error::PROBLEM_JSON;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr, Response, Schema};

/// Adds the shared error responses and serves every error as problem+json.
pub struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in operations.into_iter().flatten() {
                document(path, op);
            }
        }
    }
}

fn document(path: &str, op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let has_query_or_header = params.iter().any(|p| !matches!(p.parameter_in, ParameterIn::Path));
    let has_path_params = path.contains('{');
    let api = path.starts_with("/api/");

    if has_body || has_query_or_header {
        add(op, "400", BAD_REQUEST, None);
    }
    if secured {
        add(op, "401", "unauthenticated: the bearer token is missing, malformed, expired or tampered with", None);
    }
    if has_path_params {
        add(op, "404", "not_found: no such resource, or none the caller may see", None);
    }
    if has_body {
        add(op, "413", "payload_too_large: the body is over 1 MiB (uploads: 20 MiB)", None);
        add(op, "415", "unsupported_media_type: send the body as the content type documented here", None);
    }
    // Public API operations are rate limited per client address.
    if api && !secured {
        add(op, "429", "rate_limited: too many requests from this address", Some(RETRY_AFTER_429));
    }
    // Routes that accept API keys say so in their 403 (`insufficient_scope`);
    // a key is rate limited on its own (`rate_limit.api_key_per_minute`).
    if secured && accepts_keys(op) {
        add(op, "429", "rate_limited: too many requests with this API key", Some(RETRY_AFTER_KEY_429));
    }
    // The request line's length is checked before routing, for every route.
    add(op, "414", URI_TOO_LONG, None);
    // Everything but the liveness probe reads or writes the database.
    if path != "/healthz" {
        add(op, "503", UNAVAILABLE, Some(RETRY_AFTER_503));
    }
    for response in op.responses.responses.iter_mut().filter(|(status, _)| is_error(status)) {
        if let (_, RefOr::T(response)) = response {
            as_problem_json(response);
        }
    }
}

const BAD_REQUEST: &str = "A malformed request: malformed_json, unknown_field, invalid_type or missing_field \
    in the body; invalid_parameter, invalid_text or unknown_parameter in the query; invalid_header";
const URI_TOO_LONG: &str = "uri_too_long: the request target (path and query) is over 8 KiB";
const UNAVAILABLE: &str = "database_unavailable, storage_unavailable or database_busy: the database cannot be \
    reached or written to for now, or other writes held it too long; try again after Retry-After";
const RETRY_AFTER_429: &str = "Seconds until a request from this address is accepted again (at least 1).";
const RETRY_AFTER_KEY_429: &str = "Seconds until a request with this API key is accepted again (at least 1).";
const RETRY_AFTER_503: &str = "Seconds after which trying again makes sense (at least 1).";

/// Whether the operation documents `insufficient_scope`, which only an API
/// key is answered.
fn accepts_keys(op: &Operation) -> bool {
    op.responses.responses.get("403").is_some_and(|r| match r {
        RefOr::T(response) => response.description.contains("insufficient_scope"),
        RefOr::Ref(_) => false,
    })
}

fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

/// Documents `status` unless the handler already does; either way a
/// `Retry-After` header, if given, is documented on it.
fn add(op: &mut Operation, status: &str, description: &str, retry_after: Option<&str>) {
    let response = op.responses.responses.entry(status.to_owned()).or_insert_with(|| RefOr::T(problem(description)));
    if let (RefOr::T(response), Some(text)) = (response, retry_after) {
        let seconds = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1));
        let mut header = Header::new(Schema::Object(seconds.build()));
        header.description = Some(text.to_owned());
        response.headers.insert("Retry-After".to_owned(), header);
    }
}

fn problem(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert(PROBLEM_JSON.to_owned(), problem_content());
    response
}

fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

/// The server sends every error as `application/problem+json`; handlers
/// annotate their error bodies with `body = Problem`, which utoipa files under
/// `application/json`.
fn as_problem_json(response: &mut Response) {
    let json = response.content.shift_remove("application/json");
    if !response.content.contains_key(PROBLEM_JSON) {
        response.content.insert(PROBLEM_JSON.to_owned(), json.unwrap_or_else(problem_content));
    }
    if response.description.is_empty() {
        response.description = "See `code`.".to_owned();
    }
}
