//! Recent compliance: the calendar's rules applied to the last 7 and 28
//! days of an athlete, for the profile, the roster's `profile_status` and the
//! attention signals `low_compliance` and `missed_workouts`.
//!
//! The window is the 28 local dates ending today. Workouts are laid out and
//! matched exactly as the calendar does it ([`lay_out`], [`match_days`]);
//! [`Compliance::of`] counts them. A streak of missed workouts counts the
//! due workouts of the window from the most recent back, stopping at the
//! first one that is not `missed` (`completed` or `partial`); excused and
//! upcoming ones are not due and neither count nor break it.

use super::{Bands, Compliance, DayActivity, ScheduledWorkout, WorkoutAdjustment, WorkoutState, match_days};
use super::{Excuse, workout_date};
use crate::ids::AssignmentId;
use crate::plans::{Workout, end_date, overlaps};
use crate::sport::Sport;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest window, in days (today included).
pub const RECENT_DAYS: u64 = 28;
/// The short window, in days (today included).
pub const SHORT_DAYS: u64 = 7;

/// Compliance over the last 7 and 28 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentCompliance {
    /// The 7 days ending today.
    pub last_7_days: Compliance,
    /// The 28 days ending today.
    pub last_28_days: Compliance,
    /// How many of the most recent due workouts in those 28 days were missed in a row.
    pub missed_in_a_row: u32,
}

impl RecentCompliance {
    /// The 28-day share of sessions completed, if anything was due: what the
    /// roster's `compliance` sort and `compliance_below` filter read.
    pub fn sessions_pct(&self) -> Option<u32> {
        self.last_28_days.sessions_pct
    }
}

/// The first day of the window that ends on `today` and lasts `days` days.
pub fn window_start(today: NaiveDate, days: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(days.saturating_sub(1))).unwrap_or(today)
}

/// Whether an assignment starting on `start` for `weeks` weeks shares a day
/// with the 28-day window ending on `today`: an athlete without one (and
/// without a workout moved into the window) has no compliance (`null`),
/// rather than a compliance of nothing.
pub fn plan_in_window(start: NaiveDate, weeks: u32, today: NaiveDate) -> bool {
    overlaps((start, end_date(start, weeks)), (window_start(today, RECENT_DAYS), today))
}

/// Whether an assignment's workouts can reach the window ending on `today`:
/// it has not ended before the window (a workout is moved only to a later
/// date, so one of a plan that ended earlier is left out).
pub fn reaches_window(start: NaiveDate, weeks: u32, today: NaiveDate) -> bool {
    end_date(start, weeks) >= window_start(today, RECENT_DAYS)
}

/// One assignment as the lay-out needs it.
#[derive(Debug, Clone, Copy)]
pub struct AssignmentSchedule<'a> {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// Its first day.
    pub start_date: NaiveDate,
    /// Its length when assigned: later weeks of the plan are left out.
    pub total_weeks: u32,
    /// The plan's sport.
    pub sport: Sport,
    /// The plan's workouts.
    pub workouts: &'a [Workout],
}

/// A workout of an assignment on its date.
#[derive(Debug, Clone, Copy)]
pub struct LaidWorkout<'a> {
    /// Its position in the plan's workouts.
    pub index: u32,
    /// The workout.
    pub workout: &'a Workout,
    /// The date the plan puts it on.
    pub scheduled: NaiveDate,
    /// The date it is on (a coach may have moved it).
    pub date: NaiveDate,
    /// A coach's excuse.
    pub excuse: Option<&'a Excuse>,
}

/// Coaches' adjustments by assignment and workout position.
pub type Adjustments = HashMap<(AssignmentId, u32), WorkoutAdjustment>;

/// Every workout of `assignment` on its date: `start + 7(week − 1) + (day − 1)`
/// unless an adjustment made for the same week and day moved it.
pub fn lay_out<'a>(assignment: AssignmentSchedule<'a>, adjustments: &'a Adjustments) -> Vec<LaidWorkout<'a>> {
    let mut out = Vec::new();
    for (index, workout) in assignment.workouts.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        if workout.week > i64::from(assignment.total_weeks) {
            continue;
        }
        let Some(scheduled) = workout_date(assignment.start_date, workout.week, workout.day) else { continue };
        let adjustment = adjustments
            .get(&(assignment.assignment_id, index))
            .filter(|a| a.week == workout.week && a.day == workout.day);
        out.push(LaidWorkout {
            index,
            workout,
            scheduled,
            date: adjustment.and_then(|a| a.moved_to).unwrap_or(scheduled),
            excuse: adjustment.and_then(|a| a.excuse.as_ref()),
        });
    }
    out
}

impl LaidWorkout<'_> {
    /// What matching needs of it.
    pub fn scheduled(&self, assignment_id: AssignmentId, sport: Sport) -> ScheduledWorkout {
        ScheduledWorkout {
            assignment_id,
            workout_index: self.index,
            sport,
            date: self.date,
            distance_m: self.workout.distance_m,
            duration_s: self.workout.duration_s,
            excused: self.excuse.is_some(),
        }
    }
}

/// Compliance over the last 7 and 28 days ending `today`, from the
/// athlete's workouts and activities (any dates: those outside the window
/// are left out). `None` when no workout falls in the window and no plan
/// (`plan_in_window`, see [`plan_in_window`]) touches it.
pub fn recent_compliance(
    workouts: &[ScheduledWorkout],
    activities: &[DayActivity],
    today: NaiveDate,
    bands: Bands,
    plan_in_window: bool,
) -> Option<RecentCompliance> {
    let from = window_start(today, RECENT_DAYS);
    let short_from = window_start(today, SHORT_DAYS);
    let in_window = |date: NaiveDate| from <= date && date <= today;
    let workouts: Vec<ScheduledWorkout> = workouts.iter().filter(|w| in_window(w.date)).cloned().collect();
    if workouts.is_empty() && !plan_in_window {
        return None;
    }
    let activities: Vec<DayActivity> = activities.iter().filter(|a| in_window(a.date)).cloned().collect();
    let matched = match_days(&workouts, &activities, today, bands);
    let outcomes: Vec<(NaiveDate, &super::WorkoutOutcome)> =
        workouts.iter().map(|w| w.date).zip(&matched.workouts).collect();
    let last_28_days = Compliance::of(outcomes.iter().copied(), today);
    let last_7_days = Compliance::of(outcomes.iter().copied().filter(|(date, _)| *date >= short_from), today);
    let mut due: Vec<(NaiveDate, AssignmentId, u32, WorkoutState)> = workouts
        .iter()
        .zip(&matched.workouts)
        .filter(|(w, o)| match o.state {
            WorkoutState::Missed => true,
            WorkoutState::Completed | WorkoutState::Partial => w.date <= today,
            WorkoutState::Excused | WorkoutState::Upcoming => false,
        })
        .map(|(w, o)| (w.date, w.assignment_id, w.workout_index, o.state))
        .collect();
    // Most recent first; on one day, the plan's later workouts first.
    due.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let streak = due.iter().take_while(|d| d.3 == WorkoutState::Missed).count();
    Some(RecentCompliance { last_7_days, last_28_days, missed_in_a_row: u32::try_from(streak).unwrap_or(u32::MAX) })
}

#[cfg(test)]
#[path = "recent_tests.rs"]
mod tests;
