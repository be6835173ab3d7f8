//! The organization's time zone, and the local dates and midnights that
//! every date rule (plans, calendar, attention) reads through it.

use super::InvalidValue;
use serde::{Serialize, Serializer};

/// An IANA time zone such as `Europe/Paris`.
///
/// ```
/// use roster_domain::values::Timezone;
/// assert_eq!(Timezone::parse("Europe/Paris").unwrap().as_str(), "Europe/Paris");
/// assert_eq!(Timezone::parse("Mars/Olympus").unwrap_err().code, "invalid_timezone");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    /// Parses an IANA zone name.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        input
            .trim()
            .parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| InvalidValue::new("invalid_timezone", "must be an IANA time zone such as Europe/Paris"))
    }

    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self(chrono_tz::UTC)
    }

    /// The IANA name.
    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    /// The zone, for date arithmetic.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// The first instant after `instant` at which [`Timezone::today`] changes:
    /// the next local midnight (or the first instant of the next day where a
    /// transition skips midnight).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use roster_domain::values::Timezone;
    /// let paris = Timezone::parse("Europe/Paris").unwrap();
    /// let noon = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
    /// assert_eq!(paris.next_midnight(noon), Utc.with_ymd_and_hms(2026, 12, 3, 23, 0, 0).unwrap());
    /// ```
    pub fn next_midnight(&self, instant: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone as _;
        let tomorrow = self.today(instant).succ_opt().unwrap_or(chrono::NaiveDate::MAX);
        let mut local = tomorrow.and_time(chrono::NaiveTime::MIN);
        // A transition can skip midnight (e.g. America/Santiago): take the
        // first existing minute of the day.
        for _ in 0..=180 {
            if let Some(at) = self.0.from_local_datetime(&local).earliest() {
                return at.with_timezone(&chrono::Utc);
            }
            local += chrono::Duration::minutes(1);
        }
        instant + chrono::Duration::days(1)
    }

    /// The calendar date at `instant` in this zone.
    pub fn today(&self, instant: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        instant.with_timezone(&self.0).date_naive()
    }
}

impl Serialize for Timezone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
