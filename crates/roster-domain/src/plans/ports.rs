//! The ports of the plan library and of assignments.

use super::{PlanAssignment, PlanChoice, TrainingPlan};
use crate::entities::AuditEvent;
use crate::error::RepoError;
use crate::ids::{AssignmentId, OrgId, PlanId, UserId};
use crate::sport::Sport;
use chrono::{DateTime, Utc};

/// Which plans to list, in id order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanFilter {
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
    /// Only this sport.
    pub sport: Option<Sport>,
    /// Archived plans too.
    pub include_archived: bool,
    /// Only plans with an assignment (not cancelled) to this athlete.
    pub assigned_to: Option<UserId>,
    /// Keyset cursor: only plans after this one.
    pub after: Option<PlanId>,
    /// Page size; the store returns one more to tell if a next page exists.
    pub limit: u32,
}

/// The plan library.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PlanRepo {
    /// Stores a new plan.
    fn insert_plan(&self, plan: &TrainingPlan, event: &AuditEvent) -> Result<(), RepoError>;
    /// The plan, archived or not.
    fn plan(&self, org_id: OrgId, plan_id: PlanId) -> Result<Option<TrainingPlan>, RepoError>;
    /// Plans that match, at most `limit + 1`.
    fn plans(&self, org_id: OrgId, filter: &PlanFilter) -> Result<Vec<TrainingPlan>, RepoError>;
    /// [`plans`](Self::plans) by name only, without reading their workouts.
    fn plan_names(&self, org_id: OrgId, filter: &PlanFilter) -> Result<Vec<PlanChoice>, RepoError>;
    /// Writes `plan` (its `version` already the new one) if the stored version
    /// is still `expected_version`, else `Conflict::VersionMismatch`.
    fn update_plan(&self, plan: &TrainingPlan, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError>;
}

/// Plan assignments.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AssignmentRepo {
    /// Stores the assignment in one transaction that serializes per athlete:
    /// refuses with `PlanArchived` when the plan was archived meanwhile and
    /// with `Conflict::PlanAssignmentOverlap` when another assignment that is
    /// not cancelled shares a day.
    fn assign(&self, assignment: &PlanAssignment, event: &AuditEvent) -> Result<(), RepoError>;
    /// The athlete's assignments in the organization, newest start first.
    fn assignments_of(&self, org_id: OrgId, user_id: UserId) -> Result<Vec<PlanAssignment>, RepoError>;
    /// Cancels the athlete's assignment (kept as history). `false` when there
    /// is no such assignment; cancelling a cancelled one changes nothing.
    fn cancel_assignment(
        &self,
        org_id: OrgId,
        user_id: UserId,
        assignment_id: AssignmentId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<bool, RepoError>;
}
