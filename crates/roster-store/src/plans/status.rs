//! Plan status for a whole roster page in one query.

use super::rows::{date_text, parse_date};
use crate::DbConn;
use crate::error::{StoreError, parse};
use crate::schema::{plan_assignments, training_plans};
use chrono::NaiveDate;
use diesel::prelude::*;
use roster_domain::plans::{CurrentPlan, current_week};
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
    let mut out: HashMap<UserId, (Option<CurrentPlan>, i64)> = HashMap::new();
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
                entry.0 = Some(CurrentPlan {
                    assignment_id: parse("plan_assignments.assignment_id", assignment_id.parse())?,
                    plan_name: name,
                    current_week: week,
                    total_weeks: weeks,
                });
            }
            None => entry.1 += 1,
        }
    }
    Ok(out)
}
