//! A database that cannot be reached fails fast, naming the cause.

use roster_store::{DatabaseUrl, Store};
use std::net::TcpListener;
use std::time::{Duration, Instant};

#[test]
fn an_unreachable_postgres_fails_within_seconds_and_names_the_cause_on_one_line() {
    // A port nothing listens on: bound, then freed.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = DatabaseUrl::parse(&format!("postgres://postgres@127.0.0.1:{port}/roster")).unwrap();
    let started = Instant::now();
    let err = Store::open(&url, 2).map(|_| ()).unwrap_err().to_string();
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(err.to_lowercase().contains("connection refused"), "{err}");
    assert!(!err.contains("multiconnection"), "{err}");
    assert!(!err.contains('\n'), "one line: {err:?}");
}

/// SQLite answers `database is locked` when another writer held the file for
/// longer than the busy timeout: a passing condition, not a server fault.
#[test]
fn a_sqlite_file_locked_past_the_busy_timeout_is_a_busy_outage() {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, RunQueryDsl, SqliteConnection};
    use roster_domain::error::Outage;
    use roster_store::StoreError;

    let path = std::env::temp_dir().join(format!("roster-busy-{}.db", uuid::Uuid::now_v7()));
    let url = path.to_str().unwrap();
    let mut holder = SqliteConnection::establish(url).unwrap();
    holder.batch_execute("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);").unwrap();
    let mut writer = SqliteConnection::establish(url).unwrap();
    writer.batch_execute("PRAGMA busy_timeout = 0;").unwrap();
    let locked = diesel::sql_query("INSERT INTO t VALUES (2)").execute(&mut writer).unwrap_err();
    drop((holder, writer));
    let _ = std::fs::remove_file(&path);

    let err = StoreError::from(locked);
    assert_eq!(err.outage(), Some(Outage::Busy), "{err}");
}
