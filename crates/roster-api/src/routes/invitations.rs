//! Routes for invitations.

use actix_web::web;

/// Registers this module's routes under `/api/v1`.
pub fn configure(_cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {}

/// Registers this module's routes at the root (the `/join/{token}` page).
pub fn configure_root(_cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi()]
pub struct Api;
