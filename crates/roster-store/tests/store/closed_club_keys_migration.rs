//! The migration that revokes the API keys of clubs closed before closing
//! did so itself (2026-12-10-000500), on a database with such keys; both
//! backends.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use roster_store::schema::api_keys;
use roster_store::testing::TestDb;

const BEFORE: &str = "20261210000500";
const T: &str = "'2026-01-01 00:00:00'";
const CLOSED: &str = "'2026-03-01 00:00:00'";
const REVOKED: &str = "'2026-02-01 00:00:00'";

fn fixture() -> String {
    let key = |id: &str, org: &str, revoked: &str| {
        format!(
            "INSERT INTO api_keys (key_id, org_id, secret_hash, name, scopes, prefix, created_by, created_at,
                expires_at, revoked_at) VALUES ('{id}', '{org}', '{id}-hash', 'CRM', '[]', 'rst_', 'u1', {T},
                '2027-01-01 00:00:00', {revoked});"
        )
    };
    format!(
        "INSERT INTO users (user_id, email, password_hash, first_name, email_verified, created_at, updated_at)
            VALUES ('u1', 'a@x.test', 'h', 'A', FALSE, {T}, {T});
        INSERT INTO organizations (org_id, name, timezone, created_at, updated_at, version, closed_at)
            VALUES ('open', 'Open', 'UTC', {T}, {T}, 1, NULL), ('closed', 'Closed', 'UTC', {T}, {T}, 2, {CLOSED});
        {}{}{}",
        key("k-open", "open", "NULL"),
        key("k-closed", "closed", "NULL"),
        key("k-revoked", "closed", REVOKED),
    )
}

#[test]
fn keys_of_clubs_closed_earlier_are_revoked_when_they_closed() {
    for db in TestDb::all() {
        let backend = db.backend;
        let mut conn = db.bare_conn();
        roster_store::run_migrations_before(&mut conn, BEFORE).unwrap();
        conn.batch_execute(&fixture()).unwrap();
        roster_store::run_migrations(&mut conn).unwrap();
        let revoked = |id: &str, conn: &mut roster_store::DbConn| -> Option<String> {
            let at: Option<chrono::NaiveDateTime> =
                api_keys::table.find(id).select(api_keys::revoked_at).first(conn).unwrap();
            at.map(|t| t.to_string())
        };
        assert_eq!(revoked("k-open", &mut conn), None, "{backend:?}: an open club's key stays");
        assert_eq!(revoked("k-closed", &mut conn).as_deref(), Some("2026-03-01 00:00:00"), "{backend:?}");
        assert_eq!(revoked("k-revoked", &mut conn).as_deref(), Some("2026-02-01 00:00:00"), "{backend:?}: kept");
    }
}
