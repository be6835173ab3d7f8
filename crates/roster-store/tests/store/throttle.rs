//! The throttle counters: fixed windows, runs of failed logins with their
//! delays, known addresses, and exact counts under concurrent requests.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use roster_store::RateWindow;
use roster_store::testing::TestDb;

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z").unwrap().with_timezone(&Utc) + Duration::seconds(seconds)
}

#[test]
fn a_window_counts_its_hits_and_a_new_one_starts_when_it_ends() {
    for db in TestDb::all() {
        let store = db.store();
        let minute = Duration::minutes(1);
        let hit = |key: &str, t: i64| store.hit_rate_window(key, at(t), minute).unwrap();
        assert_eq!(hit("a", 0), RateWindow { hits: 1, started: at(0) });
        assert_eq!(hit("a", 10), RateWindow { hits: 2, started: at(0) });
        assert_eq!(hit("b", 10), RateWindow { hits: 1, started: at(10) }, "keys count apart");
        assert_eq!(hit("a", 59), RateWindow { hits: 3, started: at(0) });
        assert_eq!(hit("a", 60), RateWindow { hits: 1, started: at(60) });
        assert_eq!(hit("a", 61), RateWindow { hits: 2, started: at(60) });
    }
}

#[test]
fn a_run_of_failures_is_forgotten_only_after_a_quiet_spell_past_its_delay() {
    for db in TestDb::all() {
        let store = db.store();
        let forget = Duration::seconds(100);
        let fail = |t: i64| store.record_login_failure("k", at(t), forget).unwrap();
        assert_eq!((fail(0), fail(10)), (1, 2));
        assert_eq!(fail(109), 3, "a failure within 100 s of the last goes on the run");
        assert_eq!(fail(209), 1, "100 s without one ends it");
        // A delay longer than the quiet spell keeps the run going past it.
        assert_eq!(fail(210), 2);
        store.block_login("k", at(500)).unwrap();
        assert_eq!(store.login_blocks(&["k", "other"], at(499)).unwrap(), vec![("k".to_owned(), at(500))]);
        assert!(store.login_blocks(&["k"], at(500)).unwrap().is_empty(), "the delay has ended at 500");
        // A shorter block never shortens a longer one.
        store.block_login("k", at(300)).unwrap();
        assert_eq!(store.login_blocks(&["k"], at(400)).unwrap(), vec![("k".to_owned(), at(500))]);
        assert_eq!(fail(550), 3, "within 100 s of the delay's end");
        assert_eq!(fail(700), 1);
    }
}

#[test]
fn known_addresses_are_remembered_for_a_while() {
    for db in TestDb::all() {
        let store = db.store();
        store.record_login_success("acct", "addr", at(0), at(-1000)).unwrap();
        assert!(store.is_known_login_address("acct", "addr", at(-10)).unwrap());
        assert!(!store.is_known_login_address("acct", "other", at(-10)).unwrap());
        assert!(!store.is_known_login_address("acct", "addr", at(1)).unwrap(), "not since a later time");
        // Signing in again refreshes it; another account's sign-in forgets stale ones.
        store.record_login_success("acct", "addr", at(100), at(-1000)).unwrap();
        assert!(store.is_known_login_address("acct", "addr", at(50)).unwrap());
        store.record_login_success("other", "addr", at(300), at(200)).unwrap();
        assert!(!store.is_known_login_address("acct", "addr", at(0)).unwrap());
    }
}

#[test]
fn concurrent_hits_and_failures_are_each_counted_once() {
    const N: i32 = 24;
    for db in TestDb::all() {
        let store = db.store();
        let now = Utc::now().trunc_subsecs(6);
        let threads: Vec<_> = (0..N)
            .map(|_| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let window = store.hit_rate_window("race", now, Duration::minutes(1)).unwrap();
                    let failures = store.record_login_failure("race", now, Duration::minutes(15)).unwrap();
                    (window.hits, failures)
                })
            })
            .collect();
        let (mut hits, mut failures): (Vec<i32>, Vec<i32>) = threads.into_iter().map(|t| t.join().unwrap()).unzip();
        hits.sort_unstable();
        failures.sort_unstable();
        let expected: Vec<i32> = (1..=N).collect();
        assert_eq!(hits, expected, "{:?}", db.backend);
        assert_eq!(failures, expected, "{:?}", db.backend);
    }
}
