//! Passwords (Argon2id) and access tokens (HS256 JWTs). Every access token
//! names its session (`sid`); a request is let in only while that session is
//! live (one indexed lookup, no write), so signing out or changing the
//! password refuses the session's access tokens at once, not at their expiry.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};
use roster_domain::DomainError;
use std::future::Future;
use std::pin::Pin;

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

mod key_limiter;
mod principal;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
pub use principal::{KeyLimiter, Principal};
use roster_domain::ports::PasswordHasher;
use roster_domain::values::Password;
use roster_domain::{RepoError, SessionId, UserId};
use serde::{Deserialize, Serialize};

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
    /// The session id: a token without one is refused (it could not be revoked).
    pub sid: String,
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

    /// When a token issued at `now` expires.
    pub fn expiry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::seconds(self.ttl_s)
    }

    /// A signed token for `user_id` in `session_id` and when it expires.
    pub fn issue(
        &self,
        user_id: UserId,
        session_id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), ApiError> {
        let expires_at = self.expiry(now);
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)?;
        Ok((token, expires_at))
    }

    /// The account and session a token speaks for, if the token is good
    /// (whether the session is still live is the store's to say).
    pub fn verify(&self, token: &str) -> Option<(UserId, SessionId)> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some((data.claims.sub.parse().ok()?, data.claims.sid.parse().ok()?))
    }
}

/// The signed-in caller, from `Authorization: Bearer <token>`, and the
/// session the token belongs to. The extractor checks the token's signature
/// only; the account is handed out by [`AuthUser::run`] (and its siblings),
/// which first checks on the use case's own pooled connection that the
/// session is still live: no handler can act for a signed-out session, and
/// a request checks its session without a blocking task and a checkout of
/// its own.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser(UserId, SessionId);

impl AuthUser {
    /// The token's session if it is still live (on the use case's
    /// connection, inside [`crate::state::run`]); `None` once it ended.
    pub fn live_session(&self, s: &AppState) -> Result<Option<SessionId>, DomainError> {
        match live(s, self.0, self.1) {
            Ok(()) => Ok(Some(self.1)),
            Err(DomainError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Runs a use case as this caller (see [`crate::state::run`]) once the
    /// session is known to be live.
    pub async fn run<T, F>(self, state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, UserId) -> Result<T, DomainError> + Send + 'static,
    {
        self.run_in_session(state, move |s, user, _| f(s, user)).await
    }

    /// [`AuthUser::run`], handing the session to the use case too.
    pub async fn run_in_session<T, F>(self, state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, UserId, SessionId) -> Result<T, DomainError> + Send + 'static,
    {
        let AuthUser(user, session) = self;
        crate::state::run(state, move |s| {
            live(s, user, session)?;
            f(s, user, session)
        })
        .await
    }

    /// [`crate::state::run_unpinned`] as this caller, once the session is live.
    pub async fn run_unpinned<T, F>(self, state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, UserId, SessionId) -> Result<T, DomainError> + Send + 'static,
    {
        let AuthUser(user, session) = self;
        crate::state::run_unpinned(state, move |s| {
            live(s, user, session)?;
            f(s, user, session)
        })
        .await
    }
}

/// The session is live and its account exists.
fn live(s: &AppState, user: UserId, session: SessionId) -> Result<(), DomainError> {
    roster_domain::services::sessions::authenticate(&s.store, user, session)
}

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

/// The token's account and session if the token is good, without the store.
fn verified(req: &HttpRequest) -> Result<Option<(web::Data<AppState>, UserId, SessionId)>, ApiError> {
    let Some(token) = bearer(req)? else { return Ok(None) };
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::internal("AppState missing"))?.clone();
    let (user_id, session_id) =
        state.tokens.verify(token).ok_or_else(|| unauthenticated("The access token is invalid or expired."))?;
    Ok(Some((state, user_id, session_id)))
}

async fn authenticate(req: &HttpRequest) -> Result<Option<AuthUser>, ApiError> {
    let Some((state, user_id, session_id)) = verified(req)? else { return Ok(None) };
    let state = state.into_inner();
    web::block(move || roster_domain::services::sessions::authenticate(&state.store, user_id, session_id))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| match e {
            roster_domain::DomainError::Unauthenticated => {
                unauthenticated("The session of this access token has ended; sign in again.")
            }
            other => other.into(),
        })?;
    Ok(Some(AuthUser(user_id, session_id)))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        let token = verified(&req).map(|v| v.map(|(_, user, session)| AuthUser(user, session)));
        Box::pin(async move { token?.ok_or_else(|| unauthenticated("Sign in first.")) })
    }
}

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeAuthUser(authenticate(&req).await?.map(|u| u.0))) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_tampering_is_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let (user, session) = (UserId::new(), SessionId::new());
        let (token, _) = keys.issue(user, session, Utc::now()).unwrap();
        assert_eq!(keys.verify(&token), Some((user, session)));
        let mut tampered = token.clone();
        tampered.pop();
        assert_eq!(keys.verify(&tampered), None);
        let other = TokenKeys::new(b"another secret, also 32 bytes long", 60);
        assert_eq!(other.verify(&token), None);
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let (token, _) = keys.issue(UserId::new(), SessionId::new(), Utc::now() - chrono::Duration::hours(2)).unwrap();
        assert_eq!(keys.verify(&token), None);
    }

    #[test]
    fn a_token_without_a_session_is_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let exp = Utc::now().timestamp() + 600;
        let claims = serde_json::json!({"sub": UserId::new(), "iss": ISSUER, "aud": AUDIENCE, "iat": 0, "exp": exp});
        let token = encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding).unwrap();
        assert_eq!(keys.verify(&token), None);
    }

    #[test]
    fn alg_none_is_refused() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let header = b64.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let exp = Utc::now().timestamp() + 600;
        let body = b64.encode(format!(
            r#"{{"sub":"{}","sid":"{}","iss":"roster","aud":"roster-api","iat":0,"exp":{exp}}}"#,
            UserId::new(),
            SessionId::new()
        ));
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
