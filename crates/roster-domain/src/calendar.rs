//! Planned versus done: an athlete's calendar lays the workouts of their plan
//! assignments on dates and matches the activities of each day against them.
//!
//! A workout of week `w`, day `d` of an assignment that starts on `S` falls
//! on `S + 7(w − 1) + (d − 1)`, unless a coach moved it. An activity belongs
//! to the date it started on in the organization's time zone. On each day,
//! an activity of the workout's sport *covers* a workout by the larger of its
//! distance and its duration as a share of what was planned (a workout that
//! plans neither is covered in full by any activity of its sport). Each
//! activity matches at most one workout and each workout at most one
//! activity: the best-covered pairs first. The states are
//! neutral: `completed` (covered at least `completed_pct`), `partial` (at
//! least `partial_pct`), `missed` (a past day without a match), `excused` (a
//! coach excused it, and nothing matched), `upcoming` (today or later,
//! nothing matched yet).
//!
//! ```
//! use chrono::NaiveDate;
//! use roster_domain::calendar::{Bands, DayActivity, ScheduledWorkout, WorkoutState, match_days};
//! use roster_domain::{ActivityId, AssignmentId, Sport};
//!
//! let monday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
//! let workout = ScheduledWorkout {
//!     assignment_id: AssignmentId::new(), workout_index: 0, sport: Sport::Run,
//!     date: monday, distance_m: Some(10_000), duration_s: None, excused: false,
//! };
//! let run = DayActivity { activity_id: ActivityId::new(), sport: Sport::Run, date: monday,
//!     distance_m: 8_500.0, duration_s: 3_000 };
//! let today = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
//! let matched = match_days(&[workout], &[run], today, Bands::default());
//! assert_eq!(matched.workouts[0].state, WorkoutState::Completed);
//! assert_eq!(matched.workouts[0].coverage_pct, Some(85));
//! assert!(matched.unplanned.is_empty());
//! ```

mod ports;
mod recent;
#[cfg(test)]
mod tests;

pub use ports::CalendarRepo;
#[cfg(any(test, feature = "mock"))]
pub use ports::{MockCalendarRepo, ambassador_impl_CalendarRepo};
pub use recent::{
    Adjustments, AssignmentSchedule, LaidWorkout, RECENT_DAYS, RecentCompliance, SHORT_DAYS, lay_out, plan_in_window,
    reaches_window, recent_compliance, window_start,
};

use crate::error::FieldError;
use crate::ids::{ActivityId, ApiKeyId, AssignmentId, UserId};
use crate::sport::Sport;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest calendar one request may ask for, in days.
pub const MAX_DAYS: u64 = 93;

/// The coverage bands, in percent of the planned distance or duration (the
/// server's `calendar.*` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Bands {
    /// At least this much is `completed` (default 80).
    pub completed_pct: u32,
    /// At least this much is `partial` (default 50); less matches nothing.
    pub partial_pct: u32,
}

impl Default for Bands {
    fn default() -> Self {
        Self { completed_pct: 80, partial_pct: 50 }
    }
}

impl Bands {
    /// `0 < partial_pct <= completed_pct <= 1000`, or which one is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.partial_pct == 0 || self.partial_pct > self.completed_pct {
            return Err("partial_pct: must be at least 1 and at most completed_pct".into());
        }
        if self.completed_pct > 1000 {
            return Err("completed_pct: must be at most 1000".into());
        }
        Ok(())
    }
}

/// Where a planned workout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WorkoutState {
    /// An activity covered at least the completed band.
    Completed,
    /// An activity covered at least the partial band.
    Partial,
    /// Its day has passed without a match.
    Missed,
    /// A coach excused it; nothing matched.
    Excused,
    /// Today or later, nothing matched yet.
    Upcoming,
}

/// A workout laid on its date, with what matching needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledWorkout {
    /// The assignment it comes from.
    pub assignment_id: AssignmentId,
    /// Its position in the plan's workouts.
    pub workout_index: u32,
    /// The plan's sport.
    pub sport: Sport,
    /// The date it falls on (after a coach's move).
    pub date: NaiveDate,
    /// Planned metres.
    pub distance_m: Option<i64>,
    /// Planned seconds.
    pub duration_s: Option<i64>,
    /// A coach excused it.
    pub excused: bool,
}

/// An activity on its local date.
#[derive(Debug, Clone, PartialEq)]
pub struct DayActivity {
    /// Id.
    pub activity_id: ActivityId,
    /// Sport.
    pub sport: Sport,
    /// The date it started on, in the organization's time zone.
    pub date: NaiveDate,
    /// Metres.
    pub distance_m: f64,
    /// Seconds.
    pub duration_s: i64,
}

/// A workout's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkoutOutcome {
    /// Its state.
    pub state: WorkoutState,
    /// The activity matched to it.
    pub activity_id: Option<ActivityId>,
    /// How much of it the matched activity covered, in percent.
    pub coverage_pct: Option<u32>,
}

/// Every workout's outcome (in the order given) and the activities that
/// matched none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// One per workout, in the order of the workouts given.
    pub workouts: Vec<WorkoutOutcome>,
    /// Activities matched to no workout, in the order given.
    pub unplanned: Vec<ActivityId>,
}

/// How much of `workout` the activity covers, in percent (rounded down), or
/// `None` for another sport or day.
pub fn coverage(workout: &ScheduledWorkout, activity: &DayActivity) -> Option<u32> {
    if workout.sport != activity.sport || workout.date != activity.date {
        return None;
    }
    let share = |done: f64, planned: i64| (planned > 0).then(|| done / planned as f64 * 100.0);
    let by_distance = workout.distance_m.and_then(|p| share(activity.distance_m, p));
    let by_duration = workout.duration_s.and_then(|p| share(activity.duration_s as f64, p));
    let pct = match (by_distance, by_duration) {
        (None, None) => 100.0,
        (a, b) => a.unwrap_or(0.0).max(b.unwrap_or(0.0)),
    };
    // Bounded so that a 100 km ride on a 1 km plan stays a sane number.
    Some(pct.clamp(0.0, 10_000.0).floor() as u32)
}

/// Matches activities to workouts day by day and gives each workout its
/// state as of `today` (the organization's date).
pub fn match_days(
    workouts: &[ScheduledWorkout],
    activities: &[DayActivity],
    today: NaiveDate,
    bands: Bands,
) -> Matched {
    let mut pairs: Vec<(u32, usize, usize)> = Vec::new();
    for (w, workout) in workouts.iter().enumerate() {
        for (a, activity) in activities.iter().enumerate() {
            if let Some(pct) = coverage(workout, activity).filter(|pct| *pct >= bands.partial_pct) {
                pairs.push((pct, w, a));
            }
        }
    }
    // Best-covered first; ties by the workouts' and activities' order, so
    // the result never depends on anything but the input.
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut workout_match: Vec<Option<(usize, u32)>> = vec![None; workouts.len()];
    let mut activity_used = vec![false; activities.len()];
    for (pct, w, a) in pairs {
        if workout_match[w].is_none() && !activity_used[a] {
            workout_match[w] = Some((a, pct));
            activity_used[a] = true;
        }
    }
    let outcomes = workouts
        .iter()
        .zip(&workout_match)
        .map(|(workout, matched)| match matched {
            Some((a, pct)) => WorkoutOutcome {
                state: if *pct >= bands.completed_pct { WorkoutState::Completed } else { WorkoutState::Partial },
                activity_id: Some(activities[*a].activity_id),
                coverage_pct: Some(*pct),
            },
            None => WorkoutOutcome {
                state: if workout.excused {
                    WorkoutState::Excused
                } else if workout.date < today {
                    WorkoutState::Missed
                } else {
                    WorkoutState::Upcoming
                },
                activity_id: None,
                coverage_pct: None,
            },
        })
        .collect();
    let unplanned =
        activities.iter().zip(&activity_used).filter(|(_, used)| !**used).map(|(a, _)| a.activity_id).collect();
    Matched { workouts: outcomes, unplanned }
}

/// How much of what was due got done: the workouts whose day has come
/// (today's only once matched) and that no coach excused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Compliance {
    /// Workouts due.
    pub planned_sessions: u32,
    /// Of those, completed.
    pub completed_sessions: u32,
    /// `completed_sessions` as a share of `planned_sessions`, in percent; `null` with nothing due.
    pub sessions_pct: Option<u32>,
    /// The share of the due workouts' planned volume that was done, in percent: each workout
    /// counts its matched activity's coverage, at most 100 %; `null` with nothing due.
    pub volume_pct: Option<u32>,
}

impl Compliance {
    /// Compliance over the outcomes of workouts on their dates, as of `today`.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = (NaiveDate, &'a WorkoutOutcome)>, today: NaiveDate) -> Self {
        let (mut planned, mut completed, mut covered) = (0u32, 0u32, 0u64);
        for (date, outcome) in outcomes {
            let due = match outcome.state {
                WorkoutState::Completed | WorkoutState::Partial => date <= today,
                WorkoutState::Missed => true,
                WorkoutState::Excused | WorkoutState::Upcoming => false,
            };
            if !due {
                continue;
            }
            planned += 1;
            completed += u32::from(outcome.state == WorkoutState::Completed);
            covered += u64::from(outcome.coverage_pct.unwrap_or(0).min(100));
        }
        let pct = |part: u64| (planned > 0).then(|| u32::try_from(part * 100 / u64::from(planned)).unwrap_or(100));
        Self {
            planned_sessions: planned,
            completed_sessions: completed,
            sessions_pct: pct(u64::from(completed)),
            volume_pct: (planned > 0).then(|| u32::try_from(covered / u64::from(planned)).unwrap_or(100)),
        }
    }
}

/// The date a workout of `week` and `day` of an assignment starting on
/// `start` falls on: `start + 7(week − 1) + (day − 1)`.
pub fn workout_date(start: NaiveDate, week: i64, day: i64) -> Option<NaiveDate> {
    let offset = u64::try_from(7 * (week - 1) + (day - 1)).ok()?;
    start.checked_add_days(Days::new(offset))
}

/// A checked date range of at most [`MAX_DAYS`] days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl DateRange {
    /// `from` to `to`, both included; `to` before `from` or more than
    /// [`MAX_DAYS`] days is an error naming `to` (a bad query value), and
    /// a date outside the years 1900 to 2200 one naming its field.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, FieldError> {
        for (field, date) in [("from", from), ("to", to)] {
            if !(1900..=2200).contains(&date.year()) {
                return Err(FieldError::new(
                    field,
                    "invalid_parameter",
                    format!("{field} must be in the years 1900 to 2200"),
                ));
            }
        }
        let bad = |message: String| FieldError::new("to", "invalid_parameter", message);
        if to < from {
            return Err(bad("to must not be before from".into()));
        }
        if (to - from).num_days() >= i64::try_from(MAX_DAYS).unwrap_or(i64::MAX) {
            return Err(bad(format!("a calendar covers at most {MAX_DAYS} days")));
        }
        Ok(Self { from, to })
    }

    /// Whether `date` lies in the range.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }
}

/// A coach's change to one planned workout: a new date, an excuse, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkoutAdjustment {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The workout's position in the plan.
    pub workout_index: u32,
    /// The week and day it had when adjusted: if the plan's workouts are
    /// edited so that the position holds another workout, the adjustment no
    /// longer applies.
    pub week: i64,
    /// See `week`.
    pub day: i64,
    /// Where a coach moved it.
    pub moved_to: Option<NaiveDate>,
    /// Why a coach excused it.
    pub excuse: Option<Excuse>,
}

/// A coach's excuse for a missed workout.
#[derive(Debug, Clone, PartialEq)]
pub struct Excuse {
    /// 1–500 characters.
    pub reason: String,
    /// The coach; when an API key excused it, the key's id (as the audit
    /// trail writes a key), with `by_key` set.
    pub by: UserId,
    /// The organization API key that excused it, if one did (no account then).
    pub by_key: Option<ApiKeyId>,
    /// When.
    pub at: DateTime<Utc>,
}
