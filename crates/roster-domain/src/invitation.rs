//! Invitations: single-use e-mail invitations and multi-use links, and the rules for redeeming them.
//!
//! The rules are plain functions over an [`Invitation`] and the facts the
//! caller loaded: whether it can still be redeemed ([`Invitation::redeem`]),
//! whether the e-mail matches ([`check_email`]), whether the account may join
//! ([`check_joinable`]). Who may invite whom is [`crate::policy`]'s.
//!
//! ```
//! use roster_domain::invitation::{Invitation, InvitationKind, InvitationStatus};
//! use roster_domain::{InvitationGone, OrgId, UserId};
//! use chrono::{Duration, Utc};
//!
//! let now = Utc::now();
//! let mut link = Invitation::multi_use(OrgId::new(), UserId::new(), None, Some(2), None, now);
//! assert_eq!(link.redeem(now), Ok(()));
//! link.use_count = 2;
//! assert_eq!(link.redeem(now), Err(InvitationGone::Exhausted));
//! assert_eq!(link.status_at(now), InvitationStatus::Exhausted);
//! assert_eq!(link.kind, InvitationKind::MultiUse);
//! let _ = Duration::days(1);
//! ```

pub mod link;
pub mod mail;
pub mod ports;
pub mod token;

pub use link::{InvitationLinks, KeyedLinks, LinkKey, LinkNonce, StoredToken};
pub use mail::{InvitationEmail, OutboxMessage};
pub use ports::{Acceptance, InvitationFilter, InvitationRepo, NewAccountRecord};
pub use token::{InvitationToken, TokenGenerator, TokenHash};

use crate::entities::{JoinExtras, MembershipSummary, PlanStart};
use crate::error::{Conflict, DomainError, InvitationGone};
use crate::ids::{ApiKeyId, GroupId, InvitationId, OrgId, UserId};
use crate::role::{Role, UnknownValue};
use crate::values::{Email, InvalidValue, Lines, PersonName, clean_text};
use chrono::{DateTime, Duration, Utc};
use std::fmt;
use std::str::FromStr;

/// How long a single-use invitation lasts when the coach gives no expiry.
pub const DEFAULT_SINGLE_USE_TTL_DAYS: i64 = 14;

/// Single use (one person, by e-mail) or a reusable link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationKind {
    /// One person, identified by e-mail; used once.
    SingleUse,
    /// A link for a batch of people; `max_uses` times or unlimited.
    MultiUse,
}

impl InvitationKind {
    /// The stable text form used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationKind::SingleUse => "single_use",
            InvitationKind::MultiUse => "multi_use",
        }
    }
}

impl FromStr for InvitationKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "single_use" => Ok(InvitationKind::SingleUse),
            "multi_use" => Ok(InvitationKind::MultiUse),
            other => Err(UnknownValue(other.to_owned())),
        }
    }
}

impl fmt::Display for InvitationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an invitation stands. `Expired` is derived from `expires_at`; the
/// others are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationStatus {
    /// Can be accepted.
    Pending,
    /// A single-use invitation that was accepted.
    Accepted,
    /// Its expiry passed while it was pending.
    Expired,
    /// A coach revoked it.
    Revoked,
    /// A multi-use link that reached `max_uses`.
    Exhausted,
}

impl InvitationStatus {
    /// The stable text form used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Expired => "expired",
            InvitationStatus::Revoked => "revoked",
            InvitationStatus::Exhausted => "exhausted",
        }
    }
}

impl FromStr for InvitationStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(InvitationStatus::Pending),
            "accepted" => Ok(InvitationStatus::Accepted),
            "expired" => Ok(InvitationStatus::Expired),
            "revoked" => Ok(InvitationStatus::Revoked),
            "exhausted" => Ok(InvitationStatus::Exhausted),
            other => Err(UnknownValue(other.to_owned())),
        }
    }
}

impl fmt::Display for InvitationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A multi-use link's label for the coaches (1–120 characters, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationName(String);

impl InvitationName {
    /// Parses a label.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = clean_text(input, Lines::One)?;
        let len = trimmed.chars().count();
        if len == 0 || len > 120 {
            return Err(InvalidValue::new("invalid_name", "name must be 1–120 characters"));
        }
        Ok(Self(trimmed))
    }

    /// The label as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An invitation to join an organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation {
    /// Id.
    pub invitation_id: InvitationId,
    /// The organization to join.
    pub org_id: OrgId,
    /// Single use or a multi-use link.
    pub kind: InvitationKind,
    /// The role the new member gets: `athlete` or `assistant_coach`.
    pub role: Role,
    /// Single use: who is invited.
    pub email: Option<Email>,
    /// Single use: the invitee's first name.
    pub first_name: Option<PersonName>,
    /// Multi use: a label for the coaches.
    pub name: Option<InvitationName>,
    /// A group to join on acceptance.
    pub group_id: Option<GroupId>,
    /// A training plan to start on acceptance.
    pub training_plan: Option<PlanStart>,
    /// Multi use: how many times it may be used (`None` = unlimited). Single use: 1.
    pub max_uses: Option<i64>,
    /// How many times it was used.
    pub use_count: i64,
    /// After this instant it can no longer be used (`None` = never).
    pub expires_at: Option<DateTime<Utc>>,
    /// The recorded status (`Pending`, `Accepted`, `Revoked`, `Exhausted`);
    /// read it through [`Invitation::status_at`], which derives `Expired`.
    pub recorded_status: InvitationStatus,
    /// The coach who made it; when an API key made it, the key's id (as the
    /// audit trail writes a key), with [`Invitation::created_by_key`] set.
    pub created_by: UserId,
    /// The organization API key that made it, if one did (no account then).
    pub created_by_key: Option<ApiKeyId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When its e-mail was last queued (single use).
    pub last_sent_at: Option<DateTime<Utc>>,
    /// How many e-mails were queued for it.
    pub send_count: i64,
}

/// Who a single-use invitation is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitee {
    /// Their e-mail: the invitation is for this address only.
    pub email: Email,
    /// Their first name, for the e-mail and the new account.
    pub first_name: PersonName,
}

impl Invitation {
    /// A new single-use invitation for `invitee`, sent now. Without
    /// `expires_at` it lasts [`DEFAULT_SINGLE_USE_TTL_DAYS`] days.
    pub fn single_use(
        org_id: OrgId,
        created_by: UserId,
        invitee: Invitee,
        role: Role,
        extras: JoinExtras,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            invitation_id: InvitationId::new(),
            org_id,
            kind: InvitationKind::SingleUse,
            role,
            email: Some(invitee.email),
            first_name: Some(invitee.first_name),
            name: None,
            group_id: extras.group_id,
            training_plan: extras.training_plan,
            max_uses: Some(1),
            use_count: 0,
            expires_at: Some(expires_at.unwrap_or(now + Duration::days(DEFAULT_SINGLE_USE_TTL_DAYS))),
            recorded_status: InvitationStatus::Pending,
            created_by,
            created_by_key: None,
            created_at: now,
            last_sent_at: Some(now),
            send_count: 1,
        }
    }

    /// A new multi-use link for athletes.
    pub fn multi_use(
        org_id: OrgId,
        created_by: UserId,
        name: Option<InvitationName>,
        max_uses: Option<i64>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            invitation_id: InvitationId::new(),
            org_id,
            kind: InvitationKind::MultiUse,
            role: Role::Athlete,
            email: None,
            first_name: None,
            name,
            group_id: None,
            training_plan: None,
            max_uses,
            use_count: 0,
            expires_at,
            recorded_status: InvitationStatus::Pending,
            created_by,
            created_by_key: None,
            created_at: now,
            last_sent_at: None,
            send_count: 0,
        }
    }

    /// What comes with joining through this invitation.
    pub fn extras(&self) -> JoinExtras {
        JoinExtras { group_id: self.group_id, training_plan: self.training_plan }
    }

    /// The status at `now`: a pending invitation whose expiry passed is `Expired`.
    pub fn status_at(&self, now: DateTime<Utc>) -> InvitationStatus {
        match self.recorded_status {
            InvitationStatus::Pending if self.expires_at.is_some_and(|e| e <= now) => InvitationStatus::Expired,
            InvitationStatus::Pending if self.max_uses.is_some_and(|m| self.use_count >= m) => match self.kind {
                InvitationKind::SingleUse => InvitationStatus::Accepted,
                InvitationKind::MultiUse => InvitationStatus::Exhausted,
            },
            other => other,
        }
    }

    /// The status to record once a use has been counted in `use_count`: a
    /// used single-use invitation is `Accepted`, a multi-use link that
    /// reached `max_uses` is `Exhausted`; `None` while it can be used again.
    pub fn status_after_use(&self) -> Option<InvitationStatus> {
        if self.recorded_status != InvitationStatus::Pending || self.max_uses.is_none_or(|m| self.use_count < m) {
            return None;
        }
        Some(match self.kind {
            InvitationKind::SingleUse => InvitationStatus::Accepted,
            InvitationKind::MultiUse => InvitationStatus::Exhausted,
        })
    }

    /// Whether the invitation can be used at `now`, and if not, why (410).
    /// Revoked wins over used, which wins over expired.
    pub fn redeem(&self, now: DateTime<Utc>) -> Result<(), InvitationGone> {
        match self.status_at(now) {
            InvitationStatus::Pending => Ok(()),
            InvitationStatus::Revoked => Err(InvitationGone::Revoked),
            InvitationStatus::Accepted => Err(InvitationGone::AlreadyUsed),
            InvitationStatus::Exhausted => Err(InvitationGone::Exhausted),
            InvitationStatus::Expired => {
                // A used-up invitation that also expired says it was used.
                if self.max_uses.is_some_and(|m| self.use_count >= m) {
                    Err(match self.kind {
                        InvitationKind::SingleUse => InvitationGone::AlreadyUsed,
                        InvitationKind::MultiUse => InvitationGone::Exhausted,
                    })
                } else {
                    Err(InvitationGone::Expired)
                }
            }
        }
    }
}

/// A single-use invitation is for its e-mail only: accepting it signed in as
/// another account is `invitation_email_mismatch`. Multi-use links take anyone.
///
/// ```
/// use roster_domain::invitation::{check_email, Invitation, Invitee};
/// use roster_domain::entities::JoinExtras;
/// use roster_domain::values::{Email, PersonName};
/// use roster_domain::{OrgId, Role, UserId};
///
/// let jo = Invitee { email: Email::parse("jo@example.com").unwrap(), first_name: PersonName::parse("Jo").unwrap() };
/// let inv = Invitation::single_use(OrgId::new(), UserId::new(), jo, Role::Athlete, JoinExtras::default(), None, chrono::Utc::now());
/// assert!(check_email(&inv, &Email::parse("JO@example.com").unwrap()).is_ok());
/// assert_eq!(check_email(&inv, &Email::parse("kim@example.com").unwrap()).unwrap_err().code(),
///     "invitation_email_mismatch");
/// ```
pub fn check_email(invitation: &Invitation, account_email: &Email) -> Result<(), DomainError> {
    match (&invitation.kind, &invitation.email) {
        (InvitationKind::SingleUse, Some(email)) if email != account_email => Err(DomainError::InvitationEmailMismatch),
        _ => Ok(()),
    }
}

/// Whether an account with these live memberships may join `org_id` as
/// `role`: not if already a member there (`already_member`), and an athlete
/// belongs to one organization at a time (`member_of_another_organization`).
pub fn check_joinable(org_id: OrgId, role: Role, memberships: &[MembershipSummary]) -> Result<(), DomainError> {
    if memberships.iter().any(|m| m.org_id == org_id) {
        return Err(Conflict::AlreadyMember.into());
    }
    if role == Role::Athlete && memberships.iter().any(|m| m.role == Role::Athlete) {
        return Err(Conflict::MemberOfAnotherOrganization.into());
    }
    Ok(())
}

/// The athlete's coach on joining: the inviting coach when they are an
/// assistant coach (still coaching there), else nobody.
pub fn assigned_coach(invitation: &Invitation, inviter_role_now: Option<Role>) -> Option<UserId> {
    (invitation.role == Role::Athlete && inviter_role_now == Some(Role::AssistantCoach))
        .then_some(invitation.created_by)
}

#[cfg(test)]
mod tests;
