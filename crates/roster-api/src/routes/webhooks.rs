//! `/organizations/{org_id}/webhooks`: endpoints, their secrets and deliveries (head coach).

use super::{decode_cursor, encode_cursor, page_limit};
use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use crate::webhooks::{AllowedNetworks, new_secret};
use actix_web::{HttpResponse, web};
use roster_domain::services::webhooks::{self as service, NewWebhook, PREVIOUS_SECRET_GRACE, WebhookPatch};
use roster_domain::{DeliveryId, DomainError, FieldError, OrgId, WebhookId};
use serde::Deserialize;
use utoipa::IntoParams;

mod dtos;
pub use dtos::{
    AttemptDto, CreateWebhookBody, CreatedWebhookDto, DeliveryDto, DeliveryPageDto, PatchWebhookBody, QueuedDto,
    SecretDto, WebhookDto, WebhookListDto,
};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/organizations/{org_id}/webhooks").route(web::get().to(list)).route(web::post().to(create)),
    )
    .service(
        web::resource("/organizations/{org_id}/webhooks/{webhook_id}")
            .route(web::get().to(get))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/organizations/{org_id}/webhooks/{webhook_id}/rotate-secret")
            .route(web::post().to(rotate_secret)),
    )
    .service(web::resource("/organizations/{org_id}/webhooks/{webhook_id}/test").route(web::post().to(test)))
    .service(web::resource("/organizations/{org_id}/webhooks/{webhook_id}/deliveries").route(web::get().to(deliveries)))
    .service(
        web::resource("/organizations/{org_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
            .route(web::post().to(redeliver)),
    );
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(list, create, get, patch, delete, rotate_secret, test, deliveries, redeliver),
    components(schemas(WebhookDto, CreatedWebhookDto, WebhookListDto, CreateWebhookBody, PatchWebhookBody, SecretDto,
        DeliveryDto, AttemptDto, DeliveryPageDto, QueuedDto)),
    tags((name = "webhooks", description = "Signed event delivery (Standard Webhooks 1.0; see docs/webhooks.md). \
        Head coach only. The secret is shown once, at creation and rotation; after a rotation both secrets sign \
        for 24 hours."))
)]
pub struct Api;

/// `?limit=&cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// Refuses an address literal in the server's own networks (names are checked at each delivery).
fn check_reachable(state: &AppState, url: &str) -> Result<(), DomainError> {
    let allowed = AllowedNetworks::parse(&state.settings.webhooks.allow_networks).unwrap_or_default();
    allowed
        .check_url(url)
        .map_err(|e| DomainError::Validation(vec![FieldError::new("url", "address_not_allowed", e.to_string())]))
}

/// Register an endpoint; the answer carries its secret, shown this once.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)), request_body = CreateWebhookBody,
    responses((status = 201, body = CreatedWebhookDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem),
        (status = 422, description = "invalid_url, address_not_allowed, unknown_event_type, invalid_text, too_long",
            body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    body: Json<CreateWebhookBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, b) = (path.into_inner(), body.into_inner());
    let secret = new_secret();
    let shown = secret.clone();
    let endpoint = user
        .run(&state, org_id, move |s, me| {
            let new = NewWebhook::parse(&b.url, &b.event_types, b.description.as_deref(), b.enabled)?;
            check_reachable(s, new.url.as_str())?;
            service::create(&s.cx(me), org_id, new, &secret)
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedWebhookDto { webhook: endpoint.into(), secret: shown }))
}

/// The organization's endpoints.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)),
    responses((status = 200, body = WebhookListDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let endpoints = user.run(&state, org_id, move |s, me| service::list(&s.cx(me), org_id)).await?;
    Ok(HttpResponse::Ok().json(WebhookListDto { data: endpoints.into_iter().map(Into::into).collect() }))
}

/// One endpoint.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/webhooks/{webhook_id}", tag = "webhooks",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("webhook_id" = WebhookId, Path)),
    responses((status = 200, body = WebhookDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, WebhookId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let endpoint = user.run(&state, org_id, move |s, me| service::get(&s.cx(me), org_id, id)).await?;
    Ok(HttpResponse::Ok().json(WebhookDto::from(endpoint)))
}

/// Change an endpoint.
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/webhooks/{webhook_id}", tag = "webhooks",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("webhook_id" = WebhookId, Path)),
    request_body = PatchWebhookBody,
    responses((status = 200, body = WebhookDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem),
        (status = 422, description = "invalid_url, address_not_allowed, unknown_event_type, invalid_text, too_long",
            body = Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, WebhookId)>,
    body: Json<PatchWebhookBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let b = body.into_inner();
    let endpoint = user
        .run(&state, org_id, move |s, me| {
            let patch =
                WebhookPatch::parse(b.url.as_deref(), b.event_types.as_deref(), b.description.as_deref(), b.enabled)?;
            if let Some(url) = &patch.url {
                check_reachable(s, url.as_str())?;
            }
            service::update(&s.cx(me), (org_id, id), patch)
        })
        .await?;
    Ok(HttpResponse::Ok().json(WebhookDto::from(endpoint)))
}

/// Delete an endpoint and its deliveries.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/webhooks/{webhook_id}", tag = "webhooks",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("webhook_id" = WebhookId, Path)),
    responses((status = 204), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, WebhookId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    user.run(&state, org_id, move |s, me| service::delete(&s.cx(me), org_id, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new secret, shown this once; the previous one signs too for 24 hours.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/webhooks/{webhook_id}/rotate-secret", tag = "webhooks",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("webhook_id" = WebhookId, Path)),
    responses((status = 200, body = SecretDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem)))]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, WebhookId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let secret = new_secret();
    let shown = secret.clone();
    let at = user
        .run(&state, org_id, move |s, me| {
            service::rotate_secret(&s.cx(me), org_id, id, &secret)?;
            Ok(roster_domain::Clock::now(&s.clock) + PREVIOUS_SECRET_GRACE)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SecretDto { secret: shown, previous_secret_expires_at: at }))
}

/// Queue a `webhook.test` event for this endpoint (sent even while it is disabled).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/webhooks/{webhook_id}/test", tag = "webhooks",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("webhook_id" = WebhookId, Path)),
    responses((status = 202, body = QueuedDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem)))]
pub async fn test(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, WebhookId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let delivery_id = user.run(&state, org_id, move |s, me| service::send_test(&s.cx(me), org_id, id)).await?;
    Ok(HttpResponse::Accepted().json(QueuedDto { delivery_id }))
}

/// The endpoint's deliveries with their attempts, newest first.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/webhooks/{webhook_id}/deliveries", tag = "webhooks",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("webhook_id" = WebhookId, Path), DeliveryQuery),
    responses((status = 200, body = DeliveryPageDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem)))]
pub async fn deliveries(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, WebhookId)>,
    query: crate::routes::query::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let before = q.cursor.as_deref().map(decode_cursor::<DeliveryId>).transpose()?;
    let (page, more) =
        user.run(&state, org_id, move |s, me| service::deliveries(&s.cx(me), (org_id, id), before, limit)).await?;
    let next_cursor = if more { page.last().map(|d| encode_cursor(&d.delivery_id.to_string())) } else { None };
    Ok(HttpResponse::Ok().json(DeliveryPageDto { data: page.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Send a delivery again, with its original `webhook-id` and body.
#[utoipa::path(post,
    path = "/api/v1/organizations/{org_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    tag = "webhooks", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("webhook_id" = WebhookId, Path), ("delivery_id" = DeliveryId, Path)),
    responses((status = 202, body = QueuedDto), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without webhooks:manage", body = Problem), (status = 404, body = Problem)))]
pub async fn redeliver(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, WebhookId, DeliveryId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id, delivery_id) = path.into_inner();
    user.run(&state, org_id, move |s, me| service::redeliver(&s.cx(me), (org_id, id), delivery_id)).await?;
    Ok(HttpResponse::Accepted().json(QueuedDto { delivery_id }))
}
