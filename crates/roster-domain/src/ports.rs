//! Ports: what the use cases need from the outside world, as synchronous
//! traits. `roster-store` implements them; tests mock them (`mock` feature).
//!
//! A method that writes is one atomic commit: it either writes everything it
//! is given (including the audit event) or nothing.
//!
//! This module lists every port. The foundation's are defined here; each
//! feature's are defined beside its rules and re-exported here, with their
//! mocks:
//!
//! | port | what it keeps or gives |
//! |---|---|
//! | [`AccountRepo`] | accounts and where they belong |
//! | [`OrganizationRepo`] | organizations, coaches, memberships |
//! | [`AuditRepo`] | the audit trail |
//! | [`UnitOfWork`] | one transaction around several calls |
//! | [`PasswordHasher`] | password hashes |
//! | [`AthleteRepo`] | activities, race goals, zones and integrations of an athlete |
//! | [`PlanRepo`] | the training-plan library |
//! | [`AssignmentRepo`] | plan assignments |
//! | [`CalendarRepo`] | the calendar's moved and excused workouts |
//! | [`AttentionRepo`] | the attention queue and acknowledgements |
//! | [`MemberRepo`] | the roster: members, their attributes, pages |
//! | [`GroupRepo`] | groups, their members and enrollments |
//! | [`InvitationRepo`] | invitations and their outbox mail |
//! | [`TokenGenerator`] | random tokens |
//! | [`InvitationLinks`] | the links of invitations, derived from a server key |
//! | [`SessionRepo`] | sessions and refresh tokens |
//! | [`PasswordResetRepo`] | password resets |
//! | [`ApiKeyRepo`] | organization API keys |
//! | [`WebhookRepo`] | webhook endpoints and deliveries |
//! | [`PrivacyRepo`] | exports, erasure and closing an organization |
//! | [`ImportRepo`] | roster CSV imports |
//! | [`Clock`](crate::clock::Clock) | the time |
//! | [`InsightProvider`](crate::insights::InsightProvider) | insights on an athlete's training |

use crate::entities::{
    AuditEvent, AuditFilter, CoachName, CoachView, Membership, NamedMembership, Organization, OrganizationView, User,
    UserCredentials,
};
use crate::error::RepoError;
use crate::ids::{OrgId, UserId};
use crate::invitation::OutboxMessage;
use crate::values::{Email, Password};
use chrono::{DateTime, Utc};

pub use crate::api_keys::ApiKeyRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::api_keys::MockApiKeyRepo;
pub use crate::athlete::ports::AthleteRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::athlete::ports::MockAthleteRepo;
pub use crate::attention::AttentionRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::attention::MockAttentionRepo;
pub use crate::calendar::CalendarRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::calendar::MockCalendarRepo;
pub use crate::groups::GroupRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::groups::MockGroupRepo;
pub use crate::invitation::InvitationLinks;
pub use crate::invitation::InvitationRepo;
pub use crate::invitation::TokenGenerator;
#[cfg(any(test, feature = "mock"))]
pub use crate::invitation::link::MockInvitationLinks;
#[cfg(any(test, feature = "mock"))]
pub use crate::invitation::ports::MockInvitationRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::invitation::token::MockTokenGenerator;
pub use crate::member::MemberRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::member::MockMemberRepo;
pub use crate::plans::AssignmentRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::plans::MockAssignmentRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::plans::MockPlanRepo;
pub use crate::plans::PlanRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::privacy::MockPrivacyRepo;
pub use crate::privacy::PrivacyRepo;
pub use crate::roster_csv::import::ImportRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::roster_csv::import::MockImportRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::session::MockPasswordResetRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::session::MockSessionRepo;
pub use crate::session::PasswordResetRepo;
pub use crate::session::SessionRepo;
#[cfg(any(test, feature = "mock"))]
pub use crate::webhooks::MockWebhookRepo;
pub use crate::webhooks::WebhookRepo;

/// Accounts.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AccountRepo {
    /// Stores a new account. `Conflict::EmailTaken` if the e-mail is in use.
    fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), RepoError>;
    /// The account with this e-mail, with its password hash.
    fn user_by_email(&self, email: &Email) -> Result<Option<UserCredentials>, RepoError>;
    /// The accounts with these e-mails (those that exist, in any order): what
    /// an import reads once for all its rows. The default asks one at a time;
    /// a database answers in one query.
    fn users_by_emails(&self, emails: &[Email]) -> Result<Vec<User>, RepoError> {
        let mut found = Vec::new();
        for email in emails {
            found.extend(self.user_by_email(email)?.map(|c| c.user));
        }
        Ok(found)
    }
    /// The account with this id.
    fn user_by_id(&self, user_id: UserId) -> Result<Option<User>, RepoError>;
    /// The account's live memberships in full, each with its organization's
    /// name, oldest first: where the account belongs and who it is there, in
    /// one lookup.
    fn memberships_of(&self, user_id: UserId) -> Result<Vec<NamedMembership>, RepoError>;
}

/// Organizations, their coaches and the memberships that give access to them.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait OrganizationRepo {
    /// Creates the organization with its head coach's membership.
    /// `Conflict::AlreadyHeadCoach` if the account heads another one.
    fn create_organization(&self, org: &Organization, head: &Membership, event: &AuditEvent) -> Result<(), RepoError>;
    /// The organization with its head coach and counts.
    fn organization(&self, org_id: OrgId) -> Result<Option<OrganizationView>, RepoError>;
    /// Writes `org` (whose `version` is already the new one) if the stored
    /// version is still `expected_version`, else `Conflict::VersionMismatch`.
    fn update_organization(
        &self,
        org: &Organization,
        expected_version: i64,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// The account's live membership in the organization.
    fn live_membership(&self, org_id: OrgId, user_id: UserId) -> Result<Option<Membership>, RepoError>;
    /// The organization the account heads, if any.
    fn headed_by(&self, user_id: UserId) -> Result<Option<OrgId>, RepoError>;
    /// The live coaches, head coach first.
    fn coaches(&self, org_id: OrgId) -> Result<Vec<CoachView>, RepoError>;
    /// The live coaches by name, in the order of [`Self::coaches`], without
    /// counting their athletes.
    fn coach_names(&self, org_id: OrgId) -> Result<Vec<CoachName>, RepoError>;
    /// Adds a membership. `Conflict::AlreadyMember` or
    /// `Conflict::MemberOfAnotherOrganization` when a live one stands in the way.
    fn add_membership(&self, membership: &Membership, event: &AuditEvent) -> Result<(), RepoError>;
    /// Adds an assistant coach's membership as `add_membership` does, and
    /// queues `mail` (telling them) in the same transaction.
    fn add_coach(&self, membership: &Membership, event: &AuditEvent, mail: &OutboxMessage) -> Result<(), RepoError>;
    /// Ends a coach's membership at `at` and unassigns their athletes.
    fn end_coach_membership(
        &self,
        org_id: OrgId,
        user_id: UserId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// Makes `to` (an assistant coach) head coach and `from` an assistant coach.
    fn swap_head_coach(
        &self,
        org_id: OrgId,
        from: UserId,
        to: UserId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
}

/// The audit trail.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AuditRepo {
    /// Events of the organization that match, newest first, at most `limit + 1`.
    fn audit_events(&self, org_id: OrgId, filter: &AuditFilter) -> Result<Vec<AuditEvent>, RepoError>;
    /// Records an event of something that changed nothing else (a read worth
    /// auditing, such as an account lookup).
    fn record_event(&self, event: &AuditEvent) -> Result<(), RepoError>;
}

/// Password hashing (Argon2id in the API); a port so the rules stay pure and
/// tests stay fast.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PasswordHasher {
    /// A PHC hash string of the password.
    fn hash(&self, password: &Password) -> Result<String, RepoError>;
    /// Whether `password` matches `hash`. With `hash = None` it does the same
    /// work against a dummy hash and answers false, so a wrong e-mail costs
    /// as much time as a wrong password.
    fn verify(&self, password: &str, hash: Option<String>) -> bool;
}

/// Several use cases as one transaction: an import keeps all its rows or none,
/// and a dry run keeps nothing. Inside another, a savepoint.
pub trait UnitOfWork {
    /// Runs `f` in one transaction: kept when it answers `Ok((value, true))`,
    /// rolled back when it answers `Ok((value, false))` or an error.
    fn atomically<T>(&self, f: impl FnOnce() -> Result<(T, bool), crate::DomainError>)
    -> Result<T, crate::DomainError>;
}
