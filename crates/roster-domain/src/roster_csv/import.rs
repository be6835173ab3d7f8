//! A CSV import's request, its per-row report, and the port that keeps
//! committed imports (for `Idempotency-Key` and the result download).

use crate::entities::AuditEvent;
use crate::error::{DomainError, FieldError, RepoError};
use crate::ids::{ImportId, InvitationId, OrgId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 5_000;

/// Which rows an import may create and which it may update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Only new members; a row for a member is `already_member`.
    CreateOnly,
    /// New members are created, members updated.
    Upsert,
    /// Only members; a row for anyone else is `not_a_member`.
    UpdateOnly,
}

impl FromStr for ImportMode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "create_only" => Ok(Self::CreateOnly),
            "upsert" => Ok(Self::Upsert),
            "update_only" => Ok(Self::UpdateOnly),
            _ => Err(()),
        }
    }
}

/// The file's table: the header and the data rows, cells as the import reads
/// them (formula neutralisation undone).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportTable {
    /// Column names, in the file's order.
    pub columns: Vec<String>,
    /// Data rows; each has one cell per column.
    pub rows: Vec<ImportRow>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// Its cells, one per column.
    pub cells: Vec<String>,
}

/// What an import is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRequest {
    /// The file.
    pub table: ImportTable,
    /// Which rows may create and which may update.
    pub mode: ImportMode,
    /// Decide every row, keep nothing, send nothing.
    pub dry_run: bool,
    /// Keep the good rows when some fail (else nothing is kept).
    pub skip_invalid: bool,
    /// The client's key: a repeat answers the committed import again.
    pub idempotency_key: Option<String>,
    /// A digest of the file and the options: the same key with another
    /// request is refused.
    pub fingerprint: String,
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// A member added (an account that exists), or an invitation sent.
    Create,
    /// A member changed.
    Update,
    /// Nothing to change.
    Unchanged,
    /// Refused; see the errors.
    Error,
}

impl RowOutcome {
    /// The text form (`create`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Unchanged => "unchanged",
            Self::Error => "error",
        }
    }
}

/// Why a row was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// Stable machine code.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl RowError {
    /// An error on `column`.
    pub fn new(column: Option<&str>, code: &str, message: impl Into<String>) -> Self {
        Self { column: column.map(str::to_owned), code: code.to_owned(), message: message.into() }
    }

    /// The errors a use case answered, each on the column it names.
    pub fn from_domain(error: &DomainError) -> Vec<Self> {
        match error {
            DomainError::Validation(fields) => fields.iter().map(Self::from_field).collect(),
            other => vec![Self::new(None, other.code(), other.to_string())],
        }
    }

    fn from_field(field: &FieldError) -> Self {
        let column = match field.field.as_str() {
            "coach_id" | "assigned_to_coach_id" => "assigned_coach_email",
            "group_id" => "groups",
            other => other,
        };
        Self::new(Some(column), &field.code, field.message.clone())
    }
}

/// One row's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowReport {
    /// Its line in the file.
    pub line: u64,
    /// The e-mail cell as given.
    pub email: String,
    /// What became of it.
    pub outcome: RowOutcome,
    /// The member's account, when there is one.
    pub user_id: Option<UserId>,
    /// The invitation sent, for an e-mail without an account.
    pub invitation_id: Option<InvitationId>,
    /// Why it was refused (empty unless `error`).
    pub errors: Vec<RowError>,
}

/// How many rows had each outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportTotals {
    /// Rows that created.
    pub create: u32,
    /// Rows that updated.
    pub update: u32,
    /// Rows that changed nothing.
    pub unchanged: u32,
    /// Rows refused.
    pub error: u32,
}

impl ImportTotals {
    /// Counts one more `outcome`.
    pub fn count(&mut self, outcome: RowOutcome) {
        match outcome {
            RowOutcome::Create => self.create += 1,
            RowOutcome::Update => self.update += 1,
            RowOutcome::Unchanged => self.unchanged += 1,
            RowOutcome::Error => self.error += 1,
        }
    }
}

/// An import's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// The committed import (none for a dry run or a run that kept nothing).
    pub import_id: Option<ImportId>,
    /// The mode asked for.
    pub mode: ImportMode,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// Whether the changes were kept.
    pub committed: bool,
    /// Outcomes counted.
    pub totals: ImportTotals,
    /// Every row, in file order.
    pub rows: Vec<RowReport>,
}

/// A committed import, kept for its key and its download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImport {
    /// Id.
    pub import_id: ImportId,
    /// Organization.
    pub org_id: OrgId,
    /// Who ran it.
    pub actor_user_id: UserId,
    /// The client's `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// Digest of the request (see [`ImportRequest::fingerprint`]).
    pub fingerprint: String,
    /// The answer.
    pub report: ImportReport,
    /// When it ran.
    pub created_at: DateTime<Utc>,
}

/// Committed imports.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ImportRepo {
    /// The import `actor` committed in `org_id` with this key.
    fn import_by_key(&self, org_id: OrgId, actor: UserId, key: &str) -> Result<Option<StoredImport>, RepoError>;
    /// One committed import.
    fn stored_import(&self, org_id: OrgId, import_id: ImportId) -> Result<Option<StoredImport>, RepoError>;
    /// Keeps the import and writes its audit event. The same actor's key
    /// twice is refused (`idempotency_key_reused`).
    fn save_import(&self, import: &StoredImport, event: &AuditEvent) -> Result<(), RepoError>;
}
