//! Coaches: listing, adding, removing, handing over the head-coach role, and
//! looking accounts up by e-mail.

use crate::added_mail::{AddedEmail, leave_url};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{AuditEvent, CoachName, CoachView, Membership, User};
use crate::error::{Conflict, DomainError};
use crate::ids::{OrgId, UserId};
use crate::invitation::OutboxMessage;
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::{AccountRepo, AuditRepo, OrganizationRepo};
use crate::role::Role;
use crate::values::Email;
use serde_json::json;

/// How a request names an existing account.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountRef {
    /// By e-mail (exact, case-insensitive).
    Email(Email),
    /// By id.
    Id(UserId),
}

/// Finds the account a request names, or `user_not_found`.
pub fn resolve_account(accounts: &impl AccountRepo, target: &AccountRef) -> Result<User, DomainError> {
    let found = match target {
        AccountRef::Email(email) => accounts.user_by_email(email)?.map(|c| c.user),
        AccountRef::Id(id) => accounts.user_by_id(*id)?,
    };
    found.ok_or(DomainError::UserNotFound)
}

/// The e-mail telling `user`, just added to `org_id` as `role` by `caller`,
/// which club, which coach, and how to leave. No caller: an API key of the
/// organization added them, and the e-mail names the club alone.
pub(crate) fn added_mail(
    store: &(impl OrganizationRepo + AccountRepo),
    caller: Option<UserId>,
    org_id: OrgId,
    user: &User,
    role: Role,
    public_base_url: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<OutboxMessage, DomainError> {
    let (repo, accounts) = (store, store);
    let org = repo.organization(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    let added_by = match caller {
        Some(caller) => {
            let coach = accounts.user_by_id(caller)?.ok_or(DomainError::Unauthenticated)?;
            Some(match &coach.last_name {
                Some(last) => format!("{} {last}", coach.first_name),
                None => coach.first_name.to_string(),
            })
        }
        None => None,
    };
    let mail = AddedEmail {
        first_name: user.first_name.as_str(),
        org_name: org.org.name.as_str(),
        added_by: added_by.as_deref(),
        role,
        leave_url: leave_url(public_base_url, org_id, user.user_id, role),
    };
    Ok(mail.message(org_id, user.email.as_str(), now))
}

/// The organization's coaches (coaches only).
pub fn list(cx: &Context<'_, impl OrganizationRepo>, org_id: OrgId) -> Result<Vec<CoachView>, DomainError> {
    let (repo, caller) = (cx.store, cx.caller.clone());
    authorize(&Actor::resolve(repo, org_id, caller)?, Action::ListCoaches, Target::Organization)?;
    Ok(repo.coaches(org_id)?)
}

/// The organization's coaches by name (coaches only), for pages that name
/// or offer them without their athlete counts.
pub fn names(cx: &Context<'_, impl OrganizationRepo>, org_id: OrgId) -> Result<Vec<CoachName>, DomainError> {
    let (repo, caller) = (cx.store, cx.caller.clone());
    authorize(&Actor::resolve(repo, org_id, caller)?, Action::ListCoaches, Target::Organization)?;
    Ok(repo.coach_names(org_id)?)
}

/// Adds an existing account as an assistant coach (head coach only) and
/// e-mails them who added them and how to leave (links under `public_base_url`).
pub fn add(
    cx: &Context<'_, impl OrganizationRepo + AccountRepo>,
    org_id: OrgId,
    target: &AccountRef,
    public_base_url: &str,
) -> Result<CoachView, DomainError> {
    let (repo, accounts, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.account()?);
    authorize(&Actor::resolve(repo, org_id, caller)?, Action::AddCoach, Target::Organization)?;
    let user = resolve_account(accounts, target)?;
    if repo.live_membership(org_id, user.user_id)?.is_some() {
        return Err(Conflict::AlreadyMember.into());
    }
    let now = clock.now();
    let membership = Membership::start(org_id, user.user_id, Role::AssistantCoach, now);
    let event = AuditEvent::new(
        org_id,
        caller,
        "coach.added",
        Some(user.user_id),
        json!({"role": {"old": null, "new": Role::AssistantCoach.as_str()}}),
        now,
    );
    let mail = added_mail(cx.store, Some(caller), org_id, &user, Role::AssistantCoach, public_base_url, now)?;
    repo.add_coach(&membership, &event, &mail)?;
    Ok(CoachView {
        user_id: user.user_id,
        first_name: user.first_name.into_inner(),
        last_name: user.last_name.map(|l| l.into_inner()),
        email: user.email.into_inner(),
        role: Role::AssistantCoach,
        assigned_athletes: 0,
        joined_at: now,
    })
}

/// Removes an assistant coach (head coach only), or lets an assistant coach
/// leave (`coach` is the caller: being added is never a trap); their athletes
/// become unassigned. The head coach cannot be removed: `head_coach_required`.
pub fn remove(cx: &Context<'_, impl OrganizationRepo>, org_id: OrgId, coach: UserId) -> Result<(), DomainError> {
    let (repo, clock, caller) = (cx.store, &cx.clock, cx.caller.account()?);
    let leaving = caller == coach;
    if !leaving {
        authorize(&Actor::resolve(repo, org_id, caller)?, Action::RemoveCoach, Target::Someone(coach))?;
    }
    let membership =
        repo.live_membership(org_id, coach)?.filter(|m| m.role.is_coach()).ok_or(DomainError::NotFound("coach"))?;
    if leaving {
        // The coach's own membership, just read, is the caller's.
        authorize(&Actor::Member(membership.clone()), Action::LeaveAsCoach, Target::Member(&membership))?;
    }
    if membership.role == Role::HeadCoach {
        return Err(DomainError::HeadCoachRequired);
    }
    let now = clock.now();
    let event = AuditEvent::new(
        org_id,
        caller,
        "coach.removed",
        Some(coach),
        json!({"role": {"old": Role::AssistantCoach.as_str(), "new": null}, "left": leaving}),
        now,
    );
    repo.end_coach_membership(org_id, coach, now, &event)?;
    Ok(())
}

/// Hands the head-coach role to an assistant coach; the caller becomes an
/// assistant coach. The new head coach must not head another organization.
pub fn transfer_head_coach(
    cx: &Context<'_, impl OrganizationRepo>,
    org_id: OrgId,
    to: UserId,
) -> Result<(), DomainError> {
    let (repo, clock, caller) = (cx.store, &cx.clock, cx.caller.account()?);
    authorize(&Actor::resolve(repo, org_id, caller)?, Action::TransferHeadCoach, Target::Organization)?;
    repo.live_membership(org_id, to)?.filter(|m| m.role == Role::AssistantCoach).ok_or(DomainError::NotACoach)?;
    if repo.headed_by(to)?.is_some() {
        return Err(Conflict::AlreadyHeadCoach.into());
    }
    let now = clock.now();
    let event = AuditEvent::new(
        org_id,
        caller,
        "coach.head_transferred",
        Some(to),
        json!({"head_coach_user_id": {"old": caller, "new": to}}),
        now,
    );
    repo.swap_head_coach(org_id, caller, to, now, &event)?;
    Ok(())
}

/// An account found by e-mail, with its membership here if it has one. It
/// tells whether an e-mail has an account, so every lookup, found or not, is
/// recorded (`user.looked_up`): the account when found, never the e-mail
/// asked for (a miss keeps nothing about a person who has no account here).
pub fn lookup(
    cx: &Context<'_, impl OrganizationRepo + AccountRepo + AuditRepo>,
    org_id: OrgId,
    email: &Email,
) -> Result<(User, Option<Membership>), DomainError> {
    let (repo, accounts, audit, clock, caller) = (cx.store, cx.store, cx.store, &cx.clock, cx.caller.account()?);
    authorize(&Actor::resolve(repo, org_id, caller)?, Action::LookupUser, Target::Organization)?;
    let found = match resolve_account(accounts, &AccountRef::Email(email.clone())) {
        Ok(user) => Some(user),
        Err(DomainError::UserNotFound) => None,
        Err(e) => return Err(e),
    };
    let target = found.as_ref().map(|u| u.user_id);
    let event =
        AuditEvent::new(org_id, caller, "user.looked_up", target, json!({"found": target.is_some()}), clock.now());
    audit.record_event(&event)?;
    let user = found.ok_or(DomainError::UserNotFound)?;
    let membership = repo.live_membership(org_id, user.user_id)?;
    Ok((user, membership))
}

#[cfg(test)]
#[path = "coaches_tests.rs"]
mod tests;
