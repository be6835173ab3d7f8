//! What the calendar needs from the store beyond plans and activities.

use super::WorkoutAdjustment;
use crate::athlete::Activity;
use crate::entities::AuditEvent;
use crate::error::RepoError;
use crate::ids::{OrgId, UserId};
use chrono::{DateTime, Utc};

/// Coaches' adjustments of planned workouts, and activities by time.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CalendarRepo {
    /// Every adjustment of the athlete's assignments in the organization.
    fn adjustments(&self, org_id: OrgId, user_id: UserId) -> Result<Vec<WorkoutAdjustment>, RepoError>;
    /// Stores the adjustment (replacing the workout's earlier one) and writes `event`, in one transaction.
    fn put_adjustment(
        &self,
        org_id: OrgId,
        user_id: UserId,
        adjustment: &WorkoutAdjustment,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
    /// The athlete's activities that started in `[from, to)`, by start time.
    fn activities_between(
        &self,
        user_id: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Activity>, RepoError>;
}
