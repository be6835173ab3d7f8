//! Plan status for a whole roster page in one query.

use super::rows::{date_text, parse_date};
use crate::DbConn;
use crate::error::{StoreError, parse};
use crate::schema::{plan_assignments, training_plans};
use chrono::NaiveDate;
use diesel::prelude::*;
use roster_domain::plans::{CurrentPlan, current_week, end_date};
use roster_domain::{OrgId, UserId};
use std::collections::HashMap;

/// For each of `user_ids` that has any: the plan they are in on `today` (a
/// date in the organization's time zone) and how many upcoming plans they
/// have. One query for the whole page; users with neither are absent.
pub fn training_plans_status(
    conn: &mut DbConn,
    org_id: OrgId,
    user_ids: &[UserId],
    today: NaiveDate,
) -> Result<HashMap<UserId, (Option<CurrentPlan>, i64)>, StoreError> {
    Ok(plan_summaries(conn, org_id, user_ids, today)?
        .into_iter()
        .map(|(user, (current, upcoming))| (user, (current.map(|(plan, _)| plan), upcoming)))
        .collect())
}

/// As [`training_plans_status`], with the last day of each current plan (the
/// attention signals need it). One query.
pub(crate) fn plan_summaries(
    conn: &mut DbConn,
    org_id: OrgId,
    user_ids: &[UserId],
    today: NaiveDate,
) -> Result<HashMap<UserId, PlanSummary>, StoreError> {
    let mut out: HashMap<UserId, PlanSummary> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = user_ids.iter().map(ToString::to_string).collect();
    type Row = (String, String, String, i32, String);
    let rows: Vec<Row> = plan_assignments::table
        .inner_join(training_plans::table)
        .filter(plan_assignments::org_id.eq(org_id.to_string()))
        .filter(plan_assignments::user_id.eq_any(ids))
        .filter(plan_assignments::cancelled_at.is_null())
        .filter(plan_assignments::end_date.ge(date_text(today)))
        .select((
            plan_assignments::user_id,
            plan_assignments::assignment_id,
            plan_assignments::start_date,
            plan_assignments::total_weeks,
            training_plans::name,
        ))
        .load(conn)?;
    for (user_id, assignment_id, start, weeks, name) in rows {
        let user: UserId = parse("plan_assignments.user_id", user_id.parse())?;
        let start = parse_date("plan_assignments.start_date", &start)?;
        let weeks = parse("plan_assignments.total_weeks", u32::try_from(weeks))?;
        let entry = out.entry(user).or_insert((None, 0));
        match current_week(start, weeks, today) {
            Some(week) => {
                let plan = CurrentPlan {
                    assignment_id: parse("plan_assignments.assignment_id", assignment_id.parse())?,
                    plan_name: name,
                    current_week: week,
                    total_weeks: weeks,
                };
                entry.0 = Some((plan, end_date(start, weeks)));
            }
            None => entry.1 += 1,
        }
    }
    Ok(out)
}

/// An athlete's current plan with its last day, and how many plans start later.
pub(crate) type PlanSummary = (Option<(CurrentPlan, NaiveDate)>, i64);
