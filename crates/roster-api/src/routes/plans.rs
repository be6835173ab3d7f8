//! `/organizations/{org_id}/training-plans` and
//! `/organizations/{org_id}/members/{user_id}/plan-assignments`.

pub mod dto;

use super::{decode_cursor, encode_cursor, etag, if_match, page_limit};
use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use dto::{
    AssignBody, AssignmentDto, AssignmentListDto, CreatePlanBody, PatchPlanBody, PlanDto, PlanListDto, PlanQuery,
    WorkoutDto,
};
use roster_domain::error::FieldErrors;
use roster_domain::plans::{PlanContent, PlanFilter, PlanLevel, PlanName, TrainingPlan};
use roster_domain::services::plans as service;
use roster_domain::values::Description;
use roster_domain::{AssignmentId, DomainError, FieldError, OrgId, PlanId, Sport, UserId};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {
    cfg.service(
        web::resource("/organizations/{org_id}/training-plans")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/organizations/{org_id}/training-plans/{plan_id}")
            .route(web::get().to(get))
            .route(web::patch().to(patch))
            .route(web::delete().to(archive)),
    )
    .service(
        web::resource("/organizations/{org_id}/members/{user_id}/plan-assignments")
            .route(web::get().to(list_assignments))
            .route(web::post().to(assign)),
    )
    .service(
        web::resource("/organizations/{org_id}/members/{user_id}/plan-assignments/{assignment_id}")
            .route(web::delete().to(cancel)),
    );
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(list, create, get, patch, archive, list_assignments, assign, cancel),
    components(schemas(
        PlanDto, PlanListDto, CreatePlanBody, PatchPlanBody, WorkoutDto, AssignBody, AssignmentDto, AssignmentListDto
    )),
    tags((name = "training plans", description = "The plan library and plan assignments. Unknown `plan_id` in an \
        assignment is `422` naming `plan_id` (code `unknown_plan`). Assignments may only be made to athletes. \
        An athlete lists and reads only the plans assigned to them (not cancelled); an athlete asking about another \
        member's assignments gets `404`. A plan holds at most 3 workouts on one day (`422 too_many_workouts`)."))
)]
pub struct Api;

fn parse_sport(errors: &mut FieldErrors, s: &str) -> Option<Sport> {
    match s.parse::<Sport>() {
        Ok(sport) => Some(sport),
        Err(e) => {
            errors.push(FieldError::new("sport", "invalid_sport", e.to_string()));
            None
        }
    }
}

fn parse_level(errors: &mut FieldErrors, level: Option<&str>) -> Option<Option<PlanLevel>> {
    match level {
        None => Some(None),
        Some(l) => errors.check("level", l.parse::<PlanLevel>()).map(Some),
    }
}

fn respond(status: StatusCode, plan: TrainingPlan) -> HttpResponse {
    HttpResponse::build(status).insert_header(etag(plan.version)).json(PlanDto::from(plan))
}

/// The library (coaches; an athlete sees only plans assigned to them).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/training-plans", tag = "training plans",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), PlanQuery),
    responses((status = 200, body = PlanListDto), (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    query: crate::routes::query::Query<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, query) = (path.into_inner(), query.into_inner());
    let limit = page_limit(query.limit)?;
    let sport = match query.sport.as_deref() {
        Some(s) => {
            Some(s.parse::<Sport>().map_err(|e| ApiError::bad_request("invalid_parameter", "sport", e.to_string()))?)
        }
        None => None,
    };
    let after = query.cursor.as_deref().map(decode_cursor::<PlanId>).transpose()?;
    let filter = PlanFilter {
        q: query.q,
        sport,
        include_archived: query.include_archived.unwrap_or(false),
        assigned_to: None,
        after,
        limit,
    };
    let mut plans = user.run(&state, org_id, move |s, me| service::list_plans(&s.cx(me), org_id, filter)).await?;
    let next_cursor = if plans.len() > limit as usize {
        plans.truncate(limit as usize);
        plans.last().map(|p| encode_cursor(&p.plan_id.to_string()))
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(PlanListDto { data: plans.into_iter().map(Into::into).collect(), next_cursor }))
}

/// Add a plan to the library (coaches).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/training-plans", tag = "training plans",
    security(("bearer" = [])), params(("org_id" = OrgId, Path)), request_body = CreatePlanBody,
    responses((status = 201, body = PlanDto),
        (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without plans:write", body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "a bad field, e.g. `workouts[3].week` outside `duration_weeks`", body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    body: Json<CreatePlanBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, body) = (path.into_inner(), body.into_inner());
    let plan = user
        .run(&state, org_id, move |s, me| {
            let mut errors = FieldErrors::new();
            let name = errors.check("name", PlanName::parse(&body.name));
            let description =
                errors.check("description", Description::parse(body.description.as_deref().unwrap_or("")));
            let sport = parse_sport(&mut errors, &body.sport);
            let level = parse_level(&mut errors, body.level.as_deref());
            errors.finish()?;
            let (Some(name), Some(description), Some(sport), Some(level)) = (name, description, sport, level) else {
                return Err(DomainError::Validation(Vec::new()));
            };
            let workouts = body.workouts.into_iter().map(Into::into).collect();
            let content = PlanContent::new(name, description, sport, level, body.duration_weeks, workouts)?;
            service::create_plan(&s.cx(me), org_id, content)
        })
        .await?;
    Ok(respond(StatusCode::CREATED, plan))
}

/// One plan (coaches, or an athlete it is assigned to).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/training-plans/{plan_id}", tag = "training plans",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("plan_id" = PlanId, Path)),
    responses((status = 200, body = PlanDto), (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, PlanId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, plan_id) = path.into_inner();
    let plan = user.run(&state, org_id, move |s, me| service::get_plan(&s.cx(me), org_id, plan_id)).await?;
    Ok(respond(StatusCode::OK, plan))
}

/// Change a plan (its author or the head coach). Honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/training-plans/{plan_id}", tag = "training plans",
    security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("plan_id" = PlanId, Path), ("If-Match" = Option<String>, Header)),
    request_body = PatchPlanBody,
    responses((status = 200, body = PlanDto), (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope: an API key without plans:write", body = Problem), (status = 404, body = Problem),
        (status = 412, description = "version_mismatch", body = Problem), (status = 422, body = Problem)))]
pub async fn patch(
    state: web::Data<AppState>,
    user: Principal,
    req: HttpRequest,
    path: web::Path<(OrgId, PlanId)>,
    body: Json<PatchPlanBody>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, plan_id), body, expected) = (path.into_inner(), body.into_inner(), if_match(&req)?);
    let plan = user
        .run(&state, org_id, move |s, me| {
            let edit = move |old: &PlanContent| {
                let mut errors = FieldErrors::new();
                let name = match body.name.as_deref() {
                    Some(n) => errors.check("name", PlanName::parse(n)),
                    None => Some(old.name.clone()),
                };
                let description = match body.description.as_deref() {
                    Some(d) => errors.check("description", Description::parse(d)),
                    None => Some(old.description.clone()),
                };
                let sport = match body.sport.as_deref() {
                    Some(sp) => parse_sport(&mut errors, sp),
                    None => Some(old.sport),
                };
                let level = match &body.level {
                    Some(l) => parse_level(&mut errors, l.as_deref()),
                    None => Some(old.level),
                };
                errors.finish()?;
                let (Some(name), Some(description), Some(sport), Some(level)) = (name, description, sport, level)
                else {
                    return Err(DomainError::Validation(Vec::new()));
                };
                let weeks = body.duration_weeks.unwrap_or(i64::from(old.duration_weeks));
                let workouts = match &body.workouts {
                    Some(w) => w.iter().cloned().map(Into::into).collect(),
                    None => old.workouts.clone(),
                };
                PlanContent::new(name, description, sport, level, weeks, workouts)
            };
            service::update_plan(&s.cx(me), org_id, plan_id, edit, expected)
        })
        .await?;
    Ok(respond(StatusCode::OK, plan))
}

/// Archive a plan (its author or the head coach): existing assignments stay,
/// new ones are refused with `422 plan_archived`.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/training-plans/{plan_id}", tag = "training plans",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("plan_id" = PlanId, Path)),
    responses((status = 204), (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope: an API key without plans:write", body = Problem), (status = 404, body = Problem)))]
pub async fn archive(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, PlanId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, plan_id) = path.into_inner();
    user.run(&state, org_id, move |s, me| service::archive_plan(&s.cx(me), org_id, plan_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An athlete's assignments: current, upcoming and past, newest first (coaches, or the athlete).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/plan-assignments",
    tag = "training plans", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = AssignmentListDto), (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, description = "not a member, not an athlete, or another athlete asking", body = Problem)))]
pub async fn list_assignments(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete) = path.into_inner();
    let (list, today) =
        user.run(&state, org_id, move |s, me| service::list_assignments(&s.cx(me), org_id, athlete)).await?;
    let data = list.into_iter().map(|a| AssignmentDto::new(a, today)).collect();
    Ok(HttpResponse::Ok().json(AssignmentListDto { data, next_cursor: None }))
}

/// Assign a plan with a start date (head coach, or the athlete's coach).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/{user_id}/plan-assignments",
    tag = "training plans", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)), request_body = AssignBody,
    responses((status = 201, body = AssignmentDto),
        (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope: an API key without plans:write", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "plan_assignment_overlap", body = Problem),
        (status = 422, description = "start_date_in_past, plan_archived, unknown_plan", body = Problem)))]
pub async fn assign(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    body: Json<AssignBody>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, athlete), body) = (path.into_inner(), body.into_inner());
    let (a, today) = user
        .run(&state, org_id, move |s, me| service::assign(&s.cx(me), org_id, athlete, body.plan_id, body.start_date))
        .await?;
    Ok(HttpResponse::Created().json(AssignmentDto::new(a, today)))
}

/// Cancel an assignment (head coach, or the athlete's coach); it stays as history.
#[utoipa::path(delete,
    path = "/api/v1/organizations/{org_id}/members/{user_id}/plan-assignments/{assignment_id}",
    tag = "training plans", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), ("assignment_id" = AssignmentId, Path)),
    responses((status = 204), (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope: an API key without plans:write", body = Problem), (status = 404, body = Problem)))]
pub async fn cancel(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId, AssignmentId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete, assignment_id) = path.into_inner();
    user.run(&state, org_id, move |s, me| service::cancel(&s.cx(me), org_id, athlete, assignment_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
