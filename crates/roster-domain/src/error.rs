//! The refusals of the rules, one variant each, and the errors of the ports.

use crate::values::InvalidValue;
use serde::Serialize;

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the client sent it (`email`, `training_plan.plan_id`).
    pub field: String,
    /// Stable machine code (`invalid_email`, `weak_password`, ...).
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl FieldError {
    /// An error on `field`.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }

    /// The field error for a value that did not parse.
    pub fn from_invalid(field: impl Into<String>, invalid: InvalidValue) -> Self {
        Self::new(field, invalid.code, invalid.message)
    }
}

/// A uniqueness rule the store enforces, reported when a write would break it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// Another account has this e-mail.
    #[error("an account with this e-mail already exists")]
    EmailTaken,
    /// The account already heads an organization.
    #[error("the account already heads an organization")]
    AlreadyHeadCoach,
    /// The account already has a live membership in this organization.
    #[error("the account is already a member of this organization")]
    AlreadyMember,
    /// The account is already an athlete in another organization.
    #[error("the account is an athlete in another organization")]
    MemberOfAnotherOrganization,
    /// The row changed since it was read.
    #[error("the resource was changed by someone else")]
    VersionMismatch,
    /// A pending single-use invitation for this e-mail exists (resend it instead).
    #[error("a pending invitation for this e-mail exists; resend it instead")]
    InvitationPending,
    /// Another group of the organization has this name (ignoring case).
    #[error("another group has this name")]
    GroupNameTaken,
    /// The athlete has another plan assignment, not cancelled, in these dates.
    #[error("the athlete has another plan in these dates")]
    PlanAssignmentOverlap,
    /// The account heads a club: it hands the role over (or closes the club)
    /// before it can be deleted.
    #[error("the account heads a club; transfer the head-coach role or close the club first")]
    HeadCoachMustTransfer,
    /// `confirm_name` is not the organization's name.
    #[error("confirm_name is not the organization's name")]
    ConfirmNameMismatch,
}

/// Why an invitation can no longer be accepted (410).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvitationGone {
    /// Its expiry has passed.
    #[error("the invitation has expired")]
    Expired,
    /// A coach revoked it (or resent it with a new link).
    #[error("the invitation was revoked")]
    Revoked,
    /// A multi-use link reached `max_uses`.
    #[error("the invitation link has been used the maximum number of times")]
    Exhausted,
    /// A single-use invitation was already accepted.
    #[error("the invitation was already used")]
    AlreadyUsed,
}

impl InvitationGone {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            InvitationGone::Expired => "invitation_expired",
            InvitationGone::Revoked => "invitation_revoked",
            InvitationGone::Exhausted => "invitation_exhausted",
            InvitationGone::AlreadyUsed => "invitation_already_used",
        }
    }
}

/// What part of the store is out of service: the condition is outside the
/// request and may clear by itself, so the client is told to retry later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// The database server cannot be reached (stopped, refusing, timing out).
    Database,
    /// The database file cannot be written (read-only, disk full, I/O error).
    Storage,
    /// Another writer held the SQLite file past the busy timeout.
    Busy,
}

impl Outage {
    /// The stable machine code.
    pub fn code(self) -> &'static str {
        match self {
            Outage::Database => "database_unavailable",
            Outage::Storage => "storage_unavailable",
            Outage::Busy => "database_busy",
        }
    }
}

/// What a port (the store) can fail with.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A uniqueness rule would be broken; nothing was written.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// A rule checked inside the store's transaction refused the write (an
    /// invitation used up by a concurrent accept, an archived plan, ...);
    /// nothing was written.
    #[error(transparent)]
    Refused(Box<DomainError>),
    /// The store failed; the message is for logs, never for clients.
    #[error("store failure: {0}")]
    Unavailable(String),
    /// The store is out of service for now; the message (the cause) is for logs.
    #[error("store unavailable: {1}")]
    Outage(Outage, String),
}

/// Every refusal a use case can answer with. Each maps to one HTTP status and
/// one stable `code` (see [`DomainError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input values are well-formed but invalid (422).
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// Not signed in, or the token is no good (401).
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong e-mail or password (401).
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// The caller may not do this (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing there, or nothing the caller may know about (404).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// No account matches (404).
    #[error("no account matches")]
    UserNotFound,
    /// A write would break a uniqueness rule (409 or 412 for versions).
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// The head coach cannot be removed or demoted this way (409).
    #[error("an organization needs its head coach")]
    HeadCoachRequired,
    /// The account named is not a coach of this organization (422).
    #[error("the account is not a coach of this organization")]
    NotACoach,
    /// No invitation has this token (404).
    #[error("no invitation matches this link")]
    InvitationNotFound,
    /// The invitation can no longer be accepted (410).
    #[error(transparent)]
    InvitationGone(#[from] InvitationGone),
    /// A single-use invitation accepted while signed in as another e-mail (403).
    #[error("this invitation was sent to another e-mail address")]
    InvitationEmailMismatch,
    /// A pending invitation whose link this server cannot derive again: it
    /// was made before links were kept this way, or under another server
    /// secret (409). A new link (or a resend) is the way on.
    #[error("this invitation's link cannot be shown again; create a new link or resend the invitation")]
    LinkUnavailable,
    /// An assistant coach acting on an athlete not assigned to them (403).
    #[error("this athlete is not assigned to you")]
    NotAssignedToYou,
    /// An API key without the scope the action needs (403), naming it.
    #[error("this API key lacks the scope {0}")]
    InsufficientScope(&'static str),
    /// The training plan is archived and takes no new assignments (422).
    #[error("the training plan is archived")]
    PlanArchived,
    /// A plan assignment may not start before today in the organization's time zone (422).
    #[error("the start date is in the past")]
    StartDateInPast,
    /// A session, refresh token, password change or reset refused (see
    /// [`SessionError`](crate::session::SessionError) for each status).
    #[error(transparent)]
    Session(#[from] crate::session::SessionError),
    /// The store failed (500); details go to the log only.
    #[error("store failure")]
    Store(String),
    /// The store is out of service for now (503); the cause goes to the log only.
    #[error("the store is unavailable")]
    Unavailable(Outage, String),
}

impl DomainError {
    /// Whether the store failed or is out of service, rather than the
    /// request being refused: what ends a many-member request at once.
    pub fn is_outage(&self) -> bool {
        matches!(self, DomainError::Store(_) | DomainError::Unavailable(..))
    }

    /// The stable machine code of the refusal.
    ///
    /// ```
    /// use roster_domain::{Conflict, DomainError};
    /// assert_eq!(DomainError::from(Conflict::EmailTaken).code(), "email_taken");
    /// assert_eq!(DomainError::HeadCoachRequired.code(), "head_coach_required");
    /// ```
    pub fn code(&self) -> &str {
        match self {
            DomainError::Validation(errors) => errors.first().map_or("validation_failed", |e| e.code.as_str()),
            DomainError::Unauthenticated => "unauthenticated",
            DomainError::InvalidCredentials => "invalid_credentials",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::NotFound(_) => "not_found",
            DomainError::UserNotFound => "user_not_found",
            DomainError::Conflict(c) => match c {
                Conflict::EmailTaken => "email_taken",
                Conflict::AlreadyHeadCoach => "already_head_coach",
                Conflict::AlreadyMember => "already_member",
                Conflict::MemberOfAnotherOrganization => "member_of_another_organization",
                Conflict::VersionMismatch => "version_mismatch",
                Conflict::InvitationPending => "invitation_pending",
                Conflict::GroupNameTaken => "group_name_taken",
                Conflict::PlanAssignmentOverlap => "plan_assignment_overlap",
                Conflict::HeadCoachMustTransfer => "head_coach_must_transfer",
                Conflict::ConfirmNameMismatch => "confirm_name_mismatch",
            },
            DomainError::HeadCoachRequired => "head_coach_required",
            DomainError::NotACoach => "not_a_coach",
            DomainError::InvitationNotFound => "invitation_not_found",
            DomainError::InvitationGone(gone) => gone.code(),
            DomainError::InvitationEmailMismatch => "invitation_email_mismatch",
            DomainError::LinkUnavailable => "link_unavailable",
            DomainError::NotAssignedToYou => "not_assigned_to_you",
            DomainError::InsufficientScope(_) => "insufficient_scope",
            DomainError::PlanArchived => "plan_archived",
            DomainError::StartDateInPast => "start_date_in_past",
            DomainError::Session(e) => e.code(),
            DomainError::Store(_) => "internal",
            DomainError::Unavailable(outage, _) => outage.code(),
        }
    }

    /// A single-field validation failure.
    pub fn invalid(field: &str, invalid: InvalidValue) -> Self {
        DomainError::Validation(vec![FieldError::from_invalid(field, invalid)])
    }
}

impl From<RepoError> for DomainError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::Conflict(c) => DomainError::Conflict(c),
            RepoError::Refused(e) => *e,
            RepoError::Unavailable(msg) => DomainError::Store(msg),
            RepoError::Outage(outage, cause) => DomainError::Unavailable(outage, cause),
        }
    }
}

/// Collects parse results field by field so a client learns every bad field at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value, or records the error under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, InvalidValue>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError::from_invalid(field, e));
                None
            }
        }
    }

    /// Records an error directly.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `Ok(())` when nothing was recorded, else the validation error.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() { Ok(()) } else { Err(DomainError::Validation(self.0)) }
    }
}
