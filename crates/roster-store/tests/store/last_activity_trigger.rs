//! The triggers that keep `memberships.last_activity_at` find the account's
//! memberships through an index: each statement they run on `memberships`
//! is planned here as the trigger runs it, and none may scan the table (it
//! did: every activity write read every membership). Both backends.

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
    let sql = match backend {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {statement}"),
        // EXPLAIN's column is "QUERY PLAN"; a function hands it over as `detail`.
        Backend::Postgres => {
            conn.batch_execute(
                "SET enable_seqscan = off;
                 CREATE OR REPLACE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
                 DECLARE r text; BEGIN FOR r IN EXECUTE 'EXPLAIN ' || q LOOP RETURN NEXT r; END LOOP; END $$;",
            )
            .unwrap();
            format!("SELECT plan_of AS detail FROM pg_temp.plan_of('{}')", statement.replace('\'', "''"))
        }
    };
    diesel::sql_query(sql).load::<Line>(conn).unwrap().into_iter().map(|l| l.detail).collect::<Vec<_>>().join("\n")
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
