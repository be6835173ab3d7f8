//! Training plans and their assignment to athletes with a start date.
//!
//! The date rules are plain functions of calendar dates; "today" is always
//! the date in the organization's time zone ([`Timezone::today`](crate::values::Timezone::today)).
//!
//! ```
//! use chrono::NaiveDate;
//! use roster_domain::plans::{AssignmentStatus, current_week, end_date, status};
//!
//! let start = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(); // a Monday
//! assert_eq!(end_date(start, 2), NaiveDate::from_ymd_opt(2026, 12, 20).unwrap());
//! let today = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
//! assert_eq!(status(start, 2, false, today), AssignmentStatus::Active);
//! assert_eq!(current_week(start, 2, today), Some(2));
//! assert_eq!(status(start, 2, true, today), AssignmentStatus::Cancelled);
//! ```

mod content;
mod ports;

pub use content::{MAX_WORKOUTS_PER_DAY, PlanContent, PlanLevel, PlanName, Workout};
pub use ports::{AssignmentRepo, PlanFilter, PlanRepo};
#[cfg(any(test, feature = "mock"))]
pub use ports::{MockAssignmentRepo, MockPlanRepo, ambassador_impl_AssignmentRepo, ambassador_impl_PlanRepo};

use crate::entities::AuditEvent;
use crate::error::DomainError;
use crate::ids::{ApiKeyId, AssignmentId, OrgId, PlanId, UserId};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};

/// Longest plan, in weeks.
pub const MAX_WEEKS: u32 = 104;

/// A plan by name only: what a page offers as a choice, without its workouts.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChoice {
    /// Id.
    pub plan_id: PlanId,
    /// Its name.
    pub name: String,
}

/// A plan in an organization's library.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingPlan {
    /// Id.
    pub plan_id: PlanId,
    /// Organization.
    pub org_id: OrgId,
    /// What the plan is: name, sport, weeks and workouts.
    pub content: PlanContent,
    /// Its author; when an API key wrote it, the key's id (as the audit
    /// trail writes a key), with [`TrainingPlan::created_by_key`] set.
    pub created_by: UserId,
    /// The organization API key that wrote it, if one did (no account then).
    pub created_by_key: Option<ApiKeyId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When archived; an archived plan takes no new assignments.
    pub archived_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// Where an assignment stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStatus {
    /// Starts after today.
    Upcoming,
    /// Today is between its first and last day.
    Active,
    /// Its last day has passed.
    Completed,
    /// Cancelled by a coach (kept as history).
    Cancelled,
}

impl AssignmentStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentStatus::Upcoming => "upcoming",
            AssignmentStatus::Active => "active",
            AssignmentStatus::Completed => "completed",
            AssignmentStatus::Cancelled => "cancelled",
        }
    }
}

/// The last day of a plan of `weeks` weeks that starts on `start`:
/// start + 7·weeks − 1.
pub fn end_date(start: NaiveDate, weeks: u32) -> NaiveDate {
    let days = u64::from(weeks.max(1)) * 7 - 1;
    start.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX)
}

/// The status on `today` of an assignment starting on `start` for `weeks` weeks.
pub fn status(start: NaiveDate, weeks: u32, cancelled: bool, today: NaiveDate) -> AssignmentStatus {
    if cancelled {
        AssignmentStatus::Cancelled
    } else if today < start {
        AssignmentStatus::Upcoming
    } else if today <= end_date(start, weeks) {
        AssignmentStatus::Active
    } else {
        AssignmentStatus::Completed
    }
}

/// The week (1-based) the plan is in on `today`, while it runs.
pub fn current_week(start: NaiveDate, weeks: u32, today: NaiveDate) -> Option<u32> {
    if today < start || today > end_date(start, weeks) {
        return None;
    }
    u32::try_from((today - start).num_days() / 7 + 1).ok()
}

/// A plan may not start before today (in the organization's time zone).
pub fn check_start_date(start: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if start < today { Err(DomainError::StartDateInPast) } else { Ok(()) }
}

/// Whether `plan` may get a new assignment from `start`: not archived
/// (`plan_archived`), not before `today` (`start_date_in_past`).
pub fn check_assignable(plan: &TrainingPlan, start: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if plan.archived_at.is_some() {
        return Err(DomainError::PlanArchived);
    }
    check_start_date(start, today)
}

/// Whether two closed date ranges share a day.
pub fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// A plan assigned to an athlete from a start date.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanAssignment {
    /// Id.
    pub assignment_id: AssignmentId,
    /// Organization.
    pub org_id: OrgId,
    /// The plan.
    pub plan_id: PlanId,
    /// The plan's name (as it is now).
    pub plan_name: String,
    /// The athlete.
    pub user_id: UserId,
    /// First day.
    pub start_date: NaiveDate,
    /// The plan's length when it was assigned.
    pub total_weeks: u32,
    /// When cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Who assigned it; when an API key did, the key's id (as the audit
    /// trail writes a key), with [`PlanAssignment::assigned_by_key`] set.
    pub assigned_by: UserId,
    /// The organization API key that assigned it, if one did (no account then).
    pub assigned_by_key: Option<ApiKeyId>,
    /// When.
    pub assigned_at: DateTime<Utc>,
}

impl PlanAssignment {
    /// A new assignment of `plan` to `user_id` from `start_date`.
    pub fn new(
        plan: &TrainingPlan,
        user_id: UserId,
        start_date: NaiveDate,
        assigned_by: UserId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            assignment_id: AssignmentId::new(),
            org_id: plan.org_id,
            plan_id: plan.plan_id,
            plan_name: plan.content.name.as_str().to_owned(),
            user_id,
            start_date,
            total_weeks: plan.content.duration_weeks,
            cancelled_at: None,
            assigned_by,
            assigned_by_key: None,
            assigned_at: now,
        }
    }

    /// Decides a new assignment of `plan` to `user_id` from `start` (default:
    /// `today` in the organization's time zone) and its `plan.assigned`
    /// event. Every path that assigns a plan (one athlete, a group, joining
    /// with a plan, joining a group that enrolls its late joiners) decides
    /// here; the store adds only what makes races safe (no overlap, the plan
    /// still live at commit).
    pub fn decide(
        plan: &TrainingPlan,
        user_id: UserId,
        start: Option<NaiveDate>,
        today: NaiveDate,
        assigned_by: UserId,
        now: DateTime<Utc>,
    ) -> Result<(PlanAssignment, AuditEvent), DomainError> {
        let start = start.unwrap_or(today);
        check_assignable(plan, start, today)?;
        let a = PlanAssignment::new(plan, user_id, start, assigned_by, now);
        let event = AuditEvent::new(plan.org_id, assigned_by, "plan.assigned", Some(user_id), a.audit_changes(), now);
        Ok((a, event))
    }

    /// The audit changes of a new assignment.
    pub fn audit_changes(&self) -> Value {
        json!({
            "assignment_id": self.assignment_id, "plan_id": self.plan_id,
            "start_date": {"old": null, "new": self.start_date}, "end_date": {"old": null, "new": self.end_date()},
        })
    }

    /// Last day: start + 7·weeks − 1.
    pub fn end_date(&self) -> NaiveDate {
        end_date(self.start_date, self.total_weeks)
    }

    /// Status on `today`.
    pub fn status(&self, today: NaiveDate) -> AssignmentStatus {
        status(self.start_date, self.total_weeks, self.cancelled_at.is_some(), today)
    }

    /// The week it is in on `today`, while it runs and is not cancelled.
    pub fn current_week(&self, today: NaiveDate) -> Option<u32> {
        if self.cancelled_at.is_some() { None } else { current_week(self.start_date, self.total_weeks, today) }
    }
}

/// The plan an athlete is in today, as the roster's `profile_status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentPlan {
    /// The assignment.
    pub assignment_id: AssignmentId,
    /// The plan's name.
    pub plan_name: String,
    /// The week it is in today (1-based).
    pub current_week: u32,
    /// Its length.
    pub total_weeks: u32,
}

#[cfg(test)]
pub(crate) mod tests;
