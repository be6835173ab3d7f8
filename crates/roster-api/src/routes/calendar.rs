//! The training calendar: `GET …/members/{user_id}/calendar` (planned
//! workouts with their states, and activities, day by day) and a coach's
//! move or excuse of one planned workout.

use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::routes::athlete::dto::ActivityDto;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Days, NaiveDate, Utc};
use roster_domain::calendar::{Compliance, DateRange, WorkoutState};
use roster_domain::services::calendar::{self as svc, Calendar, PlannedWorkout, WorkoutChange, WorkoutRef};
use roster_domain::{ActivityId, ApiKeyId, AssignmentId, OrgId, PlanId, Sport, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const MEMBER: &str = "/organizations/{org_id}/members/{user_id}";

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(format!("{MEMBER}/calendar")).route(web::get().to(get_calendar)))
        .service(
            web::resource(format!("{MEMBER}/planned-workouts/{{workout_id}}/move")).route(web::post().to(move_workout)),
        )
        .service(
            web::resource(format!("{MEMBER}/planned-workouts/{{workout_id}}/excuse"))
                .route(web::post().to(excuse_workout)),
        );
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(get_calendar, move_workout, excuse_workout),
    components(schemas(CalendarDto, CalendarDayDto, Compliance, WeekComplianceDto, PlannedWorkoutDto, ExcuseDto, MoveBody, ExcuseBody, WorkoutState)),
    tags((name = "calendar", description = "Planned versus done. A workout of week w, day d of an assignment \
        starting on S falls on S + 7(w − 1) + (d − 1) in the organization's time zone, unless a coach moved it. \
        An activity of the plan's sport on that date covers it by the larger of its distance and duration as a \
        share of the planned ones: at least `calendar.completed_pct` (80) is `completed`, at least \
        `calendar.partial_pct` (50) `partial`; each activity matches at most one workout, the best-covered \
        pairs first. Without a match a workout is `missed` once its day has passed, `excused` if a coach \
        excused it, else `upcoming`. Coaches of the organization and the athlete read the calendar; the head \
        coach, or the assistant coach the athlete is assigned to, moves and excuses workouts (audited as \
        `workout.moved` and `workout.excused`)."))
)]
pub struct Api;

/// `?from=&to=`: calendar dates in the organization's time zone, both
/// included, at most 93 days. Without them, the current week (Monday to
/// Sunday); with one of them, the seven days it starts or ends.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: Option<NaiveDate>,
    /// Last day, `YYYY-MM-DD`; at most 92 days after `from`.
    pub to: Option<NaiveDate>,
}

impl CalendarQuery {
    /// The range asked for, `None` for the current week; a bad one is `400` naming `to`.
    fn range(&self) -> Result<Option<DateRange>, ApiError> {
        let week = Days::new(6);
        let (from, to) = match (self.from, self.to) {
            (None, None) => return Ok(None),
            (Some(from), Some(to)) => (from, to),
            (Some(from), None) => (from, from.checked_add_days(week).unwrap_or(from)),
            (None, Some(to)) => (to.checked_sub_days(week).unwrap_or(to), to),
        };
        DateRange::new(from, to).map(Some).map_err(|e| ApiError::bad_request(&e.code, &e.field, e.message))
    }
}

/// A coach's excuse.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExcuseDto {
    /// Why.
    pub reason: String,
    /// The coach; null when an organization API key excused it (see `excused_by_key_id`).
    pub excused_by: Option<UserId>,
    /// The organization API key that excused it, if one did (then `excused_by` is null).
    pub excused_by_key_id: Option<ApiKeyId>,
    /// When.
    pub excused_at: DateTime<Utc>,
}

/// A planned workout on its date, with its state.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedWorkoutDto {
    /// `<assignment_id>.<index>`: names it for a move or an excuse.
    pub workout_id: String,
    /// The assignment it comes from.
    pub assignment_id: AssignmentId,
    /// The plan.
    pub plan_id: PlanId,
    /// The plan's name.
    pub plan_name: String,
    /// The plan's sport.
    pub sport: Sport,
    /// Week of the plan.
    pub week: i64,
    /// Day of the week in the plan (1–7).
    pub day: i64,
    /// Title.
    pub title: String,
    /// Kind, such as `easy`.
    pub kind: Option<String>,
    /// Planned metres.
    pub distance_m: Option<i64>,
    /// Planned seconds.
    pub duration_s: Option<i64>,
    /// Notes.
    pub notes: Option<String>,
    /// The date the plan puts it on.
    pub scheduled_date: NaiveDate,
    /// The date it is on (differs when a coach moved it).
    pub date: NaiveDate,
    /// Where it stands.
    pub state: WorkoutState,
    /// The activity matched to it.
    pub activity_id: Option<ActivityId>,
    /// How much of it that activity covered, in percent.
    pub coverage_pct: Option<u32>,
    /// A coach's excuse.
    pub excuse: Option<ExcuseDto>,
}

impl From<PlannedWorkout> for PlannedWorkoutDto {
    fn from(w: PlannedWorkout) -> Self {
        Self {
            workout_id: w.workout_ref.to_string(),
            assignment_id: w.workout_ref.assignment_id,
            plan_id: w.plan_id,
            plan_name: w.plan_name,
            sport: w.sport,
            week: w.workout.week,
            day: w.workout.day,
            title: w.workout.title,
            kind: w.workout.kind,
            distance_m: w.workout.distance_m,
            duration_s: w.workout.duration_s,
            notes: w.workout.notes,
            scheduled_date: w.scheduled_date,
            date: w.date,
            state: w.outcome.state,
            activity_id: w.outcome.activity_id,
            coverage_pct: w.outcome.coverage_pct,
            excuse: w.excuse.map(|e| ExcuseDto {
                reason: e.reason,
                excused_by: e.by_key.is_none().then_some(e.by),
                excused_by_key_id: e.by_key,
                excused_at: e.at,
            }),
        }
    }
}

/// One day.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayDto {
    /// The date.
    pub date: NaiveDate,
    /// Its planned workouts.
    pub workouts: Vec<PlannedWorkoutDto>,
    /// Its activities, by start time.
    pub activities: Vec<ActivityDto>,
}

/// The calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDto {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// The organization's time zone, in which the dates are.
    pub timezone: String,
    /// Today in that time zone.
    pub today: NaiveDate,
    /// Every day from `from` to `to`.
    pub days: Vec<CalendarDayDto>,
    /// The activities of the range that matched no planned workout.
    pub unplanned_activities: Vec<ActivityDto>,
    /// Compliance over the range: the workouts due (past days, and today's once done; excused ones
    /// left out), how many were completed, and the share of their planned volume that was done.
    pub compliance: Compliance,
    /// Compliance per Monday-based week the range touches (only the range's days count).
    pub weeks: Vec<WeekComplianceDto>,
}

/// One week's compliance.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekComplianceDto {
    /// The Monday that starts the week.
    pub week_start: NaiveDate,
    /// Its compliance.
    #[serde(flatten)]
    pub compliance: Compliance,
}

impl From<Calendar> for CalendarDto {
    fn from(c: Calendar) -> Self {
        Self {
            from: c.range.from,
            to: c.range.to,
            timezone: c.timezone.as_str().to_owned(),
            today: c.today,
            days: c
                .days
                .into_iter()
                .map(|d| CalendarDayDto {
                    date: d.date,
                    workouts: d.workouts.into_iter().map(Into::into).collect(),
                    activities: d.activities.into_iter().map(Into::into).collect(),
                })
                .collect(),
            unplanned_activities: c.unplanned.into_iter().map(Into::into).collect(),
            compliance: c.compliance,
            weeks: c
                .weeks
                .into_iter()
                .map(|(week_start, compliance)| WeekComplianceDto { week_start, compliance })
                .collect(),
        }
    }
}

/// Move a planned workout.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The new date, today or later in the organization's time zone (`422 date_in_past`).
    pub date: NaiveDate,
}

/// Excuse a missed workout.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcuseBody {
    /// Why, 1–500 characters (`422 invalid_reason`).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// The athlete's calendar (coaches of the organization, the athlete).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/calendar", tag = "calendar",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), CalendarQuery),
    responses((status = 200, body = CalendarDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_calendar(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    query: crate::routes::query::Query<CalendarQuery>,
) -> Result<HttpResponse, ApiError> {
    let target = path.into_inner();
    let range = query.range()?;
    let calendar =
        user.run(&state, target.0, move |s, me| svc::calendar(&s.cx(me), target, range, s.settings.calendar)).await?;
    Ok(HttpResponse::Ok().json(CalendarDto::from(calendar)))
}

fn workout_ref(text: &str) -> Result<WorkoutRef, ApiError> {
    WorkoutRef::parse(text).ok_or_else(|| ApiError::not_found("planned workout"))
}

async fn change(
    state: web::Data<AppState>,
    user: Principal,
    (org_id, athlete, workout_id): (OrgId, UserId, String),
    change: WorkoutChange,
) -> Result<HttpResponse, ApiError> {
    let workout = workout_ref(&workout_id)?;
    let changed = user
        .run(&state, org_id, move |s, me| {
            svc::change_workout(&s.cx(me), (org_id, athlete), workout, change, s.settings.calendar)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PlannedWorkoutDto::from(changed)))
}

/// Move a planned workout to another date (head coach, or the athlete's assigned coach).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/{user_id}/planned-workouts/{workout_id}/move",
    tag = "calendar", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), ("workout_id" = String, Path)),
    request_body = MoveBody,
    responses((status = 200, body = PlannedWorkoutDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope: an API key without plans:write", body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn move_workout(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId, String)>,
    body: Json<MoveBody>,
) -> Result<HttpResponse, ApiError> {
    change(state, user, path.into_inner(), WorkoutChange::Move(body.into_inner().date)).await
}

/// Excuse a missed workout, with a reason (head coach, or the athlete's assigned coach).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/{user_id}/planned-workouts/{workout_id}/excuse",
    tag = "calendar", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), ("workout_id" = String, Path)),
    request_body = ExcuseBody,
    responses((status = 200, body = PlannedWorkoutDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope: an API key without plans:write", body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn excuse_workout(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId, String)>,
    body: Json<ExcuseBody>,
) -> Result<HttpResponse, ApiError> {
    change(state, user, path.into_inner(), WorkoutChange::Excuse(body.into_inner().reason)).await
}
