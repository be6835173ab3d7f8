//! The training calendar of one athlete: planned workouts on their dates with
//! their states, the activities of each day, and the coaches' moves and
//! excuses (see [`crate::calendar`] for the rules).

use crate::athlete::Activity;
use crate::athlete::ports::AthleteRepo;
use crate::athlete::weekly::start_of_day;
use crate::calendar::{
    self, Adjustments, AssignmentSchedule, Bands, CalendarRepo, Compliance, DateRange, DayActivity, Excuse, Matched,
    RECENT_DAYS, RecentCompliance, ScheduledWorkout, WorkoutAdjustment, WorkoutOutcome, match_days, plan_in_window,
    reaches_window, recent_compliance, window_start,
};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::AuditEvent;
use crate::error::{DomainError, FieldError};
use crate::ids::{AssignmentId, OrgId, PlanId, UserId};
use crate::plans::{AssignmentRepo, PlanAssignment, PlanRepo, Workout};
use crate::policy::Action;
use crate::ports::OrganizationRepo;
use crate::services::athlete::authorized_athlete;
use crate::sport::Sport;
use crate::values::{Lines, Timezone, clean_text};
use chrono::{Days, NaiveDate};
use std::collections::HashMap;

/// Everything the calendar reads and writes.
pub trait CalendarStore: OrganizationRepo + AthleteRepo + AssignmentRepo + PlanRepo + CalendarRepo {}
impl<T: OrganizationRepo + AthleteRepo + AssignmentRepo + PlanRepo + CalendarRepo> CalendarStore for T {}

/// Names one planned workout: its assignment and its position in the plan,
/// written `<assignment_id>.<index>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkoutRef {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The position in the plan's workouts.
    pub index: u32,
}

impl WorkoutRef {
    /// Parses `<assignment_id>.<index>`.
    pub fn parse(text: &str) -> Option<Self> {
        let (assignment, index) = text.rsplit_once('.')?;
        Some(Self { assignment_id: assignment.parse().ok()?, index: index.parse().ok()? })
    }
}

impl std::fmt::Display for WorkoutRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.assignment_id, self.index)
    }
}

/// A workout of an assignment, laid on its date, with its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWorkout {
    /// Its name.
    pub workout_ref: WorkoutRef,
    /// The plan.
    pub plan_id: PlanId,
    /// The plan's name.
    pub plan_name: String,
    /// The plan's sport.
    pub sport: Sport,
    /// The workout as the plan has it (week, day, title, targets).
    pub workout: Workout,
    /// The date the plan puts it on.
    pub scheduled_date: NaiveDate,
    /// The date it is on (a coach may have moved it).
    pub date: NaiveDate,
    /// A coach's excuse.
    pub excuse: Option<Excuse>,
    /// Its state and the activity matched to it.
    pub outcome: WorkoutOutcome,
}

/// One day of the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarDay {
    /// The date, in the organization's time zone.
    pub date: NaiveDate,
    /// Its planned workouts.
    pub workouts: Vec<PlannedWorkout>,
    /// Its activities, by start time.
    pub activities: Vec<Activity>,
}

/// An athlete's calendar over a range of days.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// The days asked for.
    pub range: DateRange,
    /// The organization's time zone, in which the dates are.
    pub timezone: Timezone,
    /// Today there.
    pub today: NaiveDate,
    /// Every day of the range, in order.
    pub days: Vec<CalendarDay>,
    /// The activities that matched no planned workout.
    pub unplanned: Vec<Activity>,
    /// Compliance over the whole range.
    pub compliance: Compliance,
    /// Compliance per Monday-based week that the range touches, oldest first.
    pub weeks: Vec<(NaiveDate, Compliance)>,
}

/// Every workout of the athlete's live assignments, on its date.
fn lay_out(store: &impl CalendarStore, org_id: OrgId, athlete: UserId) -> Result<Vec<PlannedWorkout>, DomainError> {
    lay_out_assignments(store, org_id, athlete, store.assignments_of(org_id, athlete)?)
}

/// Every workout of `assignments` (the athlete's; cancelled ones are left out), on its date.
fn lay_out_assignments(
    store: &impl CalendarStore,
    org_id: OrgId,
    athlete: UserId,
    assignments: Vec<PlanAssignment>,
) -> Result<Vec<PlannedWorkout>, DomainError> {
    let adjustments: Adjustments =
        store.adjustments(org_id, athlete)?.into_iter().map(|a| ((a.assignment_id, a.workout_index), a)).collect();
    let mut plans = HashMap::new();
    let mut out = Vec::new();
    for assignment in assignments {
        if assignment.cancelled_at.is_some() {
            continue;
        }
        let plan = match plans.entry(assignment.plan_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => new.insert(store.plan(org_id, assignment.plan_id)?),
        };
        let Some(plan) = plan.as_ref() else { continue };
        let schedule = AssignmentSchedule {
            assignment_id: assignment.assignment_id,
            start_date: assignment.start_date,
            total_weeks: assignment.total_weeks,
            sport: plan.content.sport,
            workouts: &plan.content.workouts,
        };
        for laid in calendar::lay_out(schedule, &adjustments) {
            out.push(PlannedWorkout {
                workout_ref: WorkoutRef { assignment_id: assignment.assignment_id, index: laid.index },
                plan_id: plan.plan_id,
                plan_name: plan.content.name.as_str().to_owned(),
                sport: plan.content.sport,
                workout: laid.workout.clone(),
                scheduled_date: laid.scheduled,
                date: laid.date,
                excuse: laid.excuse.cloned(),
                outcome: WorkoutOutcome {
                    state: crate::calendar::WorkoutState::Upcoming,
                    activity_id: None,
                    coverage_pct: None,
                },
            });
        }
    }
    Ok(out)
}

/// The athlete's compliance over the last 7 and 28 days ending on `today`,
/// given their `assignments` (the caller checked access); `None` when no
/// plan assignment touches those days.
pub fn recent(
    store: &impl CalendarStore,
    (org_id, athlete): (OrgId, UserId),
    assignments: Vec<PlanAssignment>,
    timezone: &Timezone,
    bands: Bands,
    today: NaiveDate,
) -> Result<Option<RecentCompliance>, DomainError> {
    let live = |a: &PlanAssignment| a.cancelled_at.is_none();
    let any = assignments.iter().any(|a| live(a) && plan_in_window(a.start_date, a.total_weeks, today));
    let assignments: Vec<PlanAssignment> =
        assignments.into_iter().filter(|a| live(a) && reaches_window(a.start_date, a.total_weeks, today)).collect();
    if assignments.is_empty() {
        return Ok(None);
    }
    let from = window_start(today, RECENT_DAYS);
    let workouts: Vec<PlannedWorkout> = lay_out_assignments(store, org_id, athlete, assignments)?
        .into_iter()
        .filter(|w| from <= w.date && w.date <= today)
        .collect();
    let next = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let tz = timezone.tz();
    let activities = store.activities_between(athlete, start_of_day(tz, from), start_of_day(tz, next))?;
    let scheduled: Vec<ScheduledWorkout> = workouts.iter().map(PlannedWorkout::scheduled).collect();
    let done: Vec<DayActivity> = activities.iter().map(|a| day_activity(a, timezone)).collect();
    Ok(recent_compliance(&scheduled, &done, today, bands, any))
}

impl PlannedWorkout {
    fn scheduled(&self) -> ScheduledWorkout {
        ScheduledWorkout {
            assignment_id: self.workout_ref.assignment_id,
            workout_index: self.workout_ref.index,
            sport: self.sport,
            date: self.date,
            distance_m: self.workout.distance_m,
            duration_s: self.workout.duration_s,
            excused: self.excuse.is_some(),
        }
    }
}

/// An activity on its local date.
fn day_activity(a: &Activity, timezone: &Timezone) -> DayActivity {
    DayActivity {
        activity_id: a.activity_id,
        sport: a.sport,
        date: timezone.today(a.start_time),
        distance_m: a.distance_m,
        duration_s: a.duration_s,
    }
}

/// Matches `activities` against `workouts` and writes each outcome.
fn with_outcomes(
    mut workouts: Vec<PlannedWorkout>,
    activities: &[Activity],
    timezone: &Timezone,
    today: NaiveDate,
    bands: Bands,
) -> (Vec<PlannedWorkout>, Matched) {
    let scheduled: Vec<ScheduledWorkout> = workouts.iter().map(PlannedWorkout::scheduled).collect();
    let done: Vec<DayActivity> = activities.iter().map(|a| day_activity(a, timezone)).collect();
    let matched = match_days(&scheduled, &done, today, bands);
    for (workout, outcome) in workouts.iter_mut().zip(&matched.workouts) {
        workout.outcome = outcome.clone();
    }
    (workouts, matched)
}

/// The athlete's calendar over `range` (default: this week, Monday to
/// Sunday): coaches of the organization and the athlete themself may read it.
pub fn calendar(
    cx: &Context<'_, impl CalendarStore>,
    (org_id, athlete): (OrgId, UserId),
    range: Option<DateRange>,
    bands: Bands,
) -> Result<Calendar, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    authorized_athlete(&Context::new(store, caller), org_id, athlete, Action::ReadCalendar)?;
    let timezone = store.org_timezone(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    let today = timezone.today(clock.now());
    let range = match range {
        Some(range) => range,
        None => {
            let monday = today.week(chrono::Weekday::Mon).first_day();
            DateRange { from: monday, to: monday.checked_add_days(Days::new(6)).unwrap_or(monday) }
        }
    };
    let workouts: Vec<PlannedWorkout> =
        lay_out(store, org_id, athlete)?.into_iter().filter(|w| range.contains(w.date)).collect();
    let end = range.to.checked_add_days(Days::new(1)).unwrap_or(range.to);
    let activities =
        store.activities_between(athlete, start_of_day(timezone.tz(), range.from), start_of_day(timezone.tz(), end))?;
    let (workouts, matched) = with_outcomes(workouts, &activities, &timezone, today, bands);
    let compliance = Compliance::of(workouts.iter().map(|w| (w.date, &w.outcome)), today);
    let monday = |date: NaiveDate| date.week(chrono::Weekday::Mon).first_day();
    let mut week_starts: Vec<NaiveDate> = range.days().map(monday).collect();
    week_starts.dedup();
    let weeks = week_starts
        .into_iter()
        .map(|start| {
            let in_week = workouts.iter().filter(|w| monday(w.date) == start);
            (start, Compliance::of(in_week.map(|w| (w.date, &w.outcome)), today))
        })
        .collect();
    let mut days: Vec<CalendarDay> =
        range.days().map(|date| CalendarDay { date, workouts: Vec::new(), activities: Vec::new() }).collect();
    let slot = |date: NaiveDate| usize::try_from((date - range.from).num_days()).ok();
    for workout in workouts {
        if let Some(day) = slot(workout.date).and_then(|i| days.get_mut(i)) {
            day.workouts.push(workout);
        }
    }
    let unplanned: Vec<Activity> =
        activities.iter().filter(|a| matched.unplanned.contains(&a.activity_id)).cloned().collect();
    for activity in activities {
        if let Some(day) = slot(timezone.today(activity.start_time)).and_then(|i| days.get_mut(i)) {
            day.activities.push(activity);
        }
    }
    Ok(Calendar { range, timezone, today, days, unplanned, compliance, weeks })
}

/// What a coach changes about a planned workout.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkoutChange {
    /// Put it on another date (today or later).
    Move(NaiveDate),
    /// Excuse it (a missed workout only), with a reason of 1–500 characters.
    Excuse(String),
}

/// Moves or excuses one planned workout of the athlete (head coach, or the
/// assistant coach the athlete is assigned to), audited as `workout.moved`
/// or `workout.excused`; answers the workout as it now stands.
pub fn change_workout(
    cx: &Context<'_, impl CalendarStore>,
    (org_id, athlete): (OrgId, UserId),
    workout_ref: WorkoutRef,
    change: WorkoutChange,
    bands: Bands,
) -> Result<PlannedWorkout, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let (actor, _) = authorized_athlete(&Context::new(store, caller), org_id, athlete, Action::MoveOrExcuseWorkout)?;
    let caller = actor.user_id();
    let timezone = store.org_timezone(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    let now = clock.now();
    let today = timezone.today(now);
    // The athlete's workouts are laid out once: the change is applied to
    // this list to answer with the workout as it now stands.
    let mut workouts = lay_out(store, org_id, athlete)?;
    let date =
        workouts.iter().find(|w| w.workout_ref == workout_ref).ok_or(DomainError::NotFound("planned workout"))?.date;
    let day = Day { timezone: &timezone, today, bands };
    let current = day.workout(store, athlete, &workouts, date, workout_ref)?;

    let mut adjustment = WorkoutAdjustment {
        assignment_id: workout_ref.assignment_id,
        workout_index: workout_ref.index,
        week: current.workout.week,
        day: current.workout.day,
        moved_to: (current.date != current.scheduled_date).then_some(current.date),
        excuse: current.excuse.clone(),
    };
    let (action, changes) = match change {
        WorkoutChange::Move(date) => {
            if date < today {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "date",
                    "date_in_past",
                    "a workout can be moved to today or a later day",
                )]));
            }
            adjustment.moved_to = (date != current.scheduled_date).then_some(date);
            let changes =
                serde_json::json!({"workout_id": workout_ref.to_string(), "date": {"old": current.date, "new": date}});
            ("workout.moved", changes)
        }
        WorkoutChange::Excuse(reason) => {
            let reason = clean_text(&reason, Lines::Many).map_err(|e| DomainError::invalid("reason", e))?;
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "reason",
                    "invalid_reason",
                    "the reason must be 1 to 500 characters",
                )]));
            }
            if current.outcome.state != crate::calendar::WorkoutState::Missed {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "workout_id",
                    "workout_not_missed",
                    "only a missed workout can be excused",
                )]));
            }
            adjustment.excuse = Some(Excuse { reason, by: caller, by_key: actor.key_id(), at: now });
            ("workout.excused", serde_json::json!({"workout_id": workout_ref.to_string(), "date": current.date}))
        }
    };
    let event = AuditEvent::new(org_id, caller, action, Some(athlete), changes, now);
    store.put_adjustment(org_id, athlete, &adjustment, &event)?;
    let date = adjustment.moved_to.unwrap_or(current.scheduled_date);
    for workout in workouts.iter_mut().filter(|w| w.workout_ref == workout_ref) {
        workout.date = date;
        workout.excuse = adjustment.excuse.clone();
    }
    day.workout(store, athlete, &workouts, date, workout_ref)
}

/// What the state of a workout on one day depends on besides the store.
struct Day<'a> {
    timezone: &'a Timezone,
    today: NaiveDate,
    bands: Bands,
}

impl Day<'_> {
    /// The workout `workout_ref`, on `date`, with its outcome among the
    /// `workouts` and the activities of that day.
    fn workout(
        &self,
        store: &impl CalendarStore,
        athlete: UserId,
        workouts: &[PlannedWorkout],
        date: NaiveDate,
        workout_ref: WorkoutRef,
    ) -> Result<PlannedWorkout, DomainError> {
        let tz = self.timezone.tz();
        let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
        let activities = store.activities_between(athlete, start_of_day(tz, date), start_of_day(tz, next))?;
        let on_day: Vec<PlannedWorkout> = workouts.iter().filter(|w| w.date == date).cloned().collect();
        let (on_day, _) = with_outcomes(on_day, &activities, self.timezone, self.today, self.bands);
        on_day.into_iter().find(|w| w.workout_ref == workout_ref).ok_or(DomainError::NotFound("planned workout"))
    }
}
