//! `/organizations/{org_id}/api-keys`: organization API keys (head coach;
//! no key manages keys). See docs/api-keys.md.

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use rand::RngCore;
use roster_domain::api_keys::{ApiKey, ApiKeySecret};
use roster_domain::services::api_keys::{self as service, NewApiKey};
use roster_domain::{ApiKeyId, OrgId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/organizations/{org_id}/api-keys").route(web::get().to(list)).route(web::post().to(create)),
    )
    .service(web::resource("/organizations/{org_id}/api-keys/{key_id}").route(web::delete().to(revoke)));
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(list, create, revoke),
    components(schemas(ApiKeyDto, CreatedApiKeyDto, ApiKeyListDto, CreateApiKeyBody)),
    tags((name = "api-keys", description = "Organization API keys (see docs/api-keys.md): `Authorization: Bearer \
        rst_…`. Head coach only; the key is shown once, at creation."))
)]
pub struct Api;

/// A key (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyDto {
    /// Public id.
    pub key_id: ApiKeyId,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// The key's first 12 characters.
    pub prefix: String,
    /// The head coach who made it.
    pub created_by: UserId,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Refused from then on.
    pub expires_at: DateTime<Utc>,
    /// Last use, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for ApiKeyDto {
    fn from(k: ApiKey) -> Self {
        Self {
            key_id: k.key_id,
            name: k.name,
            scopes: k.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            prefix: k.prefix,
            created_by: k.created_by,
            created_at: k.created_at,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
        }
    }
}

/// A new key with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyDto {
    /// The key's record.
    #[serde(flatten)]
    pub api_key: ApiKeyDto,
    /// `rst_` + 43 base62 characters + a 6-character checksum.
    pub key: String,
}

/// `{data}`, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyListDto {
    /// The keys not revoked (expired ones included).
    pub data: Vec<ApiKeyDto>,
}

/// Create body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyBody {
    /// 1–100 characters, one line.
    #[schema(max_length = 100)]
    pub name: String,
    /// At least one of `members:read`, `members:write`, `invitations:write`, `plans:write`, `groups:write`,
    /// `activities:write`, `audit:read`, `webhooks:manage`.
    pub scopes: Vec<String>,
    /// In the future, at most a year away; absent: 90 days from now.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Make a key; the answer carries it, shown this once.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/api-keys", tag = "api-keys", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)), request_body = CreateApiKeyBody,
    responses((status = 201, body = CreatedApiKeyDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "required, unknown_scope, in_past, too_far, invalid_text, too_long",
            body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<OrgId>,
    body: Json<CreateApiKeyBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, b) = (path.into_inner(), body.into_inner());
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = ApiKeySecret::from_random(bytes);
    let shown = secret.as_str().to_owned();
    let new = NewApiKey { name: b.name, scopes: b.scopes, expires_at: b.expires_at };
    let key = user.run(&state, move |s, me| service::create(&s.cx(me), org_id, new, &secret)).await?;
    Ok(HttpResponse::Created().json(CreatedApiKeyDto { api_key: key.into(), key: shown }))
}

/// The organization's keys, without their secrets.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/api-keys", tag = "api-keys", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)),
    responses((status = 200, body = ApiKeyListDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<OrgId>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let keys = user.run(&state, move |s, me| service::list(&s.cx(me), org_id)).await?;
    Ok(HttpResponse::Ok().json(ApiKeyListDto { data: keys.into_iter().map(Into::into).collect() }))
}

/// Revoke a key: refused (`401`) from the next request on.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/api-keys/{key_id}", tag = "api-keys",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("key_id" = ApiKeyId, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(OrgId, ApiKeyId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, key_id) = path.into_inner();
    user.run(&state, move |s, me| service::revoke(&s.cx(me), org_id, key_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
