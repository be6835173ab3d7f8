//! What the attention signals need to know about an athlete's recent
//! training, read in one query for a whole page of athletes.

use chrono::{DateTime, Utc};

/// An athlete's recent training at a moment `now`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActivityWindow {
    /// The start of the latest activity ever (`None`: no activity at all).
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Metres in the last 7 days (starts in `[now − 7 d, ∞)`).
    pub distance_last_7d: f64,
    /// Metres in the 28 days before those (starts in `[now − 35 d, now − 7 d)`).
    pub distance_days_8_to_35: f64,
    /// Activities in the last 7 days.
    pub activities_last_7d: i64,
    /// Activities in the 28 days before those.
    pub activities_days_8_to_35: i64,
    /// The earliest start among the last 7 days' activities: it leaves that
    /// window 7 days after it started.
    pub oldest_last_7d: Option<DateTime<Utc>>,
    /// The earliest start among the 28 days before: it leaves 35 days after.
    pub oldest_days_8_to_35: Option<DateTime<Utc>>,
}

impl ActivityWindow {
    /// The average week of the 28 days before the last 7 (the chronic load).
    ///
    /// ```
    /// use roster_domain::athlete::ActivityWindow;
    /// let w = ActivityWindow { distance_days_8_to_35: 80_000.0, ..Default::default() };
    /// assert_eq!(w.average_week_before(), 20_000.0);
    /// ```
    pub fn average_week_before(&self) -> f64 {
        self.distance_days_8_to_35 / 4.0
    }
}
