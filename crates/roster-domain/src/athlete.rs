//! An athlete's own data: activities, race goals, zones and integrations, the
//! rules that make each valid, and the port the store implements. Who may
//! read and write it is [`crate::policy`]'s.
//!
//! Athlete data belongs to the account (an athlete belongs to at most one
//! organization at a time); the organization is the context in which coaches
//! see it and in which its audit events are written.

pub mod activity;
pub mod integration;
pub mod ports;
pub mod race_goal;
pub mod weekly;
pub mod window;
pub mod zones;

pub use activity::{Activity, ActivityInput, ActivitySource, FeedCursor, Inserted, NewActivity};
pub use integration::{ConnectInput, Integration, IntegrationStatus, Provider};
pub use ports::AthleteRepo;
pub use race_goal::{RaceGoal, RaceGoalFields, RaceGoalInput, RaceGoalPatch, next_race_goal};
pub use weekly::{BucketTotal, WeekTotal};
pub use window::ActivityWindow;
pub use zones::{HeartRateZone, HeartRateZones, PaceZone, PaceZones, StoredZones, ZoneSettings, Zones};

use crate::values::{InvalidValue, Lines, clean_text};

/// An integer field within `range`, or `out_of_range` naming the bounds.
pub(crate) fn in_range_i64(value: i64, range: std::ops::RangeInclusive<i64>) -> Result<i64, InvalidValue> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(InvalidValue::new("out_of_range", format!("must be between {} and {}", range.start(), range.end())))
    }
}

/// A number field within `range` (NaN is outside every range).
pub(crate) fn in_range_f64(value: f64, range: std::ops::RangeInclusive<f64>) -> Result<f64, InvalidValue> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(InvalidValue::new("out_of_range", format!("must be between {} and {}", range.start(), range.end())))
    }
}

/// Optional one-line text: trimmed, empty means none, at most `max`
/// characters, no control characters ([`clean_text`]).
pub(crate) fn optional_text(input: Option<&str>, max: usize) -> Result<Option<String>, InvalidValue> {
    let Some(input) = input else { return Ok(None) };
    let text = clean_text(input, Lines::One)?;
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(InvalidValue::new("too_long", format!("must be at most {max} characters")));
    }
    Ok(Some(text))
}

/// Required one-line text: trimmed, 1..=`max` characters, no control characters.
pub(crate) fn required_text(input: &str, max: usize) -> Result<String, InvalidValue> {
    optional_text(Some(input), max)?.ok_or_else(|| InvalidValue::new("required", "must not be empty"))
}
