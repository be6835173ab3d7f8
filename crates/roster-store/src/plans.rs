//! Training plans and plan assignments: `PlanRepo` and `AssignmentRepo`, the
//! in-transaction assignment rule shared with group assignment and joining,
//! and the batch read of plan status for a roster page.

pub(crate) mod rows;
mod status;

pub(crate) use status::plan_summaries;
pub use status::training_plans_status;

use crate::dialect::lock_member;
use crate::error::{StoreError, parse};
use crate::rows::{insert_event, to_db};
use crate::schema::{organizations, plan_assignments, training_plans};
use crate::{DbConn, Store};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use roster_domain::entities::AuditEvent;
use roster_domain::plans::{AssignmentRepo, PlanAssignment, PlanChoice, PlanFilter, PlanRepo, TrainingPlan};
use roster_domain::values::Timezone;
use roster_domain::{AssignmentId, Conflict, DomainError, OrgId, PlanId, RepoError, UserId};
pub(crate) use rows::{AssignmentRow, PlanRow, date_text, parse_date};

diesel::define_sql_function!(
    /// SQL `lower(text)`, the same on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// Today in the organization's time zone (read inside the caller's transaction).
pub(crate) fn org_today(conn: &mut DbConn, org_id: &str, now: DateTime<Utc>) -> Result<NaiveDate, StoreError> {
    Ok(org_timezone(conn, org_id)?.today(now))
}

/// The organization's time zone. One query.
pub(crate) fn org_timezone(conn: &mut DbConn, org_id: &str) -> Result<Timezone, StoreError> {
    let tz: String = organizations::table.find(org_id).select(organizations::timezone).first(conn)?;
    crate::error::parse("organizations.timezone", Timezone::parse(&tz))
}

/// What trying to assign found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AssignOutcome {
    /// Inserted.
    Assigned,
    /// The same plan with the same start date is already assigned (not cancelled).
    AlreadyAssigned,
}

/// Inserts `a` after the rules that must hold at commit: the plan is not
/// archived (`PlanArchived`) and no other assignment that is not cancelled
/// shares a day (`Conflict::PlanAssignmentOverlap`). With `idempotent`, an
/// identical assignment counts as done. Call inside a write transaction.
pub(crate) fn insert_assignment(
    conn: &mut DbConn,
    a: &PlanAssignment,
    idempotent: bool,
) -> Result<AssignOutcome, StoreError> {
    let (org, user, plan) = (a.org_id.to_string(), a.user_id.to_string(), a.plan_id.to_string());
    lock_member(conn, &org, &user)?;
    let archived: Option<Option<chrono::NaiveDateTime>> = training_plans::table
        .filter(training_plans::org_id.eq(&org))
        .filter(training_plans::plan_id.eq(&plan))
        .select(training_plans::archived_at)
        .first(conn)
        .optional()?;
    match archived {
        None => return Err(DomainError::NotFound("training plan").into()),
        Some(Some(_)) => return Err(DomainError::PlanArchived.into()),
        Some(None) => {}
    }
    let (start, end) = (date_text(a.start_date), date_text(a.end_date()));
    let overlapping: Vec<(String, String)> = plan_assignments::table
        .filter(plan_assignments::org_id.eq(&org))
        .filter(plan_assignments::user_id.eq(&user))
        .filter(plan_assignments::cancelled_at.is_null())
        .filter(plan_assignments::start_date.le(&end))
        .filter(plan_assignments::end_date.ge(&start))
        .select((plan_assignments::plan_id, plan_assignments::start_date))
        .load(conn)?;
    if idempotent && overlapping.len() == 1 && overlapping[0] == (plan.clone(), start.clone()) {
        return Ok(AssignOutcome::AlreadyAssigned);
    }
    if !overlapping.is_empty() {
        return Err(Conflict::PlanAssignmentOverlap.into());
    }
    diesel::insert_into(plan_assignments::table).values(AssignmentRow::new(a)).execute(conn)?;
    Ok(AssignOutcome::Assigned)
}

/// The account's assignments in the organization that are not cancelled,
/// read inside a transaction.
pub(crate) fn live_assignments(
    conn: &mut DbConn,
    org_id: &str,
    user_id: &str,
) -> Result<Vec<PlanAssignment>, StoreError> {
    plan_assignments::table
        .inner_join(training_plans::table)
        .filter(plan_assignments::org_id.eq(org_id))
        .filter(plan_assignments::user_id.eq(user_id))
        .filter(plan_assignments::cancelled_at.is_null())
        .order((plan_assignments::start_date.asc(), plan_assignments::assignment_id.asc()))
        .select((AssignmentRow::as_select(), training_plans::name))
        .load::<(AssignmentRow, String)>(conn)?
        .into_iter()
        .map(|(row, name)| row.into_assignment(name))
        .collect()
}

/// A plan of the organization, read inside a transaction.
pub(crate) fn plan_in(conn: &mut DbConn, org_id: &str, plan_id: &str) -> Result<Option<TrainingPlan>, StoreError> {
    training_plans::table
        .filter(training_plans::org_id.eq(org_id))
        .filter(training_plans::plan_id.eq(plan_id))
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?
        .map(PlanRow::into_plan)
        .transpose()
}

/// The library's plans that match `filter`, in id order, at most `limit + 1`.
fn library(
    org_id: OrgId,
    filter: &PlanFilter,
) -> training_plans::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend> {
    let org = org_id.to_string();
    let mut query = training_plans::table
        .filter(training_plans::org_id.eq(org.clone()))
        .order(training_plans::plan_id.asc())
        .limit(i64::from(filter.limit) + 1)
        .into_boxed();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(lower(training_plans::name).like(pattern).escape('\\'));
    }
    if let Some(sport) = filter.sport {
        query = query.filter(training_plans::sport.eq(sport.as_str()));
    }
    if !filter.include_archived {
        query = query.filter(training_plans::archived_at.is_null());
    }
    if let Some(user) = filter.assigned_to {
        let assigned = plan_assignments::table
            .filter(plan_assignments::org_id.eq(org))
            .filter(plan_assignments::user_id.eq(user.to_string()))
            .filter(plan_assignments::cancelled_at.is_null())
            .select(plan_assignments::plan_id);
        query = query.filter(training_plans::plan_id.eq_any(assigned));
    }
    if let Some(after) = filter.after {
        query = query.filter(training_plans::plan_id.gt(after.to_string()));
    }
    query
}

impl PlanRepo for Store {
    fn insert_plan(&self, plan: &TrainingPlan, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            diesel::insert_into(training_plans::table).values(PlanRow::new(plan)?).execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn plan(&self, org_id: OrgId, plan_id: PlanId) -> Result<Option<TrainingPlan>, RepoError> {
        self.with(|conn| plan_in(conn, &org_id.to_string(), &plan_id.to_string()))
    }

    fn plans(&self, org_id: OrgId, filter: &PlanFilter) -> Result<Vec<TrainingPlan>, RepoError> {
        self.with(|conn| {
            let rows: Vec<PlanRow> = library(org_id, filter).select(PlanRow::as_select()).load(conn)?;
            rows.into_iter().map(PlanRow::into_plan).collect()
        })
    }

    fn plan_names(&self, org_id: OrgId, filter: &PlanFilter) -> Result<Vec<PlanChoice>, RepoError> {
        self.with(|conn| {
            let rows: Vec<(String, String)> =
                library(org_id, filter).select((training_plans::plan_id, training_plans::name)).load(conn)?;
            rows.into_iter()
                .map(|(plan_id, name)| {
                    Ok(PlanChoice { plan_id: parse("training_plans.plan_id", plan_id.parse())?, name })
                })
                .collect()
        })
    }

    fn update_plan(&self, plan: &TrainingPlan, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            let updated = diesel::update(
                training_plans::table
                    .filter(training_plans::plan_id.eq(plan.plan_id.to_string()))
                    .filter(training_plans::org_id.eq(plan.org_id.to_string()))
                    .filter(training_plans::version.eq(expected_version)),
            )
            .set(PlanRow::new(plan)?)
            .execute(conn)?;
            if updated == 0 {
                return Err(Conflict::VersionMismatch.into());
            }
            insert_event(conn, event)
        })
    }
}

impl AssignmentRepo for Store {
    fn assign(&self, assignment: &PlanAssignment, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            insert_assignment(conn, assignment, false)?;
            insert_event(conn, event)
        })
    }

    fn assignments_of(&self, org_id: OrgId, user_id: UserId) -> Result<Vec<PlanAssignment>, RepoError> {
        self.with(|conn| {
            plan_assignments::table
                .inner_join(training_plans::table)
                .filter(plan_assignments::org_id.eq(org_id.to_string()))
                .filter(plan_assignments::user_id.eq(user_id.to_string()))
                .order((plan_assignments::start_date.desc(), plan_assignments::assignment_id.desc()))
                .select((AssignmentRow::as_select(), training_plans::name))
                .load::<(AssignmentRow, String)>(conn)?
                .into_iter()
                .map(|(row, name)| row.into_assignment(name))
                .collect()
        })
    }

    fn cancel_assignment(
        &self,
        org_id: OrgId,
        user_id: UserId,
        assignment_id: AssignmentId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<bool, RepoError> {
        self.tx(|conn| {
            let target = plan_assignments::table
                .filter(plan_assignments::assignment_id.eq(assignment_id.to_string()))
                .filter(plan_assignments::org_id.eq(org_id.to_string()))
                .filter(plan_assignments::user_id.eq(user_id.to_string()));
            let found: Option<Option<chrono::NaiveDateTime>> =
                target.clone().select(plan_assignments::cancelled_at).first(conn).optional()?;
            match found {
                None => Ok(false),
                Some(Some(_)) => Ok(true),
                Some(None) => {
                    diesel::update(target).set(plan_assignments::cancelled_at.eq(Some(to_db(at)))).execute(conn)?;
                    insert_event(conn, event)?;
                    Ok(true)
                }
            }
        })
    }
}
