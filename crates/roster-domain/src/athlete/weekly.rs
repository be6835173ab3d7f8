//! Weekly distance: Monday-based weeks in the organization's time zone.
//!
//! The week boundaries are computed here as UTC instants (a local Monday
//! midnight, correct across daylight-saving changes); the store sums the
//! activities between them in one query.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The most weeks one request may ask for.
pub const MAX_WEEKS: u32 = 104;

/// The sums of one bucket between two boundaries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BucketTotal {
    /// Metres.
    pub distance_m: f64,
    /// Seconds.
    pub duration_s: i64,
    /// Activities.
    pub activity_count: i64,
}

/// One week of the trend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekTotal {
    /// The Monday that starts the week, in the organization's time zone.
    pub week_start: NaiveDate,
    /// Sums of the activities that started that week.
    pub totals: BucketTotal,
}

/// The Mondays of the last `weeks` weeks, oldest first; the last is the
/// Monday of the week containing `now` in `tz`.
///
/// ```
/// use roster_domain::athlete::weekly::week_starts;
/// let now = "2026-11-28T12:00:00Z".parse().unwrap(); // a Saturday
/// let mondays = week_starts(chrono_tz::UTC, now, 2);
/// assert_eq!(mondays.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["2026-11-16", "2026-11-23"]);
/// ```
pub fn week_starts(tz: Tz, now: DateTime<Utc>, weeks: u32) -> Vec<NaiveDate> {
    let today = now.with_timezone(&tz).date_naive();
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (0..i64::from(weeks)).rev().map(|back| this_monday - Duration::weeks(back)).collect()
}

/// The instant `date` starts in `tz`: local midnight, or the first instant
/// after it when midnight does not exist that day (a DST gap).
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    (0..=24 * 4)
        .find_map(|quarter| tz.from_local_datetime(&(midnight + Duration::minutes(15 * quarter))).earliest())
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The `weeks + 1` boundaries of `mondays` (each Monday's start, then the
/// start of the Monday after the last), as UTC instants.
pub fn boundaries(tz: Tz, mondays: &[NaiveDate]) -> Vec<DateTime<Utc>> {
    let mut out: Vec<_> = mondays.iter().map(|d| start_of_day(tz, *d)).collect();
    if let Some(last) = mondays.last() {
        out.push(start_of_day(tz, *last + Duration::weeks(1)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_the_local_monday() {
        // Sunday 23:30 UTC is already Monday in Berlin.
        let now = at("2026-11-29T23:30:00Z");
        assert_eq!(week_starts(chrono_tz::UTC, now, 1), ["2026-11-23".parse::<NaiveDate>().unwrap()]);
        let berlin = week_starts(chrono_tz::Europe::Berlin, now, 1);
        assert_eq!(berlin, ["2026-11-30".parse::<NaiveDate>().unwrap()]);
        assert_eq!(boundaries(chrono_tz::Europe::Berlin, &berlin)[0], at("2026-11-29T23:00:00Z"));
    }

    #[test]
    fn boundaries_follow_daylight_saving_time() {
        let tz = chrono_tz::Europe::Berlin;
        // The week of 2026-03-23 contains the switch to summer time (29 March).
        let mondays = ["2026-03-23".parse().unwrap()];
        let b = boundaries(tz, &mondays);
        assert_eq!(b, [at("2026-03-22T23:00:00Z"), at("2026-03-29T22:00:00Z")]);
        assert_eq!(b[1] - b[0], Duration::hours(7 * 24 - 1));
    }

    #[test]
    fn a_missing_midnight_starts_at_the_first_local_instant() {
        // America/Santiago skipped 2022-09-11 00:00..01:00.
        let t = start_of_day(chrono_tz::America::Santiago, "2022-09-11".parse().unwrap());
        assert_eq!(t, at("2022-09-11T04:00:00Z"));
    }
}
