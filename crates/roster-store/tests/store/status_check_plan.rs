//! On PostgreSQL, the check for stored statuses that are not current (run by
//! every `sort=attention` page) reads its "validity ran out" range from the
//! index alone. A bitmap scan, which PostgreSQL chose before on the bench's
//! 110 000 statuses, visits the heap for every index entry an older row
//! version left behind, on every request, until VACUUM; an index-only scan
//! skips live entries' heap and marks dead ones so the next check skips them.
//!
//! The statement is the one the store prepared on its only connection, and
//! its plan the generic one that connection runs (values do not change it).

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::Text;
use roster_domain::member::{MemberRepo, RosterQuery, RosterSort};
use roster_store::Store;
use roster_store::seed::SeedOptions;
use roster_store::testing::TestDb;

#[derive(QueryableByName)]
struct Prepared {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    statement: String,
    #[diesel(sql_type = Text)]
    types: String,
}

#[test]
fn on_postgresql_the_status_check_reads_its_validity_range_index_only() {
    let Some(db) = TestDb::postgres() else { return };
    let url = roster_store::DatabaseUrl::parse(&db.url).unwrap();
    let store = Store::open(&url, 1).unwrap();
    let opts = SeedOptions {
        // Many clubs, as on any server: one club's rows are a small part of the table.
        orgs: 40,
        athletes_per_org: 50,
        big_org: 0,
        assistants_per_org: 1,
        password_hash: "$argon2id$fake".into(),
        seed: 5,
    };
    let org = store.seed(&opts).unwrap().orgs[0].org_id;
    let mut conn = store.conn().unwrap();
    // As autovacuum leaves a table that has been written: statistics, and the
    // visibility map that tells an index-only scan which pages need no visit.
    diesel::sql_query("VACUUM ANALYZE member_statuses").execute(&mut *conn).unwrap();
    drop(conn);
    let page = RosterQuery { limit: 50, sort: RosterSort::Attention, now: Some(Utc::now()), ..RosterQuery::default() };
    store.roster(org, &page).unwrap();

    let mut conn = store.conn().unwrap();
    let prepared: Vec<Prepared> = diesel::sql_query(
        "SELECT name, statement, array_to_string(parameter_types, ',') AS types FROM pg_prepared_statements",
    )
    .load(&mut *conn)
    .unwrap();
    let check = prepared.iter().find(|p| p.statement.contains("s.valid_until <=")).unwrap_or_else(|| {
        panic!("no prepared status check among {:#?}", prepared.iter().map(|p| &p.statement).collect::<Vec<_>>())
    });
    // A generic plan is the same whatever the values: any of the right type.
    let args: Vec<String> = check
        .types
        .split(',')
        .map(|t| match t {
            "text" => format!("'{org}'"),
            t if t.starts_with("timestamp") => "now()".into(),
            "boolean" => "true".into(),
            _ => "0".into(),
        })
        .collect();
    let plan = crate::fixtures::postgres_plan(&mut conn, &format!("EXECUTE {}({})", check.name, args.join(",")));
    assert!(plan.contains("Index Only Scan using member_statuses_valid_until "), "not read index-only:\n{plan}");
}
