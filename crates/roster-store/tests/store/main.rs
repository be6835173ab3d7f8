//! Store tests: each runs on a fresh SQLite file and, when
//! `ROSTER_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod athlete;
mod foundation;
mod groups;
mod invitations;
mod members;
mod pinned;
mod plans;
mod profile;
mod sessions;
mod side_rosters;
mod status_cache;
mod wiring;

/// A one-connection store on `db` whose connection counts the queries it
/// starts into the returned counter.
pub(crate) fn counting_store(
    db: &roster_store::testing::TestDb,
) -> (roster_store::Store, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use diesel::Connection as _;
    use diesel::connection::InstrumentationEvent;
    let url = roster_store::DatabaseUrl::parse(&db.url).unwrap();
    let store = roster_store::Store::open(&url, 1).unwrap();
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&counter);
    store.conn().unwrap().set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    (store, counter)
}
