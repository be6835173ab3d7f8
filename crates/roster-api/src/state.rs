//! What every handler gets: the store, the clock, the hasher and the token keys.

use crate::auth::{Argon2Hasher, TokenKeys};
use crate::error::ApiError;
use crate::settings::Settings;
use actix_web::web;
use roster_domain::policy::Caller;
use roster_domain::{Context, DomainError, SystemClock};
use roster_store::Store;
use std::sync::Arc;

/// Shared state, passed to handlers as `web::Data<AppState>`.
#[derive(Debug)]
pub struct AppState {
    /// Persistence.
    pub store: Store,
    /// Time.
    pub clock: SystemClock,
    /// Password hashing.
    pub hasher: Argon2Hasher,
    /// Access tokens.
    pub tokens: TokenKeys,
    /// Invitation links: minted, and derived again to be shown.
    pub links: roster_domain::invitation::KeyedLinks,
    /// Settings in force.
    pub settings: Arc<Settings>,
    /// The insight provider the `insights` settings configure.
    pub insights: crate::insights_llm::ConfiguredInsights,
    /// Requests per API key (`rate_limit.api_key_per_minute`).
    pub key_limiter: crate::auth::KeyLimiter,
}

impl AppState {
    /// A use case's context: this server's store and clock, for `caller`.
    pub fn cx(&self, caller: impl Into<Caller>) -> Context<'_, Store> {
        Context::new(&self.store, caller).with_clock(&self.clock)
    }
}

/// Runs a blocking use case on the thread pool (diesel and Argon2 block).
pub async fn run<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> Result<T, DomainError> + Send + 'static,
{
    let state = state.clone().into_inner();
    // One pooled connection for the whole use case (see `Store::pinned`).
    web::block(move || state.store.pinned(|| f(&state))).await.map_err(ApiError::internal)?.map_err(ApiError::from)
}

/// Runs a blocking use case that spends most of its time hashing a password
/// (Argon2id, some 170 ms) on the thread pool without pinning a connection:
/// each repository call takes one from the pool and gives it back at once,
/// so a burst of logins never holds the pool (sized to the cores) idle.
pub async fn run_unpinned<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> Result<T, DomainError> + Send + 'static,
{
    let state = state.clone().into_inner();
    web::block(move || f(&state)).await.map_err(ApiError::internal)?.map_err(ApiError::from)
}
