//! Passwords (Argon2id) and access tokens (HS256 JWTs).

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use roster_domain::ports::PasswordHasher;
use roster_domain::values::Password;
use roster_domain::{RepoError, UserId};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};

const ISSUER: &str = "roster";
const AUDIENCE: &str = "roster-api";

/// Argon2id with the crate's recommended parameters.
#[derive(Debug, Clone)]
pub struct Argon2Hasher {
    /// A real hash of a random password, verified against when the account
    /// does not exist so both failures cost the same.
    dummy_hash: String,
}

impl Argon2Hasher {
    /// A hasher with a fresh dummy hash.
    pub fn new() -> Result<Self, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = Argon2::default().hash_password(b"dummy password for timing", &salt)?.to_string();
        Ok(Self { dummy_hash })
    }
}

impl PasswordHasher for Argon2Hasher {
    fn hash(&self, password: &Password) -> Result<String, RepoError> {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| RepoError::Unavailable(format!("argon2: {e}")))
    }

    fn verify(&self, password: &str, hash: Option<String>) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.clone());
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        let matches = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        known && matches
    }
}

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    /// Issuer, always `roster`.
    pub iss: String,
    /// Audience, always `roster-api`.
    pub aud: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
}

/// The keys and lifetime of access tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_s: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("ttl_s", &self.ttl_s).finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys from an HS256 secret.
    pub fn new(secret: &[u8], ttl_s: u64) -> Self {
        // Only HS256 is accepted: `alg: none` and every other algorithm are refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_s: i64::try_from(ttl_s).unwrap_or(i64::MAX / 2),
        }
    }

    /// A signed token for `user_id` and when it expires.
    pub fn issue(&self, user_id: UserId, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>), ApiError> {
        let expires_at = now + chrono::Duration::seconds(self.ttl_s);
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)?;
        Ok((token, expires_at))
    }

    /// The account a token speaks for, if the token is good.
    pub fn verify(&self, token: &str) -> Option<UserId> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        data.claims.sub.parse().ok()
    }
}

/// The signed-in caller, from `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser(pub UserId);

/// The caller if a good token is present, else nobody (for endpoints that
/// are public but behave differently when signed in).
#[derive(Debug, Clone, Copy)]
pub struct MaybeAuthUser(pub Option<UserId>);

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
}

fn bearer(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| unauthenticated("The Authorization header is malformed."))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(unauthenticated("Use `Authorization: Bearer <access token>`.")),
    }
}

fn authenticate(req: &HttpRequest) -> Result<Option<UserId>, ApiError> {
    let Some(token) = bearer(req)? else { return Ok(None) };
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("AppState missing"))?;
    state.tokens.verify(token).map(Some).ok_or_else(|| unauthenticated("The access token is invalid or expired."))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|u| u.map(AuthUser).ok_or_else(|| unauthenticated("Sign in first."))))
    }
}

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(MaybeAuthUser))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_tampering_is_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let user = UserId::new();
        let (token, _) = keys.issue(user, Utc::now()).unwrap();
        assert_eq!(keys.verify(&token), Some(user));
        let mut tampered = token.clone();
        tampered.pop();
        assert_eq!(keys.verify(&tampered), None);
        let other = TokenKeys::new(b"another secret, also 32 bytes long", 60);
        assert_eq!(other.verify(&token), None);
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let (token, _) = keys.issue(UserId::new(), Utc::now() - chrono::Duration::hours(2)).unwrap();
        assert_eq!(keys.verify(&token), None);
    }

    #[test]
    fn alg_none_is_refused() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let header = b64.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let exp = Utc::now().timestamp() + 600;
        let body = b64
            .encode(format!(r#"{{"sub":"{}","iss":"roster","aud":"roster-api","iat":0,"exp":{exp}}}"#, UserId::new()));
        assert_eq!(keys.verify(&format!("{header}.{body}.")), None);
    }

    #[test]
    fn hasher_verifies_and_dummy_never_matches() {
        let hasher = Argon2Hasher::new().unwrap();
        let hash = hasher.hash(&Password::parse("Secret123").unwrap()).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher.verify("Secret123", Some(hash.clone())));
        assert!(!hasher.verify("secret123", Some(hash)));
        assert!(!hasher.verify("dummy password for timing", None));
    }
}
