//! Plan and assignment rows.

use crate::error::{StoreError, parse};
use crate::rows::{author_from_db, author_to_db, from_db, to_db};
use crate::schema::{plan_assignments, training_plans};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use roster_domain::plans::{PlanAssignment, PlanContent, PlanName, TrainingPlan, Workout};
use roster_domain::values::Description;

/// A calendar date as stored: `YYYY-MM-DD`, which sorts and compares as the date does.
pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_date(what: &str, s: &str) -> Result<NaiveDate, StoreError> {
    parse(what, NaiveDate::parse_from_str(s, "%Y-%m-%d"))
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = training_plans, treat_none_as_null = true)]
pub(crate) struct PlanRow {
    pub plan_id: String,
    pub org_id: String,
    pub name: String,
    pub description: String,
    pub sport: String,
    pub level: Option<String>,
    pub duration_weeks: i32,
    pub workouts: String,
    /// The account that wrote it; `None` when an API key did.
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub archived_at: Option<NaiveDateTime>,
    pub version: i64,
    /// The API key that wrote it, if one did.
    pub created_by_key_id: Option<String>,
}

impl PlanRow {
    pub(crate) fn new(p: &TrainingPlan) -> Result<Self, StoreError> {
        let (created_by, created_by_key_id) = author_to_db(p.created_by, p.created_by_key);
        Ok(Self {
            plan_id: p.plan_id.to_string(),
            org_id: p.org_id.to_string(),
            name: p.content.name.as_str().to_owned(),
            description: p.content.description.as_str().to_owned(),
            sport: p.content.sport.as_str().to_owned(),
            level: p.content.level.map(|l| l.as_str().to_owned()),
            duration_weeks: i32::try_from(p.content.duration_weeks).unwrap_or(i32::MAX),
            workouts: serde_json::to_string(&p.content.workouts)
                .map_err(|e| StoreError::Corrupt(format!("workouts: {e}")))?,
            created_by,
            created_at: to_db(p.created_at),
            updated_at: to_db(p.updated_at),
            archived_at: p.archived_at.map(to_db),
            version: p.version,
            created_by_key_id,
        })
    }

    pub(crate) fn into_plan(self) -> Result<TrainingPlan, StoreError> {
        let workouts: Vec<Workout> = parse("training_plans.workouts", serde_json::from_str(&self.workouts))?;
        let content = PlanContent::new(
            parse("training_plans.name", PlanName::parse(&self.name))?,
            parse("training_plans.description", Description::parse(&self.description))?,
            parse("training_plans.sport", self.sport.parse())?,
            self.level.map(|l| parse("training_plans.level", l.parse())).transpose()?,
            i64::from(self.duration_weeks),
            workouts,
        )
        .map_err(|e| StoreError::Corrupt(format!("training_plans: {e}")))?;
        let (created_by, created_by_key) =
            author_from_db("training_plans.created_by", self.created_by, self.created_by_key_id)?;
        Ok(TrainingPlan {
            plan_id: parse("training_plans.plan_id", self.plan_id.parse())?,
            org_id: parse("training_plans.org_id", self.org_id.parse())?,
            content,
            created_by,
            created_by_key,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            archived_at: self.archived_at.map(from_db),
            version: self.version,
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_assignments)]
pub(crate) struct AssignmentRow {
    pub assignment_id: String,
    pub org_id: String,
    pub plan_id: String,
    pub user_id: String,
    pub start_date: String,
    pub end_date: String,
    pub total_weeks: i32,
    pub cancelled_at: Option<NaiveDateTime>,
    /// The account that assigned it; `None` when an API key did.
    pub assigned_by: Option<String>,
    pub assigned_at: NaiveDateTime,
    /// The API key that assigned it, if one did.
    pub assigned_by_key_id: Option<String>,
}

impl AssignmentRow {
    pub(crate) fn new(a: &PlanAssignment) -> Self {
        let (assigned_by, assigned_by_key_id) = author_to_db(a.assigned_by, a.assigned_by_key);
        Self {
            assignment_id: a.assignment_id.to_string(),
            org_id: a.org_id.to_string(),
            plan_id: a.plan_id.to_string(),
            user_id: a.user_id.to_string(),
            start_date: date_text(a.start_date),
            end_date: date_text(a.end_date()),
            total_weeks: i32::try_from(a.total_weeks).unwrap_or(i32::MAX),
            cancelled_at: a.cancelled_at.map(to_db),
            assigned_by,
            assigned_at: to_db(a.assigned_at),
            assigned_by_key_id,
        }
    }

    pub(crate) fn into_assignment(self, plan_name: String) -> Result<PlanAssignment, StoreError> {
        let (assigned_by, assigned_by_key) =
            author_from_db("plan_assignments.assigned_by", self.assigned_by, self.assigned_by_key_id)?;
        Ok(PlanAssignment {
            assignment_id: parse("plan_assignments.assignment_id", self.assignment_id.parse())?,
            org_id: parse("plan_assignments.org_id", self.org_id.parse())?,
            plan_id: parse("plan_assignments.plan_id", self.plan_id.parse())?,
            plan_name,
            user_id: parse("plan_assignments.user_id", self.user_id.parse())?,
            start_date: parse_date("plan_assignments.start_date", &self.start_date)?,
            total_weeks: parse("plan_assignments.total_weeks", u32::try_from(self.total_weeks))?,
            cancelled_at: self.cancelled_at.map(from_db),
            assigned_by,
            assigned_by_key,
            assigned_at: from_db(self.assigned_at),
        })
    }
}
