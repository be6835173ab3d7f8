//! The calendar's own data: coaches' adjustments of planned workouts, and an
//! athlete's activities by time.

use crate::Store;
use crate::athlete::rows::ActivityRow;
use crate::error::{StoreError, parse};
use crate::plans::rows::{date_text, parse_date};
use crate::rows::{from_db, insert_event, to_db};
use crate::schema::{activities, workout_adjustments};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roster_domain::athlete::Activity;
use roster_domain::calendar::{CalendarRepo, Excuse, WorkoutAdjustment};
use roster_domain::entities::AuditEvent;
use roster_domain::{OrgId, RepoError, UserId};

/// A `workout_adjustments` row.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = workout_adjustments)]
pub(crate) struct AdjustmentRow {
    assignment_id: String,
    workout_index: i32,
    org_id: String,
    pub(crate) user_id: String,
    week: i32,
    day: i32,
    moved_to: Option<String>,
    excuse_reason: Option<String>,
    excused_by: Option<String>,
    excused_at: Option<NaiveDateTime>,
    /// The API key that excused it, if one did (then `excused_by` is NULL).
    excused_by_key_id: Option<String>,
}

impl AdjustmentRow {
    fn new(org_id: OrgId, user_id: UserId, a: &WorkoutAdjustment) -> Self {
        Self {
            assignment_id: a.assignment_id.to_string(),
            workout_index: i32::try_from(a.workout_index).unwrap_or(i32::MAX),
            org_id: org_id.to_string(),
            user_id: user_id.to_string(),
            week: i32::try_from(a.week).unwrap_or(i32::MAX),
            day: i32::try_from(a.day).unwrap_or(i32::MAX),
            moved_to: a.moved_to.map(date_text),
            excuse_reason: a.excuse.as_ref().map(|e| e.reason.clone()),
            excused_by: a.excuse.as_ref().filter(|e| e.by_key.is_none()).map(|e| e.by.to_string()),
            excused_at: a.excuse.as_ref().map(|e| to_db(e.at)),
            excused_by_key_id: a.excuse.as_ref().and_then(|e| e.by_key).map(|k| k.to_string()),
        }
    }

    pub(crate) fn into_adjustment(self) -> Result<WorkoutAdjustment, StoreError> {
        // A key's excuse carries the key's id where an account's id would be.
        let by_key = self.excused_by_key_id.map(|k| parse("workout_adjustments.excused_by_key_id", k.parse()));
        let by_key = by_key.transpose()?;
        let excuse = match (self.excuse_reason, self.excused_by, self.excused_at) {
            (Some(reason), Some(by), Some(at)) => Some(Excuse {
                reason,
                by: parse("workout_adjustments.excused_by", by.parse())?,
                by_key,
                at: from_db(at),
            }),
            (Some(reason), None, Some(at)) => {
                by_key.map(|key| Excuse { reason, by: UserId::from_uuid(key.as_uuid()), by_key, at: from_db(at) })
            }
            _ => None,
        };
        Ok(WorkoutAdjustment {
            assignment_id: parse("workout_adjustments.assignment_id", self.assignment_id.parse())?,
            workout_index: u32::try_from(self.workout_index)
                .map_err(|_| StoreError::Corrupt("workout_adjustments.workout_index".into()))?,
            week: i64::from(self.week),
            day: i64::from(self.day),
            moved_to: self.moved_to.as_deref().map(|d| parse_date("workout_adjustments.moved_to", d)).transpose()?,
            excuse,
        })
    }
}

impl CalendarRepo for Store {
    fn adjustments(&self, org_id: OrgId, user_id: UserId) -> Result<Vec<WorkoutAdjustment>, RepoError> {
        self.with(|conn| {
            workout_adjustments::table
                .filter(workout_adjustments::org_id.eq(org_id.to_string()))
                .filter(workout_adjustments::user_id.eq(user_id.to_string()))
                .select(AdjustmentRow::as_select())
                .load::<AdjustmentRow>(conn)?
                .into_iter()
                .map(AdjustmentRow::into_adjustment)
                .collect()
        })
    }

    fn put_adjustment(
        &self,
        org_id: OrgId,
        user_id: UserId,
        adjustment: &WorkoutAdjustment,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        let row = AdjustmentRow::new(org_id, user_id, adjustment);
        self.tx(|conn| {
            // Replacing is a delete and an insert: the same on both backends,
            // and the transaction makes it one change.
            diesel::delete(workout_adjustments::table.find((&row.assignment_id, row.workout_index))).execute(conn)?;
            diesel::insert_into(workout_adjustments::table).values(&row).execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn activities_between(
        &self,
        user_id: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Activity>, RepoError> {
        self.with(|conn| {
            activities::table
                .filter(activities::user_id.eq(user_id.to_string()))
                .filter(activities::start_time.ge(to_db(from)))
                .filter(activities::start_time.lt(to_db(to)))
                .order((activities::start_time.asc(), activities::activity_id.asc()))
                .select(ActivityRow::as_select())
                .load::<ActivityRow>(conn)?
                .into_iter()
                .map(ActivityRow::into_activity)
                .collect()
        })
    }
}
