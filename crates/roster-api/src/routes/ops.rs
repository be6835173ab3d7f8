//! `/healthz` and `/readyz` (`/metrics` is the Prometheus middleware's).

use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
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

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = StatusDto), (status = 503, description = "not_ready", body = Problem)))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let ready = web::block(move || store.ready()).await.map_err(ApiError::internal)?;
    match ready {
        Ok(true) => Ok(HttpResponse::Ok().json(StatusDto { status: "ready" })),
        Ok(false) => Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "Migrations are pending.")),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "The database is unreachable."))
        }
    }
}
