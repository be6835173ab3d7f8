//! Who may read and write an athlete's data.
//!
//! Visibility first (a caller who is not a member of the organization, or an
//! athlete looking at another athlete, is told nothing exists: 404); then the
//! role: coaches read every athlete of their organization, the head coach
//! writes for anyone, an assistant coach writes only for the athletes
//! assigned to them (`not_assigned_to_you`), an athlete reads and writes
//! their own.
//!
//! ```
//! use roster_domain::athlete::{DataAccess, check_access};
//! use roster_domain::entities::Membership;
//! use roster_domain::{OrgId, Role, UserId};
//!
//! let org = OrgId::new();
//! let now = chrono::Utc::now();
//! let assistant = Membership::start(org, UserId::new(), Role::AssistantCoach, now);
//! let athlete = Membership::start(org, UserId::new(), Role::Athlete, now);
//! assert!(check_access(&assistant, &athlete, DataAccess::Read).is_ok());
//! assert_eq!(check_access(&assistant, &athlete, DataAccess::Write).unwrap_err().code(), "not_assigned_to_you");
//! ```

use crate::entities::Membership;
use crate::error::DomainError;
use crate::role::Role;

/// Reading or writing athlete data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataAccess {
    /// Reading the feed, goals, zones, integrations, weekly distance.
    Read,
    /// Creating or changing any of it.
    Write,
}

/// Decides whether `caller` may access `target`'s data. Both are live
/// memberships of the same organization; `target` is an athlete's.
pub fn check_access(caller: &Membership, target: &Membership, access: DataAccess) -> Result<(), DomainError> {
    if caller.org_id != target.org_id || target.role != Role::Athlete {
        return Err(DomainError::NotFound("member"));
    }
    match (caller.role, access) {
        (Role::HeadCoach, _) | (Role::AssistantCoach, DataAccess::Read) => Ok(()),
        (Role::AssistantCoach, DataAccess::Write) => {
            if target.assigned_to_coach_id == Some(caller.user_id) {
                Ok(())
            } else {
                Err(DomainError::NotAssignedToYou)
            }
        }
        (Role::Athlete, _) if caller.user_id == target.user_id => Ok(()),
        (Role::Athlete, _) => Err(DomainError::NotFound("member")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrgId, UserId};

    fn member(org: OrgId, role: Role) -> Membership {
        Membership::start(org, UserId::new(), role, chrono::Utc::now())
    }

    #[test]
    fn coaches_read_every_athlete_of_their_organization() {
        let org = OrgId::new();
        let athlete = member(org, Role::Athlete);
        for role in [Role::HeadCoach, Role::AssistantCoach] {
            assert!(check_access(&member(org, role), &athlete, DataAccess::Read).is_ok());
        }
    }

    #[test]
    fn head_coach_writes_for_anyone() {
        let org = OrgId::new();
        assert!(check_access(&member(org, Role::HeadCoach), &member(org, Role::Athlete), DataAccess::Write).is_ok());
    }

    #[test]
    fn assistant_coach_writes_only_for_assigned_athletes() {
        let org = OrgId::new();
        let coach = member(org, Role::AssistantCoach);
        let mut athlete = member(org, Role::Athlete);
        let err = check_access(&coach, &athlete, DataAccess::Write).unwrap_err();
        assert_eq!(err.code(), "not_assigned_to_you");
        athlete.assigned_to_coach_id = Some(coach.user_id);
        assert!(check_access(&coach, &athlete, DataAccess::Write).is_ok());
    }

    #[test]
    fn athlete_reads_and_writes_their_own_only() {
        let org = OrgId::new();
        let me = member(org, Role::Athlete);
        assert!(check_access(&me, &me, DataAccess::Write).is_ok());
        let other = member(org, Role::Athlete);
        assert_eq!(check_access(&me, &other, DataAccess::Read).unwrap_err().code(), "not_found");
    }

    #[test]
    fn coaches_have_no_athlete_data() {
        let org = OrgId::new();
        let head = member(org, Role::HeadCoach);
        let coach = member(org, Role::AssistantCoach);
        assert_eq!(check_access(&head, &coach, DataAccess::Read).unwrap_err().code(), "not_found");
    }
}
