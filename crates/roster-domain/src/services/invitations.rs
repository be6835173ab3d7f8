//! Invitation use cases: create, list, resend, revoke, show the link again
//! ([`link`]), preview, accept.

use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{AuditEvent, JoinExtras, Membership, NamedMembership, OrganizationView, User};
use crate::error::{Conflict, DomainError, FieldError};
use crate::ids::{InvitationId, OrgId, UserId};
use crate::invitation::{
    Acceptance, Invitation, InvitationEmail, InvitationFilter, InvitationKind, InvitationLinks, InvitationName,
    InvitationRepo, InvitationStatus, InvitationToken, Invitee, NewAccountRecord, StoredToken, assigned_coach,
    check_email, check_joinable,
};
use crate::policy::{Action, Actor, Caller, Target, authorize};
use crate::ports::{AccountRepo, OrganizationRepo, PasswordHasher};
use crate::role::Role;
use crate::values::{Email, Password, PersonName};
use chrono::{DateTime, Utc};
use serde_json::json;

mod accept;
mod link;
pub use accept::{Accepted, Acceptor, Preview, accept, preview};
pub use link::link;

/// A new invitation, parsed.
#[derive(Debug, Clone)]
pub enum NewInvitation {
    /// One person by e-mail.
    SingleUse {
        /// Who.
        email: Email,
        /// Their first name.
        first_name: PersonName,
        /// `athlete` (default) or `assistant_coach` (head coach only).
        role: Role,
        /// Group and plan on joining.
        extras: JoinExtras,
        /// Expiry; default 14 days.
        expires_at: Option<DateTime<Utc>>,
    },
    /// A reusable link for athletes.
    MultiUse {
        /// A label for the coaches.
        name: Option<InvitationName>,
        /// `None` = unlimited.
        max_uses: Option<i64>,
        /// `None` = never.
        expires_at: Option<DateTime<Utc>>,
        /// Group and plan on joining.
        extras: JoinExtras,
    },
}

/// A created or resent invitation and its fresh token, for the link.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The invitation.
    pub invitation: Invitation,
    /// The token for the link.
    pub token: InvitationToken,
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::AssistantCoach => "an assistant coach",
        _ => "an athlete",
    }
}

fn future(field: &str, at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), DomainError> {
    match at {
        Some(t) if t <= now => Err(DomainError::Validation(vec![FieldError::new(
            field,
            "expires_at_in_past",
            "expires_at must be in the future",
        )])),
        _ => Ok(()),
    }
}

/// Creates an invitation (coaches; `assistant_coach` invitations head coach
/// only). A single-use invitation's e-mail is queued in the same transaction.
pub fn create(
    cx: &Context<'_, impl OrganizationRepo + AccountRepo + InvitationRepo>,
    links: &impl InvitationLinks,
    org_id: OrgId,
    new: NewInvitation,
    public_base_url: &str,
) -> Result<Issued, DomainError> {
    let (orgs, accounts, invites, clock, caller) = (cx.store, cx.store, cx.store, &cx.clock, cx.caller.clone());
    let inviter = Actor::resolve(orgs, org_id, caller)?;
    let caller = inviter.user_id();
    let now = clock.now();
    let (token, nonce) = links.mint();
    let (invitation, mail) = match new {
        NewInvitation::SingleUse { email, first_name, role, extras, expires_at } => {
            authorize(&inviter, Action::CreateInvitation, Target::Invitation(role))?;
            future("expires_at", expires_at, now)?;
            if let Some(existing) = accounts.user_by_email(&email)?
                && orgs.live_membership(org_id, existing.user.user_id)?.is_some()
            {
                return Err(Conflict::AlreadyMember.into());
            }
            let org = orgs.organization(org_id)?.ok_or(DomainError::NotFound("organization"))?;
            let inv =
                Invitation::single_use(org_id, caller, Invitee { email, first_name }, role, extras, expires_at, now);
            let link = token.link(public_base_url);
            let mail = InvitationEmail {
                first_name: inv.first_name.as_ref().map_or("", |f| f.as_str()),
                org_name: org.org.name.as_str(),
                link: &link,
                expires_at: inv.expires_at,
                role_words: role_words(role),
            }
            .message(org_id, inv.invitation_id, inv.email.as_ref().map_or("", |e| e.as_str()), now);
            (inv, Some(mail))
        }
        NewInvitation::MultiUse { name, max_uses, expires_at, extras } => {
            authorize(&inviter, Action::CreateJoinLink, Target::Organization)?;
            future("expires_at", expires_at, now)?;
            if max_uses.is_some_and(|m| m < 1) {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "max_uses",
                    "invalid_max_uses",
                    "max_uses must be at least 1, or null for unlimited",
                )]));
            }
            let mut inv = Invitation::multi_use(org_id, caller, name, max_uses, expires_at, now);
            inv.group_id = extras.group_id;
            inv.training_plan = extras.training_plan;
            (inv, None)
        }
    };
    let mut invitation = invitation;
    invitation.created_by_key = inviter.key_id();
    let event = AuditEvent::new(
        org_id,
        caller,
        "invitation.created",
        None,
        json!({
            "invitation_id": {"old": null, "new": invitation.invitation_id},
            "kind": {"old": null, "new": invitation.kind.as_str()},
            "role": {"old": null, "new": invitation.role.as_str()},
            "email": {"old": null, "new": invitation.email.as_ref().map(Email::as_str)},
        }),
        now,
    );
    invites.create_invitation(&invitation, &StoredToken::new(&token, nonce), mail, &event)?;
    Ok(Issued { invitation, token })
}

/// A page of the organization's invitations (coaches) and whether more follow.
pub fn list(
    cx: &Context<'_, impl OrganizationRepo + InvitationRepo>,
    org_id: OrgId,
    filter: &InvitationFilter,
) -> Result<(Vec<Invitation>, bool), DomainError> {
    let (orgs, invites, caller) = (cx.store, cx.store, cx.caller.clone());
    authorize(&Actor::resolve(orgs, org_id, caller)?, Action::ListInvitations, Target::Organization)?;
    let mut page = invites.invitations(org_id, filter)?;
    let more = page.len() > filter.limit as usize;
    page.truncate(filter.limit as usize);
    Ok((page, more))
}

/// One invitation (coaches).
pub fn get(
    cx: &Context<'_, impl OrganizationRepo + InvitationRepo>,
    org_id: OrgId,
    invitation_id: InvitationId,
) -> Result<Invitation, DomainError> {
    let (orgs, invites, caller) = (cx.store, cx.store, cx.caller.clone());
    authorize(&Actor::resolve(orgs, org_id, caller)?, Action::ListInvitations, Target::Organization)?;
    invites.invitation(org_id, invitation_id)?.ok_or(DomainError::NotFound("invitation"))
}

/// The caller as an actor who may take `action` in the organization at all
/// (refused before anything is read), and the invitation it is about (`404`
/// when the organization has none of that id). The caller decides next about
/// the invitation itself (`Target::Invitation`), after any check of its own.
fn acting_on(
    orgs: &impl OrganizationRepo,
    invites: &impl InvitationRepo,
    caller: impl Into<Caller>,
    org_id: OrgId,
    invitation_id: InvitationId,
    action: Action,
) -> Result<(Actor, Invitation), DomainError> {
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, action, Target::Organization)?;
    let inv = invites.invitation(org_id, invitation_id)?.ok_or(DomainError::NotFound("invitation"))?;
    Ok((actor, inv))
}

/// Sends a pending single-use invitation again with a new link; the old link
/// dies. A multi-use link has no e-mail to resend (`422 not_single_use`); a
/// dead invitation answers with why it is gone (410).
pub fn resend(
    cx: &Context<'_, impl OrganizationRepo + InvitationRepo>,
    links: &impl InvitationLinks,
    org_id: OrgId,
    invitation_id: InvitationId,
    public_base_url: &str,
) -> Result<Issued, DomainError> {
    let (orgs, invites, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, mut inv) = acting_on(orgs, invites, caller, org_id, invitation_id, Action::ResendInvitation)?;
    let caller = actor.user_id();
    if inv.kind != InvitationKind::SingleUse {
        return Err(DomainError::Validation(vec![FieldError::new(
            "kind",
            "not_single_use",
            "only single-use invitations have an e-mail to resend",
        )]));
    }
    authorize(&actor, Action::ResendInvitation, Target::Invitation(inv.role))?;
    let now = clock.now();
    inv.redeem(now)?;
    let org = orgs.organization(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    let (token, nonce) = links.mint();
    let link = token.link(public_base_url);
    let mail = InvitationEmail {
        first_name: inv.first_name.as_ref().map_or("", |f| f.as_str()),
        org_name: org.org.name.as_str(),
        link: &link,
        expires_at: inv.expires_at,
        role_words: role_words(inv.role),
    }
    .message(org_id, inv.invitation_id, inv.email.as_ref().map_or("", |e| e.as_str()), now);
    inv.last_sent_at = Some(now);
    inv.send_count += 1;
    let event = AuditEvent::new(
        org_id,
        caller,
        "invitation.resent",
        None,
        json!({"invitation_id": {"old": null, "new": inv.invitation_id}, "send_count": {"old": inv.send_count - 1, "new": inv.send_count}}),
        now,
    );
    invites.resend_invitation(&inv, &StoredToken::new(&token, nonce), mail, &event)?;
    Ok(Issued { invitation: inv, token })
}

/// Revokes an invitation (coaches); its links die at once. Revoking a revoked
/// one changes nothing; an accepted single-use invitation is `410
/// invitation_already_used`.
pub fn revoke(
    cx: &Context<'_, impl OrganizationRepo + InvitationRepo>,
    org_id: OrgId,
    invitation_id: InvitationId,
) -> Result<(), DomainError> {
    let (orgs, invites, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, inv) = acting_on(orgs, invites, caller, org_id, invitation_id, Action::RevokeInvitation)?;
    let caller = actor.user_id();
    authorize(&actor, Action::RevokeInvitation, Target::Invitation(inv.role))?;
    let now = clock.now();
    match inv.status_at(now) {
        InvitationStatus::Revoked => return Ok(()),
        InvitationStatus::Accepted => return Err(crate::InvitationGone::AlreadyUsed.into()),
        _ => {}
    }
    let event = AuditEvent::new(
        org_id,
        caller,
        "invitation.revoked",
        None,
        json!({"invitation_id": {"old": null, "new": inv.invitation_id}, "status": {"old": inv.status_at(now).as_str(), "new": "revoked"}}),
        now,
    );
    invites.revoke_invitation(org_id, invitation_id, now, &event)?;
    Ok(())
}

#[cfg(test)]
#[path = "invitations_tests.rs"]
mod tests;
