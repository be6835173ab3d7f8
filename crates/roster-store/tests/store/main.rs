//! Store tests: each runs on a fresh SQLite file and, when
//! `ROSTER_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod athlete;
mod attention_raised;
mod check;
mod closed_club_keys_migration;
mod compliance;
mod fixtures;
mod foundation;
mod groups;
mod invitation_links;
mod invitations;
mod key_author_migrations;
mod last_activity_trigger;
mod members;
mod outage;
mod outbox;
mod pinned;
mod plans;
mod profile;
mod races;
mod sessions;
mod side_rosters;
mod status_cache;
mod status_check_plan;
mod throttle;
mod webhooks;
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

/// The e-mail a directly added account gets (its text does not matter here).
pub(crate) fn added_mail(
    org: roster_domain::OrgId,
    user: roster_domain::UserId,
) -> roster_domain::invitation::OutboxMessage {
    roster_domain::added_mail::AddedEmail {
        first_name: "Tom",
        org_name: "Riverside Runners",
        added_by: Some("Hana Okafor"),
        role: roster_domain::Role::Athlete,
        leave_url: roster_domain::added_mail::leave_url("http://x", org, user, roster_domain::Role::Athlete),
    }
    .message(org, "tom@example.com", chrono::Utc::now())
}
