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
