//! Use cases: load, decide with the rules, ask the store to commit atomically.
//! Each takes its ports and a [`Clock`](crate::Clock) as arguments.

pub mod accounts;
pub mod athlete;
pub mod audit;
pub mod coaches;
pub mod groups;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod password_reset;
pub mod plans;
pub mod profile;
pub mod sessions;

use crate::error::DomainError;
use crate::ids::{OrgId, UserId};
use crate::policy::{Action, Actor, authorize};
use crate::ports::OrganizationRepo;

/// The caller as a member of `org_id`, allowed to do `action`.
///
/// Not a member: `NotFound` (no existence leak). A member whose role does not
/// allow the action: `Forbidden`.
pub fn member_actor(
    repo: &impl OrganizationRepo,
    org_id: OrgId,
    user_id: UserId,
    action: Action,
) -> Result<Actor, DomainError> {
    let membership = repo.live_membership(org_id, user_id)?.ok_or(DomainError::NotFound("organization"))?;
    let actor = Actor { user_id, role: membership.role };
    authorize(&actor, action).map_err(|f| DomainError::Forbidden(f.0))?;
    Ok(actor)
}
