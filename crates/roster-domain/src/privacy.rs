//! Privacy: what a person can take with them (the export), what is erased
//! when they leave for good (account deletion) or when a club closes, and
//! the rules that scrub copies of a person's data kept elsewhere (audit
//! details, sent mail).

pub mod mail;

use crate::entities::AuditEvent;
use crate::error::RepoError;
use crate::ids::{OrgId, SessionId, UserId};
use crate::invitation::OutboxMessage;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// How recent a sign-in must be to export without typing the password again.
pub const FRESH_SIGN_IN: chrono::Duration = chrono::Duration::minutes(5);

/// The e-mail domain of anonymised accounts: `.invalid` is reserved (RFC
/// 2606), so no mail can ever reach it and no person can sign up with it.
pub const ERASED_EMAIL_DOMAIN: &str = "deleted.invalid";

/// The name an anonymised account shows wherever it is still named (the
/// actor of its old audit events, the author of plans).
pub const ERASED_NAME: &str = "Deleted account";

/// What replaces an erased value inside audit details, so an event keeps
/// its fields (its shape) but not the person's data.
pub const ERASED_VALUE: &str = "[erased]";

/// The e-mail an anonymised account gets: unique, and never deliverable.
///
/// ```
/// use roster_domain::UserId;
/// use roster_domain::privacy::erased_email;
/// let id = UserId::new();
/// assert_eq!(erased_email(id), format!("deleted-{id}@deleted.invalid"));
/// ```
pub fn erased_email(user_id: UserId) -> String {
    format!("deleted-{user_id}@{ERASED_EMAIL_DOMAIN}")
}

/// Everything an account deletion writes, in one transaction.
#[derive(Debug, Clone)]
pub struct AccountErasure {
    /// The account.
    pub user_id: UserId,
    /// Its e-mail before it is anonymised (pending invitations and mail to
    /// it are erased too).
    pub email: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The confirmation sent to the old address; erased from the outbox
    /// once delivered.
    pub confirmation: OutboxMessage,
}

/// A member told that their club closed.
#[derive(Debug, Clone)]
pub struct ClosedMember {
    /// The account (it stays).
    pub user_id: UserId,
    /// Its e-mail.
    pub email: String,
    /// Its first name.
    pub first_name: String,
}

/// Everything closing an organization writes, in one transaction.
#[derive(Debug, Clone)]
pub struct OrgClosure {
    /// The organization.
    pub org_id: OrgId,
    /// When.
    pub at: DateTime<Utc>,
    /// One event per account involved (subject: that account), so each
    /// account's trail keeps the closure.
    pub events: Vec<AuditEvent>,
    /// One e-mail per member.
    pub mails: Vec<OutboxMessage>,
}

/// One file of an export: its name in the archive and its JSON document.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportDocument {
    /// Name in the ZIP (`account.json`, ...).
    pub name: &'static str,
    /// The document.
    pub body: Value,
}

/// A page of rows that may be many (activities, audit events), read in id
/// order after `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPage {
    /// The rows, as JSON objects.
    pub rows: Vec<Value>,
    /// The last row's id: the next page starts after it (`None`: no more).
    pub next: Option<String>,
}

/// The kinds of rows an export pages through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportRows {
    /// The account's activities.
    Activities,
    /// Audit events where the account is the actor or the subject.
    AuditEvents,
}

/// What the privacy use cases need from storage.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PrivacyRepo {
    /// When the session was signed in (a refresh does not move it).
    fn session_started_at(&self, session_id: SessionId) -> Result<Option<DateTime<Utc>>, RepoError>;
    /// The export's small documents: the account, its memberships (with the
    /// organization-only attributes about it and whether private notes
    /// exist, never their text), plan assignments with their plans, race
    /// goals, zones and integrations (never tokens).
    fn export_documents(&self, user_id: UserId) -> Result<Vec<ExportDocument>, RepoError>;
    /// Up to `limit` rows of `kind` after the id `after`.
    fn export_page(
        &self,
        user_id: UserId,
        kind: ExportRows,
        after: Option<String>,
        limit: u32,
    ) -> Result<ExportPage, RepoError>;
    /// Erases the account as [`AccountErasure`] says, in one transaction;
    /// `Conflict::HeadCoachMustTransfer` if it heads a club by then.
    fn erase_account(&self, erasure: &AccountErasure) -> Result<(), RepoError>;
    /// The live members of an organization, to tell them it closes.
    fn live_members(&self, org_id: OrgId) -> Result<Vec<ClosedMember>, RepoError>;
    /// Closes the organization as [`OrgClosure`] says, in one transaction.
    fn close_organization(&self, closure: &OrgClosure) -> Result<(), RepoError>;
    /// Erases the organization-only attributes and private notes of
    /// memberships that ended before `ended_before`; how many it erased.
    fn erase_lapsed_memberships(&self, ended_before: DateTime<Utc>) -> Result<u64, RepoError>;
}

/// Replaces, inside audit details, every text that holds one of `personal`
/// (compared without case) with [`ERASED_VALUE`]; with `about_person` (the
/// event's subject is the person) every text and number goes, since the whole
/// detail is their data. Keys stay, so the event keeps its shape. Returns
/// whether anything changed.
///
/// ```
/// use roster_domain::privacy::scrub_details;
/// let mut changes = serde_json::json!({"email": "ada@example.com", "role": "athlete"});
/// assert!(scrub_details(&mut changes, &["ada@example.com".into()], false));
/// assert_eq!(changes, serde_json::json!({"email": "[erased]", "role": "athlete"}));
/// ```
pub fn scrub_details(details: &mut Value, personal: &[String], about_person: bool) -> bool {
    let needles: Vec<String> = personal.iter().map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
    scrub_value(details, &needles, about_person)
}

fn scrub_value(value: &mut Value, needles: &[String], about_person: bool) -> bool {
    match value {
        Value::String(text) => {
            let lower = text.to_lowercase();
            let hit = if about_person { !text.is_empty() } else { needles.iter().any(|n| lower.contains(n.as_str())) };
            let changed = hit && text != ERASED_VALUE;
            if changed {
                *value = Value::String(ERASED_VALUE.to_owned());
            }
            changed
        }
        Value::Number(_) if about_person => {
            *value = Value::Null;
            true
        }
        Value::Array(items) => {
            items.iter_mut().fold(false, |changed, v| scrub_value(v, needles, about_person) | changed)
        }
        Value::Object(map) => {
            map.iter_mut().fold(false, |changed, (_, v)| scrub_value(v, needles, about_person) | changed)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
