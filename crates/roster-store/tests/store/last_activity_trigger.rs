//! The triggers that keep `memberships.last_activity_at` find the account's
//! memberships through an index: each statement they run on `memberships`
//! is planned here as the trigger runs it, and none may scan the table (it
//! did: every activity write read every membership). An ended membership
//! keeps its value until the account is erased. Both backends.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use roster_store::DbConn;
use roster_store::testing::{Backend, TestDb};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// The `UPDATE memberships …;` statements in a trigger's or function's text,
/// with the row's user ids as a literal.
fn membership_updates(body: &str) -> Vec<String> {
    body.split(';')
        .filter_map(|s| s.find("UPDATE memberships").map(|at| s[at..].to_owned()))
        .map(|s| s.replace("NEW.user_id", "'u1'").replace("OLD.user_id", "'u1'"))
        .collect()
}

fn trigger_statements(conn: &mut DbConn, backend: Backend) -> Vec<String> {
    let bodies: Vec<String> = match backend {
        Backend::Sqlite => {
            let sql = "SELECT sql AS detail FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'activities'";
            diesel::sql_query(sql).load::<Line>(conn).unwrap().into_iter().map(|l| l.detail).collect()
        }
        Backend::Postgres => {
            let sql = "SELECT pg_get_functiondef('roster_last_activity'::regproc) AS detail";
            diesel::sql_query(sql).load::<Line>(conn).unwrap().into_iter().map(|l| l.detail).collect()
        }
    };
    bodies.iter().flat_map(|b| membership_updates(b)).collect()
}

fn plan(conn: &mut DbConn, backend: Backend, statement: &str) -> String {
    match backend {
        Backend::Sqlite => {
            let sql = format!("EXPLAIN QUERY PLAN {statement}");
            diesel::sql_query(sql)
                .load::<Line>(conn)
                .unwrap()
                .into_iter()
                .map(|l| l.detail)
                .collect::<Vec<_>>()
                .join("\n")
        }
        Backend::Postgres => {
            conn.batch_execute("SET enable_seqscan = off").unwrap();
            crate::fixtures::postgres_plan(conn, statement)
        }
    }
}

#[test]
fn activity_triggers_reach_memberships_through_an_index() {
    for db in TestDb::all() {
        let backend = db.backend;
        let mut conn = db.bare_conn();
        roster_store::run_migrations(&mut conn).unwrap();
        let statements = trigger_statements(&mut conn, backend);
        assert!(statements.len() >= 2, "{backend:?}: found {statements:?}");
        for statement in statements {
            let plan = plan(&mut conn, backend, &statement);
            let scans = match backend {
                Backend::Sqlite => plan.lines().any(|l| l.trim() == "SCAN memberships"),
                Backend::Postgres => plan.contains("Seq Scan on memberships"),
            };
            assert!(!scans, "{backend:?}: {statement}\nscans memberships:\n{plan}");
        }
    }
}

#[derive(QueryableByName)]
struct LastActivity {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    last_activity_at: Option<chrono::NaiveDateTime>,
}

fn last_activity(store: &roster_store::Store, membership_id: &str) -> Option<chrono::NaiveDateTime> {
    let sql = format!("SELECT last_activity_at FROM memberships WHERE membership_id = '{membership_id}'");
    diesel::sql_query(sql).get_result::<LastActivity>(&mut *store.conn().unwrap()).unwrap().last_activity_at
}

/// An ended membership keeps the last activity it had (the triggers and
/// `roster check` leave it alone) until the account is erased, which
/// clears it with the rest of the account's data.
#[test]
fn an_ended_membership_keeps_its_last_activity_until_the_account_is_erased() {
    use crate::fixtures::{event, noon};
    use roster_domain::athlete::{ActivityInput, AthleteRepo, NewActivity};
    use roster_domain::member::MemberRepo;
    for db in TestDb::all() {
        let backend = db.backend;
        let store = db.store();
        let (org, athlete, membership) = crate::status_cache::org_with_athlete(&store);
        let run = |hours_ago: i64| {
            let input = ActivityInput {
                sport: "run".into(),
                start_time: noon() - chrono::Duration::hours(hours_ago),
                distance_m: 5000.0,
                duration_s: 1500,
                elevation_gain_m: None,
                avg_hr: None,
                title: None,
                source: "manual".into(),
                external_id: None,
            };
            NewActivity::parse(&input, noon()).unwrap().into_activity(athlete, athlete, noon())
        };
        store.insert_activity(&run(48), &event(org, athlete, "activity.created")).unwrap();
        let id = membership.membership_id.to_string();
        let kept = last_activity(&store, &id);
        assert!(kept.is_some(), "{backend:?}: the live membership has it");

        store.remove_member(org, athlete, athlete, noon(), &event(org, athlete, "member.removed")).unwrap();
        store.insert_activity(&run(2), &event(org, athlete, "activity.created")).unwrap();
        assert_eq!(last_activity(&store, &id), kept, "{backend:?}: the ended membership keeps its value");
        let thresholds = roster_domain::attention::AttentionThresholds::default();
        let report = store.check_read_model(noon(), &thresholds, false).unwrap();
        assert_eq!(report.drifted_rows(), 0, "{backend:?}: check leaves an ended membership alone: {report:?}");

        crate::fixtures::erase(&store, athlete, noon());
        assert_eq!(last_activity(&store, &id), None, "{backend:?}: erasure clears it");
    }
}
