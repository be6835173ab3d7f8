//! The console's session cookie and its CSRF tokens.
//!
//! Signing in starts an API session (`sessions::start`); the cookie holds
//! the session's secret (its refresh token, never rotated by the console),
//! so `/auth/logout-all`, a password change or reset end it like any other.
//! The cookie is HttpOnly and SameSite=Lax, and Secure when the server is
//! reached over https.
//!
//! CSRF: a signed-in form carries `csrf`, the SHA-256 of the session secret
//! under a fixed label: only a page the server rendered for this session
//! knows it. A signed-out form (sign in, create account, forgot password)
//! carries the value of a random `roster_csrf` cookie the form's page set
//! (double submit); a cross-site post cannot read or set that cookie.

use actix_web::HttpRequest;
use actix_web::http::header;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "roster_session";
/// The signed-out forms' CSRF cookie.
pub const FORM_COOKIE: &str = "roster_csrf";

/// The value of cookie `name` in the request, if any.
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for `name=value` living `max_age_s` seconds (0 clears it).
pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> (header::HeaderName, String) {
    let secure = if secure { "; Secure" } else { "" };
    (header::SET_COOKIE, format!("{name}={value}; Path=/; Max-Age={max_age_s}; HttpOnly; SameSite=Lax{secure}"))
}

/// The CSRF token of the session whose secret is `session_secret`.
pub fn csrf_token(session_secret: &str) -> String {
    let digest = Sha256::new().chain_update(b"roster-console-csrf\0").chain_update(session_secret).finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random value for the signed-out forms' CSRF cookie.
pub fn fresh_form_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a signed-out form's `csrf` field matches its cookie.
pub fn form_token_ok(req: &HttpRequest, presented: &str) -> bool {
    cookie(req, FORM_COOKIE).is_some_and(|expected| same_token(&expected, presented))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn cookies_are_read_by_name() {
        let req =
            TestRequest::default().insert_header((header::COOKIE, "a=1; roster_session=abc; b=2")).to_http_request();
        assert_eq!(cookie(&req, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&req, "missing"), None);
    }

    #[test]
    fn the_session_cookie_is_httponly_lax_and_secure_over_https() {
        let (_, value) = set_cookie(SESSION_COOKIE, "s", 60, true);
        assert_eq!(value, "roster_session=s; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure");
        assert!(!set_cookie(SESSION_COOKIE, "s", 60, false).1.contains("Secure"));
    }

    #[test]
    fn csrf_tokens_differ_per_session_and_compare_exactly() {
        let (a, b) = (csrf_token("one"), csrf_token("two"));
        assert_ne!(a, b);
        assert!(same_token(&a, &csrf_token("one")));
        assert!(!same_token(&a, &b));
        assert!(!same_token(&a, ""));
    }
}
