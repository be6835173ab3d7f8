//! The key-author migrations (2026-12-09-0001xx) on a database with rows
//! written before them: every row keeps its account author (the key column
//! empty), SQLite's rebuilt tables keep every index and trigger, and the
//! triggers still fire; both backends.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use roster_store::DbConn;
use roster_store::schema::{
    activities, attention_acknowledgements, group_plan_enrollments, member_statuses, memberships, plan_assignments,
    training_plans, workout_adjustments,
};
use roster_store::testing::{Backend, TestDb};

const BEFORE: &str = "20261209000100";
/// The first migration after the three.
const AFTER: &str = "20261209000400";
const T: &str = "'2026-01-01 00:00:00'";

fn fixture() -> String {
    format!(
        "INSERT INTO users (user_id, email, password_hash, first_name, email_verified, created_at, updated_at)
            VALUES ('u1', 'a@x.test', 'h', 'A', FALSE, {T}, {T}), ('u2', 'b@x.test', 'h', 'B', FALSE, {T}, {T});
        INSERT INTO organizations (org_id, name, timezone, created_at, updated_at, version)
            VALUES ('o1', 'Club', 'UTC', {T}, {T}, 1);
        INSERT INTO memberships (membership_id, org_id, user_id, role, status, joined_at, updated_at, version)
            VALUES ('m2', 'o1', 'u2', 'athlete', 'active', {T}, {T}, 1);
        INSERT INTO org_groups (group_id, org_id, name, created_at, updated_at, version)
            VALUES ('g1', 'o1', 'G', {T}, {T}, 1);
        INSERT INTO training_plans (plan_id, org_id, name, sport, duration_weeks, workouts, created_by, created_at,
            updated_at, version) VALUES ('p1', 'o1', 'Base', 'run', 2, '[]', 'u1', {T}, {T}, 1);
        INSERT INTO plan_assignments (assignment_id, org_id, plan_id, user_id, start_date, end_date, total_weeks,
            assigned_by, assigned_at) VALUES ('a1', 'o1', 'p1', 'u2', '2026-01-05', '2026-01-18', 2, 'u1', {T});
        INSERT INTO group_plan_enrollments (enrollment_id, org_id, group_id, plan_id, start_date, created_by,
            created_at) VALUES ('e1', 'o1', 'g1', 'p1', '2026-01-05', 'u1', {T});
        INSERT INTO workout_adjustments (assignment_id, workout_index, org_id, user_id, week, day, excuse_reason,
            excused_by, excused_at) VALUES ('a1', 0, 'o1', 'u2', 1, 1, 'Sick', 'u1', {T});
        INSERT INTO activities (activity_id, user_id, sport, start_time, distance_m, duration_s, source, created_by,
            created_at) VALUES ('x1', 'u2', 'run', '2026-01-03 07:00:00', 5000, 1800, 'manual', 'u1', {T});
        INSERT INTO attention_acknowledgements (membership_id, code, org_id, severity, data_version,
            acknowledged_by, acknowledged_at) VALUES ('m2', 'no_recent_activity', 'o1', 'warning', 3, 'u1', {T});"
    )
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

/// SQLite's indexes and triggers, by name.
fn schema_objects(conn: &mut DbConn) -> Vec<String> {
    let sql = "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name";
    diesel::sql_query(sql).load::<Named>(conn).unwrap().into_iter().map(|n| n.name).collect()
}

fn status_version(conn: &mut DbConn) -> i64 {
    member_statuses::table.find("m2").select(member_statuses::version).first(conn).unwrap()
}

type Author = (Option<String>, Option<String>);

#[test]
fn rows_keep_their_authors_and_the_rebuilt_tables_their_triggers() {
    for db in TestDb::all() {
        let backend = db.backend;
        let mut conn = db.bare_conn();
        roster_store::run_migrations_before(&mut conn, BEFORE).unwrap();
        conn.batch_execute(&fixture()).unwrap();
        let before = (backend == Backend::Sqlite).then(|| schema_objects(&mut conn));
        let three = roster_store::run_migrations_before(&mut conn, AFTER).unwrap();
        assert_eq!(three, 3, "{backend:?}: the three key-author migrations");
        if let Some(before) = before {
            assert_eq!(schema_objects(&mut conn), before, "every index and trigger is made again");
        }

        let account: Author = (Some("u1".into()), None);
        let plan: Author = training_plans::table
            .select((training_plans::created_by, training_plans::created_by_key_id))
            .first(&mut conn)
            .unwrap();
        let assignment: Author = plan_assignments::table
            .select((plan_assignments::assigned_by, plan_assignments::assigned_by_key_id))
            .first(&mut conn)
            .unwrap();
        let enrollment: Author = group_plan_enrollments::table
            .select((group_plan_enrollments::created_by, group_plan_enrollments::created_by_key_id))
            .first(&mut conn)
            .unwrap();
        let activity: Author =
            activities::table.select((activities::created_by, activities::created_by_key_id)).first(&mut conn).unwrap();
        let ack: Author = attention_acknowledgements::table
            .select((attention_acknowledgements::acknowledged_by, attention_acknowledgements::acknowledged_by_key_id))
            .first(&mut conn)
            .unwrap();
        assert_eq!([plan, assignment, enrollment, activity, ack], [0; 5].map(|_| account.clone()), "{backend:?}");
        let excuse: (Option<String>, Option<String>) = workout_adjustments::table
            .select((workout_adjustments::excuse_reason, workout_adjustments::excused_by))
            .first(&mut conn)
            .unwrap();
        assert_eq!(excuse, (Some("Sick".into()), Some("u1".into())), "{backend:?}: the adjustment is kept");

        // Exactly one author: neither is refused.
        let neither = format!(
            "INSERT INTO activities (activity_id, user_id, sport, start_time, distance_m, duration_s, source,
                created_at) VALUES ('x9', 'u2', 'run', {T}, 1, 1, 'manual', {T})"
        );
        assert!(conn.batch_execute(&neither).is_err(), "{backend:?}: an activity without an author");

        let both = "UPDATE workout_adjustments SET excused_by_key_id = 'k1' WHERE assignment_id = 'a1'";
        conn.batch_execute(&format!(
            "INSERT INTO api_keys (key_id, org_id, secret_hash, name, scopes, prefix, created_by, created_at,
                expires_at) VALUES ('k1', 'o1', 'h', 'CRM', '[]', 'rst_', 'u1', {T}, {T})"
        ))
        .unwrap();
        assert!(conn.batch_execute(both).is_err(), "{backend:?}: an excuse by an account and a key");

        // The status triggers fire on the rebuilt tables.
        let version = status_version(&mut conn);
        conn.batch_execute(&format!(
            "INSERT INTO plan_assignments (assignment_id, org_id, plan_id, user_id, start_date, end_date, total_weeks,
                assigned_by, assigned_at) VALUES ('a2', 'o1', 'p1', 'u2', '2026-02-02', '2026-02-15', 2, 'u1', {T})"
        ))
        .unwrap();
        let after_assignment = status_version(&mut conn);
        assert!(after_assignment > version, "{backend:?}: plan_assignments' trigger");
        conn.batch_execute("UPDATE training_plans SET name = 'Base II' WHERE plan_id = 'p1'").unwrap();
        let after_plan = status_version(&mut conn);
        assert!(after_plan > after_assignment, "{backend:?}: training_plans' trigger");
        conn.batch_execute("UPDATE workout_adjustments SET moved_to = '2026-01-07' WHERE assignment_id = 'a1'")
            .unwrap();
        let after_move = status_version(&mut conn);
        assert!(after_move > after_plan, "{backend:?}: workout_adjustments' trigger");
        conn.batch_execute(&format!(
            "INSERT INTO activities (activity_id, user_id, sport, start_time, distance_m, duration_s, source,
                created_by, created_at) VALUES ('x2', 'u2', 'run', '2026-01-09 07:00:00', 1, 1, 'manual', 'u1', {T})"
        ))
        .unwrap();
        assert!(status_version(&mut conn) > after_move, "{backend:?}: activities' trigger");
        let last: Option<chrono::NaiveDateTime> =
            memberships::table.find("m2").select(memberships::last_activity_at).first(&mut conn).unwrap();
        assert_eq!(last.map(|t| t.to_string()), Some("2026-01-09 07:00:00".into()), "{backend:?}: last activity");
    }
}
