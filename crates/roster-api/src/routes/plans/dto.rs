//! Bodies and answers of the plan routes.

use chrono::{DateTime, NaiveDate, Utc};
use roster_domain::plans::{PlanAssignment, TrainingPlan, Workout};
use roster_domain::{ApiKeyId, AssignmentId, PlanId, UserId};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `Some(None)` for an explicit `null`, `None` when the field is absent.
pub fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// One workout.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkoutDto {
    /// Week of the plan, 1..=duration_weeks.
    #[schema(minimum = 1, maximum = 104)]
    pub week: i64,
    /// Day of the week, 1 = Monday … 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub day: i64,
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Free kind such as `easy` or `intervals`, 1–40 characters.
    #[serde(default)]
    pub kind: Option<String>,
    /// Metres.
    #[serde(default)]
    pub distance_m: Option<i64>,
    /// Seconds.
    #[serde(default)]
    pub duration_s: Option<i64>,
    /// Up to 2 000 characters.
    #[serde(default)]
    pub notes: Option<String>,
}

impl From<WorkoutDto> for Workout {
    fn from(w: WorkoutDto) -> Self {
        Workout {
            week: w.week,
            day: w.day,
            title: w.title,
            kind: w.kind,
            distance_m: w.distance_m,
            duration_s: w.duration_s,
            notes: w.notes,
        }
    }
}

impl From<Workout> for WorkoutDto {
    fn from(w: Workout) -> Self {
        WorkoutDto {
            week: w.week,
            day: w.day,
            title: w.title,
            kind: w.kind,
            distance_m: w.distance_m,
            duration_s: w.duration_s,
            notes: w.notes,
        }
    }
}

/// Create-plan body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanBody {
    /// 1–120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// Up to 2 000 characters.
    pub description: Option<String>,
    /// `run`, `bike`, `swim`, `strength` or `other`.
    #[schema(value_type = roster_domain::Sport, example = "run")]
    pub sport: String,
    /// `beginner`, `intermediate`, `advanced` or null.
    pub level: Option<String>,
    /// 1–104.
    #[schema(minimum = 1, maximum = 104)]
    pub duration_weeks: i64,
    /// Workouts; a workout outside `duration_weeks` is `422` naming `workouts[i].week`; at most 3
    /// on one day (`422 too_many_workouts`), so at most 21 × `duration_weeks`.
    #[serde(default)]
    pub workouts: Vec<WorkoutDto>,
}

/// Patch body: fields present replace the old values; `level: null` clears
/// the level; `workouts` replaces the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchPlanBody {
    /// 1–120 characters.
    pub name: Option<String>,
    /// Up to 2 000 characters.
    pub description: Option<String>,
    /// Sport.
    #[schema(value_type = Option<roster_domain::Sport>)]
    pub sport: Option<String>,
    /// Level; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub level: Option<Option<String>>,
    /// 1–104; every workout must still fit.
    #[schema(minimum = 1, maximum = 104)]
    pub duration_weeks: Option<i64>,
    /// Replaces the workouts; at most 3 on one day (`422 too_many_workouts`).
    pub workouts: Option<Vec<WorkoutDto>>,
}

/// A training plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDto {
    /// Id.
    pub plan_id: PlanId,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Sport.
    #[schema(value_type = roster_domain::Sport, example = "run")]
    pub sport: String,
    /// Level or null.
    pub level: Option<String>,
    /// Length in weeks.
    pub duration_weeks: u32,
    /// Workouts in week and day order.
    pub workouts: Vec<WorkoutDto>,
    /// Author; null when an organization API key wrote it (see `created_by_key_id`).
    pub created_by: Option<UserId>,
    /// The organization API key that wrote it, if one did (then `created_by` is null).
    pub created_by_key_id: Option<ApiKeyId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// For `If-Match`.
    pub version: i64,
}

impl From<TrainingPlan> for PlanDto {
    fn from(p: TrainingPlan) -> Self {
        let c = p.content;
        PlanDto {
            plan_id: p.plan_id,
            name: c.name.as_str().to_owned(),
            description: c.description.into_inner(),
            sport: c.sport.as_str().to_owned(),
            level: c.level.map(|l| l.as_str().to_owned()),
            duration_weeks: c.duration_weeks,
            workouts: c.workouts.into_iter().map(Into::into).collect(),
            created_by: p.created_by_key.is_none().then_some(p.created_by),
            created_by_key_id: p.created_by_key,
            created_at: p.created_at,
            updated_at: p.updated_at,
            archived_at: p.archived_at,
            version: p.version,
        }
    }
}

/// `{data, next_cursor}` of plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanListDto {
    /// The page.
    pub data: Vec<PlanDto>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// `?q=&sport=&include_archived=&limit=&cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
    /// Only this sport.
    #[param(pattern = "^(run|bike|swim|strength|other)$")]
    pub sport: Option<String>,
    /// Archived plans too (default false).
    pub include_archived: Option<bool>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// Assign-plan body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// A plan of the organization's library that is not archived.
    pub plan_id: PlanId,
    /// First day; not before today in the organization's time zone.
    pub start_date: NaiveDate,
}

/// A plan assigned to an athlete.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentDto {
    /// Id.
    pub assignment_id: AssignmentId,
    /// Plan.
    pub plan_id: PlanId,
    /// The plan's name.
    pub plan_name: String,
    /// The athlete.
    pub user_id: UserId,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day: start + 7·weeks − 1.
    pub end_date: NaiveDate,
    /// `upcoming`, `active`, `completed` or `cancelled`, from the dates in the organization's time zone.
    #[schema(example = "active")]
    pub status: String,
    /// The week the plan is in today (1-based), while active.
    pub current_week: Option<u32>,
    /// Length in weeks.
    pub total_weeks: u32,
    /// Who assigned it; null when an organization API key did (see `assigned_by_key_id`).
    pub assigned_by: Option<UserId>,
    /// The organization API key that assigned it, if one did (then `assigned_by` is null).
    pub assigned_by_key_id: Option<ApiKeyId>,
    /// When.
    pub assigned_at: DateTime<Utc>,
}

impl AssignmentDto {
    /// The assignment as of `today` (in the organization's time zone).
    pub fn new(a: PlanAssignment, today: NaiveDate) -> Self {
        AssignmentDto {
            assignment_id: a.assignment_id,
            plan_id: a.plan_id,
            end_date: a.end_date(),
            status: a.status(today).as_str().to_owned(),
            current_week: a.current_week(today),
            plan_name: a.plan_name,
            user_id: a.user_id,
            start_date: a.start_date,
            total_weeks: a.total_weeks,
            assigned_by: a.assigned_by_key.is_none().then_some(a.assigned_by),
            assigned_by_key_id: a.assigned_by_key,
            assigned_at: a.assigned_at,
        }
    }
}

/// `{data, next_cursor}` of assignments, newest first (one page: `next_cursor` is always null).
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentListDto {
    /// Current, upcoming and past assignments, newest start first.
    pub data: Vec<AssignmentDto>,
    /// Always null.
    pub next_cursor: Option<String>,
}
