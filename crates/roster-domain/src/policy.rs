//! Who may do what, as plain functions of the actor's role.
//!
//! Visibility comes first and lives in the services: a caller who is not a
//! member of an organization is told it does not exist (404). This module
//! decides what a member may do (403 otherwise).
//!
//! ```
//! use roster_domain::policy::{authorize, Action, Actor};
//! use roster_domain::{Role, UserId};
//!
//! let assistant = Actor { user_id: UserId::new(), role: Role::AssistantCoach };
//! assert!(authorize(&assistant, Action::ListCoaches).is_ok());
//! assert!(authorize(&assistant, Action::ManageCoaches).is_err());
//! ```

use crate::ids::UserId;
use crate::role::Role;

/// A member acting in their organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The account acting.
    pub user_id: UserId,
    /// Their role in the organization concerned.
    pub role: Role,
}

/// Things a member can try to do in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the organization.
    ReadOrganization,
    /// Change its name, description or time zone.
    UpdateOrganization,
    /// List the coaches.
    ListCoaches,
    /// Add or remove coaches, hand over the head-coach role.
    ManageCoaches,
    /// Look an account up by e-mail.
    LookupUser,
    /// Read the audit trail.
    ReadAuditTrail,
    // The console's controls (issue #15): which buttons a member is shown.
    // The use cases behind them decide again.
    /// Invite athletes or add existing accounts to the roster.
    InviteAthletes,
    /// Assign an athlete to a coach.
    AssignCoach,
}

/// The action is not allowed for this actor; the text says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Forbidden(pub &'static str);

/// Decides whether `actor` may perform `action`.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), Forbidden> {
    use Action::*;
    let allowed = match action {
        ReadOrganization => true,
        ListCoaches | LookupUser | InviteAthletes => actor.role.is_coach(),
        UpdateOrganization | ManageCoaches | ReadAuditTrail | AssignCoach => actor.role == Role::HeadCoach,
    };
    if allowed {
        Ok(())
    } else {
        Err(Forbidden(match action {
            UpdateOrganization | ManageCoaches | ReadAuditTrail | AssignCoach => "only the head coach may do this",
            _ => "only coaches may do this",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    fn actor(role: Role) -> Actor {
        Actor { user_id: UserId::new(), role }
    }

    #[test]
    fn permission_matrix() {
        let table = [
            (ReadOrganization, [true, true, true]),
            (UpdateOrganization, [true, false, false]),
            (ListCoaches, [true, true, false]),
            (ManageCoaches, [true, false, false]),
            (LookupUser, [true, true, false]),
            (ReadAuditTrail, [true, false, false]),
            (InviteAthletes, [true, true, false]),
            (AssignCoach, [true, false, false]),
        ];
        for (action, expected) in table {
            for (role, allowed) in [Role::HeadCoach, Role::AssistantCoach, Role::Athlete].into_iter().zip(expected) {
                assert_eq!(authorize(&actor(role), action).is_ok(), allowed, "{role} {action:?}");
            }
        }
    }

    #[test]
    fn assistant_coach_cannot_manage_coaches() {
        assert_eq!(
            authorize(&actor(Role::AssistantCoach), ManageCoaches),
            Err(Forbidden("only the head coach may do this"))
        );
    }

    #[test]
    fn athlete_cannot_list_coaches() {
        assert!(authorize(&actor(Role::Athlete), ListCoaches).is_err());
    }
}
