//! `insights.*` and `attention.*`: what the profile says about an athlete.

use serde::{Deserialize, Serialize};

/// `insights.*`: an OpenAI-compatible chat-completions endpoint that rewrites
/// the built-in insights; unset `base_url` or `model` means the built-in ones only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InsightsSettings {
    /// Base URL; `POST {base_url}/chat/completions` is called.
    pub base_url: Option<String>,
    /// The model name sent with each request.
    pub model: Option<String>,
    /// Bearer key (set it through `ROSTER__INSIGHTS__API_KEY`).
    pub api_key: Option<String>,
    /// Time allowed for one request, in milliseconds; past it the built-in insights are used.
    pub timeout_ms: u64,
}

impl Default for InsightsSettings {
    fn default() -> Self {
        Self { base_url: None, model: None, api_key: None, timeout_ms: 3000 }
    }
}

/// `attention.*`: the thresholds of the attention signals.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttentionSettings {
    /// `no_recent_activity` is a warning from this many days without activity.
    pub no_recent_activity_warning_days: i64,
    /// … and urgent from this many.
    pub no_recent_activity_urgent_days: i64,
    /// `load_spike` is a warning above this last-7-days / average-week ratio.
    pub load_spike_warning_ratio: f64,
    /// … and urgent above this one.
    pub load_spike_urgent_ratio: f64,
    /// `volume_drop` below this ratio.
    pub volume_drop_ratio: f64,
    /// The ratios count only when the average week of the 28 days before is at least this many metres.
    pub min_chronic_week_m: f64,
    /// `plan_ending_soon` when the current plan ends within this many days.
    pub plan_ending_soon_days: i64,
    /// `race_soon_without_plan` when the next race is within this many days.
    pub race_soon_days: i64,
    /// The label that raises `injury_watch`.
    pub injury_watch_label: String,
    /// `low_compliance` under this share (percent) of the sessions due in the last 28 days completed.
    pub low_compliance_pct: u32,
    /// … with at least this many sessions due.
    pub low_compliance_min_sessions: u32,
    /// `missed_workouts` when this many of the latest due workouts were missed in a row.
    pub missed_workouts_in_a_row: u32,
    /// Seconds between the background refresher's rounds over stale stored statuses (0: off).
    pub refresh_interval_s: u64,
}

impl Default for AttentionSettings {
    fn default() -> Self {
        let t = roster_domain::attention::AttentionThresholds::default();
        Self {
            no_recent_activity_warning_days: t.no_recent_activity_warning_days,
            no_recent_activity_urgent_days: t.no_recent_activity_urgent_days,
            load_spike_warning_ratio: t.load_spike_warning_ratio,
            load_spike_urgent_ratio: t.load_spike_urgent_ratio,
            volume_drop_ratio: t.volume_drop_ratio,
            min_chronic_week_m: t.min_chronic_week_m,
            plan_ending_soon_days: t.plan_ending_soon_days,
            race_soon_days: t.race_soon_days,
            injury_watch_label: t.injury_watch_label,
            low_compliance_pct: t.low_compliance_pct,
            low_compliance_min_sessions: t.low_compliance_min_sessions,
            missed_workouts_in_a_row: t.missed_workouts_in_a_row,
            refresh_interval_s: 60,
        }
    }
}

impl AttentionSettings {
    /// The domain's thresholds, with the calendar's default bands (see
    /// `Settings::attention_thresholds` for the configured ones).
    pub fn thresholds(&self) -> roster_domain::attention::AttentionThresholds {
        roster_domain::attention::AttentionThresholds {
            no_recent_activity_warning_days: self.no_recent_activity_warning_days,
            no_recent_activity_urgent_days: self.no_recent_activity_urgent_days,
            load_spike_warning_ratio: self.load_spike_warning_ratio,
            load_spike_urgent_ratio: self.load_spike_urgent_ratio,
            volume_drop_ratio: self.volume_drop_ratio,
            min_chronic_week_m: self.min_chronic_week_m,
            plan_ending_soon_days: self.plan_ending_soon_days,
            race_soon_days: self.race_soon_days,
            injury_watch_label: self.injury_watch_label.clone(),
            low_compliance_pct: self.low_compliance_pct,
            low_compliance_min_sessions: self.low_compliance_min_sessions,
            missed_workouts_in_a_row: self.missed_workouts_in_a_row,
            bands: roster_domain::calendar::Bands::default(),
        }
    }
}
