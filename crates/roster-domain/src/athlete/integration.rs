//! Integrations: the athlete's connections to Strava, Garmin and Apple
//! Health. roster records what the athlete (or their device app) reports; it
//! does not talk to the providers itself.

use super::optional_text;
use crate::error::DomainError;
use crate::ids::UserId;
use crate::values::InvalidValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A provider of activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Provider {
    /// Strava.
    Strava,
    /// Garmin Connect.
    Garmin,
    /// Apple Health.
    AppleHealth,
}

impl Provider {
    /// Every provider, in wire order.
    pub const ALL: [Provider; 3] = [Provider::Strava, Provider::Garmin, Provider::AppleHealth];

    /// The wire (and database) name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::Strava => "strava",
            Provider::Garmin => "garmin",
            Provider::AppleHealth => "apple_health",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| InvalidValue::new("invalid_provider", "must be one of strava, garmin, apple_health"))
    }
}

/// The state of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum IntegrationStatus {
    /// Connected and syncing.
    Connected,
    /// Disconnected by the athlete.
    Disconnected,
    /// Connected, but the last sync failed (an expired grant, ...).
    Error,
}

impl IntegrationStatus {
    /// The wire (and database) name.
    pub fn as_str(&self) -> &'static str {
        match self {
            IntegrationStatus::Connected => "connected",
            IntegrationStatus::Disconnected => "disconnected",
            IntegrationStatus::Error => "error",
        }
    }
}

impl FromStr for IntegrationStatus {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "connected" => Ok(IntegrationStatus::Connected),
            "disconnected" => Ok(IntegrationStatus::Disconnected),
            "error" => Ok(IntegrationStatus::Error),
            _ => Err(InvalidValue::new("invalid_status", "must be connected, disconnected or error")),
        }
    }
}

/// An athlete's connection to one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    /// The athlete's account.
    pub user_id: UserId,
    /// Provider.
    pub provider: Provider,
    /// State.
    pub status: IntegrationStatus,
    /// When it was (last) connected.
    pub connected_at: Option<DateTime<Utc>>,
    /// When the provider last synced, as reported.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The athlete's id at the provider.
    pub external_athlete_id: Option<String>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// What the athlete reports when recording a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectInput {
    /// `connected` (default) or `error`.
    pub status: Option<String>,
    /// The athlete's id at the provider, up to 200 characters.
    pub external_athlete_id: Option<String>,
    /// When the provider last synced; not in the future.
    pub last_sync_at: Option<DateTime<Utc>>,
}

impl Integration {
    /// The connection after `input` is recorded at `now` over `existing`.
    /// `connected_at` is set when the connection starts (from nothing or from
    /// disconnected) and kept while it stays up; fields not sent are kept.
    pub fn connect(
        existing: Option<&Integration>,
        user_id: UserId,
        provider: Provider,
        input: &ConnectInput,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut errors = crate::error::FieldErrors::new();
        let status = match input.status.as_deref() {
            None => Some(IntegrationStatus::Connected),
            Some(s) => errors.check(
                "status",
                s.parse::<IntegrationStatus>().and_then(|s| match s {
                    IntegrationStatus::Disconnected => Err(InvalidValue::new(
                        "invalid_status",
                        "send DELETE to disconnect; status must be connected or error",
                    )),
                    other => Ok(other),
                }),
            ),
        };
        let external = errors.check("external_athlete_id", optional_text(input.external_athlete_id.as_deref(), 200));
        let last_sync_at = errors.check(
            "last_sync_at",
            match input.last_sync_at {
                Some(t) if t > now + super::activity::FUTURE_SKEW => {
                    Err(InvalidValue::new("out_of_range", "must not be in the future"))
                }
                other => Ok(other.map(|t| chrono::SubsecRound::trunc_subsecs(t, 6))),
            },
        );
        errors.finish()?;
        let (Some(status), Some(external), Some(last_sync_at)) = (status, external, last_sync_at) else {
            return Err(DomainError::Validation(Vec::new()));
        };
        let was_up = existing.filter(|e| e.status != IntegrationStatus::Disconnected);
        Ok(Self {
            user_id,
            provider,
            status,
            connected_at: was_up.and_then(|e| e.connected_at).or(Some(now)),
            last_sync_at: last_sync_at.or_else(|| existing.and_then(|e| e.last_sync_at)),
            external_athlete_id: external.or_else(|| existing.and_then(|e| e.external_athlete_id.clone())),
            updated_at: now,
        })
    }

    /// This connection, disconnected at `now`.
    pub fn disconnect(&self, now: DateTime<Utc>) -> Self {
        Self { status: IntegrationStatus::Disconnected, updated_at: now, ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn connecting_sets_connected_at_once_and_keeps_it_while_up() {
        let user = UserId::new();
        let first = Integration::connect(None, user, Provider::Strava, &ConnectInput::default(), now()).unwrap();
        assert_eq!(first.status, IntegrationStatus::Connected);
        assert_eq!(first.connected_at, Some(now()));
        let later = now() + Duration::hours(1);
        let input = ConnectInput { status: Some("error".into()), ..Default::default() };
        let failing = Integration::connect(Some(&first), user, Provider::Strava, &input, later).unwrap();
        assert_eq!(failing.status, IntegrationStatus::Error);
        assert_eq!(failing.connected_at, Some(now()));
        let down = failing.disconnect(later);
        let again = Integration::connect(Some(&down), user, Provider::Strava, &ConnectInput::default(), later).unwrap();
        assert_eq!(again.connected_at, Some(later));
    }

    #[test]
    fn bad_reports_are_named() {
        let input = ConnectInput {
            status: Some("disconnected".into()),
            external_athlete_id: Some("x".repeat(201)),
            last_sync_at: Some(now() + Duration::hours(1)),
        };
        let Err(DomainError::Validation(errors)) =
            Integration::connect(None, UserId::new(), Provider::Garmin, &input, now())
        else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "external_athlete_id", "last_sync_at"]);
    }

    #[test]
    fn providers_round_trip() {
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>().ok(), Some(p));
        }
        assert_eq!("polar".parse::<Provider>().unwrap_err().code, "invalid_provider");
    }
}
