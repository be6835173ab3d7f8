//! The HTTP conventions every route shares, applied before any handler runs:
//! the request line's length, query values that must be UTF-8 text, the
//! `Allow` header of a `405`, and an honest `Retry-After` on a `429`.

use crate::error::{ApiError, PROBLEM_JSON};
use actix_governor::governor::NotUntil;
use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The longest request target (path and query) served. actix itself refuses
/// only request heads past 32 KiB, with a bare answer; well below that this
/// limit answers a problem, and no route needs a URI anywhere near it.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Refuses, before routing, a request whose URI is too long or whose query
/// string holds a value that is not text.
pub fn guard<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<EitherBody<B, BoxBody>>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let refusal = refusal(&req);
    let next = match refusal {
        None => Ok(srv.call(req)),
        // A person in the console reads a page, a client a problem.
        Some(e) if wants_page(req.request()) => {
            let page = roster_console::refusal_page(e.status_code(), e.detail());
            Err(req.into_response(page))
        }
        Some(e) => Err(req.error_response(e)),
    };
    async move {
        match next {
            Ok(fut) => fut.await.map(ServiceResponse::map_into_left_body),
            Err(res) => Ok(res.map_into_right_body()),
        }
    }
}

/// Whether the request is a browser's asking for a console page (outside
/// the API, accepting HTML): its refusals are pages.
pub fn wants_page(req: &HttpRequest) -> bool {
    let accepts_html =
        req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    accepts_html && !req.path().starts_with("/api/")
}

fn refusal(req: &ServiceRequest) -> Option<ApiError> {
    let uri = req.uri();
    let target_len = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target_len > MAX_URI_BYTES {
        return Some(ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("The request target is longer than {MAX_URI_BYTES} bytes."),
        ));
    }
    uri.query().and_then(|query| check_query(query).err())
}

/// Every query value must decode to UTF-8 text without control characters:
/// a lossy decoding would silently search for, or filter by, something the
/// client never sent. The parameter is named in `errors`.
pub fn check_query(query: &str) -> Result<(), ApiError> {
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name_bytes = percent_decode(raw_name);
        let name = String::from_utf8_lossy(&name_bytes).into_owned();
        let not_utf8 = || {
            ApiError::bad_request("invalid_parameter", &name, format!("{name} is not UTF-8 text once percent-decoded"))
        };
        let value = String::from_utf8(percent_decode(raw_value)).map_err(|_| not_utf8())?;
        std::str::from_utf8(&name_bytes).map_err(|_| not_utf8())?;
        if value.chars().any(char::is_control) {
            return Err(ApiError::bad_request(
                "invalid_text",
                &name,
                format!("{name} must not contain control characters"),
            ));
        }
    }
    Ok(())
}

/// `application/x-www-form-urlencoded` decoding to bytes: `+` is a space, a
/// `%` not followed by two hex digits stays as it is (as serde_urlencoded does).
fn percent_decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// The methods each route pattern answers, from the OpenAPI document (which
/// the contract tests hold to the routes); patterns are compared with their
/// parameter names blanked.
fn allowed_methods() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let document = crate::openapi::document();
        document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("DELETE", item.delete.is_some()),
                    ("GET", item.get.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                ];
                let allow: Vec<&str> = methods.iter().filter(|(_, on)| *on).map(|(m, _)| *m).collect();
                (blank_parameters(path), allow.join(", "))
            })
            .collect()
    })
}

fn blank_parameters(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut depth = 0u32;
    for c in pattern.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The `Allow` value of a `405` for the route `req` matched. Routes outside
/// the API document (`/healthz`, `/readyz`, the join page, the docs) answer
/// `GET` only.
pub fn allow_header(req: &HttpRequest) -> HeaderValue {
    let allow = req.match_pattern().and_then(|pattern| allowed_methods().get(&blank_parameters(&pattern)).cloned());
    let allow = allow.unwrap_or_else(|| console_allow(req.method()).to_owned());
    HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET"))
}

/// A console page's methods, from the one it refused: every console address
/// takes GET, POST or both, so a refused GET means POST only and a refused
/// POST means GET only; another method is refused by pages of either kind.
fn console_allow(refused: &actix_web::http::Method) -> &'static str {
    match refused.as_str() {
        "GET" | "HEAD" => "POST",
        "POST" => "GET",
        _ => "GET, POST",
    }
}

/// `GET /docs`: the rendering lives under `/docs/` (its relative links need
/// the slash).
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
}

/// The `429` of a rate limit, saying when to come back: the limiter's wait
/// rounded up to whole seconds, at least 1 (actix-governor truncates, so a
/// wait under a second said `0`).
pub fn rate_limited(negative: &NotUntil<QuantaInstant>, mut response: HttpResponseBuilder) -> HttpResponse {
    let wait = negative.wait_time_from(DefaultClock::default().now());
    let seconds = retry_after_seconds(wait);
    let problem = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("Too many requests; retry in {seconds} s."),
    )
    .error_response();
    response
        .insert_header((header::RETRY_AFTER, seconds))
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(problem.into_body())
}

/// Whole seconds to wait, rounded up, never 0.
pub fn retry_after_seconds(wait: std::time::Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn retry_after_rounds_up_and_is_at_least_one() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1_000)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1_001)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(9_999)), 10);
    }

    #[test]
    fn percent_decoding_keeps_stray_percent_signs() {
        assert_eq!(percent_decode("a+b%20c"), b"a b c");
        assert_eq!(percent_decode("100%"), b"100%");
        assert_eq!(percent_decode("%4"), b"%4");
        assert_eq!(percent_decode("%zz"), b"%zz");
        assert_eq!(percent_decode("%C3%A9"), "é".as_bytes());
    }

    #[test]
    fn query_values_must_be_text() {
        assert!(check_query("q=Jos%C3%A9&limit=5&&flag").is_ok());
        assert_eq!(check_query("q=%FF").unwrap_err().code(), "invalid_parameter");
        assert_eq!(check_query("%FF=1").unwrap_err().code(), "invalid_parameter");
        assert_eq!(check_query("a=1&q=%00").unwrap_err().code(), "invalid_text");
        assert_eq!(check_query("q=%C2%85").unwrap_err().code(), "invalid_text");
    }

    #[test]
    fn route_patterns_compare_without_parameter_names() {
        assert_eq!(blank_parameters("/a/{org_id}/b/{user_id}"), "/a/{}/b/{}");
        assert_eq!(blank_parameters("/docs/{_:.*}"), "/docs/{}");
    }
}
