//! `/organizations/{org_id}/members`: the roster.

pub mod dto;
pub mod query;

use super::{etag, if_match, json_ok, to_json};
use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::routes::coaches::AccountRefBody;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use dto::{AddMemberBody, CoachBody, MemberDto, MemberListDto, PatchMemberBody, parse_labels};
use roster_domain::entities::{JoinExtras, PlanStart};
use roster_domain::error::FieldErrors;
use roster_domain::member::{DisplayName, MemberLevel, MemberView, PrivateNotes, RosterPage};
use roster_domain::services::members::{self, MemberAccess, NewMember};
use roster_domain::{DomainError, GroupId, OrgId, UserId};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {
    cfg.service(web::resource("/organizations/{org_id}/members").route(web::get().to(list)).route(web::post().to(add)))
        .service(
            web::resource("/organizations/{org_id}/members/{user_id}")
                .route(web::get().to(get))
                .route(web::patch().to(patch))
                .route(web::delete().to(remove)),
        )
        .service(web::resource("/organizations/{org_id}/members/{user_id}/coach").route(web::put().to(assign_coach)));
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(list, add, get, patch, remove, assign_coach),
    components(schemas(
        MemberDto,
        query::LabelFilter,
        MemberListDto,
        AddMemberBody,
        PatchMemberBody,
        CoachBody,
        dto::PlanStartBody
    )),
    tags((name = "members", description = "The roster. It lists live athletes (coaches are listed under /coaches); \
        a member's display name, level, labels, private notes and status belong to the membership, never to the account. \
        An athlete asking about any other member gets `404`, as for an id that does not exist."))
)]
pub struct Api;

fn respond(status: StatusCode, (view, group_ids): (MemberView, Vec<GroupId>), access: MemberAccess) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(view.membership.version))
        .json(MemberDto::new(view, access, None).with_group_ids(group_ids))
}

/// `view` with its live group ids (one query).
pub fn with_groups(state: &AppState, view: MemberView) -> Result<(MemberView, Vec<GroupId>), DomainError> {
    let (org_id, user_id) = (view.membership.org_id, view.membership.user_id);
    let groups = state.store.member_group_ids(org_id, &[user_id])?.remove(&user_id).unwrap_or_default();
    Ok((view, groups))
}

/// The roster: live athletes of the organization (coaches). Filters combine with AND; keyset paging is stable
/// under concurrent inserts; `total` counts every match. Unknown parameters and bad values are `400`
/// naming the parameter.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members", tag = "members", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), query::RosterParams),
    responses((status = 200, body = MemberListDto), (status = 400, body = Problem),
        (status = 403, description = "not a coach, or an assistant coach filtering by another coach; \
            insufficient_scope", body = Problem),
        (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: Principal,
    req: HttpRequest,
    path: web::Path<OrgId>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let mut roster_query = query::parse(query::pairs(&req)?)?;
    let page = user
        .run(&state, org_id, move |s, me| {
            roster_query.attention = s.settings.attention_thresholds();
            members::list(&s.cx(me), org_id, roster_query)
        })
        .await?;
    json_ok(render_page(page))
}

/// A roster page's JSON.
fn render_page(page: RosterPage) -> serde_json::Result<Vec<u8>> {
    let mut groups = page.group_ids;
    let mut statuses = page.profile_status;
    let capacity = 1_024 * (page.members.len() + 1);
    let data = page
        .members
        .into_iter()
        .map(|view| {
            let status = statuses.as_mut().map(|s| s.remove(&view.membership.user_id).unwrap_or_default());
            let group_ids = groups.remove(&view.membership.user_id).unwrap_or_default();
            MemberDto::new(view, MemberAccess::Coach, status).with_group_ids(group_ids)
        })
        .collect();
    let page = MemberListDto { data, next_cursor: page.next.as_ref().map(query::encode), total: page.total };
    to_json(&page, capacity)
}

fn parse_new_member(body: AddMemberBody) -> Result<NewMember, DomainError> {
    let target = AccountRefBody { email: body.email, user_id: body.user_id }.parse()?;
    let mut errors = FieldErrors::new();
    let display_name = body.display_name.as_deref().and_then(|v| errors.check("display_name", DisplayName::parse(v)));
    let member_level = body.member_level.as_deref().and_then(|v| errors.check("member_level", MemberLevel::parse(v)));
    let private_notes =
        body.private_notes.as_deref().and_then(|v| errors.check("private_notes", PrivateNotes::parse(v)));
    let labels = parse_labels(&mut errors, body.labels.as_deref().unwrap_or_default());
    errors.finish()?;
    Ok(NewMember {
        target,
        extras: JoinExtras {
            group_id: body.group_id,
            training_plan: body.training_plan.map(|p| PlanStart { plan_id: p.plan_id, start_date: p.start_date }),
        },
        display_name,
        member_level,
        labels: labels.unwrap_or_default(),
        private_notes,
        assigned_to_coach_id: body.assigned_to_coach_id,
    })
}

/// Add an existing account as an athlete (coaches), with its group, plan and attributes, in one transaction.
/// An assistant coach's athlete is assigned to them unless `assigned_to_coach_id` says `null` (or names them).
/// The account is e-mailed which organization and which coach added it, and how to leave (`DELETE` of its
/// own membership). An API key (`members:write`) adds athletes for the whole organization (unassigned unless
/// `assigned_to_coach_id` says otherwise); its e-mail names the club and says one of its integrations added
/// them. A key's `training_plan` also takes `plans:write` and its `group_id` `groups:write` (what assigning
/// the plan and putting the member in the group take on their own routes); the assignment names the key
/// (`assigned_by: null, assigned_by_key_id`).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members", tag = "members", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)), request_body = AddMemberBody,
    responses((status = 201, body = MemberDto), (status = 400, body = Problem),
        (status = 403, description = "forbidden, insufficient_scope: an API key without members:write (or, for \
            training_plan, plans:write; for group_id, groups:write)", body = Problem),
        (status = 404, description = "user_not_found, or not a member", body = Problem),
        (status = 409, description = "already_member, member_of_another_organization", body = Problem),
        (status = 422, description = "invalid values, invalid_label, not_a_coach", body = Problem)))]
pub async fn add(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    body: Json<AddMemberBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, body) = (path.into_inner(), body.into_inner());
    let view = user
        .run(&state, org_id, move |s, me| {
            let new = parse_new_member(body)?;
            let base = &s.settings.public_base_url;
            with_groups(s, members::add(&s.cx(me), org_id, new, base)?)
        })
        .await?;
    Ok(respond(StatusCode::CREATED, view, MemberAccess::Coach))
}

/// One member (coaches, or the athlete themselves: their own view has no `private_notes` and `labels`).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}", tag = "members",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = MemberDto),
        (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, description = "not a member, no such member, or another athlete asking", body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, user_id) = path.into_inner();
    let (view, access) = user
        .run(&state, org_id, move |s, me| {
            let (view, access) = members::get(&s.cx(me), org_id, user_id)?;
            Ok((with_groups(s, view)?, access))
        })
        .await?;
    Ok(respond(StatusCode::OK, view, access))
}

/// Change a member's organization-only attributes (head coach, or the assigned coach). Absent fields stay;
/// `null` clears; `labels` replaces the set. Honours `If-Match`. A patch that changes nothing changes no version.
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/members/{user_id}", tag = "members",
    security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path),
        ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    request_body = PatchMemberBody,
    responses((status = 200, body = MemberDto), (status = 400, body = Problem),
        (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope", body = Problem),
        (status = 404, body = Problem), (status = 412, description = "version_mismatch", body = Problem),
        (status = 422, body = Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    user: Principal,
    req: HttpRequest,
    path: web::Path<(OrgId, UserId)>,
    body: Json<PatchMemberBody>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, user_id), expected) = (path.into_inner(), if_match(&req)?);
    let body = body.into_inner();
    let view = user
        .run(&state, org_id, move |s, me| {
            let patch = body.parse()?;
            with_groups(s, members::update(&s.cx(me), org_id, user_id, patch, expected)?)
        })
        .await?;
    Ok(respond(StatusCode::OK, view, MemberAccess::Coach))
}

/// End a membership (head coach, the assigned coach, or the athlete leaving). **Leaving:** an athlete sends this
/// with their own `user_id` and their own token, whoever added them (assistant coaches leave through
/// `DELETE /organizations/{org_id}/coaches/{their user_id}`). The account stays; group memberships end;
/// current and upcoming plans are cancelled; re-adding later starts a new membership.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/members/{user_id}", tag = "members",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope", body = Problem),
        (status = 404, body = Problem), (status = 409, description = "head_coach_required", body = Problem)))]
pub async fn remove(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, user_id) = path.into_inner();
    user.run(&state, org_id, move |s, me| members::remove(&s.cx(me), org_id, user_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Assign an athlete to a coach of the organization, or unassign (`null`). Head coach only.
#[utoipa::path(put, path = "/api/v1/organizations/{org_id}/members/{user_id}/coach", tag = "members",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)), request_body = CoachBody,
    responses((status = 200, body = MemberDto), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 412, description = "version_mismatch: the member changed while this request ran", body = Problem),
        (status = 422, description = "not_a_coach (also a coach removed while this request ran), not_an_athlete",
            body = Problem)))]
pub async fn assign_coach(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    body: Json<CoachBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, user_id) = path.into_inner();
    let coach = body
        .into_inner()
        .coach_id
        .ok_or_else(|| ApiError::bad_request("missing_field", "coach_id", "Field `coach_id` is required."))?;
    let view = user
        .run(&state, org_id, move |s, me| with_groups(s, members::assign_coach(&s.cx(me), org_id, user_id, coach)?))
        .await?;
    Ok(respond(StatusCode::OK, view, MemberAccess::Coach))
}
