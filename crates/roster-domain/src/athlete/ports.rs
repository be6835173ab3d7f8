//! The port the store implements for athlete data.

use super::activity::{Activity, FeedCursor, Inserted};
use super::integration::Integration;
use super::race_goal::RaceGoal;
use super::weekly::BucketTotal;
use super::window::ActivityWindow;
use super::zones::{StoredZones, Zones};
use crate::entities::AuditEvent;
use crate::error::RepoError;
use crate::ids::{OrgId, RaceGoalId, UserId};
use crate::values::Timezone;
use chrono::{DateTime, Utc};

/// Activities, race goals, zones and integrations of athletes. A write is one
/// transaction with its audit event.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AthleteRepo {
    /// The organization's time zone (`None`: no such organization).
    fn org_timezone(&self, org_id: OrgId) -> Result<Option<Timezone>, RepoError>;

    /// Stores `activity` unless the athlete already has one with the same
    /// `(source, external_id)`: then that one is returned and nothing is
    /// written.
    fn insert_activity(&self, activity: &Activity, event: &AuditEvent) -> Result<Inserted<Activity>, RepoError>;
    /// The athlete's activities, newest first (start time, then id), strictly
    /// after `before`, at most `limit + 1`.
    fn activities(&self, user_id: UserId, before: Option<FeedCursor>, limit: u32) -> Result<Vec<Activity>, RepoError>;
    /// Sums of the athlete's activities starting in each
    /// `[boundaries[i], boundaries[i + 1])`, one entry per bucket, in one query.
    fn weekly_totals(&self, user_id: UserId, boundaries: &[DateTime<Utc>]) -> Result<Vec<BucketTotal>, RepoError>;
    /// The athlete's recent training at `now`, for the attention signals.
    fn activity_window(&self, user_id: UserId, now: DateTime<Utc>) -> Result<ActivityWindow, RepoError>;

    /// The athlete's race goals by race date.
    fn race_goals(&self, user_id: UserId) -> Result<Vec<RaceGoal>, RepoError>;
    /// One race goal of the athlete.
    fn race_goal(&self, user_id: UserId, race_goal_id: RaceGoalId) -> Result<Option<RaceGoal>, RepoError>;
    /// Stores a new race goal.
    fn insert_race_goal(&self, goal: &RaceGoal, event: &AuditEvent) -> Result<(), RepoError>;
    /// Writes `goal` (whose version is already the new one) if the stored
    /// version is still `expected_version`, else `Conflict::VersionMismatch`.
    fn update_race_goal(&self, goal: &RaceGoal, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError>;
    /// Deletes a race goal.
    fn delete_race_goal(&self, user_id: UserId, race_goal_id: RaceGoalId, event: &AuditEvent) -> Result<(), RepoError>;

    /// The athlete's zones, if ever set.
    fn zones(&self, user_id: UserId) -> Result<Option<StoredZones>, RepoError>;
    /// Replaces the athlete's zones; `expected_version` (from `If-Match`)
    /// must match the stored version when given.
    fn put_zones(
        &self,
        user_id: UserId,
        zones: &Zones,
        expected_version: Option<i64>,
        now: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<StoredZones, RepoError>;

    /// The athlete's recorded integrations, in provider order.
    fn integrations(&self, user_id: UserId) -> Result<Vec<Integration>, RepoError>;
    /// Inserts or replaces the athlete's connection to `integration.provider`.
    fn put_integration(&self, integration: &Integration, event: &AuditEvent) -> Result<(), RepoError>;
}
