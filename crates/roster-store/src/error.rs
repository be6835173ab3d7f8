//! Store errors, and how a violated constraint becomes a typed conflict.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use roster_domain::{Conflict, DomainError, Outage, RepoError};

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
    /// The store could not be set up (its folder, its migrations).
    #[error("connection pool: {0}")]
    Pool(String),
    /// No connection could be had in time: the database is out of service.
    #[error("{1}")]
    Unavailable(Outage, String),
}

impl StoreError {
    /// The outage this failure shows, if it is one: no connection in time, a
    /// PostgreSQL connection that died, or a SQLite file that cannot be
    /// written. SQLite reports the cause only by its message (diesel keeps
    /// the error code to itself); these are SQLite's fixed texts for
    /// `SQLITE_READONLY`, `SQLITE_FULL`, `SQLITE_CANTOPEN` and `SQLITE_IOERR`.
    pub fn outage(&self) -> Option<Outage> {
        match self {
            StoreError::Unavailable(outage, _) => Some(*outage),
            StoreError::Database(DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )) => Some(Outage::Database),
            StoreError::Database(DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)) => {
                const STORAGE: [&str; 4] = [
                    "attempt to write a readonly database",
                    "database or disk is full",
                    "unable to open database file",
                    "disk I/O error",
                ];
                // SQLITE_BUSY after the busy timeout: another writer held the file.
                if info.message().starts_with("database is locked") {
                    return Some(Outage::Busy);
                }
                STORAGE.iter().any(|m| info.message().starts_with(m)).then_some(Outage::Storage)
            }
            _ => None,
        }
    }
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

impl From<StoreError> for RepoError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) => RepoError::Conflict(c),
            StoreError::Refused(e) => RepoError::Refused(e),
            other => match other.outage() {
                Some(outage) => RepoError::Outage(outage, other.to_string()),
                None => RepoError::Unavailable(other.to_string()),
            },
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
