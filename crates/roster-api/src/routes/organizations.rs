//! `/organizations` and `/organizations/{org_id}`.

use super::{all_valid, etag, field, if_match};
use crate::auth::{AuthUser, Principal};
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use roster_domain::OrgId;
use roster_domain::UserId;
use roster_domain::entities::OrganizationView;
use roster_domain::error::FieldErrors;
use roster_domain::services::organizations::{self, NewOrganization, OrganizationPatch};
use roster_domain::values::{Description, OrgName, Timezone};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Create-organization body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganizationBody {
    /// 1–120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// Up to 2 000 characters.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// IANA time zone; default `UTC`.
    #[schema(example = "Europe/Paris")]
    pub timezone: Option<String>,
}

/// Patch body: only the fields present change (`null` leaves a field as it is).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchOrganizationBody {
    /// 1–120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    /// Up to 2 000 characters.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
}

/// Head counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsDto {
    /// Live athletes.
    #[schema(minimum = 0)]
    pub athletes: i64,
    /// Live coaches, head coach included.
    #[schema(minimum = 0)]
    pub coaches: i64,
    /// Pending invitations.
    #[schema(minimum = 0)]
    pub pending_invitations: i64,
}

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationDto {
    /// Id.
    pub org_id: OrgId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// IANA time zone.
    pub timezone: String,
    /// The head coach.
    pub head_coach_user_id: UserId,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// For `If-Match`.
    pub version: i64,
    /// Head counts.
    pub counts: CountsDto,
}

impl From<OrganizationView> for OrganizationDto {
    fn from(v: OrganizationView) -> Self {
        Self {
            org_id: v.org.org_id,
            name: v.org.name.into_inner(),
            description: v.org.description.into_inner(),
            timezone: v.org.timezone.as_str().to_owned(),
            head_coach_user_id: v.head_coach_user_id,
            created_at: v.org.created_at,
            updated_at: v.org.updated_at,
            version: v.org.version,
            counts: CountsDto {
                athletes: v.counts.athletes,
                coaches: v.counts.coaches,
                pending_invitations: v.counts.pending_invitations,
            },
        }
    }
}

fn respond(status: actix_web::http::StatusCode, view: OrganizationView) -> HttpResponse {
    HttpResponse::build(status).insert_header(etag(view.org.version)).json(OrganizationDto::from(view))
}

/// Create an organization; the caller becomes its head coach.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations", security(("bearer" = [])),
    request_body = CreateOrganizationBody,
    responses((status = 201, body = OrganizationDto), (status = 409, description = "already_head_coach", body = Problem),
        (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateOrganizationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let view = user
        .run(&state, move |s, me| {
            let mut errors = FieldErrors::new();
            let name = field(&mut errors, "name", OrgName::parse(&body.name));
            let description =
                field(&mut errors, "description", Description::parse(body.description.as_deref().unwrap_or("")));
            let timezone = match body.timezone.as_deref() {
                Some(tz) => field(&mut errors, "timezone", Timezone::parse(tz)),
                None => Some(Timezone::utc()),
            };
            let new = all_valid(errors, || {
                Some(NewOrganization { name: name?, description: description?, timezone: timezone? })
            })?;
            organizations::create(&s.store, &s.clock, me, new)
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, view))
}

/// Read an organization (members, an API key of the organization with `members:read`).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}", tag = "organizations", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)),
    responses((status = 200, body = OrganizationDto),
        (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let view = user.run(&state, org_id, move |s, me| organizations::get(&s.cx(me), org_id)).await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}

/// Change an organization (head coach). Honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}", tag = "organizations", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = PatchOrganizationBody,
    responses((status = 200, body = OrganizationDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, description = "version_mismatch", body = Problem), (status = 422, body = Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<OrgId>,
    body: Json<PatchOrganizationBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, body, expected) = (path.into_inner(), body.into_inner(), if_match(&req)?);
    let view = user
        .run(&state, move |s, me| {
            let mut errors = FieldErrors::new();
            let patch = OrganizationPatch {
                name: body.name.as_deref().and_then(|n| field(&mut errors, "name", OrgName::parse(n))),
                description: body
                    .description
                    .as_deref()
                    .and_then(|d| field(&mut errors, "description", Description::parse(d))),
                timezone: body.timezone.as_deref().and_then(|t| field(&mut errors, "timezone", Timezone::parse(t))),
            };
            errors.finish()?;
            organizations::update(&s.cx(me), org_id, patch, expected)
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
}
