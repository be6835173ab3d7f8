//! Identifier newtypes. Ids are UUID v7, so they sort by creation time, which
//! keyset pagination relies on.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered (v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Wraps an existing UUID.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            /// The UUID inside.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// An account.
    UserId
);
id_type!(
    /// One CSV import of members into an organization.
    ImportId
);
id_type!(
    /// An organization (a club, a team, a coaching business).
    OrgId
);
id_type!(
    /// One membership of an account in an organization; a re-join is a new one.
    MembershipId
);
id_type!(
    /// An audit event.
    EventId
);

id_type!(
    /// An invitation (single use or a multi-use link).
    InvitationId
);
id_type!(
    /// A group of members inside an organization.
    GroupId
);
id_type!(
    /// A training plan in an organization's library.
    PlanId
);
id_type!(
    /// One assignment of a training plan to an athlete.
    AssignmentId
);
id_type!(
    /// A recorded activity (a run, a ride, ...).
    ActivityId
);
id_type!(
    /// An athlete's race goal.
    RaceGoalId
);
id_type!(
    /// A sign-in session: one family of rotating refresh tokens and the
    /// access tokens issued with them.
    SessionId
);
id_type!(
    /// A webhook endpoint of an organization.
    WebhookId
);
id_type!(
    /// An organization API key (its public id, part of the key's prefix).
    ApiKeyId
);
id_type!(
    /// One message for one webhook endpoint (its `webhook-id`, the same on every attempt).
    DeliveryId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_creation_time() {
        let a = UserId::new();
        let b = UserId::new();
        assert!(a < b);
    }

    #[test]
    fn ids_round_trip_through_text() {
        let id = OrgId::new();
        assert_eq!(id.to_string().parse::<OrgId>().ok(), Some(id));
        assert!("nope".parse::<OrgId>().is_err());
    }
}
