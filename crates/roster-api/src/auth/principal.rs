//! The caller of a route that accepts organization API keys as well as
//! accounts' access tokens: `Authorization: Bearer rst_…` is a key, any
//! other bearer token an access token (see [`super::AuthUser`]).
//!
//! A handler takes a [`Principal`] instead of an `AuthUser` and runs its use
//! case with [`Principal::run`]; the use case takes `impl Into<Caller>`.
//! Routes that still take `AuthUser` answer a key `401` (it is no JWT).

use super::key_limiter::Limiter;
use super::{AuthUser, LocalBoxFuture, unauthenticated};
use crate::error::ApiError;
use crate::settings::RateLimitSettings;
use crate::state::AppState;
use actix_governor::governor::{Quota, clock::DefaultClock};
use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use roster_domain::api_keys::{ApiKeySecret, KEY_PREFIX};
use roster_domain::policy::Caller;
use roster_domain::services::api_keys;
use roster_domain::{DomainError, OrgId};
use std::num::NonZeroU32;

/// An account's access token or an organization API key.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A signed-in account.
    Account(AuthUser),
    /// A key in the right form (whether it is live is the store's to say).
    Key(ApiKeySecret),
}

impl Principal {
    /// Runs a use case in `org_id` as this caller: an account once its
    /// session is known to be live, a key once it is known to be live
    /// (`401` otherwise) and of this organization (`404` otherwise).
    pub async fn run<T, F>(self, state: &web::Data<AppState>, org_id: OrgId, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState, Caller) -> Result<T, DomainError> + Send + 'static,
    {
        match self {
            Principal::Account(user) => user.run(state, move |s, me| f(s, Caller::Account(me))).await,
            Principal::Key(secret) => {
                crate::state::run(state, move |s| {
                    let actor = api_keys::authenticate(&s.store, &s.clock, &secret, org_id)?;
                    f(s, Caller::Key(actor))
                })
                .await
            }
        }
    }
}

/// Requests per key, on this server (`rate_limit.api_key_per_minute`, the
/// same per minute and as a burst). Counted before the key is looked up, so
/// a flood with one key costs no database work; only keys whose checksum
/// holds are counted. The map prunes itself (see `key_limiter`): keys minted
/// by the thousand to fill it are dropped within a minute.
pub struct KeyLimiter(Option<Limiter<DefaultClock>>);

impl std::fmt::Debug for KeyLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("KeyLimiter").field(&self.0.is_some()).finish()
    }
}

impl KeyLimiter {
    /// The limiter the settings ask for (none when `rate_limit.enabled` is off).
    pub fn from_settings(limits: &RateLimitSettings) -> Self {
        let per_minute = NonZeroU32::new(limits.api_key_per_minute).filter(|_| limits.enabled);
        Self(per_minute.map(|n| Limiter::new(Quota::per_minute(n), DefaultClock::default())))
    }

    /// `429 rate_limited` with `Retry-After` once `secret` is past its limit.
    fn check(&self, secret: &ApiKeySecret) -> Result<(), actix_web::Error> {
        let Some(limiter) = &self.0 else { return Ok(()) };
        limiter.check(&secret.hash()).map_err(|negative| {
            let response = crate::conventions::rate_limited(&negative, HttpResponse::TooManyRequests());
            InternalError::from_response("rate limited", response).into()
        })
    }
}

impl FromRequest for Principal {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let key = match super::bearer(req) {
            Ok(Some(token)) if token.starts_with(KEY_PREFIX) => ApiKeySecret::parse(token)
                .map(Some)
                .ok_or_else(|| unauthenticated("The API key is malformed or its checksum is wrong.")),
            Ok(_) => Ok(None),
            Err(e) => Err(e),
        };
        let ready = |r: Result<Self, actix_web::Error>| -> Self::Future { Box::pin(std::future::ready(r)) };
        match key {
            Ok(Some(secret)) => {
                let limited = match req.app_data::<web::Data<AppState>>() {
                    Some(state) => state.key_limiter.check(&secret),
                    None => Err(ApiError::internal("AppState missing").into()),
                };
                ready(limited.map(|()| Principal::Key(secret)))
            }
            Ok(None) => {
                let account = AuthUser::from_request(req, payload);
                Box::pin(async move { account.await.map(Principal::Account).map_err(Into::into) })
            }
            Err(e) => ready(Err(e.into())),
        }
    }
}
