//! `/healthz` and `/readyz` (`/metrics` is the Prometheus middleware's).

use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use roster_domain::Outage;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// A status line.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusDto {
    /// `ok` or `ready`.
    pub status: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = StatusDto)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(StatusDto { status: "ok" })
}

/// The database is reachable (and, on SQLite, writable as far as the server
/// knows) and every migration is applied. Answers within a second: a check
/// that takes longer counts as not ready.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = StatusDto),
        (status = 503, description = "not_ready (with Retry-After)", body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let check = web::block(move || store.ready(READY_WAIT));
    let not_ready = |detail: &str| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", detail);
    match tokio::time::timeout(READY_DEADLINE, check).await {
        Ok(Ok(Ok(true))) => Ok(HttpResponse::Ok().json(StatusDto { status: "ready" })),
        Ok(Ok(Ok(false))) => Err(not_ready("Migrations are pending.")),
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(not_ready(match e.outage() {
                Some(Outage::Storage) => "The database cannot be written.",
                _ => "The database is unreachable.",
            }))
        }
        Ok(Err(e)) => Err(ApiError::internal(e)),
        Err(_) => {
            tracing::warn!("readiness check took longer than {READY_DEADLINE:?}");
            Err(not_ready("The database did not answer in time."))
        }
    }
}

/// How long `/readyz` waits for a connection, and for its whole check.
const READY_WAIT: Duration = Duration::from_millis(400);
const READY_DEADLINE: Duration = Duration::from_millis(900);
