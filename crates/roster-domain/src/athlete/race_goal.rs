//! Race goals: the races an athlete trains for, with the pace a goal time
//! asks for.

use super::{in_range_f64, in_range_i64, required_text};
use crate::error::{DomainError, FieldErrors};
use crate::ids::{RaceGoalId, UserId};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{Value, json};

/// The longest race distance, in metres.
pub const MAX_RACE_DISTANCE_M: f64 = 1_000_000.0;
/// The longest goal time, in seconds (10 days).
pub const MAX_GOAL_TIME_S: i64 = 10 * 24 * 3600;

/// A stored race goal.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceGoal {
    /// Id.
    pub race_goal_id: RaceGoalId,
    /// The athlete's account.
    pub user_id: UserId,
    /// What the athlete asked for.
    pub fields: RaceGoalFields,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// The goal race: the first goal (by date, then id) whose race day is
/// `today` or later. `goals` are in the order the store lists them.
///
/// ```
/// use roster_domain::athlete::next_race_goal;
/// assert!(next_race_goal(&[], "2026-11-28".parse().unwrap()).is_none());
/// ```
pub fn next_race_goal(goals: &[RaceGoal], today: NaiveDate) -> Option<&RaceGoal> {
    goals.iter().filter(|g| g.fields.race_date >= today).min_by_key(|g| (g.fields.race_date, g.race_goal_id))
}

/// The checked attributes of a race goal.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceGoalFields {
    /// 1–120 characters.
    pub race_name: String,
    /// Race day.
    pub race_date: NaiveDate,
    /// Metres, more than 0.
    pub distance_m: f64,
    /// Seconds, when the athlete has a goal time.
    pub goal_time_s: Option<i64>,
}

impl RaceGoalFields {
    /// The pace the goal time asks for, in seconds per km, rounded to a
    /// tenth of a second; `None` without a goal time.
    ///
    /// ```
    /// use roster_domain::athlete::RaceGoalFields;
    /// let marathon = RaceGoalFields {
    ///     race_name: "Berlin".into(), race_date: "2027-09-26".parse().unwrap(),
    ///     distance_m: 42_195.0, goal_time_s: Some(3 * 3600),
    /// };
    /// assert_eq!(marathon.target_pace_s_per_km(), Some(256.0));
    /// ```
    pub fn target_pace_s_per_km(&self) -> Option<f64> {
        let time = self.goal_time_s? as f64;
        let pace = time / (self.distance_m / 1000.0);
        Some((pace * 10.0).round() / 10.0)
    }

    /// The fields as JSON, for the audit trail.
    pub fn to_json(&self) -> Value {
        json!({
            "race_name": self.race_name,
            "race_date": self.race_date,
            "distance_m": self.distance_m,
            "goal_time_s": self.goal_time_s,
        })
    }
}

/// A race goal as a client sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceGoalInput {
    /// 1–120 characters.
    pub race_name: String,
    /// Race day.
    pub race_date: NaiveDate,
    /// Metres.
    pub distance_m: f64,
    /// Seconds.
    pub goal_time_s: Option<i64>,
}

/// A change to a race goal: `None` leaves a field as it is; for
/// `goal_time_s`, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RaceGoalPatch {
    /// New name.
    pub race_name: Option<String>,
    /// New date.
    pub race_date: Option<NaiveDate>,
    /// New distance.
    pub distance_m: Option<f64>,
    /// New goal time, or `Some(None)` to clear it.
    pub goal_time_s: Option<Option<i64>>,
}

impl RaceGoalFields {
    /// Checks a new goal's fields, naming every bad one.
    pub fn parse(input: &RaceGoalInput) -> Result<Self, DomainError> {
        let patch = RaceGoalPatch {
            race_name: Some(input.race_name.clone()),
            race_date: Some(input.race_date),
            distance_m: Some(input.distance_m),
            goal_time_s: Some(input.goal_time_s),
        };
        let blank =
            RaceGoalFields { race_name: String::new(), race_date: input.race_date, distance_m: 1.0, goal_time_s: None };
        blank.apply(&patch)
    }

    /// These fields with `patch` applied and checked.
    pub fn apply(&self, patch: &RaceGoalPatch) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let race_name = match &patch.race_name {
            Some(name) => errors.check("race_name", required_text(name, 120)),
            None => Some(self.race_name.clone()),
        };
        let distance_m = match patch.distance_m {
            Some(d) if d > 0.0 => errors.check("distance_m", in_range_f64(d, 0.0..=MAX_RACE_DISTANCE_M)),
            Some(_) => {
                errors.check("distance_m", Err(crate::values::InvalidValue::new("out_of_range", "must be more than 0")))
            }
            None => Some(self.distance_m),
        };
        // A race of this world: years 1900 to 2200 (chrono reads year 0 and
        // negative years, which neither backend's date type orders alike).
        let race_date = match patch.race_date {
            Some(d) if !(1900..=2200).contains(&d.year()) => errors.check(
                "race_date",
                Err(crate::values::InvalidValue::new("out_of_range", "must be in the years 1900 to 2200")),
            ),
            Some(d) => Some(d),
            None => Some(self.race_date),
        };
        let goal_time_s = match patch.goal_time_s {
            Some(Some(t)) => errors.check("goal_time_s", in_range_i64(t, 1..=MAX_GOAL_TIME_S)).map(Some),
            Some(None) => Some(None),
            None => Some(self.goal_time_s),
        };
        errors.finish()?;
        match (race_name, race_date, distance_m, goal_time_s) {
            (Some(race_name), Some(race_date), Some(distance_m), Some(goal_time_s)) => {
                Ok(Self { race_name, race_date, distance_m, goal_time_s })
            }
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_race_date_outside_1900_to_2200_is_refused() {
        for date in ["0000-01-01", "1899-12-31", "2201-01-01"] {
            let bad = RaceGoalInput { race_date: date.parse().unwrap(), ..input() };
            let Err(DomainError::Validation(errors)) = RaceGoalFields::parse(&bad) else { panic!("{date} refused") };
            assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("race_date", "out_of_range"), "{date}");
        }
        assert!(RaceGoalFields::parse(&RaceGoalInput { race_date: "1900-01-01".parse().unwrap(), ..input() }).is_ok());
    }

    fn input() -> RaceGoalInput {
        RaceGoalInput {
            race_name: " Spring 10K ".into(),
            race_date: "2027-04-01".parse().unwrap(),
            distance_m: 10_000.0,
            goal_time_s: Some(2400),
        }
    }

    #[test]
    fn target_pace_is_goal_time_over_kilometres() {
        let goal = RaceGoalFields::parse(&input()).unwrap();
        assert_eq!(goal.race_name, "Spring 10K");
        assert_eq!(goal.target_pace_s_per_km(), Some(240.0));
        let half = RaceGoalFields { distance_m: 21_097.5, goal_time_s: Some(5400), ..goal.clone() };
        assert_eq!(half.target_pace_s_per_km(), Some(256.0));
        let none = RaceGoalFields { goal_time_s: None, ..goal };
        assert_eq!(none.target_pace_s_per_km(), None);
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = RaceGoalInput { race_name: "  ".into(), distance_m: 0.0, goal_time_s: Some(0), ..input() };
        let DomainError::Validation(errors) = RaceGoalFields::parse(&bad).unwrap_err() else { panic!() };
        let fields: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            fields,
            [("race_name", "required"), ("distance_m", "out_of_range"), ("goal_time_s", "out_of_range")]
        );
        let long = RaceGoalInput { race_name: "x".repeat(121), ..input() };
        assert_eq!(RaceGoalFields::parse(&long).unwrap_err().code(), "too_long");
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_can_clear_the_goal_time() {
        let goal = RaceGoalFields::parse(&input()).unwrap();
        let renamed = goal.apply(&RaceGoalPatch { race_name: Some("City 10K".into()), ..Default::default() }).unwrap();
        assert_eq!(renamed.race_name, "City 10K");
        assert_eq!(renamed.goal_time_s, Some(2400));
        let cleared = goal.apply(&RaceGoalPatch { goal_time_s: Some(None), ..Default::default() }).unwrap();
        assert_eq!(cleared.goal_time_s, None);
        assert!(goal.apply(&RaceGoalPatch { distance_m: Some(-5.0), ..Default::default() }).is_err());
    }
}
