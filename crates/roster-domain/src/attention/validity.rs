//! How long a computed attention summary (and the roster's profile status)
//! stays true when no data changes: the store keeps both per athlete and
//! recomputes them only after this instant or after a write to the data.

use super::{AthleteSnapshot, AttentionThresholds};
use crate::training::{ACUTE_DAYS, CHRONIC_DAYS};
use chrono::{DateTime, Duration, Utc};

/// When activities leave the two load windows of a snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowEdges {
    /// The earliest start in the last 7 days (it leaves that window 7 days after it started).
    pub oldest_acute: Option<DateTime<Utc>>,
    /// The earliest start in the 28 days before (it leaves 35 days after it started).
    pub oldest_chronic: Option<DateTime<Utc>>,
}

/// The first instant from `s.now` on at which the signals of `s` may differ
/// with no new data: an activity leaving a load window, the days without
/// activity reaching a threshold, or `next_midnight` (the next local midnight
/// in the organization's time zone, where every date-based rule — plans, race
/// goals — moves on). Before it, [`super::signals`] gives the same result.
/// It is `s.now` itself when an activity sits exactly on a window's edge:
/// it leaves the window at the next instant, so the summary is already stale.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use roster_domain::attention::{AthleteSnapshot, AttentionThresholds, WindowEdges, unchanged_until};
/// let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
/// let midnight = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
/// let mut s = AthleteSnapshot::new(now, now.date_naive());
/// s.last_activity_at = Some(now - Duration::days(7) + Duration::hours(3));
/// // The 7-day warning starts three hours from now, before midnight.
/// let until = unchanged_until(&s, &AttentionThresholds::default(), WindowEdges::default(), midnight);
/// assert_eq!(until, now + Duration::hours(3));
/// ```
pub fn unchanged_until(
    s: &AthleteSnapshot,
    t: &AttentionThresholds,
    edges: WindowEdges,
    next_midnight: DateTime<Utc>,
) -> DateTime<Utc> {
    let day = Duration::days(1);
    let mut candidates = vec![next_midnight];
    if let Some(last) = s.last_activity_at {
        candidates.push(last + day * i32::try_from(t.no_recent_activity_warning_days).unwrap_or(i32::MAX / 2));
        candidates.push(last + day * i32::try_from(t.no_recent_activity_urgent_days).unwrap_or(i32::MAX / 2));
    }
    if let Some(oldest) = edges.oldest_acute {
        candidates.push(oldest + Duration::days(ACUTE_DAYS));
    }
    if let Some(oldest) = edges.oldest_chronic {
        candidates.push(oldest + Duration::days(ACUTE_DAYS + CHRONIC_DAYS));
    }
    candidates.into_iter().filter(|at| *at >= s.now).min().unwrap_or(next_midnight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::signals;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// The snapshot at `at` of an athlete with these activities `(start, metres)`.
    fn snapshot_at(at: DateTime<Utc>, activities: &[(DateTime<Utc>, f64)], base: &AthleteSnapshot) -> AthleteSnapshot {
        let acute_from = at - Duration::days(ACUTE_DAYS);
        let chronic_from = at - Duration::days(ACUTE_DAYS + CHRONIC_DAYS);
        let mut s = base.clone();
        s.now = at;
        s.last_activity_at = activities.iter().map(|(start, _)| *start).max();
        s.distance_last_7_days_m = activities.iter().filter(|(start, _)| *start >= acute_from).map(|(_, m)| m).sum();
        s.distance_previous_28_days_m =
            activities.iter().filter(|(start, _)| *start >= chronic_from && *start < acute_from).map(|(_, m)| m).sum();
        s
    }

    fn edges_at(at: DateTime<Utc>, activities: &[(DateTime<Utc>, f64)]) -> WindowEdges {
        let acute_from = at - Duration::days(ACUTE_DAYS);
        let chronic_from = at - Duration::days(ACUTE_DAYS + CHRONIC_DAYS);
        WindowEdges {
            oldest_acute: activities.iter().map(|(s, _)| *s).filter(|s| *s >= acute_from).min(),
            oldest_chronic: activities.iter().map(|(s, _)| *s).filter(|s| *s >= chronic_from && *s < acute_from).min(),
        }
    }

    /// What the roster keeps of the signals: each code with its severity.
    fn outcome(s: &AthleteSnapshot) -> Vec<(&'static str, &'static str)> {
        signals(s, &AttentionThresholds::default()).iter().map(|x| (x.code.as_str(), x.severity.as_str())).collect()
    }

    proptest! {
        #[test]
        fn signals_hold_until_the_instant_it_names(
            starts in proptest::collection::vec((0i64..60 * 24 * 60, 0.0f64..30_000.0), 0..25),
            minutes_to_midnight in 1i64..24 * 60,
            probes in proptest::collection::vec(0.0f64..1.0, 1..12),
            has_zones: bool,
        ) {
            let now = Utc.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).unwrap();
            let activities: Vec<(DateTime<Utc>, f64)> =
                starts.iter().map(|(ago, m)| (now - Duration::minutes(*ago), *m)).collect();
            let mut base = AthleteSnapshot::new(now, now.date_naive());
            base.has_zones = has_zones;
            let midnight = now + Duration::minutes(minutes_to_midnight);
            let at_now = snapshot_at(now, &activities, &base);
            let until = unchanged_until(&at_now, &AttentionThresholds::default(), edges_at(now, &activities), midnight);
            prop_assert!(until >= now && until <= midnight);
            let expected = outcome(&at_now);
            for p in probes.into_iter().filter(|_| until > now) {
                let span = (until - now).num_seconds();
                #[allow(clippy::cast_possible_truncation)]
                let at = now + Duration::seconds(((span - 1) as f64 * p) as i64);
                prop_assert_eq!(outcome(&snapshot_at(at, &activities, &base)), expected.clone(), "at {}", at);
            }
        }
    }

    #[test]
    fn an_activity_exactly_on_the_seven_day_edge_leaves_it_at_once() {
        // Found by the property above: the activity counts in the last 7 days
        // at `now` and not a second later, so the summary holds only at `now`.
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).unwrap();
        let midnight = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
        let s = AthleteSnapshot::new(now, now.date_naive());
        let edges = WindowEdges { oldest_acute: Some(now - Duration::days(7)), oldest_chronic: None };
        assert_eq!(unchanged_until(&s, &AttentionThresholds::default(), edges, midnight), now);
    }

    #[test]
    fn an_activity_leaving_the_last_seven_days_ends_it() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let midnight = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
        let mut s = AthleteSnapshot::new(now, now.date_naive());
        s.last_activity_at = Some(now - Duration::hours(1));
        let oldest = now - Duration::days(7) + Duration::hours(2);
        let edges = WindowEdges { oldest_acute: Some(oldest), oldest_chronic: None };
        assert_eq!(unchanged_until(&s, &AttentionThresholds::default(), edges, midnight), now + Duration::hours(2));
    }

    #[test]
    fn with_nothing_ahead_it_is_the_next_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let midnight = Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap();
        let s = AthleteSnapshot::new(now, now.date_naive());
        assert_eq!(unchanged_until(&s, &AttentionThresholds::default(), WindowEdges::default(), midnight), midnight);
    }
}
