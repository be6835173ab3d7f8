//! What the invitation use cases need from the store.

use super::link::StoredToken;
use super::mail::OutboxMessage;
use super::token::TokenHash;
use super::{Invitation, InvitationKind, InvitationStatus};
use crate::entities::{AuditEvent, JoinExtras, Membership, User};
use crate::error::RepoError;
use crate::ids::{InvitationId, OrgId};
use chrono::{DateTime, Utc};

/// Which invitations to list, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationFilter {
    /// Only this status (as of `now`).
    pub status: Option<InvitationStatus>,
    /// Only this kind.
    pub kind: Option<InvitationKind>,
    /// Keyset cursor: only invitations older than this one.
    pub before: Option<InvitationId>,
    /// Page size (1–200); the store returns one more to tell if a next page exists.
    pub limit: u32,
    /// The instant that decides `pending` versus `expired`.
    pub now: DateTime<Utc>,
}

/// An account created while accepting, with its password hash.
#[derive(Debug, Clone)]
pub struct NewAccountRecord {
    /// The account.
    pub user: User,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Everything one acceptance writes, in one transaction.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// The invitation being used.
    pub invitation_id: InvitationId,
    /// An account to create first (accepting while signing up).
    pub new_account: Option<NewAccountRecord>,
    /// The membership to create.
    pub membership: Membership,
    /// The group and plan that come with it.
    pub extras: JoinExtras,
    /// `invitation.accepted`, `member.added`.
    pub events: Vec<AuditEvent>,
    /// When.
    pub now: DateTime<Utc>,
}

/// Invitations, their tokens and the outbox.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait InvitationRepo {
    /// Stores a new invitation with its token (hash and nonce) and, for
    /// single use, its e-mail in the outbox. `Conflict::InvitationPending` if a pending
    /// single-use invitation for the same e-mail exists in the organization.
    fn create_invitation(
        &self,
        invitation: &Invitation,
        token: &StoredToken,
        mail: Option<OutboxMessage>,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// One invitation of the organization.
    fn invitation(&self, org_id: OrgId, invitation_id: InvitationId) -> Result<Option<Invitation>, RepoError>;
    /// A page of the organization's invitations, at most `limit + 1`.
    fn invitations(&self, org_id: OrgId, filter: &InvitationFilter) -> Result<Vec<Invitation>, RepoError>;
    /// The invitation a token belongs to, and whether the token was replaced
    /// by a newer one (a resend), which makes the link dead.
    fn invitation_by_token(&self, token: &TokenHash) -> Result<Option<(Invitation, bool)>, RepoError>;
    /// The invitation's current token as stored (the one no resend
    /// replaced), if it has one.
    fn current_token(&self, org_id: OrgId, invitation_id: InvitationId) -> Result<Option<StoredToken>, RepoError>;
    /// Replaces the token (the old link dies), queues the new e-mail, and
    /// stores the new `last_sent_at` and `send_count`, if the invitation is
    /// still pending; else refuses with the reason it is gone.
    fn resend_invitation(
        &self,
        invitation: &Invitation,
        token: &StoredToken,
        mail: OutboxMessage,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// Marks the invitation revoked at `at`; its links die at once.
    fn revoke_invitation(
        &self,
        org_id: OrgId,
        invitation_id: InvitationId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// Counts the use (a conditional update), creates the account if asked,
    /// the membership, its group and plan, and the audit events; or nothing.
    /// A use lost to a concurrent accept is refused with the reason.
    /// Returns the membership as stored: without its assigned coach if that
    /// coach stopped being one before the acceptance committed.
    fn accept_invitation(&self, acceptance: &Acceptance) -> Result<Membership, RepoError>;
}
