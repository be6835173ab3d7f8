//! Groups of members inside an organization, and assigning a plan to a whole
//! group (optionally to the athletes who join it later, too).

use crate::entities::{AuditEvent, Membership};
use crate::error::RepoError;
use crate::ids::{ApiKeyId, GroupId, OrgId, PlanId, UserId};
use crate::values::{Description, InvalidValue, Lines, clean_text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// A group's name: 1–80 characters, trimmed; unique in the organization
/// ignoring case.
///
/// ```
/// use roster_domain::groups::GroupName;
/// assert_eq!(GroupName::parse("  Tuesday Track ").unwrap().as_str(), "Tuesday Track");
/// assert_eq!(GroupName::parse("").unwrap_err().code, "invalid_name");
/// assert!(GroupName::parse(&"x".repeat(81)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    /// Parses a group name.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let trimmed = clean_text(input, Lines::One)?;
        if !(1..=80).contains(&trimmed.chars().count()) {
            return Err(InvalidValue::new("invalid_name", "name must be 1–80 characters"));
        }
        Ok(Self(trimmed))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Id.
    pub group_id: GroupId,
    /// Organization.
    pub org_id: OrgId,
    /// Name.
    pub name: GroupName,
    /// Description (may be empty).
    pub description: Description,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// A group with its head count.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    /// The group.
    pub group: Group,
    /// Live members in it.
    pub member_count: i64,
}

/// What happened to one member in a group plan assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The member has the plan from that date (now, or already had it).
    Assigned,
    /// The member was left out; the code says why.
    Skipped,
}

/// One line of a group plan assignment's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberOutcome {
    /// The member.
    pub user_id: UserId,
    /// Assigned or skipped.
    pub outcome: Outcome,
    /// Why skipped: `already_assigned` (the same plan with the same start
    /// date was already there), `not_assigned_to_you`,
    /// `plan_assignment_overlap` or `not_an_athlete`.
    pub code: Option<&'static str>,
}

/// Assign a plan to a group's members.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPlanRequest {
    /// Organization.
    pub org_id: OrgId,
    /// Group.
    pub group_id: GroupId,
    /// Plan (not archived).
    pub plan_id: PlanId,
    /// First day for everyone.
    pub start_date: NaiveDate,
    /// Today in the organization's time zone, when the request was decided.
    pub today: NaiveDate,
    /// Also assign it to athletes who join the group later.
    pub enroll_future_members: bool,
    /// Who asks; when an API key does, the key's id (as the audit trail
    /// writes a key), with `assigned_by_key` set.
    pub assigned_by: UserId,
    /// The organization API key that asks, if one does (no account then).
    pub assigned_by_key: Option<ApiKeyId>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Groups and group membership.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait GroupRepo {
    /// Stores a new group; `Conflict::GroupNameTaken` if the name is in use.
    fn insert_group(&self, group: &Group, event: &AuditEvent) -> Result<(), RepoError>;
    /// The group with its member count.
    fn group(&self, org_id: OrgId, group_id: GroupId) -> Result<Option<GroupView>, RepoError>;
    /// Groups in id (creation) order after `after`, at most `limit + 1`.
    fn groups(&self, org_id: OrgId, after: Option<GroupId>, limit: u32) -> Result<Vec<GroupView>, RepoError>;
    /// The first `limit` groups in the order of [`Self::groups`], without
    /// counting their members.
    fn group_names(&self, org_id: OrgId, limit: u32) -> Result<Vec<Group>, RepoError>;
    /// Writes `group` if the stored version is still `expected_version`.
    fn update_group(&self, group: &Group, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError>;
    /// Deletes the group, its member list and its enrollments; the members stay.
    fn delete_group(&self, org_id: OrgId, group_id: GroupId, event: &AuditEvent) -> Result<(), RepoError>;
    /// Adds a live member to the group and applies the group's enrollments
    /// (future-member plan assignments), as `joining::decide_group_join`
    /// decides; `event` names who adds and when. `false` when already in it
    /// (nothing written). Refuses `NotFound("member")` when `user_id` is not a
    /// live member and `NotFound("group")` for a group not in `org_id`.
    fn add_group_member(
        &self,
        org_id: OrgId,
        group_id: GroupId,
        user_id: UserId,
        event: &AuditEvent,
    ) -> Result<bool, RepoError>;
    /// Removes the member from the group; `false` when not in it.
    fn remove_group_member(
        &self,
        org_id: OrgId,
        group_id: GroupId,
        user_id: UserId,
        event: &AuditEvent,
    ) -> Result<bool, RepoError>;
    /// The group's live members.
    fn group_members(&self, org_id: OrgId, group_id: GroupId) -> Result<Vec<Membership>, RepoError>;
    /// In one transaction: assigns the plan to each of `candidates` (skipping
    /// overlaps, reporting an existing identical assignment as assigned),
    /// stores the enrollment when asked, and writes the events. Refuses
    /// `PlanArchived` when the plan is archived.
    fn assign_plan_to_group(
        &self,
        request: &GroupPlanRequest,
        candidates: &[UserId],
        event: &AuditEvent,
    ) -> Result<Vec<MemberOutcome>, RepoError>;
}
