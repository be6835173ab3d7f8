//! Privacy use cases: exporting one's data, deleting one's account, closing
//! a club, and the retention sweep of ended memberships.

use crate::clock::Clock;
use crate::context::Context;
use crate::entities::AuditEvent;
use crate::error::{Conflict, DomainError};
use crate::ids::{OrgId, SessionId, UserId};
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::{AccountRepo, OrganizationRepo, PasswordHasher};
use crate::privacy::{AccountErasure, FRESH_SIGN_IN, OrgClosure, PrivacyRepo, mail};
use crate::session::{SessionError, SessionRepo};
use serde_json::json;

/// What the privacy use cases need: one store that is all of these.
pub trait PrivacyStore: PrivacyRepo + SessionRepo + AccountRepo + OrganizationRepo {}
impl<T: PrivacyRepo + SessionRepo + AccountRepo + OrganizationRepo> PrivacyStore for T {}

fn check_password(
    store: &impl PrivacyStore,
    hasher: &impl PasswordHasher,
    user_id: UserId,
    password: &str,
) -> Result<(), DomainError> {
    let hash = store.password_hash(user_id)?.ok_or(DomainError::Unauthenticated)?;
    if hasher.verify(password, Some(hash)) { Ok(()) } else { Err(SessionError::WrongPassword.into()) }
}

/// Lets an export start: the session signed in within [`FRESH_SIGN_IN`], or
/// `password` is the account's (`wrong_password` otherwise). Neither:
/// `reauthentication_required`.
pub fn authorize_export(
    store: &impl PrivacyStore,
    hasher: &impl PasswordHasher,
    clock: &impl Clock,
    user_id: UserId,
    session_id: SessionId,
    password: Option<&str>,
) -> Result<(), DomainError> {
    if let Some(password) = password {
        return check_password(store, hasher, user_id, password);
    }
    let started = store.session_started_at(session_id)?.ok_or(DomainError::Unauthenticated)?;
    if clock.now() - started <= FRESH_SIGN_IN { Ok(()) } else { Err(SessionError::ReauthenticationRequired.into()) }
}

/// Deletes the account for good once `password` is right: refused with
/// `head_coach_must_transfer` while it heads a club. The store ends its
/// memberships and erases or anonymises everything about it in one
/// transaction, and queues the confirmation to the old address.
pub fn delete_account(
    store: &impl PrivacyStore,
    hasher: &impl PasswordHasher,
    clock: &impl Clock,
    user_id: UserId,
    password: &str,
) -> Result<(), DomainError> {
    check_password(store, hasher, user_id, password)?;
    if store.headed_by(user_id)?.is_some() {
        return Err(Conflict::HeadCoachMustTransfer.into());
    }
    let user = store.user_by_id(user_id)?.ok_or(DomainError::Unauthenticated)?;
    let now = clock.now();
    let email = user.email.as_str().to_owned();
    let confirmation = mail::account_deleted(&email, now);
    store.erase_account(&AccountErasure { user_id, email, at: now, confirmation })?;
    Ok(())
}

/// Closes an organization (head coach only) when `confirm_name` is its name
/// exactly (`confirm_name_mismatch` otherwise): every membership ends (the
/// accounts stay), invitations are revoked, groups, plans and assignments are
/// erased; each member gets an e-mail and an event in their own trail.
pub fn close_organization(
    cx: &Context<'_, impl PrivacyStore>,
    org_id: OrgId,
    confirm_name: &str,
) -> Result<(), DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.account()?);
    authorize(&Actor::resolve(store, org_id, caller)?, Action::CloseOrganization, Target::Organization)?;
    let view = store.organization(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    let name = view.org.name.as_str();
    if confirm_name != name {
        return Err(Conflict::ConfirmNameMismatch.into());
    }
    let now = clock.now();
    let members = store.live_members(org_id)?;
    let events = members
        .iter()
        .map(|m| AuditEvent::new(org_id, caller, "organization.closed", Some(m.user_id), json!({"name": name}), now))
        .collect();
    let mails = members.iter().map(|m| mail::club_closed(org_id, &m.email, &m.first_name, name, now)).collect();
    store.close_organization(&OrgClosure { org_id, at: now, events, mails })?;
    Ok(())
}

/// The retention sweep: erases the organization-only attributes and private
/// notes of memberships ended more than `days` days ago. How many it erased.
pub fn erase_lapsed_memberships(store: &impl PrivacyRepo, clock: &impl Clock, days: u32) -> Result<u64, DomainError> {
    Ok(store.erase_lapsed_memberships(clock.now() - chrono::Duration::days(i64::from(days)))?)
}

#[cfg(test)]
#[path = "privacy_tests.rs"]
mod tests;
