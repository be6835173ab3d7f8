//! The export's reads. Each document holds the account's own data only:
//! another account appears at most as "a coach" or "another account", never
//! by id, name or e-mail.

use crate::DbConn;
use crate::error::StoreError;
use crate::rows::from_db;
use crate::schema::{
    activities, athlete_zones, audit_events, integrations, member_labels, memberships, organizations, plan_assignments,
    race_goals, training_plans, users, workout_adjustments,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use roster_domain::privacy::{ExportDocument, ExportPage, ExportRows};
use serde_json::{Value, json};

fn ts(t: NaiveDateTime) -> Value {
    json!(from_db(t))
}

fn opt_ts(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Null, ts)
}

/// Stored JSON text as JSON (as text if it does not parse).
fn json_text(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

pub(super) fn documents(conn: &mut DbConn, user_id: &str) -> Result<Vec<ExportDocument>, StoreError> {
    Ok(vec![
        ExportDocument { name: "account.json", body: account(conn, user_id)? },
        ExportDocument { name: "memberships.json", body: memberships_of(conn, user_id)? },
        ExportDocument { name: "plan_assignments.json", body: assignments(conn, user_id)? },
        ExportDocument { name: "race_goals.json", body: race_goals_of(conn, user_id)? },
        ExportDocument { name: "zones.json", body: zones(conn, user_id)? },
        ExportDocument { name: "integrations.json", body: integrations_of(conn, user_id)? },
    ])
}

fn account(conn: &mut DbConn, user_id: &str) -> Result<Value, StoreError> {
    let (email, first, last, verified, created): (String, String, Option<String>, bool, NaiveDateTime) = users::table
        .find(user_id)
        .select((users::email, users::first_name, users::last_name, users::email_verified, users::created_at))
        .first(conn)?;
    Ok(json!({"user_id": user_id, "email": email, "first_name": first, "last_name": last,
        "email_verified": verified, "created_at": ts(created)}))
}

type MembershipExportRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn memberships_of(conn: &mut DbConn, user_id: &str) -> Result<Value, StoreError> {
    let rows: Vec<MembershipExportRow> = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .order(memberships::joined_at.asc())
        .select((
            memberships::membership_id,
            memberships::org_id,
            organizations::name,
            memberships::role,
            memberships::status,
            memberships::display_name,
            memberships::member_level,
            memberships::private_notes.is_not_null(),
            memberships::assigned_to_coach_id.is_not_null(),
            memberships::joined_at,
            memberships::removed_at,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, org_id, org_name, role, status, display_name, level, notes, coached, joined, removed) in rows {
        let labels: Vec<String> = member_labels::table
            .filter(member_labels::membership_id.eq(&id))
            .order(member_labels::label.asc())
            .select(member_labels::label)
            .load(conn)?;
        out.push(json!({
            "org_id": org_id, "organization": org_name, "role": role, "joined_at": ts(joined),
            "removed_at": opt_ts(removed),
            "organization_attributes": {"display_name": display_name, "member_level": level, "status": status,
                "labels": labels},
            "has_assigned_coach": coached,
            "coach_holds_private_notes": notes,
        }));
    }
    Ok(Value::Array(out))
}

type AssignmentExportRow = (
    String,
    String,
    String,
    String,
    i32,
    Option<NaiveDateTime>,
    NaiveDateTime,
    (String, String, String, String, Option<String>, i32, String),
);

fn assignments(conn: &mut DbConn, user_id: &str) -> Result<Value, StoreError> {
    let rows: Vec<AssignmentExportRow> = plan_assignments::table
        .inner_join(training_plans::table)
        .filter(plan_assignments::user_id.eq(user_id))
        .order(plan_assignments::start_date.asc())
        .select((
            plan_assignments::assignment_id,
            plan_assignments::org_id,
            plan_assignments::start_date,
            plan_assignments::end_date,
            plan_assignments::total_weeks,
            plan_assignments::cancelled_at,
            plan_assignments::assigned_at,
            (
                training_plans::plan_id,
                training_plans::name,
                training_plans::description,
                training_plans::sport,
                training_plans::level,
                training_plans::duration_weeks,
                training_plans::workouts,
            ),
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, org_id, start, end, weeks, cancelled, assigned, plan) in rows {
        type AdjustmentRow = (i32, i32, i32, Option<String>, Option<String>, Option<NaiveDateTime>);
        let adjustments: Vec<AdjustmentRow> = workout_adjustments::table
            .filter(workout_adjustments::assignment_id.eq(&id))
            .order(workout_adjustments::workout_index.asc())
            .select((
                workout_adjustments::workout_index,
                workout_adjustments::week,
                workout_adjustments::day,
                workout_adjustments::moved_to,
                workout_adjustments::excuse_reason,
                workout_adjustments::excused_at,
            ))
            .load(conn)?;
        let (plan_id, name, description, sport, level, duration_weeks, workouts) = plan;
        out.push(json!({
            "assignment_id": id, "org_id": org_id, "start_date": start, "end_date": end, "total_weeks": weeks,
            "cancelled_at": opt_ts(cancelled), "assigned_at": ts(assigned),
            "plan": {"plan_id": plan_id, "name": name, "description": description, "sport": sport, "level": level,
                "duration_weeks": duration_weeks, "workouts": json_text(workouts)},
            "workout_adjustments": adjustments.into_iter().map(|(index, week, day, moved_to, reason, at)| json!({
                "workout_index": index, "week": week, "day": day, "moved_to": moved_to, "excuse_reason": reason,
                "excused_at": opt_ts(at)})).collect::<Vec<_>>(),
        }));
    }
    Ok(Value::Array(out))
}

fn race_goals_of(conn: &mut DbConn, user_id: &str) -> Result<Value, StoreError> {
    type GoalRow = (String, String, NaiveDate, f64, Option<i64>, NaiveDateTime, NaiveDateTime);
    let rows: Vec<GoalRow> = race_goals::table
        .filter(race_goals::user_id.eq(user_id))
        .order(race_goals::race_date.asc())
        .select((
            race_goals::race_goal_id,
            race_goals::race_name,
            race_goals::race_date,
            race_goals::distance_m,
            race_goals::goal_time_s,
            race_goals::created_at,
            race_goals::updated_at,
        ))
        .load(conn)?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|(id, name, date, distance, goal, created, updated)| {
                json!({"race_goal_id": id, "race_name": name, "race_date": date, "distance_m": distance,
                    "goal_time_s": goal, "created_at": ts(created), "updated_at": ts(updated)})
            })
            .collect(),
    ))
}

fn zones(conn: &mut DbConn, user_id: &str) -> Result<Value, StoreError> {
    let row: Option<(String, NaiveDateTime)> = athlete_zones::table
        .find(user_id)
        .select((athlete_zones::settings, athlete_zones::updated_at))
        .first(conn)
        .optional()?;
    Ok(row
        .map_or(Value::Null, |(settings, updated)| json!({"settings": json_text(settings), "updated_at": ts(updated)})))
}

fn integrations_of(conn: &mut DbConn, user_id: &str) -> Result<Value, StoreError> {
    type IntegrationRow = (String, String, Option<NaiveDateTime>, Option<NaiveDateTime>, Option<String>, NaiveDateTime);
    // Only what the table holds: roster stores no provider tokens.
    let rows: Vec<IntegrationRow> = integrations::table
        .filter(integrations::user_id.eq(user_id))
        .order(integrations::provider.asc())
        .select((
            integrations::provider,
            integrations::status,
            integrations::connected_at,
            integrations::last_sync_at,
            integrations::external_athlete_id,
            integrations::updated_at,
        ))
        .load(conn)?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|(provider, status, connected, synced, external, updated)| {
                json!({"provider": provider, "status": status, "connected_at": opt_ts(connected),
                    "last_sync_at": opt_ts(synced), "external_athlete_id": external, "updated_at": ts(updated)})
            })
            .collect(),
    ))
}

pub(super) fn page(
    conn: &mut DbConn,
    user_id: &str,
    kind: ExportRows,
    after: Option<&str>,
    limit: i64,
) -> Result<ExportPage, StoreError> {
    let after = after.unwrap_or("");
    let (rows, next) = match kind {
        ExportRows::Activities => activities_page(conn, user_id, after, limit)?,
        ExportRows::AuditEvents => audit_page(conn, user_id, after, limit)?,
    };
    Ok(ExportPage { next: if rows.len() as i64 == limit { next } else { None }, rows })
}

type ActivityExportRow = (
    String,
    String,
    NaiveDateTime,
    f64,
    i64,
    Option<f64>,
    Option<i32>,
    Option<String>,
    String,
    Option<String>,
    NaiveDateTime,
);

fn activities_page(
    conn: &mut DbConn,
    user_id: &str,
    after: &str,
    limit: i64,
) -> Result<(Vec<Value>, Option<String>), StoreError> {
    let rows: Vec<ActivityExportRow> = activities::table
        .filter(activities::user_id.eq(user_id))
        .filter(activities::activity_id.gt(after))
        .order(activities::activity_id.asc())
        .limit(limit)
        .select((
            activities::activity_id,
            activities::sport,
            activities::start_time,
            activities::distance_m,
            activities::duration_s,
            activities::elevation_gain_m,
            activities::avg_hr,
            activities::title,
            activities::source,
            activities::external_id,
            activities::created_at,
        ))
        .load(conn)?;
    let next = rows.last().map(|r| r.0.clone());
    let rows = rows
        .into_iter()
        .map(|(id, sport, start, distance, duration, elevation, hr, title, source, external, created)| {
            json!({"activity_id": id, "sport": sport, "start_time": ts(start), "distance_m": distance,
                "duration_s": duration, "elevation_gain_m": elevation, "avg_hr": hr, "title": title,
                "source": source, "external_id": external, "created_at": ts(created)})
        })
        .collect();
    Ok((rows, next))
}

/// Events where the account is the actor or the subject. An event about
/// another account (the account as a coach acting on an athlete) is listed
/// without its details and without that account: they are someone else's data.
fn audit_page(
    conn: &mut DbConn,
    user_id: &str,
    after: &str,
    limit: i64,
) -> Result<(Vec<Value>, Option<String>), StoreError> {
    type EventRow = (String, String, String, String, Option<String>, String, NaiveDateTime);
    let rows: Vec<EventRow> = audit_events::table
        .filter(audit_events::actor_user_id.eq(user_id).or(audit_events::subject_user_id.eq(user_id)))
        .filter(audit_events::event_id.gt(after))
        .order(audit_events::event_id.asc())
        .limit(limit)
        .select((
            audit_events::event_id,
            audit_events::org_id,
            audit_events::action,
            audit_events::actor_user_id,
            audit_events::subject_user_id,
            audit_events::changes,
            audit_events::created_at,
        ))
        .load(conn)?;
    let next = rows.last().map(|r| r.0.clone());
    let mut details: Vec<Value> = rows
        .iter()
        .map(|r| if r.4.as_deref() == Some(user_id) { json_text(r.5.clone()) } else { Value::Null })
        .collect();
    hide_other_accounts(conn, user_id, &mut details)?;
    let rows = rows
        .into_iter()
        .zip(details)
        .map(|((id, org_id, action, actor, subject, _, at), changes)| {
            let subject = match subject {
                Some(s) if s == user_id => json!("you"),
                Some(_) => json!("another account"),
                None => Value::Null,
            };
            json!({"event_id": id, "org_id": org_id, "action": action,
                "actor": if actor == user_id { "you" } else { "another account" },
                "subject": subject, "changes": changes, "created_at": ts(at)})
        })
        .collect();
    Ok((rows, next))
}

/// Replaces, in the details, every id of another account (a coach assigned,
/// ...) with "another account".
fn hide_other_accounts(conn: &mut DbConn, user_id: &str, details: &mut [Value]) -> Result<(), StoreError> {
    fn texts<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) if s.len() == 36 => out.push(s),
            Value::Array(items) => items.iter().for_each(|i| texts(i, out)),
            Value::Object(map) => map.values().for_each(|i| texts(i, out)),
            _ => {}
        }
    }
    fn replace(v: &mut Value, others: &[String]) {
        match v {
            Value::String(s) if others.contains(s) => *v = json!("another account"),
            Value::Array(items) => items.iter_mut().for_each(|i| replace(i, others)),
            Value::Object(map) => map.values_mut().for_each(|i| replace(i, others)),
            _ => {}
        }
    }
    let mut candidates = Vec::new();
    details.iter().for_each(|d| texts(d, &mut candidates));
    if candidates.is_empty() {
        return Ok(());
    }
    let others: Vec<String> = users::table
        .filter(users::user_id.eq_any(&candidates))
        .filter(users::user_id.ne(user_id))
        .select(users::user_id)
        .load(conn)?;
    details.iter_mut().for_each(|d| replace(d, &others));
    Ok(())
}
