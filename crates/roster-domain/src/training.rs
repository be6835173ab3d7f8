//! Training load arithmetic: weeks, weekly totals and load windows over activities.
//!
//! Weeks start on Monday. Times are instants (`DateTime<Utc>`); the calendar
//! day of an instant depends on the organization's time zone, so every
//! function that turns an instant into a day takes the zone.
//!
//! ```
//! use chrono::NaiveDate;
//! use roster_domain::training::week_start;
//!
//! // 2026-12-02 is a Wednesday; its week starts on Monday 2026-11-30.
//! let wednesday = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
//! assert_eq!(week_start(wednesday), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
//! ```

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Days in the acute window ("the last 7 days").
pub const ACUTE_DAYS: i64 = 7;
/// Days in the chronic window ("the 28 days before" the acute window).
pub const CHRONIC_DAYS: i64 = 28;

/// The Monday on or before `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The calendar day of `instant` in `tz`.
pub fn local_date(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The Monday (in `tz`) of the week that holds `instant`.
pub fn week_start_of(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    week_start(local_date(instant, tz))
}

/// The `weeks` Monday week starts ending with the week of `today`, oldest first.
///
/// ```
/// use chrono::NaiveDate;
/// use roster_domain::training::week_starts;
/// let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
/// let weeks = week_starts(today, 3);
/// assert_eq!(weeks.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
///            ["2026-11-16", "2026-11-23", "2026-11-30"]);
/// ```
pub fn week_starts(today: NaiveDate, weeks: u32) -> Vec<NaiveDate> {
    let last = week_start(today);
    (0..i64::from(weeks)).rev().map(|back| last - Duration::weeks(back)).collect()
}

/// The minimum an activity must say for load arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivitySample {
    /// When it started.
    pub start_time: DateTime<Utc>,
    /// Distance in metres.
    pub distance_m: f64,
    /// Duration in seconds.
    pub duration_s: i64,
}

/// The totals of one Monday-based week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklyTotal {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Distance in metres.
    pub distance_m: f64,
    /// Duration in seconds.
    pub duration_s: i64,
    /// Number of activities.
    pub activity_count: u32,
}

impl WeeklyTotal {
    /// An empty week.
    pub fn empty(week_start: NaiveDate) -> Self {
        Self { week_start, distance_m: 0.0, duration_s: 0, activity_count: 0 }
    }
}

/// Totals per week for the `weeks` weeks ending with the week of `today`
/// (days in `tz`), oldest first, empty weeks included. Activities outside
/// those weeks are ignored.
pub fn weekly_totals(activities: &[ActivitySample], tz: Tz, today: NaiveDate, weeks: u32) -> Vec<WeeklyTotal> {
    let mut totals: Vec<WeeklyTotal> = week_starts(today, weeks).into_iter().map(WeeklyTotal::empty).collect();
    let Some(first) = totals.first().map(|w| w.week_start) else { return totals };
    for activity in activities {
        let week = week_start_of(activity.start_time, tz);
        let index = (week - first).num_weeks();
        if let Some(total) = usize::try_from(index).ok().and_then(|i| totals.get_mut(i)) {
            total.distance_m += activity.distance_m;
            total.duration_s += activity.duration_s;
            total.activity_count += 1;
        }
    }
    totals
}

/// Fills the gaps of sparse weekly rows (as a `GROUP BY` returns them) so
/// that the result holds exactly the `weeks` weeks ending with the week of
/// `today`, oldest first, empty weeks included. Rows outside the range are
/// dropped; rows for the same week are added up.
pub fn fill_weeks(sparse: &[WeeklyTotal], today: NaiveDate, weeks: u32) -> Vec<WeeklyTotal> {
    let mut totals: Vec<WeeklyTotal> = week_starts(today, weeks).into_iter().map(WeeklyTotal::empty).collect();
    for row in sparse {
        if let Some(total) = totals.iter_mut().find(|t| t.week_start == week_start(row.week_start)) {
            total.distance_m += row.distance_m;
            total.duration_s += row.duration_s;
            total.activity_count += row.activity_count;
        }
    }
    totals
}

/// The instants that bound the load windows at `now`: the acute window is
/// `[acute_from, now]`, the chronic window `[chronic_from, acute_from)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadWindowBounds {
    /// `now - 35 days`: the start of the chronic window.
    pub chronic_from: DateTime<Utc>,
    /// `now - 7 days`: the end of the chronic window and the start of the acute one.
    pub acute_from: DateTime<Utc>,
    /// The end of the acute window.
    pub now: DateTime<Utc>,
}

impl LoadWindowBounds {
    /// The bounds at `now`, for a store that sums the windows in SQL.
    pub fn at(now: DateTime<Utc>) -> Self {
        let acute_from = now - Duration::days(ACUTE_DAYS);
        Self { chronic_from: acute_from - Duration::days(CHRONIC_DAYS), acute_from, now }
    }
}

/// Distance over the last 7 days and over the 28 days before, with the last activity.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LoadWindows {
    /// Distance in metres of activities started in the last 7 days.
    pub last_7_days_m: f64,
    /// Distance in metres of activities started in the 28 days before those 7.
    pub previous_28_days_m: f64,
    /// Activities started in the last 7 days.
    pub last_7_days_count: u32,
    /// Activities started in the 28 days before those 7.
    pub previous_28_days_count: u32,
    /// The start of the most recent activity ever (not only in the windows).
    pub last_activity_at: Option<DateTime<Utc>>,
}

impl LoadWindows {
    /// Computes the windows at `now` from activities (any order; activities
    /// after `now` count as the last activity but not in the windows).
    pub fn from_activities(now: DateTime<Utc>, activities: &[ActivitySample]) -> Self {
        let bounds = LoadWindowBounds::at(now);
        let mut windows = Self::default();
        for a in activities {
            windows.last_activity_at = windows.last_activity_at.max(Some(a.start_time));
            if a.start_time >= bounds.acute_from && a.start_time <= now {
                windows.last_7_days_m += a.distance_m;
                windows.last_7_days_count += 1;
            } else if a.start_time >= bounds.chronic_from && a.start_time < bounds.acute_from {
                windows.previous_28_days_m += a.distance_m;
                windows.previous_28_days_count += 1;
            }
        }
        windows
    }

    /// The average week of the 28 days before the last 7 (the chronic load), in metres.
    pub fn chronic_week_avg_m(&self) -> f64 {
        self.previous_28_days_m / (CHRONIC_DAYS as f64 / ACUTE_DAYS as f64)
    }

    /// Last 7 days over the chronic average week; `None` when that average is zero.
    pub fn acute_chronic_ratio(&self) -> Option<f64> {
        let chronic = self.chronic_week_avg_m();
        (chronic > 0.0).then(|| self.last_7_days_m / chronic)
    }
}

/// The average distance of the `n` weeks before the last entry of `weekly`
/// (which is taken to be the current, unfinished week); `None` when fewer
/// than `n` earlier weeks exist.
pub fn average_of_previous_weeks(weekly: &[WeeklyTotal], n: usize) -> Option<f64> {
    if n == 0 || weekly.len() < n + 1 {
        return None;
    }
    let earlier = &weekly[weekly.len() - 1 - n..weekly.len() - 1];
    Some(earlier.iter().map(|w| w.distance_m).sum::<f64>() / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn sample(at: &str, km: f64) -> ActivitySample {
        ActivitySample { start_time: t(at), distance_m: km * 1000.0, duration_s: (km * 300.0) as i64 }
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(d("2026-11-30")), d("2026-11-30")); // Monday
        assert_eq!(week_start(d("2026-12-06")), d("2026-11-30")); // Sunday
        assert_eq!(week_start(d("2026-12-07")), d("2026-12-07"));
        assert_eq!(week_start(d("2027-01-01")), d("2026-12-28")); // across a year
    }

    #[test]
    fn the_week_of_an_instant_depends_on_the_time_zone() {
        // Sunday 23:30 in Paris is Sunday 22:30 UTC: same week; Monday 00:30 in Paris is Sunday in UTC.
        let monday_paris = t("2026-11-29T23:30:00Z");
        assert_eq!(week_start_of(monday_paris, chrono_tz::UTC), d("2026-11-23"));
        assert_eq!(week_start_of(monday_paris, chrono_tz::Europe::Paris), d("2026-11-30"));
    }

    #[test]
    fn weekly_totals_include_empty_weeks_oldest_first() {
        let activities = [
            sample("2026-12-01T07:00:00Z", 10.0),
            sample("2026-11-30T07:00:00Z", 5.0),
            sample("2026-11-17T07:00:00Z", 8.0),
            sample("2026-10-01T07:00:00Z", 99.0), // before the range
        ];
        let weeks = weekly_totals(&activities, chrono_tz::UTC, d("2026-12-02"), 3);
        assert_eq!(weeks.len(), 3);
        assert_eq!(weeks[0].week_start, d("2026-11-16"));
        assert_eq!((weeks[0].distance_m, weeks[0].activity_count), (8000.0, 1));
        assert_eq!(weeks[1], WeeklyTotal::empty(d("2026-11-23")));
        assert_eq!((weeks[2].distance_m, weeks[2].activity_count, weeks[2].duration_s), (15000.0, 2, 4500));
    }

    #[test]
    fn fill_weeks_adds_the_missing_weeks() {
        let sparse = [WeeklyTotal { week_start: d("2026-11-16"), distance_m: 1.0, duration_s: 2, activity_count: 1 }];
        let weeks = fill_weeks(&sparse, d("2026-12-02"), 4);
        assert_eq!(
            weeks.iter().map(|w| w.week_start.to_string()).collect::<Vec<_>>(),
            ["2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"]
        );
        assert_eq!(weeks[1].activity_count, 1);
        assert_eq!(weeks.iter().map(|w| w.activity_count).sum::<u32>(), 1);
        assert!(fill_weeks(&sparse, d("2026-12-02"), 0).is_empty());
    }

    #[test]
    fn load_windows_split_at_7_and_35_days() {
        let now = t("2026-12-02T12:00:00Z");
        let activities = [
            sample("2026-12-02T06:00:00Z", 10.0),
            sample("2026-11-25T12:00:00Z", 3.0),  // exactly 7 days ago: acute
            sample("2026-11-25T11:59:59Z", 20.0), // just before: chronic
            sample("2026-10-28T12:00:00Z", 4.0),  // exactly 35 days ago: chronic
            sample("2026-10-28T11:59:59Z", 50.0), // outside
        ];
        let w = LoadWindows::from_activities(now, &activities);
        assert_eq!((w.last_7_days_m, w.last_7_days_count), (13000.0, 2));
        assert_eq!((w.previous_28_days_m, w.previous_28_days_count), (24000.0, 2));
        assert_eq!(w.last_activity_at, Some(t("2026-12-02T06:00:00Z")));
        assert_eq!(w.chronic_week_avg_m(), 6000.0);
        assert_eq!(w.acute_chronic_ratio(), Some(13.0 / 6.0));
        assert_eq!(LoadWindows::default().acute_chronic_ratio(), None);
        let bounds = LoadWindowBounds::at(now);
        assert_eq!(bounds.acute_from, t("2026-11-25T12:00:00Z"));
        assert_eq!(bounds.chronic_from, t("2026-10-28T12:00:00Z"));
    }

    proptest::proptest! {
        /// Every activity inside the weeks is counted exactly once; none outside.
        #[test]
        fn weekly_totals_count_each_activity_once(offsets in proptest::collection::vec(0i64..200 * 86_400, 0..40)) {
            let today = d("2026-12-02");
            let activities: Vec<ActivitySample> = offsets
                .iter()
                .map(|s| ActivitySample { start_time: t("2026-12-02T23:00:00Z") - Duration::seconds(*s), distance_m: 1.0, duration_s: 1 })
                .collect();
            let weeks = weekly_totals(&activities, chrono_tz::Europe::Paris, today, 12);
            let first = weeks[0].week_start;
            let inside = activities.iter().filter(|a| week_start_of(a.start_time, chrono_tz::Europe::Paris) >= first).count();
            proptest::prop_assert_eq!(weeks.iter().map(|w| w.activity_count as usize).sum::<usize>(), inside);
            proptest::prop_assert!(weeks.windows(2).all(|w| w[1].week_start - w[0].week_start == Duration::weeks(1)));
        }
    }

    #[test]
    fn average_of_previous_weeks_skips_the_current_week() {
        let weeks = fill_weeks(&[], d("2026-12-02"), 5);
        let mut weeks = weeks;
        for (i, w) in weeks.iter_mut().enumerate() {
            w.distance_m = (i as f64 + 1.0) * 1000.0;
        }
        assert_eq!(average_of_previous_weeks(&weeks, 4), Some(2500.0));
        assert_eq!(average_of_previous_weeks(&weeks, 5), None);
        assert_eq!(average_of_previous_weeks(&weeks, 0), None);
    }
}
