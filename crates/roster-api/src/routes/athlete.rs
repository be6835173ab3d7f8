//! Routes for athlete.

use actix_web::web;

/// Registers this module's routes under `/api/v1`.
pub fn configure(_cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi()]
pub struct Api;
