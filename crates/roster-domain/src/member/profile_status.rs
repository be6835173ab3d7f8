//! A member's profile at a glance: the marks the roster shows beside each
//! athlete with `include_profile_status=true` (integrations, zones, race
//! goals, plans, attention, compliance).

use serde::{Deserialize, Serialize};

/// State of one integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationState {
    /// Connected and syncing.
    Connected,
    /// Was connected, now disconnected.
    Disconnected,
    /// Connected but failing.
    Error,
    /// Never connected.
    #[default]
    NotConnected,
}

/// Integrations per provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IntegrationsStatus {
    /// Strava.
    pub strava: IntegrationState,
    /// Garmin.
    pub garmin: IntegrationState,
    /// Apple Health.
    pub apple_health: IntegrationState,
}

/// Which training zones are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ZonesStatus {
    /// Heart-rate zones set.
    pub heart_rate: bool,
    /// Pace zones set.
    pub pace: bool,
}

/// The next race goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextRace {
    /// Race name.
    pub race_name: String,
    /// Race date.
    pub race_date: chrono::NaiveDate,
}

/// Race goals summary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RaceGoalsStatus {
    /// How many upcoming race goals.
    pub count: i64,
    /// The next one.
    pub next: Option<NextRace>,
}

/// The current plan assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentPlan {
    /// Assignment id.
    pub assignment_id: crate::ids::AssignmentId,
    /// Plan name.
    pub plan_name: String,
    /// Week of the plan today (1-based).
    pub current_week: i64,
    /// Weeks in the plan.
    pub total_weeks: i64,
}

/// Training plans summary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TrainingPlansStatus {
    /// The plan running now.
    pub current: Option<CurrentPlan>,
    /// How many upcoming assignments.
    pub upcoming: i64,
}

/// Attention signals summary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttentionStatus {
    /// How many signals.
    pub count: i64,
    /// The most severe (`info`, `warning`, `urgent`), if any.
    pub max_severity: Option<String>,
}

/// A member's profile at a glance, as the roster shows it with `include_profile_status=true`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProfileStatus {
    /// Integrations.
    pub integrations: IntegrationsStatus,
    /// Zones.
    pub zones: ZonesStatus,
    /// Race goals.
    pub race_goals: RaceGoalsStatus,
    /// Training plans.
    pub training_plans: TrainingPlansStatus,
    /// Attention signals.
    pub attention: AttentionStatus,
    /// Compliance over the last 7 and 28 days; `null` without a plan in them.
    #[serde(default)]
    pub compliance: Option<crate::calendar::RecentCompliance>,
}

/// A [`ProfileStatus`] as JSON, as the store keeps it: a roster page serves
/// it as it is, without building the value to write it out again
/// (`parse` gives the value to those who read its parts).
///
/// ```
/// use roster_domain::member::{ProfileStatus, ProfileStatusJson};
///
/// let status = ProfileStatus::default();
/// let json = ProfileStatusJson::of(&status);
/// assert_eq!(json.parse().unwrap(), status);
/// assert_eq!(serde_json::to_string(&json).unwrap(), serde_json::to_string(&status).unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct ProfileStatusJson(Box<serde_json::value::RawValue>);

impl ProfileStatusJson {
    /// The JSON of `status`.
    pub fn of(status: &ProfileStatus) -> Self {
        let json = serde_json::value::to_raw_value(status);
        Self(json.unwrap_or_else(|e| unreachable!("a profile status always serializes: {e}")))
    }

    /// JSON that a [`ProfileStatus`] was written as (the caller vouches for
    /// the shape; `parse` checks it).
    pub fn from_json(json: Box<serde_json::value::RawValue>) -> Self {
        Self(json)
    }

    /// The value.
    ///
    /// # Errors
    /// When the JSON is not a profile status.
    pub fn parse(&self) -> Result<ProfileStatus, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

impl Default for ProfileStatusJson {
    fn default() -> Self {
        Self::of(&ProfileStatus::default())
    }
}

impl PartialEq for ProfileStatusJson {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Serialize for ProfileStatusJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}
