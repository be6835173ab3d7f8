//! Activities: a run, a ride, a swim, ... recorded by hand, imported from a
//! file, or sent by an integration.

use super::{in_range_f64, in_range_i64, optional_text};
use crate::error::{DomainError, FieldErrors};
use crate::ids::{ActivityId, ApiKeyId, UserId};
use crate::sport::Sport;
use crate::values::InvalidValue;
use chrono::{DateTime, Duration, SubsecRound, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How far in the future a start time may be (clocks of devices drift).
pub const FUTURE_SKEW: Duration = Duration::minutes(5);
/// The longest distance one activity may have, in metres.
pub const MAX_DISTANCE_M: f64 = 1_000_000.0;
/// The longest duration one activity may have, in seconds (7 days).
pub const MAX_DURATION_S: i64 = 7 * 24 * 3600;
/// The most elevation gain one activity may have, in metres.
pub const MAX_ELEVATION_GAIN_M: f64 = 20_000.0;

/// Where an activity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActivitySource {
    /// Typed in, or imported from a file.
    Manual,
    /// Sent by the Strava integration.
    Strava,
    /// Sent by the Garmin integration.
    Garmin,
    /// Sent by the Apple Health integration.
    AppleHealth,
}

impl ActivitySource {
    /// Every source, in wire order.
    pub const ALL: [ActivitySource; 4] =
        [ActivitySource::Manual, ActivitySource::Strava, ActivitySource::Garmin, ActivitySource::AppleHealth];

    /// The wire (and database) name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ActivitySource::Manual => "manual",
            ActivitySource::Strava => "strava",
            ActivitySource::Garmin => "garmin",
            ActivitySource::AppleHealth => "apple_health",
        }
    }
}

impl fmt::Display for ActivitySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ActivitySource {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActivitySource::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| InvalidValue::new("invalid_source", "must be one of manual, strava, garmin, apple_health"))
    }
}

/// A stored activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Id (time-ordered).
    pub activity_id: ActivityId,
    /// The athlete's account.
    pub user_id: UserId,
    /// Sport.
    pub sport: Sport,
    /// When it started.
    pub start_time: DateTime<Utc>,
    /// Metres.
    pub distance_m: f64,
    /// Seconds.
    pub duration_s: i64,
    /// Metres climbed, when known.
    pub elevation_gain_m: Option<f64>,
    /// Average heart rate, when known.
    pub avg_hr: Option<i32>,
    /// Title.
    pub title: Option<String>,
    /// Where it came from.
    pub source: ActivitySource,
    /// The source's id for it; with `source` and the athlete, the idempotency key.
    pub external_id: Option<String>,
    /// Who recorded it (the athlete or a coach); when an API key did, the
    /// key's id (as the audit trail writes a key), with
    /// [`Activity::created_by_key`] set.
    pub created_by: UserId,
    /// The organization API key that recorded it, if one did (no account then).
    pub created_by_key: Option<ApiKeyId>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

/// An activity as a client sends it, not yet checked. Enumerations are text
/// so that an unknown value is a `422` naming the field.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityInput {
    /// `run`, `bike`, `swim`, `strength` or `other`.
    pub sport: String,
    /// When it started.
    pub start_time: DateTime<Utc>,
    /// Metres, 0..=1 000 000.
    pub distance_m: f64,
    /// Seconds, 1..=7 days.
    pub duration_s: i64,
    /// Metres, 0..=20 000.
    pub elevation_gain_m: Option<f64>,
    /// Beats per minute, 20..=250.
    pub avg_hr: Option<i64>,
    /// Up to 200 characters.
    pub title: Option<String>,
    /// `manual`, `strava`, `garmin` or `apple_health`.
    pub source: String,
    /// Up to 200 characters; required unless `source` is `manual`.
    pub external_id: Option<String>,
}

/// A checked activity, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    /// Sport.
    pub sport: Sport,
    /// Start, truncated to microseconds.
    pub start_time: DateTime<Utc>,
    /// Metres.
    pub distance_m: f64,
    /// Seconds.
    pub duration_s: i64,
    /// Metres climbed.
    pub elevation_gain_m: Option<f64>,
    /// Average heart rate.
    pub avg_hr: Option<i32>,
    /// Title.
    pub title: Option<String>,
    /// Source.
    pub source: ActivitySource,
    /// The source's id.
    pub external_id: Option<String>,
}

impl NewActivity {
    /// Checks every field at `now`, reporting all bad fields at once.
    ///
    /// ```
    /// use roster_domain::athlete::{ActivityInput, NewActivity};
    /// let now = chrono::Utc::now();
    /// let input = ActivityInput {
    ///     sport: "run".into(), start_time: now, distance_m: 10_000.0, duration_s: 3000,
    ///     elevation_gain_m: None, avg_hr: Some(150), title: None, source: "strava".into(), external_id: None,
    /// };
    /// let err = NewActivity::parse(&input, now).unwrap_err();
    /// assert_eq!(err.code(), "external_id_required");
    /// ```
    pub fn parse(input: &ActivityInput, now: DateTime<Utc>) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let sport = errors.check(
            "sport",
            input.sport.parse::<Sport>().map_err(|e| InvalidValue::new("invalid_sport", e.to_string())),
        );
        let start_time = errors.check("start_time", start_time(input.start_time, now));
        let distance_m = errors.check("distance_m", in_range_f64(input.distance_m, 0.0..=MAX_DISTANCE_M));
        let duration_s = errors.check("duration_s", in_range_i64(input.duration_s, 1..=MAX_DURATION_S));
        let elevation_gain_m = errors.check(
            "elevation_gain_m",
            input.elevation_gain_m.map(|e| in_range_f64(e, 0.0..=MAX_ELEVATION_GAIN_M)).transpose(),
        );
        let avg_hr = errors.check("avg_hr", input.avg_hr.map(|h| in_range_i64(h, 20..=250)).transpose());
        let title = errors.check("title", optional_text(input.title.as_deref(), 200));
        let source = errors.check("source", input.source.parse::<ActivitySource>());
        let external_id = errors.check("external_id", optional_text(input.external_id.as_deref(), 200));
        if let (Some(source), Some(None)) = (source, &external_id)
            && source != ActivitySource::Manual
        {
            errors.check::<()>(
                "external_id",
                Err(InvalidValue::new("external_id_required", "an integration's activity needs its external_id")),
            );
        }
        errors.finish()?;
        match (sport, start_time, distance_m, duration_s, elevation_gain_m, avg_hr, title, source, external_id) {
            (
                Some(sport),
                Some(start_time),
                Some(distance_m),
                Some(duration_s),
                Some(elevation_gain_m),
                Some(avg_hr),
                Some(title),
                Some(source),
                Some(external_id),
            ) => Ok(Self {
                sport,
                start_time,
                distance_m,
                duration_s,
                elevation_gain_m,
                avg_hr: avg_hr.and_then(|h| i32::try_from(h).ok()),
                title,
                source,
                external_id,
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }

    /// The activity to store for `user_id`, recorded by `created_by` at `now`.
    pub fn into_activity(self, user_id: UserId, created_by: UserId, now: DateTime<Utc>) -> Activity {
        Activity {
            activity_id: ActivityId::new(),
            user_id,
            sport: self.sport,
            start_time: self.start_time,
            distance_m: self.distance_m,
            duration_s: self.duration_s,
            elevation_gain_m: self.elevation_gain_m,
            avg_hr: self.avg_hr,
            title: self.title,
            source: self.source,
            external_id: self.external_id,
            created_by,
            created_by_key: None,
            created_at: now,
        }
    }
}

fn start_time(t: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidValue> {
    if t > now + FUTURE_SKEW {
        return Err(InvalidValue::new("start_time_in_future", "must not be in the future"));
    }
    if t < DateTime::UNIX_EPOCH {
        return Err(InvalidValue::new("out_of_range", "must not be before 1970"));
    }
    // chrono reads `:60` as a leap second, which SQLite would keep and
    // PostgreSQL turn into the next minute: the backends would disagree.
    if t.nanosecond() >= 1_000_000_000 {
        return Err(InvalidValue::new("out_of_range", "seconds must be 0 to 59"));
    }
    Ok(t.trunc_subsecs(6))
}

/// Whether a write made a new row or found the one already there (an
/// idempotent resend).
#[derive(Debug, Clone, PartialEq)]
pub enum Inserted<T> {
    /// A new row.
    Created(T),
    /// The row that was already there; nothing was written.
    Existing(T),
}

impl<T> Inserted<T> {
    /// The row, new or old.
    pub fn into_inner(self) -> T {
        match self {
            Inserted::Created(t) | Inserted::Existing(t) => t,
        }
    }

    /// Whether it is new.
    pub fn is_created(&self) -> bool {
        matches!(self, Inserted::Created(_))
    }
}

/// Where the next page of a feed starts: strictly older than this activity
/// (newest first by start time, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedCursor {
    /// The last start time seen.
    pub start_time: DateTime<Utc>,
    /// The last id seen.
    pub activity_id: ActivityId,
}

impl FeedCursor {
    /// The cursor after `activity`.
    pub fn after(activity: &Activity) -> Self {
        Self { start_time: activity.start_time, activity_id: activity.activity_id }
    }

    /// Text form: `<microseconds since the epoch>.<id>`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.start_time.timestamp_micros(), self.activity_id)
    }

    /// Reads [`FeedCursor::encode`]'s text.
    pub fn decode(text: &str) -> Option<Self> {
        let (micros, id) = text.split_once('.')?;
        let start_time = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        Some(Self { start_time, activity_id: id.parse().ok()? })
    }
}

#[cfg(test)]
#[path = "activity_tests.rs"]
mod tests;
