//! What a plan is: its name, sport, level, length and workouts, checked as a whole.

use super::MAX_WEEKS;
use crate::error::{DomainError, FieldError, FieldErrors};
use crate::sport::Sport;
use crate::values::{Description, InvalidValue, Lines, clean_text};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A plan's name: 1–120 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanName(String);

impl PlanName {
    /// Parses a plan name.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        text(input, "name", "invalid_name", 1, 120).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlanName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn text(input: &str, what: &str, code: &'static str, min: usize, max: usize) -> Result<String, InvalidValue> {
    let trimmed = clean_text(input, Lines::One)?;
    let len = trimmed.chars().count();
    if len < min || len > max {
        return Err(InvalidValue::new(code, format!("{what} must be {min}–{max} characters")));
    }
    Ok(trimmed)
}

/// The most workouts on one day of a plan: a double day and strength work.
/// A plan thus holds at most 21 × `duration_weeks` workouts (2 184 at 104
/// weeks), and every plan read stays bounded.
pub const MAX_WORKOUTS_PER_DAY: usize = 3;

/// The `(week, day)` with the most workouts, and how many.
fn busiest_day(workouts: &[Workout]) -> Option<((i64, i64), usize)> {
    let mut per_day = std::collections::HashMap::new();
    for w in workouts {
        *per_day.entry((w.week, w.day)).or_insert(0usize) += 1;
    }
    per_day.into_iter().max_by_key(|&(day, n)| (n, std::cmp::Reverse(day)))
}

/// Who a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanLevel {
    /// New to the sport.
    Beginner,
    /// Some experience.
    Intermediate,
    /// Experienced.
    Advanced,
}

impl PlanLevel {
    /// The wire (and database) name.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanLevel::Beginner => "beginner",
            PlanLevel::Intermediate => "intermediate",
            PlanLevel::Advanced => "advanced",
        }
    }
}

impl FromStr for PlanLevel {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "beginner" => Ok(PlanLevel::Beginner),
            "intermediate" => Ok(PlanLevel::Intermediate),
            "advanced" => Ok(PlanLevel::Advanced),
            _ => Err(InvalidValue::new("invalid_level", "level must be beginner, intermediate or advanced")),
        }
    }
}

/// One workout of a plan: on `day` (1 = Monday … 7) of `week` (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workout {
    /// Week of the plan, 1..=duration_weeks.
    pub week: i64,
    /// Day of the week, 1 = Monday … 7 = Sunday.
    pub day: i64,
    /// 1–200 characters.
    pub title: String,
    /// Free kind such as `easy`, `intervals` (1–40 characters).
    pub kind: Option<String>,
    /// Metres.
    pub distance_m: Option<i64>,
    /// Seconds.
    pub duration_s: Option<i64>,
    /// Up to 2 000 characters.
    pub notes: Option<String>,
}

/// A plan's content, valid as a whole: every workout lies inside
/// `duration_weeks` (1–104).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanContent {
    /// Name.
    pub name: PlanName,
    /// Description (may be empty).
    pub description: Description,
    /// Sport.
    pub sport: Sport,
    /// Level, if stated.
    pub level: Option<PlanLevel>,
    /// Length in weeks.
    pub duration_weeks: u32,
    /// Workouts, in week and day order.
    pub workouts: Vec<Workout>,
}

impl PlanContent {
    /// Checks the parts and their fit; every bad field is reported, workouts by
    /// index (`workouts[3].week`).
    ///
    /// ```
    /// use roster_domain::Sport;
    /// use roster_domain::plans::{PlanContent, PlanName, Workout};
    /// use roster_domain::values::Description;
    ///
    /// let w = Workout { week: 3, day: 1, title: "Easy".into(), kind: None, distance_m: None, duration_s: None, notes: None };
    /// let err = PlanContent::new(PlanName::parse("5k").unwrap(), Description::default(), Sport::Run, None, 2, vec![w])
    ///     .unwrap_err();
    /// let roster_domain::DomainError::Validation(errors) = err else { panic!() };
    /// assert_eq!(errors[0].field, "workouts[0].week");
    /// ```
    pub fn new(
        name: PlanName,
        description: Description,
        sport: Sport,
        level: Option<PlanLevel>,
        duration_weeks: i64,
        mut workouts: Vec<Workout>,
    ) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let weeks = match u32::try_from(duration_weeks) {
            Ok(w @ 1..=MAX_WEEKS) => Some(w),
            _ => {
                errors.push(FieldError::new("duration_weeks", "out_of_range", "duration_weeks must be 1–104"));
                None
            }
        };
        if let Some(((week, day), count)) = busiest_day(&workouts).filter(|(_, n)| *n > MAX_WORKOUTS_PER_DAY) {
            // Refused as a whole: thousands of workouts are not checked one by one.
            return Err(DomainError::Validation(vec![FieldError::new(
                "workouts",
                "too_many_workouts",
                format!("at most {MAX_WORKOUTS_PER_DAY} workouts a day; week {week}, day {day} has {count}"),
            )]));
        }
        for (i, w) in workouts.iter_mut().enumerate() {
            let at = |f: &str| format!("workouts[{i}].{f}");
            if weeks.is_some_and(|max| w.week < 1 || w.week > i64::from(max)) {
                errors.push(FieldError::new(at("week"), "out_of_range", "week must be between 1 and duration_weeks"));
            }
            if !(1..=7).contains(&w.day) {
                errors.push(FieldError::new(at("day"), "out_of_range", "day must be 1 (Monday) to 7 (Sunday)"));
            }
            match text(&w.title, "title", "invalid_title", 1, 200) {
                Ok(t) => w.title = t,
                Err(e) => errors.push(FieldError::from_invalid(at("title"), e)),
            }
            if let Some(kind) = &w.kind {
                match text(kind, "kind", "invalid_kind", 1, 40) {
                    Ok(k) => w.kind = Some(k),
                    Err(e) => errors.push(FieldError::from_invalid(at("kind"), e)),
                }
            }
            if w.distance_m.is_some_and(|d| !(0..=1_000_000).contains(&d)) {
                errors.push(FieldError::new(at("distance_m"), "out_of_range", "distance_m must be 0–1000000"));
            }
            if w.duration_s.is_some_and(|d| !(0..=604_800).contains(&d)) {
                errors.push(FieldError::new(at("duration_s"), "out_of_range", "duration_s must be 0–604800"));
            }
            if let Some(notes) = &w.notes {
                match clean_text(notes, Lines::Many) {
                    Ok(n) if n.chars().count() > 2000 => {
                        errors.push(FieldError::new(at("notes"), "too_long", "notes must be at most 2000 characters"));
                    }
                    Ok(n) => w.notes = Some(n),
                    Err(e) => errors.push(FieldError::from_invalid(at("notes"), e)),
                }
            }
        }
        errors.finish()?;
        workouts.sort_by_key(|w| (w.week, w.day));
        Ok(Self { name, description, sport, level, duration_weeks: weeks.unwrap_or(1), workouts })
    }
}
