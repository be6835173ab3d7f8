//! Roles and membership statuses.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a member may do in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in the organization; exactly one per organization.
    HeadCoach,
    /// Sees the whole roster; edits only the athletes assigned to them.
    AssistantCoach,
    /// Reads their own membership and profile data.
    Athlete,
}

impl Role {
    /// The stable text form used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::HeadCoach => "head_coach",
            Role::AssistantCoach => "assistant_coach",
            Role::Athlete => "athlete",
        }
    }

    /// Head coach or assistant coach.
    pub fn is_coach(self) -> bool {
        matches!(self, Role::HeadCoach | Role::AssistantCoach)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not a known role or status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value `{0}`")]
pub struct UnknownValue(pub String);

impl FromStr for Role {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "head_coach" => Ok(Role::HeadCoach),
            "assistant_coach" => Ok(Role::AssistantCoach),
            "athlete" => Ok(Role::Athlete),
            other => Err(UnknownValue(other.to_owned())),
        }
    }
}

/// The organization's view of a member's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Training with the organization.
    Active,
    /// Taking a break.
    Inactive,
    /// Suspended by a coach.
    Suspended,
}

impl MembershipStatus {
    /// The stable text form used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Active => "active",
            MembershipStatus::Inactive => "inactive",
            MembershipStatus::Suspended => "suspended",
        }
    }
}

impl FromStr for MembershipStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(MembershipStatus::Active),
            "inactive" => Ok(MembershipStatus::Inactive),
            "suspended" => Ok(MembershipStatus::Suspended),
            other => Err(UnknownValue(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for role in [Role::HeadCoach, Role::AssistantCoach, Role::Athlete] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("coach".parse::<Role>().is_err());
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in [MembershipStatus::Active, MembershipStatus::Inactive, MembershipStatus::Suspended] {
            assert_eq!(s.as_str().parse::<MembershipStatus>(), Ok(s));
        }
    }
}
