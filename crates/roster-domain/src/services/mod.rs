//! Use cases: load, decide with the rules, ask the store to commit atomically.
//! Each takes its ports and a [`Clock`](crate::Clock) as arguments.

pub mod accounts;
pub mod athlete;
pub mod audit;
pub mod bulk;
pub mod calendar;
pub mod coaches;
pub mod groups;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod password_reset;
pub mod plans;
pub mod profile;
pub mod roster_export;
pub mod roster_import;
pub mod sessions;

use crate::error::DomainError;
use crate::ids::{OrgId, UserId};
use crate::policy::{Action, Actor, authorize};
use crate::ports::OrganizationRepo;
use crate::role::Role;

/// An athlete is told nothing about any other member: whatever the route and
/// whatever the role would allow, asking about someone else is `404`,
/// exactly as for an id that does not exist (a `403` would say the member
/// exists). Coaches see the whole roster; asking about oneself is no leak.
pub fn hide_others_from_athlete(role: Role, caller: UserId, target: UserId) -> Result<(), DomainError> {
    if role == Role::Athlete && caller != target { Err(DomainError::NotFound("member")) } else { Ok(()) }
}

/// [`member_actor`] for an action about `target`: an athlete asking about
/// anyone else gets `404` first ([`hide_others_from_athlete`]).
pub fn member_actor_about(
    repo: &impl OrganizationRepo,
    org_id: OrgId,
    user_id: UserId,
    action: Action,
    target: UserId,
) -> Result<Actor, DomainError> {
    let membership = repo.live_membership(org_id, user_id)?.ok_or(DomainError::NotFound("organization"))?;
    hide_others_from_athlete(membership.role, user_id, target)?;
    let actor = Actor { user_id, role: membership.role };
    authorize(&actor, action).map_err(|f| DomainError::Forbidden(f.0))?;
    Ok(actor)
}

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
