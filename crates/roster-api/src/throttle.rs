//! Slowing down what an attacker repeats: `user-lookup` (it tells whether an
//! e-mail has an account) per account, and failed logins per account and per
//! client address. The counters are rows in the database (see roster-store's
//! `throttle`), so the limits hold across every server on one database.
//!
//! Failed logins: after `login_failures_per_address` failures from one
//! address (any accounts), everything from that address waits a delay that
//! starts at `login_first_delay_ms` and doubles with each further failure up
//! to `login_max_delay_s`. After `login_failures_per_account` failures for
//! one account (from any addresses) the account waits the same way, except
//! from addresses it signed in from during the last
//! `login_known_address_days`: strangers guessing cannot lock the owner out,
//! and the owner's own address is still bound by its address limit. A run of
//! failures is forgotten after `login_forget_after_s` without failures. A
//! refused attempt is not checked and not counted, so it never extends a delay.
//!
//! Keys are stored as SHA-256 digests: the tables hold no e-mail addresses
//! (attempts at unknown ones included) and no client input of any length.

use crate::client_addr::{ClientAddr, limit_key};
use crate::error::ApiError;
use crate::settings::{RateLimitSettings, SettingsError};
use crate::state::{AppState, run_unpinned};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError, web};
use chrono::{DateTime, Duration, Utc};
use roster_domain::values::Email;
use roster_domain::{Clock, RepoError, UserId};
use std::net::IpAddr;

/// Checks what types alone cannot.
pub fn validate(limits: &RateLimitSettings) -> Result<(), SettingsError> {
    let positive = [
        ("user_lookup_per_minute", u64::from(limits.user_lookup_per_minute)),
        ("api_key_per_minute", u64::from(limits.api_key_per_minute)),
        ("login_failures_per_account", u64::from(limits.login_failures_per_account)),
        ("login_failures_per_address", u64::from(limits.login_failures_per_address)),
        ("login_forget_after_s", limits.login_forget_after_s),
        ("login_first_delay_ms", limits.login_first_delay_ms),
        ("login_known_address_days", u64::from(limits.login_known_address_days)),
    ];
    if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
        return Err(SettingsError(format!("rate_limit.{name}: must be positive")));
    }
    if limits.login_max_delay_s.saturating_mul(1000) < limits.login_first_delay_ms {
        return Err(SettingsError("rate_limit.login_max_delay_s: must not be below login_first_delay_ms".into()));
    }
    Ok(())
}

/// A refusal until a later time: `429 rate_limited` with an honest `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Whole seconds to wait, at least one.
    pub retry_after_s: i64,
}

impl Throttled {
    fn until(until: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let wait = until - now;
        // Rounded up: a client that waits as told is let in.
        let seconds = wait.num_seconds() + i64::from(wait.subsec_nanos() > 0);
        Self { retry_after_s: seconds.max(1) }
    }

    /// The problem+json answer.
    pub fn response(&self, detail: &str) -> HttpResponse {
        let mut res = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail).error_response();
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after_s));
        res
    }
}

fn store_error(e: roster_store::StoreError) -> roster_domain::DomainError {
    RepoError::from(e).into()
}

/// Counts one `user-lookup` by `caller`: `Some` once past the per-minute limit.
pub fn user_lookup(s: &AppState, caller: UserId) -> Result<Option<Throttled>, roster_domain::DomainError> {
    let limits = &s.settings.rate_limit;
    if !limits.enabled {
        return Ok(None);
    }
    let limit = i32::try_from(limits.user_lookup_per_minute).unwrap_or(i32::MAX);
    let (now, window) = (s.clock.now(), Duration::minutes(1));
    let counted = s.store.hit_rate_window(&format!("user_lookup:{caller}"), now, window).map_err(store_error)?;
    Ok((counted.hits > limit).then(|| Throttled::until(counted.started + window, now)))
}

/// One login attempt, as the failed-login slowdown sees it: digests of the
/// account and of the client address.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    account: String,
    address: Option<String>,
}

/// The stored form of a throttle key.
fn digest(kind: &str, value: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::new().chain_update(kind).chain_update(b"\0").chain_update(value).finalize();
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

impl LoginAttempt {
    /// An attempt at `email` (normalized as accounts are, so every spelling
    /// of one address counts together; unknown e-mails count the same way, so
    /// the answers tell nothing about which accounts exist) from `client`.
    pub fn new(email: &str, client: Option<IpAddr>) -> Self {
        let account = Email::parse(email).map_or_else(|_| email.trim().to_lowercase(), Email::into_inner);
        Self {
            account: digest("account", &account),
            address: client.map(|ip| digest("address", &limit_key(ip).to_string())),
        }
    }

    fn account_key(&self) -> String {
        format!("account:{}", self.account)
    }

    fn address_key(&self) -> Option<String> {
        self.address.as_ref().map(|a| format!("address:{a}"))
    }

    /// `Some` when this attempt must wait: it is then neither checked nor counted.
    pub async fn refused(&self, state: &web::Data<AppState>) -> Result<Option<Throttled>, ApiError> {
        if !state.settings.rate_limit.enabled {
            return Ok(None);
        }
        let attempt = self.clone();
        run_unpinned(state, move |s| {
            let now = s.clock.now();
            let (account_key, address_key) = (attempt.account_key(), attempt.address_key());
            let mut keys = vec![account_key.as_str()];
            keys.extend(address_key.as_deref());
            let blocks = s.store.login_blocks(&keys, now).map_err(store_error)?;
            let until = |key: &str| blocks.iter().find(|(k, _)| k == key).map(|(_, until)| *until);
            if let Some(until) = address_key.as_deref().and_then(until) {
                return Ok(Some(Throttled::until(until, now)));
            }
            let Some(until) = until(&account_key) else { return Ok(None) };
            let known_since = now - Duration::days(i64::from(s.settings.rate_limit.login_known_address_days));
            let known = match &attempt.address {
                Some(address) => {
                    s.store.is_known_login_address(&attempt.account, address, known_since).map_err(store_error)?
                }
                None => false,
            };
            Ok((!known).then(|| Throttled::until(until, now)))
        })
        .await
    }

    /// Records how the attempt ended (`Ok` signed in; `Err(code)` refused with
    /// that code). Only wrong credentials count as failures. A failure to
    /// record is logged, never answered: the login's own answer stands.
    pub async fn record(&self, state: &web::Data<AppState>, outcome: Result<(), &str>) {
        if !state.settings.rate_limit.enabled || outcome.is_err_and(|code| code != "invalid_credentials") {
            return;
        }
        let (attempt, outcome) = (self.clone(), outcome.is_ok());
        let recorded = run_unpinned(state, move |s| {
            let limits = &s.settings.rate_limit;
            let now = s.clock.now();
            match (outcome, &attempt.address) {
                (true, Some(address)) => {
                    let forget_before = now - Duration::days(i64::from(limits.login_known_address_days));
                    s.store.record_login_success(&attempt.account, address, now, forget_before).map_err(store_error)
                }
                (true, None) => Ok(()),
                (false, _) => {
                    attempt.count_failure(s, &attempt.account_key(), limits.login_failures_per_account, now)?;
                    if let Some(key) = attempt.address_key() {
                        attempt.count_failure(s, &key, limits.login_failures_per_address, now)?;
                    }
                    Ok(())
                }
            }
        })
        .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "login throttle: cannot record the attempt");
        }
    }

    fn count_failure(
        &self,
        s: &AppState,
        key: &str,
        allowed: u32,
        now: DateTime<Utc>,
    ) -> Result<(), roster_domain::DomainError> {
        let limits = &s.settings.rate_limit;
        let forget_after = Duration::seconds(i64::try_from(limits.login_forget_after_s).unwrap_or(i64::MAX / 1000));
        let failures = s.store.record_login_failure(key, now, forget_after).map_err(store_error)?;
        if let Some(delay) = delay_after(failures, allowed, limits) {
            s.store.block_login(key, now + delay).map_err(store_error)?;
        }
        Ok(())
    }
}

/// The wait after the `failures`-th failure in a row when `allowed` are
/// allowed: none before the `allowed`-th, then the first delay, doubling
/// with each further failure, capped.
///
/// ```
/// use roster_api::throttle::delay_after;
/// let mut limits = roster_api::Settings::default().rate_limit;
/// limits.login_first_delay_ms = 1000;
/// limits.login_max_delay_s = 5;
/// let secs = |n| delay_after(n, 3, &limits).map(|d| d.num_seconds());
/// assert_eq!((secs(2), secs(3), secs(4), secs(5), secs(40)), (None, Some(1), Some(2), Some(4), Some(5)));
/// ```
pub fn delay_after(failures: i32, allowed: u32, limits: &RateLimitSettings) -> Option<Duration> {
    let over = u32::try_from(failures).ok()?.checked_sub(allowed)?;
    let first = limits.login_first_delay_ms;
    let delay_ms = first.saturating_mul(1u64 << over.min(40)).min(limits.login_max_delay_s.saturating_mul(1000));
    Some(Duration::milliseconds(i64::try_from(delay_ms).unwrap_or(i64::MAX / 1_000_000)))
}

/// The same slowdown for the console's **Sign in**: one set of counters, so
/// failures through the API and through the console add up.
pub struct ConsoleLogins(pub web::Data<AppState>);

impl std::fmt::Debug for ConsoleLogins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConsoleLogins")
    }
}

impl roster_console::LoginThrottle for ConsoleLogins {
    fn wait(
        &self,
        req: &actix_web::HttpRequest,
        email: &str,
    ) -> roster_console::ThrottleFuture<Result<Option<i64>, String>> {
        let (attempt, state) = (LoginAttempt::new(email, ClientAddr::of(req)), self.0.clone());
        Box::pin(async move {
            let refused = attempt.refused(&state).await.map_err(|e| e.to_string())?;
            Ok(refused.map(|t| t.retry_after_s))
        })
    }

    fn record(&self, req: &actix_web::HttpRequest, email: &str, signed_in: bool) -> roster_console::ThrottleFuture<()> {
        let (attempt, state) = (LoginAttempt::new(email, ClientAddr::of(req)), self.0.clone());
        let outcome = if signed_in { Ok(()) } else { Err("invalid_credentials") };
        Box::pin(async move { attempt.record(&state, outcome).await })
    }
}
