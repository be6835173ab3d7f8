//! Store errors, and how a violated constraint becomes a typed conflict.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use roster_domain::{Conflict, DomainError, RepoError};

/// What a store operation fails with inside a transaction.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A rule the data must keep; nothing was written.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// A rule checked inside the transaction refused the write; the
    /// transaction rolls back and the caller gets the domain error.
    #[error(transparent)]
    Refused(Box<DomainError>),
    /// A stored value that no longer parses: a bug or a hand-edited database.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database said no.
    #[error(transparent)]
    Database(DieselError),
    /// No connection could be had.
    #[error("connection pool: {0}")]
    Pool(String),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match classify_unique_violation(&e) {
            Some(conflict) => StoreError::Conflict(conflict),
            None => StoreError::Database(e),
        }
    }
}

impl From<DomainError> for StoreError {
    fn from(e: DomainError) -> Self {
        StoreError::Refused(Box::new(e))
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Pool(e.to_string())
    }
}

impl From<StoreError> for RepoError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => RepoError::Conflict(c),
            StoreError::Refused(e) => RepoError::Refused(e),
            other => RepoError::Unavailable(other.to_string()),
        }
    }
}

/// Maps a unique-index violation to the rule it protects. PostgreSQL names
/// the index; SQLite names the columns (and serializes writers, so the checks
/// made inside the transaction already caught the case).
fn classify_unique_violation(e: &DieselError) -> Option<Conflict> {
    let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = e else { return None };
    let name = info.constraint_name().unwrap_or_default();
    let message = info.message();
    let is = |index: &str, sqlite_columns: &str| name == index || message.ends_with(sqlite_columns);
    if is("users_email_key", "users.email") {
        Some(Conflict::EmailTaken)
    } else if is("memberships_live_org_user", "memberships.org_id, memberships.user_id") {
        Some(Conflict::AlreadyMember)
    } else if name == "memberships_live_athlete" {
        Some(Conflict::MemberOfAnotherOrganization)
    } else if name == "memberships_live_head_per_user" {
        Some(Conflict::AlreadyHeadCoach)
    } else if name == "org_groups_org_name" || message.contains("org_groups_org_name") {
        // SQLite names an expression index rather than its columns.
        Some(Conflict::GroupNameTaken)
    } else if message.ends_with("memberships.user_id") {
        // SQLite does not say which of the per-user indexes fired.
        Some(Conflict::AlreadyMember)
    } else {
        None
    }
}

/// A value read back from the store that must parse.
pub(crate) fn parse<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}
