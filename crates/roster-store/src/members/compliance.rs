//! Recent compliance for a set of athletes in a fixed number of queries:
//! their live plan assignments that reach the 28-day window, the plans'
//! workouts, the coaches' adjustments and the activities of the window (the
//! last three only when an assignment reaches it). The rules are the
//! calendar's ([`roster_domain::calendar::recent_compliance`]).

use crate::calendar::AdjustmentRow;
use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::plans::rows::{date_text, parse_date};
use crate::rows::{from_db, to_db};
use crate::schema::{activities, plan_assignments, training_plans, workout_adjustments};
use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use roster_domain::athlete::weekly::start_of_day;
use roster_domain::calendar::{
    Adjustments, AssignmentSchedule, Bands, DayActivity, RECENT_DAYS, RecentCompliance, ScheduledWorkout, lay_out,
    plan_in_window, recent_compliance, window_start,
};
use roster_domain::plans::Workout;
use roster_domain::values::Timezone;
use roster_domain::{AssignmentId, OrgId, Sport, UserId};
use std::collections::HashMap;

/// An assignment row: user, assignment, plan, start date, weeks.
type AssignmentRow = (String, String, String, String, i32);

/// The compliance of each of `user_ids` (live athletes of `org_id`) over the
/// 28 days ending `today`; athletes without one are left out.
pub(crate) fn recent_compliances(
    conn: &mut DbConn,
    org_id: OrgId,
    user_ids: &[UserId],
    timezone: &Timezone,
    today: NaiveDate,
    bands: Bands,
) -> Result<HashMap<UserId, RecentCompliance>, StoreError> {
    let mut out = HashMap::new();
    let from = window_start(today, RECENT_DAYS);
    let ids: Vec<String> = user_ids.iter().map(ToString::to_string).collect();
    // An assignment ending before the window can reach it only by a moved
    // workout, which `reaches_window` leaves out: its end date bounds the read.
    let earliest_end = date_text(from);
    let rows: Vec<AssignmentRow> = plan_assignments::table
        .filter(plan_assignments::org_id.eq(org_id.to_string()))
        .filter(plan_assignments::user_id.eq_any(&ids))
        .filter(plan_assignments::cancelled_at.is_null())
        .filter(plan_assignments::end_date.ge(earliest_end))
        .select((
            plan_assignments::user_id,
            plan_assignments::assignment_id,
            plan_assignments::plan_id,
            plan_assignments::start_date,
            plan_assignments::total_weeks,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(out);
    }
    let plan_ids: Vec<&String> = {
        let mut ids: Vec<&String> = rows.iter().map(|r| &r.2).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut plans: HashMap<String, (Sport, Vec<Workout>)> = HashMap::new();
    let plan_rows: Vec<(String, String, String)> = training_plans::table
        .filter(training_plans::plan_id.eq_any(&plan_ids))
        .select((training_plans::plan_id, training_plans::sport, training_plans::workouts))
        .load(conn)?;
    for (plan_id, sport, workouts) in plan_rows {
        let sport: Sport = parse("training_plans.sport", sport.parse())?;
        let workouts: Vec<Workout> = parse("training_plans.workouts", serde_json::from_str(&workouts))?;
        plans.insert(plan_id, (sport, workouts));
    }
    let with_plans: Vec<&String> = {
        let mut ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let mut adjustments: HashMap<String, Adjustments> = HashMap::new();
    let adjustment_rows: Vec<AdjustmentRow> = workout_adjustments::table
        .filter(workout_adjustments::org_id.eq(org_id.to_string()))
        .filter(workout_adjustments::user_id.eq_any(&with_plans))
        .select(AdjustmentRow::as_select())
        .load(conn)?;
    for row in adjustment_rows {
        let user = row.user_id.clone();
        let a = row.into_adjustment()?;
        adjustments.entry(user).or_default().insert((a.assignment_id, a.workout_index), a);
    }
    let tz = timezone.tz();
    let next = today.checked_add_days(Days::new(1)).unwrap_or(today);
    type ActivityRow = (String, String, String, chrono::NaiveDateTime, f64, i64);
    let activity_rows: Vec<ActivityRow> = activities::table
        .filter(activities::user_id.eq_any(&with_plans))
        .filter(activities::start_time.ge(to_db(start_of_day(tz, from))))
        .filter(activities::start_time.lt(to_db(start_of_day(tz, next))))
        .select((
            activities::user_id,
            activities::activity_id,
            activities::sport,
            activities::start_time,
            activities::distance_m,
            activities::duration_s,
        ))
        .load(conn)?;
    let mut done: HashMap<String, Vec<DayActivity>> = HashMap::new();
    for (user, id, sport, start, distance_m, duration_s) in activity_rows {
        done.entry(user).or_default().push(DayActivity {
            activity_id: parse("activities.activity_id", id.parse())?,
            sport: parse("activities.sport", sport.parse())?,
            date: timezone.today(from_db(start)),
            distance_m,
            duration_s,
        });
    }
    let mut per_user: HashMap<&String, (bool, Vec<ScheduledWorkout>)> = HashMap::new();
    let no_adjustments = Adjustments::new();
    for (user, assignment_id, plan_id, start, weeks) in &rows {
        let Some((sport, workouts)) = plans.get(plan_id) else { continue };
        let start = parse_date("plan_assignments.start_date", start)?;
        let weeks = parse("plan_assignments.total_weeks", u32::try_from(*weeks))?;
        let assignment_id: AssignmentId = parse("plan_assignments.assignment_id", assignment_id.parse())?;
        let schedule =
            AssignmentSchedule { assignment_id, start_date: start, total_weeks: weeks, sport: *sport, workouts };
        let entry = per_user.entry(user).or_default();
        entry.0 |= plan_in_window(start, weeks, today);
        let adjustments = adjustments.get(user).unwrap_or(&no_adjustments);
        entry.1.extend(lay_out(schedule, adjustments).iter().map(|w| w.scheduled(assignment_id, *sport)));
    }
    for (user, (any, workouts)) in per_user {
        let acts = done.get(user).map(Vec::as_slice).unwrap_or_default();
        if let Some(recent) = recent_compliance(&workouts, acts, today, bands, any) {
            out.insert(parse("plan_assignments.user_id", user.parse())?, recent);
        }
    }
    Ok(out)
}
