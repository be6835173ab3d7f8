//! Reads every column of every table as text and reports where a value
//! appears: the proof that a deletion left nothing behind.

use crate::support::TestApp;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use roster_store::testing::Backend;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `table.column` for every place one of `needles` appears (without case).
pub fn places(app: &TestApp, needles: &[String]) -> Vec<String> {
    let mut conn = app.store.conn().unwrap();
    let conn = &mut *conn;
    let (tables, columns) = match app.backend {
        Backend::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT name FROM pragma_table_info($1)",
        ),
        Backend::Postgres => (
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1",
        ),
    };
    let tables: Vec<Name> = diesel::sql_query(tables).load(conn).unwrap();
    assert!(tables.len() > 20, "the scan sees every table: {}", tables.len());
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<Name> = diesel::sql_query(columns).bind::<Text, _>(&table.name).load(conn).unwrap();
        for column in columns {
            for needle in needles {
                let sql = format!(
                    "SELECT COUNT(*) AS n FROM \"{t}\" WHERE instr(lower(CAST(\"{c}\" AS TEXT)), $1) > 0",
                    t = table.name,
                    c = column.name
                );
                let hits: Count =
                    diesel::sql_query(sql).bind::<Text, _>(needle.to_lowercase()).get_result(conn).unwrap();
                if hits.n > 0 {
                    found.push(format!("{}.{} holds {needle:?}", table.name, column.name));
                }
            }
        }
    }
    found
}
