//! Attention signals: pure functions that say which athletes need a look.
//!
//! Every signal is a function of an [`AthleteSnapshot`] (what the store knows
//! about one athlete at one instant) and the [`AttentionThresholds`] (the
//! `attention` settings). [`signals`] runs them all; [`AttentionSummary`]
//! condenses them for the roster's `profile_status` and `sort=attention`.
//!
//! | code | severity | fires when |
//! |---|---|---|
//! | `no_recent_activity` | warning / urgent | no activity for ≥ 7 / ≥ 14 days; never any activity: urgent |
//! | `load_spike` | warning / urgent | last 7 days' distance **above** 1.5× / 2× the average week of the 28 days before |
//! | `volume_drop` | warning | last 7 days' distance is above zero and **below** 0.5× that average week |
//! | `no_integration` | info | no integration is connected or in error |
//! | `integration_error` | warning | at least one integration is in error |
//! | `no_active_plan` | info | no current training plan |
//! | `plan_ending_soon` | warning | the current plan ends within 7 days and no plan follows |
//! | `race_soon_without_plan` | warning | the next race is within 8 weeks and there is no current or upcoming plan |
//! | `injury_watch` | warning | the athlete carries the label `@injury-watch` |
//! | `missing_zones` | info | neither heart-rate nor pace zones are set |
//! | `low_compliance` | warning | under 60 % of the sessions due in the last 28 days completed (at least 4 due) |
//! | `missed_workouts` | warning | the 3 most recent due workouts of the last 28 days all missed |
//!
//! The ratios (`load_spike`, `volume_drop`) are only computed when the
//! average week of the 28 days before is at least `min_chronic_week_m`
//! (1 km by default): below that a ratio says nothing.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use roster_domain::attention::{signals, AthleteSnapshot, AttentionThresholds, Severity};
//!
//! let now: DateTime<Utc> = "2026-12-02T12:00:00Z".parse().unwrap();
//! let snapshot = AthleteSnapshot::new(now, now.date_naive());
//! let found = signals(&snapshot, &AttentionThresholds::default());
//! // Never any activity is urgent and comes first.
//! assert_eq!(found[0].code.as_str(), "no_recent_activity");
//! assert_eq!(found[0].severity, Severity::Urgent);
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use crate::calendar::{Bands, Compliance};
use crate::training::{ACUTE_DAYS, CHRONIC_DAYS, LoadWindows};

/// How much a signal matters. Ordered: `Info < Warning < Urgent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Worth a look soon.
    Warning,
    /// Worth a look now.
    Urgent,
}

impl Severity {
    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Urgent => "urgent",
        }
    }

    /// `1` info, `2` warning, `3` urgent (`0` is "no signal", see [`AttentionSummary::rank`]).
    pub fn rank(&self) -> u8 {
        match self {
            Severity::Info => 1,
            Severity::Warning => 2,
            Severity::Urgent => 3,
        }
    }
}

/// The kinds of attention signals. Wire names are snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SignalCode {
    /// No activity for a while, or never.
    NoRecentActivity,
    /// The last 7 days are far above the usual week.
    LoadSpike,
    /// The last 7 days are far below the usual week.
    VolumeDrop,
    /// No integration connected.
    NoIntegration,
    /// An integration reports an error.
    IntegrationError,
    /// No current training plan.
    NoActivePlan,
    /// The current plan ends soon and nothing follows.
    PlanEndingSoon,
    /// A race is near and there is no plan.
    RaceSoonWithoutPlan,
    /// The athlete is labelled `@injury-watch`.
    InjuryWatch,
    /// No training zones.
    MissingZones,
    /// Few of the planned sessions of the last 28 days completed.
    LowCompliance,
    /// The latest planned workouts missed in a row.
    MissedWorkouts,
}

impl SignalCode {
    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            SignalCode::NoRecentActivity => "no_recent_activity",
            SignalCode::LoadSpike => "load_spike",
            SignalCode::VolumeDrop => "volume_drop",
            SignalCode::NoIntegration => "no_integration",
            SignalCode::IntegrationError => "integration_error",
            SignalCode::NoActivePlan => "no_active_plan",
            SignalCode::PlanEndingSoon => "plan_ending_soon",
            SignalCode::RaceSoonWithoutPlan => "race_soon_without_plan",
            SignalCode::InjuryWatch => "injury_watch",
            SignalCode::MissingZones => "missing_zones",
            SignalCode::LowCompliance => "low_compliance",
            SignalCode::MissedWorkouts => "missed_workouts",
        }
    }
}

/// One attention signal: `{code, severity, message, data}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttentionSignal {
    /// What it is about.
    pub code: SignalCode,
    /// How much it matters.
    pub severity: Severity,
    /// One sentence for a coach.
    pub message: String,
    /// The numbers behind it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// The state of one integration, as far as attention cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationHealth {
    /// Connected and syncing.
    Connected,
    /// Disconnected by the athlete.
    Disconnected,
    /// Connected but failing.
    Error,
}

/// One integration of the athlete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationState {
    /// `strava`, `garmin` or `apple_health`.
    pub provider: String,
    /// Its state.
    pub health: IntegrationHealth,
}

/// What attention needs to know about one athlete at one instant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AthleteSnapshot {
    /// The instant of evaluation.
    pub now: DateTime<Utc>,
    /// Today's date in the organization's time zone.
    pub today: NaiveDate,
    /// The start of the most recent activity; `None`: never any.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Distance in metres over the last 7 days.
    pub distance_last_7_days_m: f64,
    /// Distance in metres over the 28 days before those 7.
    pub distance_previous_28_days_m: f64,
    /// The athlete's integrations (any status).
    pub integrations: Vec<IntegrationState>,
    /// Whether a training plan is current (started, not ended).
    pub has_active_plan: bool,
    /// The current plan's last day, when it has one.
    pub active_plan_end: Option<NaiveDate>,
    /// Whether a training plan starts later.
    pub has_upcoming_plan: bool,
    /// The date of the next race goal (today or later).
    pub next_race_date: Option<NaiveDate>,
    /// The athlete's labels, as stored (coach-only labels included).
    pub labels: Vec<String>,
    /// Whether heart-rate or pace zones are set.
    pub has_zones: bool,
    /// Compliance over the last 28 days; `None` without a plan in them.
    pub compliance_28_days: Option<Compliance>,
    /// How many of the latest due workouts were missed in a row.
    pub missed_in_a_row: u32,
}

impl AthleteSnapshot {
    /// An athlete with nothing at all, evaluated at `now` on `today`.
    pub fn new(now: DateTime<Utc>, today: NaiveDate) -> Self {
        Self { now, today, ..Self::default() }
    }

    /// Takes the last activity and the two distances from `windows`.
    pub fn with_load(mut self, windows: &LoadWindows) -> Self {
        self.last_activity_at = windows.last_activity_at;
        self.distance_last_7_days_m = windows.last_7_days_m;
        self.distance_previous_28_days_m = windows.previous_28_days_m;
        self
    }

    /// The average week of the 28 days before the last 7, in metres.
    pub fn chronic_week_avg_m(&self) -> f64 {
        self.distance_previous_28_days_m / (CHRONIC_DAYS as f64 / ACUTE_DAYS as f64)
    }
}

/// The thresholds of the signals (the `attention` settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttentionThresholds {
    /// `no_recent_activity` is a warning from this many days without activity (7).
    pub no_recent_activity_warning_days: i64,
    /// … and urgent from this many (14).
    pub no_recent_activity_urgent_days: i64,
    /// `load_spike` is a warning above this acute:chronic ratio (1.5).
    pub load_spike_warning_ratio: f64,
    /// … and urgent above this one (2.0).
    pub load_spike_urgent_ratio: f64,
    /// `volume_drop` is a warning below this ratio (0.5).
    pub volume_drop_ratio: f64,
    /// Ratios are computed only when the chronic average week is at least this many metres (1000).
    pub min_chronic_week_m: f64,
    /// `plan_ending_soon` when the current plan ends within this many days (7).
    pub plan_ending_soon_days: i64,
    /// `race_soon_without_plan` when the next race is within this many days (56, 8 weeks).
    pub race_soon_days: i64,
    /// The label that raises `injury_watch` (`@injury-watch`, compared case-insensitively).
    pub injury_watch_label: String,
    /// `low_compliance` when under this share (percent) of the sessions due in the last 28 days were completed (60).
    pub low_compliance_pct: u32,
    /// … and at least this many sessions were due (4): one missed session of two says little.
    pub low_compliance_min_sessions: u32,
    /// `missed_workouts` when this many of the latest due workouts were missed in a row (3).
    pub missed_workouts_in_a_row: u32,
    /// The calendar's coverage bands, which decide what was completed (the `calendar` settings).
    pub bands: Bands,
}

impl Default for AttentionThresholds {
    fn default() -> Self {
        Self {
            no_recent_activity_warning_days: 7,
            no_recent_activity_urgent_days: 14,
            load_spike_warning_ratio: 1.5,
            load_spike_urgent_ratio: 2.0,
            volume_drop_ratio: 0.5,
            min_chronic_week_m: 1000.0,
            plan_ending_soon_days: 7,
            race_soon_days: 56,
            injury_watch_label: "@injury-watch".into(),
            low_compliance_pct: 60,
            low_compliance_min_sessions: 4,
            missed_workouts_in_a_row: 3,
            bands: Bands::default(),
        }
    }
}

impl AttentionThresholds {
    /// Checks the thresholds are usable; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.no_recent_activity_warning_days < 1 {
            return Err("no_recent_activity_warning_days: must be at least 1".into());
        }
        if self.no_recent_activity_urgent_days < self.no_recent_activity_warning_days {
            return Err("no_recent_activity_urgent_days: must not be below no_recent_activity_warning_days".into());
        }
        if !(self.load_spike_warning_ratio.is_finite() && self.load_spike_warning_ratio > 1.0) {
            return Err("load_spike_warning_ratio: must be above 1".into());
        }
        if !(self.load_spike_urgent_ratio.is_finite() && self.load_spike_urgent_ratio >= self.load_spike_warning_ratio)
        {
            return Err("load_spike_urgent_ratio: must not be below load_spike_warning_ratio".into());
        }
        if !(self.volume_drop_ratio.is_finite() && self.volume_drop_ratio > 0.0 && self.volume_drop_ratio < 1.0) {
            return Err("volume_drop_ratio: must be between 0 and 1".into());
        }
        if !(self.min_chronic_week_m.is_finite() && self.min_chronic_week_m > 0.0) {
            return Err("min_chronic_week_m: must be positive".into());
        }
        if self.plan_ending_soon_days < 0 {
            return Err("plan_ending_soon_days: must not be negative".into());
        }
        if self.race_soon_days < 0 {
            return Err("race_soon_days: must not be negative".into());
        }
        if self.injury_watch_label.trim().is_empty() {
            return Err("injury_watch_label: must not be empty".into());
        }
        if !(1..=100).contains(&self.low_compliance_pct) {
            return Err("low_compliance_pct: must be between 1 and 100".into());
        }
        if self.low_compliance_min_sessions < 1 {
            return Err("low_compliance_min_sessions: must be at least 1".into());
        }
        if self.missed_workouts_in_a_row < 1 {
            return Err("missed_workouts_in_a_row: must be at least 1".into());
        }
        self.bands.validate()
    }
}

/// The roster's condensed view of the signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttentionSummary {
    /// Number of signals.
    pub count: u32,
    /// The most severe one; `null` when there are none.
    pub max_severity: Option<Severity>,
}

impl AttentionSummary {
    /// Condenses `signals`.
    pub fn of(signals: &[AttentionSignal]) -> Self {
        Self {
            count: u32::try_from(signals.len()).unwrap_or(u32::MAX),
            max_severity: signals.iter().map(|s| s.severity).max(),
        }
    }

    /// `0` none, `1` info, `2` warning, `3` urgent.
    pub fn rank(&self) -> u8 {
        self.max_severity.map_or(0, |s| s.rank())
    }

    /// The key `sort=attention` orders by, descending: `(rank, count)`; ties
    /// are then broken by name ascending (and the user id for keyset paging).
    pub fn sort_key(&self) -> (u8, u32) {
        (self.rank(), self.count)
    }
}

/// [`AttentionSummary::sort_key`] `(rank, count)` as one integer that sorts
/// ascending in `sort=attention` order (most severe first, then most
/// signals): what a store keeps in an index. Counts past 999 share the last
/// place of their rank.
///
/// ```
/// use roster_domain::attention::{attention_order, from_attention_order};
/// assert!(attention_order(3, 1) < attention_order(2, 9));
/// assert!(attention_order(2, 5) < attention_order(2, 4));
/// assert_eq!(from_attention_order(attention_order(2, 5)), (2, 5));
/// ```
pub fn attention_order(rank: u8, count: u32) -> i32 {
    (3 - i32::from(rank.min(3))) * 1000 + (999 - i32::try_from(count.min(999)).unwrap_or(999))
}

/// The `(rank, count)` an [`attention_order`] was made from.
pub fn from_attention_order(order: i32) -> (u8, u32) {
    let rank = u8::try_from(3 - order.clamp(0, 3999) / 1000).unwrap_or(0);
    let count = u32::try_from(999 - order.rem_euclid(1000)).unwrap_or(0);
    (rank, count)
}

/// The `sort=attention` order: most severe first, then most signals, then name (ascending).
pub fn compare_for_attention(a: (&AttentionSummary, &str), b: (&AttentionSummary, &str)) -> Ordering {
    b.0.sort_key().cmp(&a.0.sort_key()).then_with(|| a.1.cmp(b.1))
}

mod queue;
mod raised;
mod rules;
mod validity;
pub use queue::{
    Acknowledgement, AttentionRepo, CurrentSignals, QueueCursor, QueueEntry, QueuePage, QueueQuery, open_signals,
};
#[cfg(any(test, feature = "mock"))]
pub use queue::{MockAttentionRepo, ambassador_impl_AttentionRepo};
pub use raised::{ATTENTION_RAISED, SignalMark, marks, raised, raised_event, roster_itself};
pub use rules::{
    days_since_last_activity, injury_watch, integration_error, load_spike, low_compliance, missed_workouts,
    missing_zones, no_active_plan, no_integration, no_recent_activity, plan_ending_soon, race_soon_without_plan,
    signals, volume_drop,
};
pub use validity::{WindowEdges, unchanged_until};

#[cfg(test)]
mod tests;
