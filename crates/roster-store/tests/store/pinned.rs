//! `Store::pinned`: one connection per use case, and only for the store that pinned it.

use crate::fixtures::new_user;
use roster_domain::UserId;
use roster_domain::ports::AccountRepo;
use roster_store::testing::TestDb;

#[test]
fn a_store_used_inside_another_stores_pin_reads_its_own_database() {
    let (a, b) = (TestDb::sqlite(), TestDb::sqlite());
    let (store_a, store_b) = (a.store(), b.store());
    let (ada, bo) = (new_user("Ada", None, None), new_user("Bo", None, None));
    store_a.insert_user(&ada, "$argon2id$fake").unwrap();
    store_b.insert_user(&bo, "$argon2id$fake").unwrap();
    store_a.pinned(|| {
        // Takes and pins a connection of store_a ...
        assert!(store_a.user_by_id(ada.user_id).unwrap().is_some());
        // ... which store_b must not borrow.
        assert!(store_b.user_by_id(bo.user_id).unwrap().is_some());
        assert!(store_b.user_by_id(ada.user_id).unwrap().is_none());
        // The pinned connection keeps serving store_a.
        assert!(store_a.user_by_id(bo.user_id).unwrap().is_none());
    });
}

#[derive(diesel::QueryableByName)]
struct Pid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

/// The pool's one connection's server process, after terminating it from
/// another connection.
fn terminate_pooled_backend(db: &TestDb, store: &roster_store::Store) -> i32 {
    use diesel::prelude::*;
    let pid = diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result::<Pid>(&mut *store.conn().unwrap());
    let pid = pid.unwrap().pid;
    let mut other = roster_store::DbConn::establish(&db.url).unwrap();
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})")).execute(&mut other).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    pid
}

/// On PostgreSQL: a one-connection store holding an account, whose pooled
/// connection the server has just closed.
fn store_whose_connection_was_closed() -> Option<(TestDb, roster_store::Store, UserId)> {
    let db = TestDb::postgres()?;
    let store = roster_store::Store::open(&roster_store::DatabaseUrl::parse(&db.url).unwrap(), 1).unwrap();
    let ada = new_user("Ada", None, None);
    store.insert_user(&ada, "$argon2id$fake").unwrap();
    terminate_pooled_backend(&db, &store);
    Some((db, store, ada.user_id))
}

#[test]
fn a_postgres_connection_the_server_closed_under_load_is_replaced_after_one_failed_call_at_most() {
    let Some((_db, store, ada)) = store_whose_connection_was_closed() else { return };
    // Used again at once, the connection is not checked first (no round trip
    // per use case): this call may fail, and marks the connection for a check.
    let _ = store.user_by_id(ada);
    for _ in 0..3 {
        assert!(store.user_by_id(ada).unwrap().is_some());
    }
}

#[test]
fn a_postgres_connection_the_server_closed_while_idle_is_replaced_before_use() {
    let Some((_db, store, ada)) = store_whose_connection_was_closed() else { return };
    std::thread::sleep(roster_store::IDLE_BEFORE_CHECK);
    // Idle for longer than that, it is checked at checkout and replaced.
    assert!(store.user_by_id(ada).unwrap().is_some());
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    max_parallel_workers_per_gather: String,
}

/// On PostgreSQL the pool's connections plan without parallel workers
/// (`pool.rs`, `PG_SETTINGS`), a new connection as well as a replaced one.
#[test]
fn postgres_connections_plan_without_parallel_workers() {
    use diesel::prelude::*;
    let Some(db) = TestDb::postgres() else { return };
    let store = roster_store::Store::open(&roster_store::DatabaseUrl::parse(&db.url).unwrap(), 1).unwrap();
    let show = |store: &roster_store::Store| {
        diesel::sql_query("SHOW max_parallel_workers_per_gather")
            .get_result::<Setting>(&mut *store.conn().unwrap())
            .unwrap()
            .max_parallel_workers_per_gather
    };
    assert_eq!(show(&store), "0");
    terminate_pooled_backend(&db, &store);
    let _ = store.user_by_id(UserId::new());
    assert_eq!(show(&store), "0", "the replacement connection too");
}
