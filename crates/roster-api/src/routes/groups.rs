//! `/organizations/{org_id}/groups`, their members and group plan assignment.

use super::{decode_cursor, encode_cursor, etag, if_match, page_limit};
use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use roster_domain::error::FieldErrors;
use roster_domain::groups::{GroupName, GroupView, MemberOutcome};
use roster_domain::services::groups as service;
use roster_domain::values::Description;
use roster_domain::{DomainError, GroupId, OrgId, PlanId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {
    cfg.service(
        web::resource("/organizations/{org_id}/groups").route(web::get().to(list)).route(web::post().to(create)),
    )
    .service(
        web::resource("/organizations/{org_id}/groups/{group_id}")
            .route(web::get().to(get))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/organizations/{org_id}/groups/{group_id}/members/{user_id}")
            .route(web::put().to(add_member))
            .route(web::delete().to(remove_member)),
    )
    .service(
        web::resource("/organizations/{org_id}/groups/{group_id}/plan-assignments").route(web::post().to(assign_plan)),
    );
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(list, create, get, patch, delete, add_member, remove_member, assign_plan),
    components(schemas(GroupDto, GroupListDto, CreateGroupBody, PatchGroupBody, GroupAssignBody, GroupAssignResultDto,
        GroupAssignResponse)),
    tags((name = "groups", description = "Groups of members. Member PUT and DELETE answer `204` whether or not \
        anything changed; the target must be a live member (else `404`). Group plan assignment is idempotent: a \
        member who already has the same plan with the same start date is reported `skipped` with code \
        `already_assigned`; members who are not athletes are `skipped` with `not_an_athlete`."))
)]
pub struct Api;

/// A group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// Id.
    pub group_id: GroupId,
    /// Name, unique in the organization ignoring case.
    pub name: String,
    /// Description.
    pub description: String,
    /// Live members in it.
    #[schema(minimum = 0)]
    pub member_count: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// For `If-Match`.
    pub version: i64,
}

impl From<GroupView> for GroupDto {
    fn from(v: GroupView) -> Self {
        GroupDto {
            group_id: v.group.group_id,
            name: v.group.name.as_str().to_owned(),
            description: v.group.description.into_inner(),
            member_count: v.member_count,
            created_at: v.group.created_at,
            version: v.group.version,
        }
    }
}

/// `{data, next_cursor}` of groups, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupListDto {
    /// The page.
    pub data: Vec<GroupDto>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// Create-group body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupBody {
    /// 1–80 characters.
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    /// Up to 2 000 characters.
    pub description: Option<String>,
}

/// Patch body; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchGroupBody {
    /// 1–80 characters.
    #[schema(min_length = 1, max_length = 80)]
    pub name: Option<String>,
    /// Up to 2 000 characters.
    pub description: Option<String>,
}

/// `?limit=&cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GroupQuery {
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// Group plan assignment body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupAssignBody {
    /// A plan that is not archived.
    pub plan_id: PlanId,
    /// First day for everyone; not in the past.
    pub start_date: NaiveDate,
    /// Also give the plan (same start date, if it has not passed) to athletes who join the group later.
    #[serde(default)]
    pub enroll_future_members: bool,
}

/// One member's outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupAssignResultDto {
    /// The member.
    pub user_id: UserId,
    /// `assigned` or `skipped`.
    #[schema(example = "assigned")]
    pub outcome: String,
    /// Why skipped: `already_assigned`, `not_assigned_to_you`, `plan_assignment_overlap` or `not_an_athlete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// `{results: [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupAssignResponse {
    /// One line per current member.
    pub results: Vec<GroupAssignResultDto>,
}

impl From<MemberOutcome> for GroupAssignResultDto {
    fn from(m: MemberOutcome) -> Self {
        let outcome = match m.outcome {
            roster_domain::groups::Outcome::Assigned => "assigned",
            roster_domain::groups::Outcome::Skipped => "skipped",
        };
        GroupAssignResultDto { user_id: m.user_id, outcome: outcome.to_owned(), code: m.code.map(str::to_owned) }
    }
}

fn respond(status: StatusCode, view: GroupView) -> HttpResponse {
    HttpResponse::build(status).insert_header(etag(view.group.version)).json(GroupDto::from(view))
}

/// The organization's groups (coaches).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/groups", tag = "groups", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), GroupQuery),
    responses((status = 200, body = GroupListDto),
        (status = 400, description = "invalid_parameter, invalid_text, unknown_parameter", body = Problem),
        (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without members:read",
            body = Problem),
        (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    query: crate::routes::query::Query<GroupQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let limit = page_limit(query.limit)?;
    let after = query.cursor.as_deref().map(decode_cursor::<GroupId>).transpose()?;
    let mut groups = user.run(&state, org_id, move |s, me| service::list(&s.cx(me), org_id, after, limit)).await?;
    let next_cursor = if groups.len() > limit as usize {
        groups.truncate(limit as usize);
        groups.last().map(|g| encode_cursor(&g.group.group_id.to_string()))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(GroupListDto { data: groups.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Create a group (coaches).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/groups", tag = "groups", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)), request_body = CreateGroupBody,
    responses((status = 201, body = GroupDto), (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without groups:write", body = Problem), (status = 404, body = Problem),
        (status = 409, description = "group_name_taken", body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    body: Json<CreateGroupBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, body) = (path.into_inner(), body.into_inner());
    let view = user
        .run(&state, org_id, move |s, me| {
            let mut errors = FieldErrors::new();
            let name = errors.check("name", GroupName::parse(&body.name));
            let description =
                errors.check("description", Description::parse(body.description.as_deref().unwrap_or("")));
            errors.finish()?;
            let (Some(name), Some(description)) = (name, description) else {
                return Err(DomainError::Validation(Vec::new()));
            };
            service::create(&s.cx(me), org_id, name, description)
        })
        .await?;
    Ok(respond(StatusCode::CREATED, view))
}

/// One group (coaches).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/groups/{group_id}", tag = "groups",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("group_id" = GroupId, Path)),
    responses((status = 200, body = GroupDto), (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without members:read", body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, GroupId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, group_id) = path.into_inner();
    let view = user.run(&state, org_id, move |s, me| service::get(&s.cx(me), org_id, group_id)).await?;
    Ok(respond(StatusCode::OK, view))
}

/// Rename or re-describe a group (coaches). Honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/groups/{group_id}", tag = "groups",
    security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("group_id" = GroupId, Path), ("If-Match" = Option<String>, Header)),
    request_body = PatchGroupBody,
    responses((status = 200, body = GroupDto), (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without groups:write", body = Problem), (status = 404, body = Problem),
        (status = 409, description = "group_name_taken", body = Problem),
        (status = 412, description = "version_mismatch", body = Problem), (status = 422, body = Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    user: Principal,
    req: HttpRequest,
    path: web::Path<(OrgId, GroupId)>,
    body: Json<PatchGroupBody>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, group_id), body, expected) = (path.into_inner(), body.into_inner(), if_match(&req)?);
    let view = user
        .run(&state, org_id, move |s, me| {
            let mut errors = FieldErrors::new();
            let name = body.name.as_deref().and_then(|n| errors.check("name", GroupName::parse(n)));
            let description =
                body.description.as_deref().and_then(|d| errors.check("description", Description::parse(d)));
            errors.finish()?;
            service::update(&s.cx(me), org_id, group_id, name, description, expected)
        })
        .await?;
    Ok(respond(StatusCode::OK, view))
}

/// Delete a group (coaches); its members stay in the organization.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/groups/{group_id}", tag = "groups",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("group_id" = GroupId, Path)),
    responses((status = 204), (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without groups:write", body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, GroupId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, group_id) = path.into_inner();
    user.run(&state, org_id, move |s, me| service::delete(&s.cx(me), org_id, group_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Put a member into a group (coaches); idempotent. Applies the group's
/// enrollments (plans for athletes who join later).
#[utoipa::path(put, path = "/api/v1/organizations/{org_id}/groups/{group_id}/members/{user_id}", tag = "groups",
    security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("group_id" = GroupId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without groups:write", body = Problem), (status = 404, body = Problem)))]
pub async fn add_member(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, GroupId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, group_id, member) = path.into_inner();
    user.run(&state, org_id, move |s, me| service::add_member(&s.cx(me), org_id, group_id, member)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take a member out of a group (coaches); idempotent.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/groups/{group_id}/members/{user_id}", tag = "groups",
    security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("group_id" = GroupId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without groups:write", body = Problem), (status = 404, body = Problem)))]
pub async fn remove_member(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, GroupId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, group_id, member) = path.into_inner();
    user.run(&state, org_id, move |s, me| service::remove_member(&s.cx(me), org_id, group_id, member)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Assign a plan to every current member of a group (coaches).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/groups/{group_id}/plan-assignments", tag = "groups",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("group_id" = GroupId, Path)),
    request_body = GroupAssignBody,
    responses((status = 200, body = GroupAssignResponse),
        (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without plans:write", body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "start_date_in_past, plan_archived, unknown_plan", body = Problem)))]
pub async fn assign_plan(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, GroupId)>,
    body: Json<GroupAssignBody>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, group_id), body) = (path.into_inner(), body.into_inner());
    let results = user
        .run(&state, org_id, move |s, me| {
            service::assign_plan(&s.cx(me), org_id, group_id, body.plan_id, body.start_date, body.enroll_future_members)
        })
        .await?;
    Ok(HttpResponse::Ok().json(GroupAssignResponse { results: results.into_iter().map(Into::into).collect() }))
}
