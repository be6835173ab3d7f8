//! Where SQLite and PostgreSQL differ in what the store asks of them, one
//! concern at a time. Everything outside this module and the connection's
//! own code (`conn.rs`: opening, migrations; `pool.rs`: session settings,
//! health checks, storage faults) is one diesel query for both backends.
//!
//! | concern | SQLite | PostgreSQL |
//! |---|---|---|
//! | writers ([`take_write_lock`]) | one at a time: a write transaction takes the write lock first | concurrent; the rows a decision rests on are locked |
//! | row locks ([`first_locked!`], [`lock_member`], [`lock_invitation_email`], [`lock_status_rows`]) | none needed: writers are serialized | `FOR SHARE` / `FOR UPDATE` / advisory locks until the commit |
//! | claiming work ([`skip_locked`], [`load_skip_locked!`]) | the claim is the only writer | `FOR UPDATE SKIP LOCKED`: workers take different rows |
//! | inserting many rows ([`insert_rows!`]; the seed's [`insert_batches!`] batches on both) | one statement per row, in-process | one multi-row statement per chunk |
//! | a roster page's total ([`PageTotal`]) | counted first, on the covering indexes | a subquery of the page's statement |
//! | consistent reads ([`begin_snapshot`]) | a read transaction is a snapshot (WAL) | `REPEATABLE READ, READ ONLY` |
//! | bulk loading ([`without_triggers`]) | triggers stay on (cheap in-process) | the named triggers are off until the commit |
//! | maintenance ([`vacuum_sql`]) | `VACUUM; ANALYZE` | `VACUUM ANALYZE` |

use crate::conn::DbConn;
use crate::error::StoreError;
use crate::schema::{member_statuses, memberships};
use diesel::prelude::*;
use diesel::sql_types::Text;

/// Takes SQLite's write lock at the start of a write transaction, so
/// concurrent writers queue on `busy_timeout` instead of failing when they
/// upgrade a read lock. PostgreSQL writers run concurrently.
pub(crate) fn take_write_lock(conn: &mut DbConn) -> Result<(), StoreError> {
    if matches!(conn, DbConn::Sqlite(_)) {
        diesel::sql_query("UPDATE write_lock SET n = 0 WHERE id = 1").execute(conn)?;
    }
    Ok(())
}

/// `$query.first($conn).optional()`, with the row locked until the
/// transaction ends on PostgreSQL: `share` keeps others from changing it,
/// `update` from locking it too. SQLite's writers are serialized already.
macro_rules! first_locked {
    ($conn:expr, $query:expr, share) => {{
        let conn: &mut $crate::conn::DbConn = $conn;
        match conn {
            $crate::conn::DbConn::Pg(pg) => $query.for_share().first(pg).optional(),
            $crate::conn::DbConn::Sqlite(sqlite) => $query.first(sqlite).optional(),
        }
    }};
    ($conn:expr, $query:expr, update) => {{
        let conn: &mut $crate::conn::DbConn = $conn;
        match conn {
            $crate::conn::DbConn::Pg(pg) => $query.for_update().first(pg).optional(),
            $crate::conn::DbConn::Sqlite(sqlite) => $query.first(sqlite).optional(),
        }
    }};
}
pub(crate) use first_locked;

/// `$query.load($conn)`, taking on PostgreSQL only the rows no other
/// transaction holds (`FOR UPDATE SKIP LOCKED`), so concurrent workers
/// claim different rows.
macro_rules! load_skip_locked {
    ($conn:expr, $query:expr) => {{
        let conn: &mut $crate::conn::DbConn = $conn;
        match conn {
            $crate::conn::DbConn::Pg(pg) => $query.for_update().skip_locked().load(pg),
            $crate::conn::DbConn::Sqlite(sqlite) => $query.load(sqlite),
        }
    }};
}
pub(crate) use load_skip_locked;

/// The lock clause that ends a claim's subquery (`SELECT … LIMIT n` +
/// this): on PostgreSQL `FOR UPDATE [OF alias] SKIP LOCKED`, on SQLite
/// nothing.
pub(crate) fn skip_locked(conn: &DbConn, of: Option<&str>) -> String {
    match (conn, of) {
        (DbConn::Sqlite(_), _) => String::new(),
        (DbConn::Pg(_), None) => " FOR UPDATE SKIP LOCKED".to_owned(),
        (DbConn::Pg(_), Some(alias)) => format!(" FOR UPDATE OF {alias} SKIP LOCKED"),
    }
}

/// Locks the account's live membership in the organization until the
/// transaction ends (PostgreSQL), so its plan assignments are checked and
/// written by one transaction at a time.
pub(crate) fn lock_member(conn: &mut DbConn, org_id: &str, user_id: &str) -> Result<(), StoreError> {
    if let DbConn::Pg(pg) = conn {
        memberships::table
            .filter(memberships::org_id.eq(org_id))
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::removed_at.is_null())
            .select(memberships::membership_id)
            .for_update()
            .load::<String>(pg)?;
    }
    Ok(())
}

/// Serializes invitations for one e-mail in one organization until the
/// transaction ends (a PostgreSQL advisory lock: there may be no row to lock
/// yet), so two concurrent invitations for the same person cannot both pass
/// the pending check.
pub(crate) fn lock_invitation_email(conn: &mut DbConn, org_id: &str, email: &str) -> Result<(), StoreError> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))::text AS locked")
            .bind::<Text, _>(format!("invitation:{org_id}:{email}"))
            .execute(pg)?;
    }
    Ok(())
}

/// On PostgreSQL, locks the `member_statuses` rows of `ids` that no other
/// transaction holds, in membership order, and returns their ids (sorted as
/// Rust sorts them); `None` on SQLite, whose writers are serialized already.
pub(crate) fn lock_status_rows<'a>(
    conn: &mut DbConn,
    ids: impl Iterator<Item = &'a str>,
) -> Result<Option<Vec<String>>, StoreError> {
    let DbConn::Pg(pg) = conn else { return Ok(None) };
    let ids: Vec<&str> = ids.collect();
    let mut locked: Vec<String> = member_statuses::table
        .filter(member_statuses::membership_id.eq_any(&ids))
        .order(member_statuses::membership_id.asc())
        .select(member_statuses::membership_id)
        .for_no_key_update()
        .skip_locked()
        .load(pg)?;
    // The database's collation may order text otherwise than Rust does.
    locked.sort_unstable();
    Ok(Some(locked))
}

/// Inserts the slice `$rows` into `$table` and answers how many rows were
/// written: on PostgreSQL in one multi-row statement, on SQLite one
/// statement per row (in-process, a multi-row statement gains nothing).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let conn: &mut $crate::conn::DbConn = $conn;
        match conn {
            $crate::conn::DbConn::Pg(pg) => diesel::insert_into($table).values($rows).execute(pg),
            $crate::conn::DbConn::Sqlite(sqlite) => {
                let mut written = 0;
                for row in $rows {
                    written += diesel::insert_into($table).values(row).execute(sqlite)?;
                }
                Ok(written)
            }
        }
    }};
}
pub(crate) use insert_rows;

/// Inserts `$rows` into `$table` in multi-row statements of `$chunk` rows
/// on both backends, each on its concrete connection (the
/// multi-connection cannot batch): for loads where per-row statements would
/// dominate, such as the seed.
#[cfg(feature = "seed")]
macro_rules! insert_batches {
    ($conn:expr, $table:expr, $rows:expr, $chunk:expr) => {{
        let conn: &mut $crate::conn::DbConn = $conn;
        for chunk in $rows.chunks($chunk) {
            match &mut *conn {
                $crate::conn::DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                $crate::conn::DbConn::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    }};
}
#[cfg(feature = "seed")]
pub(crate) use insert_batches;

/// How a roster page learns its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageTotal {
    /// SQLite: counted first in its own statement, on the covering roster
    /// indexes (which `sort_name >= ''`, always true, steers its planner to
    /// instead of the narrower `(org_id, role)`).
    CountedFirst,
    /// PostgreSQL: a subquery of the page's own statement, counted best from
    /// the narrow `(org_id, role)` index.
    Subquery,
}

impl PageTotal {
    /// The way for this connection's backend.
    pub(crate) fn of(conn: &DbConn) -> Self {
        match conn {
            DbConn::Sqlite(_) => Self::CountedFirst,
            DbConn::Pg(_) => Self::Subquery,
        }
    }
}

/// Starts a consistent read in the current transaction. A SQLite read
/// transaction is a snapshot already (WAL mode); PostgreSQL needs
/// `REPEATABLE READ` for every statement to see the same moment.
pub(crate) fn begin_snapshot(conn: &mut DbConn) -> Result<(), StoreError> {
    if matches!(conn, DbConn::Pg(_)) {
        diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(conn)?;
    }
    Ok(())
}

/// Runs the bulk load `f` in one transaction with `triggers` (`(table,
/// trigger)`) off on PostgreSQL, where each would write another row per
/// inserted row; `ALTER TABLE` holds its lock until the commit, so no other
/// writer can slip past them. `after` then runs, on PostgreSQL only, to do
/// once what the triggers would have done per row. SQLite's triggers stay
/// on: in-process they cost little.
#[cfg(feature = "seed")]
pub(crate) fn without_triggers<T>(
    conn: &mut DbConn,
    triggers: &[(&str, &str)],
    f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
    after: impl FnOnce(&mut DbConn) -> Result<(), StoreError>,
) -> Result<T, StoreError> {
    use diesel::connection::SimpleConnection as _;
    conn.transaction(|conn| {
        let pg = matches!(conn, DbConn::Pg(_));
        if pg {
            for (table, trigger) in triggers {
                conn.batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))?;
            }
        }
        let out = f(conn)?;
        if pg {
            for (table, trigger) in triggers {
                conn.batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"))?;
            }
            after(conn)?;
        }
        Ok(out)
    })
}

/// The statement that reclaims space and refreshes the planner's statistics.
#[cfg(feature = "seed")]
pub(crate) fn vacuum_sql(conn: &DbConn) -> &'static str {
    match conn {
        DbConn::Pg(_) => "VACUUM ANALYZE",
        DbConn::Sqlite(_) => "VACUUM; ANALYZE",
    }
}
