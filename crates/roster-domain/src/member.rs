//! The roster: a member's organization-only attributes (display name, level,
//! labels, private notes), the port that keeps them, and the roster query
//! (filters, sort, keyset paging) with the per-member profile status.
//!
//! ```
//! use roster_domain::member::{Label, Labels};
//!
//! assert_eq!(Label::parse("  @Marathon ").unwrap().as_str(), "@marathon");
//! assert_eq!(Label::parse("marathon").unwrap_err().code, "invalid_label");
//! let labels = Labels::parse(["@a", "@A", "@b"]).unwrap();
//! assert_eq!(labels.len(), 2);
//! ```

use crate::entities::{AuditEvent, JoinExtras, Membership};
use crate::error::RepoError;
use crate::ids::{ApiKeyId, GroupId, MembershipId, OrgId, UserId};
use crate::invitation::OutboxMessage;
use crate::role::MembershipStatus;
use crate::values::{InvalidValue, Lines, bounded_text, clean_text, string_value};
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;

/// A nickname inside one organization: 1–60 characters, trimmed.
///
/// ```
/// use roster_domain::member::DisplayName;
/// assert_eq!(DisplayName::parse(" Speedy ").unwrap().as_str(), "Speedy");
/// assert_eq!(DisplayName::parse("").unwrap_err().code, "invalid_display_name");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(String);
string_value!(DisplayName);

impl DisplayName {
    /// Parses a display name.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        bounded_text(input, "display name", "invalid_display_name", 60).map(Self)
    }
}

/// A custom tier such as `intermediate`: 1–40 characters, trimmed.
///
/// ```
/// use roster_domain::member::MemberLevel;
/// assert!(MemberLevel::parse("elite").is_ok());
/// assert_eq!(MemberLevel::parse(&"x".repeat(41)).unwrap_err().code, "invalid_member_level");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberLevel(String);
string_value!(MemberLevel);

impl MemberLevel {
    /// Parses a member level.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        bounded_text(input, "member level", "invalid_member_level", 40).map(Self)
    }
}

/// A coach's notes about a member: up to 10 000 characters, never shown to the athlete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateNotes(String);
string_value!(PrivateNotes);

impl PrivateNotes {
    /// Parses notes; surrounding whitespace is trimmed, line breaks and tabs
    /// are kept, empty notes are refused (send `null` to clear).
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = clean_text(input, Lines::Many)?;
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(InvalidValue::new("invalid_private_notes", "private notes must not be empty (send null)"));
        }
        if len > 10_000 {
            return Err(InvalidValue::new("invalid_private_notes", "private notes must be at most 10000 characters"));
        }
        Ok(Self(trimmed))
    }
}

/// A label: `@` then 1–40 of `a-z 0-9 - _`. Input is trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(String);
string_value!(Label);

impl Label {
    /// Parses a label; a missing `@` or another character is `invalid_label`.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        // Every label the store reads back is already in this form: one
        // copy, not the cleaning's and the lower-casing's two.
        if Self::is_canonical(input) {
            return Ok(Self(input.to_owned()));
        }
        let value = clean_text(input, Lines::One)?.to_lowercase();
        if Self::is_canonical(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidValue::new("invalid_label", "a label is @ then 1-40 of a-z, 0-9, - and _"))
        }
    }

    /// `@` then 1–40 of `a-z 0-9 - _`, nothing else.
    fn is_canonical(text: &str) -> bool {
        text.strip_prefix('@').is_some_and(|rest| {
            (1..=40).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
    }
}

/// A member's set of labels: at most 20, duplicates collapsed, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels(Vec<Label>);

impl Labels {
    /// The most labels a member may have.
    pub const MAX: usize = 20;

    /// Parses every label; the first bad one is the error. More than 20
    /// distinct labels is `too_many_labels`.
    pub fn parse<'a>(inputs: impl IntoIterator<Item = &'a str>) -> Result<Self, InvalidValue> {
        let mut labels = inputs.into_iter().map(Label::parse).collect::<Result<Vec<_>, _>>()?;
        labels.sort();
        labels.dedup();
        if labels.len() > Self::MAX {
            return Err(InvalidValue::new("too_many_labels", "a member has at most 20 labels"));
        }
        Ok(Self(labels))
    }

    /// Labels already known to be valid (read back from the store).
    pub fn from_labels(mut labels: Vec<Label>) -> Self {
        labels.sort();
        labels.dedup();
        Self(labels)
    }

    /// The labels, sorted.
    pub fn as_slice(&self) -> &[Label] {
        &self.0
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// None at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The labels as text.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|l| l.as_str().to_owned()).collect()
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A member as the roster shows them: the membership with the account's names.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    /// The membership, with its attributes and labels.
    pub membership: Membership,
    /// The account's first name.
    pub first_name: String,
    /// The account's last name.
    pub last_name: Option<String>,
    /// The account's e-mail.
    pub email: String,
    /// The start of the account's latest activity.
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Which coach assignment the roster is filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoachFilter {
    /// No filter.
    #[default]
    Any,
    /// The caller (`me`).
    Me,
    /// Athletes with no coach (`none`).
    Unassigned,
    /// Athletes of this coach.
    Coach(UserId),
}

/// The roster's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RosterSort {
    /// Display name, else first and last name (case-insensitive), then user id.
    #[default]
    Name,
    /// Oldest membership first.
    JoinedAt,
    /// Newest membership first.
    JoinedAtDesc,
    /// Most severe attention signal first, then most signals, then name, then user id.
    Attention,
    /// Longest without activity first (never any: first of all), then membership id.
    LastActivity,
    /// Latest activity first (never any: last), then membership id.
    LastActivityDesc,
    /// Lowest 28-day compliance first (none: last), then membership id.
    Compliance,
}

/// Where the previous page ended; only valid with the sort that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterCursor {
    /// After this sort key and user id (sort `name`).
    Name {
        /// The lower-cased sort name of the last member seen.
        key: String,
        /// Their account id.
        user_id: UserId,
    },
    /// After this join time and membership id (sort `joined_at` or `-joined_at`).
    JoinedAt {
        /// The join time of the last member seen.
        joined_at: DateTime<Utc>,
        /// Their membership id.
        membership_id: MembershipId,
    },
    /// After this attention key, sort key and user id (sort `attention`).
    Attention {
        /// Severity rank of the last member seen (`0` none … `3` urgent).
        rank: u8,
        /// Their number of signals.
        count: u32,
        /// Their lower-cased sort name.
        key: String,
        /// Their account id.
        user_id: UserId,
    },
    /// After this last activity and membership id (sort `last_activity` or `-last_activity`).
    LastActivity {
        /// The last activity of the last member seen (`None`: never any).
        at: Option<DateTime<Utc>>,
        /// Their membership id.
        membership_id: MembershipId,
    },
    /// After this compliance order and membership id (sort `compliance`).
    Compliance {
        /// The 28-day share of sessions of the last member seen, 1000 for none.
        order: i32,
        /// Their membership id.
        membership_id: MembershipId,
    },
}

/// The roster's filters (combined with AND), order and page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RosterQuery {
    /// Any of these statuses (empty: all).
    pub statuses: Vec<MembershipStatus>,
    /// All of these labels.
    pub labels: Vec<Label>,
    /// Exactly this level.
    pub member_level: Option<MemberLevel>,
    /// Coach assignment.
    pub coach: CoachFilter,
    /// Members of this group.
    pub group_id: Option<GroupId>,
    /// Case-insensitive substring of first, last, display name or e-mail (lower-cased, trimmed, non-empty).
    pub q: Option<String>,
    /// A 28-day share of sessions completed below this percentage (athletes without one never match).
    pub compliance_below: Option<u32>,
    /// Order.
    pub sort: RosterSort,
    /// Page size, 1–200.
    pub limit: u32,
    /// Keyset cursor.
    pub after: Option<RosterCursor>,
    /// Add each member's profile status.
    pub include_profile_status: bool,
    /// The attention thresholds (the `attention` settings) for the profile status and `sort=attention`.
    pub attention: crate::attention::AttentionThresholds,
    /// The instant attention and plan status are evaluated at: `members::list`
    /// fills it from its clock when it is `None` (a store called directly
    /// reads its own).
    pub now: Option<DateTime<Utc>>,
}

/// One page of the roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterPage {
    /// The members, in order.
    pub members: Vec<MemberView>,
    /// Where the next page starts, if there is one.
    pub next: Option<RosterCursor>,
    /// How many members match the filters in all.
    pub total: i64,
    /// Profile status per member, when asked for, as the store keeps it.
    pub profile_status: Option<HashMap<UserId, ProfileStatusJson>>,
    /// The groups each member of the page is in, in id order.
    pub group_ids: HashMap<UserId, Vec<crate::GroupId>>,
}

/// The roster's store. Every write is one transaction with its audit event.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait MemberRepo {
    /// The live member `user_id` of `org_id`, with labels and account names.
    fn member(&self, org_id: OrgId, user_id: UserId) -> Result<Option<MemberView>, RepoError>;
    /// The live members among `user_ids` (those that are, in any order): what
    /// a bulk action or an import reads once. The default asks one at a time;
    /// a database answers in one query.
    fn members(&self, org_id: OrgId, user_ids: &[UserId]) -> Result<Vec<MemberView>, RepoError> {
        let mut found = Vec::new();
        for &user_id in user_ids {
            found.extend(self.member(org_id, user_id)?);
        }
        Ok(found)
    }
    /// Adds the membership (with its attributes and labels), applies the join
    /// extras (group, plan), writes `event` and queues `mail` (telling the
    /// account), in one transaction. `actor` is who adds: the account, or an
    /// API key (its id as the audit trail writes it, and the key, which the
    /// plan assignment then names instead of an account).
    /// `Conflict::AlreadyMember`, `Conflict::MemberOfAnotherOrganization`.
    fn add_member(
        &self,
        membership: &Membership,
        extras: &JoinExtras,
        actor: (UserId, Option<ApiKeyId>),
        event: &AuditEvent,
        mail: &OutboxMessage,
    ) -> Result<(), RepoError>;
    /// Writes the membership's attributes, labels, status and coach if the
    /// stored version is still `expected_version` (else
    /// `Conflict::VersionMismatch`); `membership.version` is the new one.
    fn update_member(
        &self,
        membership: &Membership,
        expected_version: i64,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// Ends the live athlete membership at `at`, clears its coach, ends its
    /// groups and plans, and writes `event`.
    fn remove_member(
        &self,
        org_id: OrgId,
        user_id: UserId,
        actor: UserId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// One page of live athletes matching `query` (whose `coach` is never `Me`
    /// here), with the total and the next cursor.
    fn roster(&self, org_id: OrgId, query: &RosterQuery) -> Result<RosterPage, RepoError>;
}

mod cursor;
mod profile_status;

pub use profile_status::{
    AttentionStatus, CurrentPlan, IntegrationState, IntegrationsStatus, NextRace, ProfileStatus, ProfileStatusJson,
    RaceGoalsStatus, TrainingPlansStatus, ZonesStatus,
};
#[cfg(test)]
mod tests;
