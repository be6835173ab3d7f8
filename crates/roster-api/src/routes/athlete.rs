//! An athlete's data: activities, race goals, zones, integrations and the
//! weekly distance trend (`/organizations/{org_id}/members/{user_id}/…` and
//! `/me/integrations/{provider}`).

pub mod dto;

use super::{decode_cursor, encode_cursor, etag, if_match, page_limit};
use crate::auth::{AuthUser, Principal};
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use dto::*;
use roster_domain::athlete::{FeedCursor, Provider, RaceGoalPatch, ZoneSettings};
use roster_domain::services::athlete as svc;
use roster_domain::{DomainError, FieldError, OrgId, RaceGoalId, UserId};

const MEMBER: &str = "/organizations/{org_id}/members/{user_id}";

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {
    cfg.service(
        web::resource(format!("{MEMBER}/activities"))
            .route(web::get().to(list_activities))
            .route(web::post().to(create_activity)),
    )
    .service(
        web::resource(format!("{MEMBER}/race-goals"))
            .route(web::get().to(list_race_goals))
            .route(web::post().to(create_race_goal)),
    )
    .service(
        web::resource(format!("{MEMBER}/race-goals/{{goal_id}}"))
            .route(web::patch().to(update_race_goal))
            .route(web::delete().to(delete_race_goal)),
    )
    .service(web::resource(format!("{MEMBER}/zones")).route(web::get().to(get_zones)).route(web::put().to(put_zones)))
    .service(web::resource(format!("{MEMBER}/integrations")).route(web::get().to(list_integrations)))
    .service(web::resource(format!("{MEMBER}/weekly-distance")).route(web::get().to(weekly_distance)))
    .service(
        web::resource("/me/integrations/{provider}")
            .route(web::put().to(connect_integration))
            .route(web::delete().to(disconnect_integration)),
    );
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(
        list_activities, create_activity, list_race_goals, create_race_goal, update_race_goal, delete_race_goal,
        get_zones, put_zones, list_integrations, weekly_distance, connect_integration, disconnect_integration,
    ),
    components(schemas(
        ActivityBody, ActivityDto, ActivityPageDto, RaceGoalBody, RaceGoalPatchBody, RaceGoalDto, RaceGoalListDto,
        ZonesDto, roster_domain::athlete::ZoneSettings, roster_domain::athlete::HeartRateZones,
        roster_domain::athlete::HeartRateZone, roster_domain::athlete::PaceZones, roster_domain::athlete::PaceZone,
        IntegrationDto, IntegrationListDto, ConnectBody, WeekDto, WeeklyDistanceDto,
        roster_domain::athlete::ActivitySource, roster_domain::athlete::Provider,
        roster_domain::athlete::IntegrationStatus, roster_domain::Sport,
    )),
    tags((name = "athlete", description = "An athlete's own data. Coaches of the organization read it; the head \
        coach writes it for anyone, an assistant coach only for athletes assigned to them (`403 \
        not_assigned_to_you`); an athlete reads and writes their own; another athlete or a non-member gets `404`. \
        An organization API key reads it with `members:read` and writes activities, race goals and zones with \
        `activities:write` (`403 insufficient_scope` naming the scope without it; another organization's key: \
        `404`); connecting and disconnecting integrations (`/me/integrations`) is the athlete's own account's \
        (a key: `401`)."))
)]
pub struct Api;

/// The feed, newest first (coaches, the athlete).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/activities", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), FeedQuery),
    responses((status = 200, body = ActivityPageDto), (status = 400, body = Problem),
        (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem), (status = 404, body = Problem)))]
pub async fn list_activities(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    query: crate::routes::query::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, athlete), q) = (path.into_inner(), query.into_inner());
    let limit = page_limit(q.limit)?;
    let (field, raw) = match (q.before, q.cursor) {
        (Some(b), _) => ("before", Some(b)),
        (None, c) => ("cursor", c),
    };
    let before = raw
        .map(|text| {
            decode_cursor::<String>(&text).ok().and_then(|t| FeedCursor::decode(&t)).ok_or_else(|| {
                ApiError::bad_request("invalid_parameter", field, format!("{field} is not a cursor this server issued"))
            })
        })
        .transpose()?;
    let (page, next) =
        user.run(&state, org_id, move |s, me| svc::activities(&s.cx(me), org_id, athlete, before, limit)).await?;
    Ok(HttpResponse::Ok().json(ActivityPageDto {
        data: page.into_iter().map(Into::into).collect(),
        next_cursor: next.map(|c| encode_cursor(&c.encode())),
    }))
}

/// Record an activity (coaches who may write for the athlete, the athlete).
/// Idempotent on `(source, external_id)`: the first create answers `201`, a
/// resend `200` with the stored activity (unchanged).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/{user_id}/activities", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    request_body = ActivityBody,
    responses((status = 201, body = ActivityDto), (status = 200, description = "a resend", body = ActivityDto),
        (status = 400, body = Problem),
        (status = 403, description = "not_assigned_to_you, insufficient_scope: an API key without activities:write", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_activity(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    body: Json<ActivityBody>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, athlete), input) = (path.into_inner(), body.into_inner().into());
    let inserted =
        user.run(&state, org_id, move |s, me| svc::create_activity(&s.cx(me), org_id, athlete, &input)).await?;
    let mut res = if inserted.is_created() { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(res.json(ActivityDto::from(inserted.into_inner())))
}

/// The athlete's race goals by race date (coaches, the athlete).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/race-goals", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = RaceGoalListDto), (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, body = Problem)))]
pub async fn list_race_goals(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete) = path.into_inner();
    let goals = user.run(&state, org_id, move |s, me| svc::race_goals(&s.cx(me), org_id, athlete)).await?;
    Ok(HttpResponse::Ok()
        .json(RaceGoalListDto { data: goals.into_iter().map(Into::into).collect(), next_cursor: None }))
}

/// Add a race goal; the answer adds `target_pace_s_per_km`.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/{user_id}/race-goals", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    request_body = RaceGoalBody,
    responses((status = 201, body = RaceGoalDto), (status = 400, body = Problem),
        (status = 403, description = "not_assigned_to_you, insufficient_scope: an API key without activities:write", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_race_goal(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    body: Json<RaceGoalBody>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, athlete), input) = (path.into_inner(), body.into_inner().into());
    let goal = user.run(&state, org_id, move |s, me| svc::create_race_goal(&s.cx(me), org_id, athlete, &input)).await?;
    Ok(HttpResponse::Created().insert_header(etag(goal.version)).json(RaceGoalDto::from(goal)))
}

fn race_goal_patch(body: RaceGoalPatchBody) -> Result<RaceGoalPatch, DomainError> {
    let mut errors = Vec::new();
    let mut required = |field: &str, present_null: bool| {
        if present_null {
            errors.push(FieldError::new(field, "required", "must not be null"));
        }
    };
    required("race_name", matches!(body.race_name, Some(None)));
    required("race_date", matches!(body.race_date, Some(None)));
    required("distance_m", matches!(body.distance_m, Some(None)));
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    Ok(RaceGoalPatch {
        race_name: body.race_name.flatten(),
        race_date: body.race_date.flatten(),
        distance_m: body.distance_m.flatten(),
        goal_time_s: body.goal_time_s,
    })
}

/// Change a race goal; honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/organizations/{org_id}/members/{user_id}/race-goals/{goal_id}",
    tag = "athlete", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), ("goal_id" = RaceGoalId, Path)),
    request_body = RaceGoalPatchBody,
    responses((status = 200, body = RaceGoalDto), (status = 400, body = Problem),
        (status = 403, description = "not_assigned_to_you, insufficient_scope: an API key without activities:write", body = Problem),
        (status = 404, body = Problem), (status = 412, description = "version_mismatch", body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_race_goal(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Principal,
    path: web::Path<(OrgId, UserId, RaceGoalId)>,
    body: Json<RaceGoalPatchBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete, goal_id) = path.into_inner();
    let expected = if_match(&req)?;
    let body = body.into_inner();
    let goal = user
        .run(&state, org_id, move |s, me| {
            let patch = race_goal_patch(body)?;
            svc::update_race_goal(&s.cx(me), org_id, athlete, goal_id, &patch, expected)
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(etag(goal.version)).json(RaceGoalDto::from(goal)))
}

/// Delete a race goal.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/members/{user_id}/race-goals/{goal_id}",
    tag = "athlete", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), ("goal_id" = RaceGoalId, Path)),
    responses((status = 204),
        (status = 403, description = "not_assigned_to_you, insufficient_scope: an API key without activities:write", body = Problem),
        (status = 404, body = Problem)))]
pub async fn delete_race_goal(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId, RaceGoalId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete, goal_id) = path.into_inner();
    user.run(&state, org_id, move |s, me| svc::delete_race_goal(&s.cx(me), org_id, athlete, goal_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The athlete's zones (empty, version 0, when never set).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/zones", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = ZonesDto), (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_zones(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete) = path.into_inner();
    let zones = ZonesDto::from(user.run(&state, org_id, move |s, me| svc::zones(&s.cx(me), org_id, athlete)).await?);
    Ok(HttpResponse::Ok().insert_header(etag(zones.version)).json(zones))
}

/// Replace the athlete's zones; honours `If-Match`. Each zone's min is less
/// than its max; zones are listed from the lowest to the highest and do not
/// overlap (a zone may start where the previous one ends). A bad zone is
/// `422` naming it, e.g. `heart_rate.zones[2].min_bpm`.
#[utoipa::path(put, path = "/api/v1/organizations/{org_id}/members/{user_id}/zones", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    request_body = ZoneSettings,
    responses((status = 200, body = ZonesDto), (status = 400, body = Problem),
        (status = 403, description = "not_assigned_to_you, insufficient_scope: an API key without activities:write", body = Problem),
        (status = 404, body = Problem),
        (status = 412, description = "version_mismatch", body = Problem),
        (status = 422, description = "inverted_zone, overlapping_zones, zones_out_of_order, out_of_range, too_many_zones",
            body = Problem)))]
pub async fn put_zones(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    body: Json<ZoneSettings>,
) -> Result<HttpResponse, ApiError> {
    let ((org_id, athlete), settings) = (path.into_inner(), body.into_inner());
    let expected = if_match(&req)?;
    let zones =
        user.run(&state, org_id, move |s, me| svc::put_zones(&s.cx(me), org_id, athlete, settings, expected)).await?;
    let dto = ZonesDto::from(Some(zones));
    Ok(HttpResponse::Ok().insert_header(etag(dto.version)).json(dto))
}

/// The athlete's recorded integrations (coaches, the athlete).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/integrations", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = IntegrationListDto), (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, body = Problem)))]
pub async fn list_integrations(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete) = path.into_inner();
    let list = user.run(&state, org_id, move |s, me| svc::integrations(&s.cx(me), org_id, athlete)).await?;
    Ok(HttpResponse::Ok()
        .json(IntegrationListDto { data: list.into_iter().map(Into::into).collect(), next_cursor: None }))
}

/// Distance, time and count per Monday-based week in the organization's time
/// zone, oldest first, empty weeks included (coaches, the athlete).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/weekly-distance", tag = "athlete",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), WeeksQuery),
    responses((status = 200, body = WeeklyDistanceDto), (status = 400, body = Problem),
        (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem), (status = 404, body = Problem)))]
pub async fn weekly_distance(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    query: crate::routes::query::Query<WeeksQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete) = path.into_inner();
    let weeks = query.weeks.unwrap_or(12);
    if !(1..=roster_domain::athlete::weekly::MAX_WEEKS).contains(&weeks) {
        return Err(ApiError::bad_request("invalid_parameter", "weeks", "weeks must be between 1 and 104"));
    }
    let data = user.run(&state, org_id, move |s, me| svc::weekly_distance(&s.cx(me), org_id, athlete, weeks)).await?;
    Ok(HttpResponse::Ok().json(WeeklyDistanceDto { data: data.into_iter().map(Into::into).collect() }))
}

fn provider(text: &str) -> Result<Provider, ApiError> {
    text.parse::<Provider>().map_err(|_| ApiError::not_found("integration provider"))
}

/// The signed-in athlete records a connection to `provider` (`strava`,
/// `garmin`, `apple_health`). `connected_at` is set when the connection
/// starts and kept while it stays up. `403` for an account that is not an
/// athlete of any organization.
#[utoipa::path(put, path = "/api/v1/me/integrations/{provider}", tag = "athlete", security(("bearer" = [])),
    params(("provider" = String, Path, description = "strava, garmin or apple_health")),
    request_body = ConnectBody,
    responses((status = 200, body = IntegrationDto), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn connect_integration(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Json<ConnectBody>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&path)?;
    let input = body.into_inner().into();
    let integration = user.run(&state, move |s, me| svc::connect_integration(&s.cx(me), provider, &input)).await?;
    Ok(HttpResponse::Ok().json(IntegrationDto::from(integration)))
}

/// The signed-in athlete disconnects `provider` (status `disconnected`);
/// disconnecting what is not connected answers `204` too.
#[utoipa::path(delete, path = "/api/v1/me/integrations/{provider}", tag = "athlete", security(("bearer" = [])),
    params(("provider" = String, Path, description = "strava, garmin or apple_health")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn disconnect_integration(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&path)?;
    user.run(&state, move |s, me| svc::disconnect_integration(&s.cx(me), provider)).await?;
    Ok(HttpResponse::NoContent().finish())
}
