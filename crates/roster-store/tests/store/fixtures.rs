//! What many store tests need: the time, an account, an audit event.

use chrono::{DateTime, Utc};
use roster_domain::entities::{AuditEvent, User};
use roster_domain::ports::AccountRepo;
use roster_domain::values::{Email, PersonName};
use roster_domain::{Clock, OrgId, SystemClock, UserId};
use roster_store::Store;
use serde_json::json;

/// The password hash every test account gets: tests never sign in.
pub const PASSWORD_HASH: &str = "$argon2id$fake";

/// The clock's time.
pub fn now() -> DateTime<Utc> {
    SystemClock.now()
}

/// A fixed instant, for tests whose days and weeks matter: 2026-11-28 12:00 UTC.
pub fn noon() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

/// An account that is not stored yet, with a unique e-mail unless `email` is given.
pub fn new_user(first: &str, last: Option<&str>, email: Option<&str>) -> User {
    let user_id = UserId::new();
    let unique = format!("{}.{}@example.com", first.to_lowercase(), user_id.as_uuid().simple());
    User {
        user_id,
        email: Email::parse(email.unwrap_or(&unique)).unwrap(),
        first_name: PersonName::parse(first).unwrap(),
        last_name: last.map(|l| PersonName::parse(l).unwrap()),
        email_verified: false,
        created_at: now(),
    }
}

/// A stored account named `first` (and `last`), with a unique e-mail unless `email` is given.
pub fn stored_user(store: &Store, first: &str, last: Option<&str>, email: Option<&str>) -> User {
    let user = new_user(first, last, email);
    store.insert_user(&user, PASSWORD_HASH).unwrap();
    user
}

/// A stored account, when only its id matters.
pub fn user(store: &Store) -> UserId {
    stored_user(store, "Kim", None, None).user_id
}

/// An audit event by `actor` about themself, with no changes.
pub fn event(org: OrgId, actor: UserId, action: &str) -> AuditEvent {
    AuditEvent::new(org, actor, action, Some(actor), json!({}), now())
}

/// PostgreSQL's plan of `statement` (what follows `EXPLAIN`) on `conn`, one
/// line of `EXPLAIN`'s output per line. A function hands the plan over, as
/// EXPLAIN's own column ("QUERY PLAN") has no name diesel can load.
pub fn postgres_plan(conn: &mut roster_store::DbConn, statement: &str) -> String {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    conn.batch_execute(
        "CREATE OR REPLACE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
         DECLARE r text; BEGIN FOR r IN EXECUTE 'EXPLAIN ' || q LOOP RETURN NEXT r; END LOOP; END $$;",
    )
    .unwrap();
    let sql = format!("SELECT plan_of AS line FROM pg_temp.plan_of('{}')", statement.replace('\'', "''"));
    diesel::sql_query(sql).load::<Line>(conn).unwrap().into_iter().map(|l| l.line).collect::<Vec<_>>().join("\n")
}

/// Runs `sql` on one of the store's connections (to put a state in by hand).
pub fn execute(store: &Store, sql: &str) {
    use diesel::RunQueryDsl;
    diesel::sql_query(sql).execute(&mut *store.conn().unwrap()).unwrap();
}

/// Erases `user`'s account at `at`, as `DELETE /me` does.
pub fn erase(store: &Store, user: UserId, at: DateTime<Utc>) {
    use roster_domain::privacy::{AccountErasure, PrivacyRepo, mail};
    let email = store.user_by_id(user).unwrap().unwrap().email.as_str().to_owned();
    let confirmation = mail::account_deleted(&email, at);
    store.erase_account(&AccountErasure { user_id: user, email, at, confirmation }).unwrap();
}
