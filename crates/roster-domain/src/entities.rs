//! The things roster keeps: accounts, organizations, memberships, audit events.

use crate::ids::{EventId, MembershipId, OrgId, UserId};
use crate::role::{MembershipStatus, Role};
use crate::values::{Description, Email, OrgName, PersonName, Timezone};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// An account: a person who can sign in.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Id.
    pub user_id: UserId,
    /// Unique, lower-cased.
    pub email: Email,
    /// First name.
    pub first_name: PersonName,
    /// Last name, when given.
    pub last_name: Option<PersonName>,
    /// Whether the e-mail was proven (accepting a single-use invitation proves it).
    pub email_verified: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// An account with its password hash, for signing in.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    /// The account.
    pub user: User,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// An organization's own attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    /// Id.
    pub org_id: OrgId,
    /// Name.
    pub name: OrgName,
    /// Description (may be empty).
    pub description: Description,
    /// The zone in which the organization's calendar dates are read.
    pub timezone: Timezone,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version, +1 on every change.
    pub version: i64,
}

/// Head counts shown with an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrgCounts {
    /// Live athlete memberships.
    pub athletes: i64,
    /// Live coach memberships, head coach included.
    pub coaches: i64,
    /// Invitations still pending.
    pub pending_invitations: i64,
}

/// An organization as clients read it.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationView {
    /// The organization.
    pub org: Organization,
    /// Its one head coach.
    pub head_coach_user_id: UserId,
    /// Head counts.
    pub counts: OrgCounts,
}

/// A membership of an account in an organization. Ending it keeps the row as
/// history (`removed_at`); joining again starts a new membership.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    /// Id of this membership.
    pub membership_id: MembershipId,
    /// Organization.
    pub org_id: OrgId,
    /// Account.
    pub user_id: UserId,
    /// Role.
    pub role: Role,
    /// Standing.
    pub status: MembershipStatus,
    /// The coach looking after this athlete.
    pub assigned_to_coach_id: Option<UserId>,
    /// Joined.
    pub joined_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Nickname inside this organization.
    pub display_name: Option<crate::member::DisplayName>,
    /// Custom tier.
    pub member_level: Option<crate::member::MemberLevel>,
    /// Coaches' notes (never in an athlete's view).
    pub private_notes: Option<crate::member::PrivateNotes>,
    /// Labels. Loaded by the member repository; `OrganizationRepo::live_membership`
    /// leaves them empty (it serves authorization, which never needs them).
    pub labels: crate::member::Labels,
}

impl Membership {
    /// A new, active membership starting at `now`.
    pub fn start(org_id: OrgId, user_id: UserId, role: Role, now: DateTime<Utc>) -> Self {
        Self {
            membership_id: MembershipId::new(),
            org_id,
            user_id,
            role,
            status: MembershipStatus::Active,
            assigned_to_coach_id: None,
            joined_at: now,
            updated_at: now,
            version: 1,
            display_name: None,
            member_level: None,
            private_notes: None,
            labels: crate::member::Labels::default(),
        }
    }
}

/// One line of `/auth/me`: where the account belongs.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipSummary {
    /// Organization.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// The account's role there.
    pub role: Role,
    /// The account's standing there.
    pub status: MembershipStatus,
}

/// A live membership with its organization's name.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedMembership {
    /// The membership.
    pub membership: Membership,
    /// Its organization's name.
    pub org_name: String,
}

impl NamedMembership {
    /// What an account's listing of its memberships shows.
    pub fn summary(&self) -> MembershipSummary {
        let m = &self.membership;
        MembershipSummary { org_id: m.org_id, org_name: self.org_name.clone(), role: m.role, status: m.status }
    }
}

/// A coach by name only: what a page needs to name an athlete's coach or
/// to offer the coaches as choices, without counting anyone's athletes.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachName {
    /// Account.
    pub user_id: UserId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// `head_coach` or `assistant_coach`.
    pub role: Role,
}

/// A coach of an organization as the coach list shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachView {
    /// Account.
    pub user_id: UserId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail.
    pub email: String,
    /// `head_coach` or `assistant_coach`.
    pub role: Role,
    /// How many live athletes are assigned to them.
    pub assigned_athletes: i64,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

/// A record of one mutation: who did what to whom, and what changed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Id (time-ordered).
    pub event_id: EventId,
    /// Organization.
    pub org_id: OrgId,
    /// Who did it.
    pub actor_user_id: UserId,
    /// What, e.g. `member.added`.
    pub action: String,
    /// Whom it concerned, if a person.
    pub subject_user_id: Option<UserId>,
    /// Field names with old and new values; never the text of private notes.
    pub changes: Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl AuditEvent {
    /// A new event at `now`.
    pub fn new(
        org_id: OrgId,
        actor: UserId,
        action: &str,
        subject: Option<UserId>,
        changes: Value,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id: EventId::new(),
            org_id,
            actor_user_id: actor,
            action: action.to_owned(),
            subject_user_id: subject,
            changes,
            created_at: now,
        }
    }
}

/// Which audit events to list, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only events by this actor.
    pub actor_id: Option<UserId>,
    /// Only events about this account.
    pub subject_user_id: Option<UserId>,
    /// Only this action.
    pub action: Option<String>,
    /// Keyset cursor: only events older than this one.
    pub before: Option<EventId>,
    /// Page size (1–200); the store returns one more to tell if a next page exists.
    pub limit: u32,
}

/// A training plan to start on joining: the plan and, optionally, its start
/// date (else the joining date in the organization's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlanStart {
    /// The plan from the organization's library.
    pub plan_id: crate::ids::PlanId,
    /// First day of the plan; `None` means the day the athlete joins.
    pub start_date: Option<chrono::NaiveDate>,
}

/// What comes with joining an organization besides the membership: a group to
/// join and a training plan to start (from an invitation, or from a coach
/// adding an existing account).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JoinExtras {
    /// A group of the organization to join.
    pub group_id: Option<crate::ids::GroupId>,
    /// A plan to assign.
    pub training_plan: Option<PlanStart>,
}
