//! The connection pool: r2d2 over diesel's connection manager, checking a
//! PostgreSQL connection with a round trip only when it may have gone stale.
//!
//! r2d2's `test_on_check_out` would send `SELECT 1` before every use case: a
//! whole round trip, a third of those a roster page makes. A connection in
//! steady use has just answered its last query, so it is checked only when
//! it sat idle for longer than [`IDLE_BEFORE_CHECK`] (the server may have
//! closed it meanwhile) or when its last use failed for another reason than
//! the data's rules (the connection may be what failed); every repository
//! call, the outbox worker's and `/readyz`'s go through [`PooledConn::run`]. A broken connection is then
//! found at its next checkout and replaced, as before. SQLite connections
//! are file handles that cannot go stale and are never checked, but one
//! opened while its file could not be written stays read-only for good: when
//! a SQLite write fails for a reason outside the query (read-only, disk full,
//! I/O), every connection opened before is replaced at its next checkout
//! (see [`Health`]), so the store recovers once the condition clears.

use crate::conn::{DatabaseUrl, DbConn};
use crate::error::StoreError;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};
use roster_domain::Outage;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a PostgreSQL connection may sit idle before its next checkout
/// sends a check query.
pub const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(5);

/// How long a caller waits for a connection by default before it is told
/// the database is unavailable.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The free space `/readyz` wants next to a SQLite file after a storage
/// failure: room for a WAL of a few hundred pages before it is checkpointed.
const SPACE_PROBE_BYTES: usize = 1 << 20;

mod health;
pub(crate) use health::Health;

/// A pooled connection with what decides whether it needs a check.
#[allow(missing_debug_implementations)]
pub struct Checked {
    conn: DbConn,
    last_checkout: Instant,
    suspect: bool,
    generation: u64,
    health: Arc<Health>,
}

impl Deref for Checked {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl DerefMut for Checked {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

/// Makes and checks the pool's connections.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    idle_before_check: Duration,
    connect_timeout: Duration,
    health: Arc<Health>,
}

impl Manager {
    /// A manager for `url` checking connections idle for longer than
    /// `idle_before_check` (and those whose last use failed); a PostgreSQL
    /// connection attempt gives up after `connect_timeout` (2 s at least,
    /// libpq's floor).
    pub fn new(url: DatabaseUrl, idle_before_check: Duration, connect_timeout: Duration) -> Self {
        let outage = match url {
            DatabaseUrl::Postgres(_) => Outage::Database,
            DatabaseUrl::Sqlite(_) => Outage::Storage,
        };
        Self { url, idle_before_check, connect_timeout, health: Arc::new(Health::new(outage)) }
    }

    /// Opens the backend's own connection, so a failure reports the backend's
    /// own cause (diesel's multi-connection tries each backend in turn and
    /// reports none of their errors), on one line.
    fn establish(&self) -> Result<DbConn, ConnectionError> {
        let one_line = |e: ConnectionError| match e {
            ConnectionError::BadConnection(m) => ConnectionError::BadConnection(
                m.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; "),
            ),
            other => other,
        };
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let url = with_connect_timeout(url, self.connect_timeout);
                let mut conn = PgConnection::establish(&url).map_err(one_line)?;
                conn.batch_execute(PG_SETTINGS).map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConn::Pg(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy()).map_err(one_line)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// Set on every new SQLite connection. Reads go through a 256 MiB memory map
/// of the database, which all of the pool's connections share through the OS
/// page cache; SQLite's own per-connection cache stays at its 2 MiB default
/// (a roster page's rows and index entries span more than any one
/// connection's cache would hold, and reading them with a system call each
/// cost the roster a third of its speed).
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
     PRAGMA mmap_size = 268435456;";

/// Set on every new PostgreSQL connection.
///
/// Generic plans always: every statement's SQL depends only on which
/// filters are present, and its indexes serve any values, so a plan made
/// once per connection is as good as one made for the values. Left to
/// choose, PostgreSQL kept planning some statements anew on every run (the
/// roster page and the coach list among them: planning cost more than
/// running them).
///
/// No parallel workers: roster's statements each read a page's worth of
/// rows while many requests run at once, and a generic plan of the
/// staleness check that expected a thousand rows started two workers for
/// every request that found none.
const PG_SETTINGS: &str = "SET plan_cache_mode = force_generic_plan; SET max_parallel_workers_per_gather = 0";

/// `url` with libpq's `connect_timeout` unless it sets one: without it a
/// connection attempt to a host that does not answer hangs for minutes,
/// holding one of the pool's few connection-making threads.
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={}", timeout.as_secs().max(2))
}

impl ManageConnection for Manager {
    type Connection = Checked;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Checked, Self::Error> {
        // Read before connecting: a storage failure meanwhile makes this one stale too.
        let generation = self.health.generation.load(Ordering::SeqCst);
        let conn = self.establish().map_err(diesel::r2d2::Error::ConnectionError)?;
        Ok(Checked { conn, last_checkout: Instant::now(), suspect: false, generation, health: self.health.clone() })
    }

    /// Called on every checkout: records it, reopens a connection older than
    /// the last storage failure, and checks a PostgreSQL connection that was
    /// idle for long or whose last use failed.
    fn is_valid(&self, c: &mut Checked) -> Result<(), Self::Error> {
        if self.is_stale(c) {
            return Err(diesel::r2d2::Error::ConnectionError(ConnectionError::BadConnection(STALE.into())));
        }
        let idle = c.last_checkout.elapsed();
        c.last_checkout = Instant::now();
        if matches!(c.conn, DbConn::Pg(_)) && (c.suspect || idle > self.idle_before_check) {
            c.conn.ping().map_err(diesel::r2d2::Error::QueryError)?;
        }
        c.suspect = false;
        Ok(())
    }

    fn has_broken(&self, c: &mut Checked) -> bool {
        std::thread::panicking() || self.is_stale(c) || R2D2Connection::is_broken(&mut c.conn)
    }
}

/// Why a connection opened before the last storage failure is dropped.
/// Dropped, not reopened in its place: SQLite shares a file's WAL index
/// between a process's connections, and one opened read-only stays so as
/// long as any connection still holds it, so the old ones must all be gone
/// before a new one can write.
const STALE: &str = "opened before the database failed a write";

impl Manager {
    fn is_stale(&self, c: &Checked) -> bool {
        c.generation != self.health.generation.load(Ordering::SeqCst)
    }
}

/// Logs why connections cannot be made, once per cause and minute: while
/// the database is down the pool retries all the time.
#[derive(Debug, Default)]
struct LogConnectFailures {
    last: Mutex<Option<(String, Instant)>>,
}

impl r2d2::HandleError<diesel::r2d2::Error> for LogConnectFailures {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        let cause = error.to_string();
        if cause.contains(STALE) {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        if matches!(&*last, Some((seen, at)) if *seen == cause && at.elapsed() < Duration::from_secs(60)) {
            return;
        }
        tracing::error!(error = %cause, "cannot connect to the database");
        *last = Some((cause, Instant::now()));
    }
}

/// The pool, with what its connections learned about the database.
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<Manager>,
    health: Arc<Health>,
    url: DatabaseUrl,
}

impl std::fmt::Debug for DbPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbPool").field("state", &self.pool.state()).finish()
    }
}

impl DbPool {
    /// A pool of up to `size` connections to `url`; a caller waits at most
    /// `connect_timeout` for one. Makes no connection yet.
    pub(crate) fn new(url: &DatabaseUrl, size: u32, connect_timeout: Duration) -> Self {
        let manager = Manager::new(url.clone(), IDLE_BEFORE_CHECK, connect_timeout);
        let health = manager.health.clone();
        let pool = Pool::builder()
            .max_size(size.max(1))
            .connection_timeout(connect_timeout)
            // The manager decides at each checkout whether a check query is
            // due (rarely, never on SQLite unless a write failed).
            .test_on_check_out(true)
            .error_handler(Box::new(LogConnectFailures::default()))
            .build_unchecked(manager);
        Self { pool, health, url: url.clone() }
    }

    /// A connection, waiting at most the pool's connect timeout.
    pub fn get(&self) -> Result<PooledConn, StoreError> {
        PooledConn::get(self)
    }

    /// A connection, waiting at most `timeout`.
    pub fn get_timeout(&self, timeout: Duration) -> Result<PooledConn, StoreError> {
        self.checkout(|pool| pool.get_timeout(timeout))
    }

    /// Once a wait for a connection has timed out, callers take an idle
    /// connection or fail at once, until one succeeds: otherwise, while the
    /// database is down, requests queue on the blocking threads each behind
    /// the others' full waits. The pool keeps trying to connect in the
    /// background, so a connection is idle soon after the database is back.
    fn checkout(
        &self,
        wait: impl FnOnce(&Pool<Manager>) -> Result<PooledConnection<Manager>, r2d2::Error>,
    ) -> Result<PooledConn, StoreError> {
        if self.health.down.load(Ordering::SeqCst) {
            let conn = self.pool.try_get().ok_or_else(|| {
                StoreError::Unavailable(self.health.outage, "no database connection: the last wait timed out".into())
            })?;
            self.health.down.store(false, Ordering::SeqCst);
            return Ok(PooledConn(conn));
        }
        match wait(&self.pool) {
            Ok(conn) => Ok(PooledConn(conn)),
            Err(e) => {
                self.health.down.store(true, Ordering::SeqCst);
                Err(self.unavailable(&e))
            }
        }
    }

    /// How many connections there are and how many are idle.
    pub fn state(&self) -> r2d2::State {
        self.pool.state()
    }

    pub(crate) fn health(&self) -> &Health {
        &self.health
    }

    /// Whether the SQLite file's folder can take more data: writes and
    /// removes a file of [`SPACE_PROBE_BYTES`] next to it. A write probe into
    /// the database alone can pass on a full disk, reusing the space its own
    /// failed writes left in the WAL.
    pub(crate) fn probe_space(&self) -> Result<(), StoreError> {
        let DatabaseUrl::Sqlite(db) = &self.url else { return Ok(()) };
        let probe = std::path::PathBuf::from(format!("{}-space-probe", db.display()));
        let written = std::fs::write(&probe, vec![0u8; SPACE_PROBE_BYTES]);
        let _ = std::fs::remove_file(&probe);
        written.map_err(|e| StoreError::Unavailable(Outage::Storage, format!("{}: {e}", probe.display())))
    }

    fn unavailable(&self, e: &r2d2::Error) -> StoreError {
        StoreError::Unavailable(self.health.outage, format!("no database connection: {e}"))
    }
}

/// A connection taken from the pool; dereferences to the connection.
#[allow(missing_debug_implementations)]
pub struct PooledConn(PooledConnection<Manager>);

impl PooledConn {
    /// Checks a connection out of `pool`.
    pub(crate) fn get(pool: &DbPool) -> Result<Self, StoreError> {
        pool.checkout(Pool::get)
    }

    /// Runs `f` on the connection; a failure other than a refusal of the
    /// data's rules (a conflict, a domain error) makes the next checkout check
    /// the connection before it is used again, and a storage failure has
    /// every connection reopened (see [`Health`]).
    pub(crate) fn run<T>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let out = f(&mut self.0.conn);
        if let Err(e) = &out
            && !matches!(e, StoreError::Conflict(_) | StoreError::Refused(_))
        {
            self.0.suspect = true;
            if self.0.conn.is_file() && e.outage() == Some(Outage::Storage) {
                tracing::warn!(error = %e, "the database cannot be written; reopening its connections");
                self.0.health.storage_failed(e.to_string());
            }
        }
        out
    }
}

impl Deref for PooledConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.0
    }
}

impl DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::with_connect_timeout;
    use std::time::Duration;

    #[test]
    fn the_connect_timeout_is_added_unless_set() {
        let t = Duration::from_secs(1);
        assert_eq!(with_connect_timeout("postgres://h/db", t), "postgres://h/db?connect_timeout=2");
        assert_eq!(
            with_connect_timeout("postgres://h/db?sslmode=disable", Duration::from_secs(5)),
            "postgres://h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(with_connect_timeout("postgres://h/db?connect_timeout=9", t), "postgres://h/db?connect_timeout=9");
    }
}
