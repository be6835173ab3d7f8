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
//! are file handles that cannot go stale and are never checked.

use crate::conn::DbConn;
use crate::error::StoreError;
use diesel::r2d2::{ConnectionManager, ManageConnection, Pool, PooledConnection, R2D2Connection};
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

/// How long a PostgreSQL connection may sit idle before its next checkout
/// sends a check query.
pub const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(5);

/// A pooled connection with what decides whether it needs a check.
#[allow(missing_debug_implementations)]
pub struct Checked {
    conn: DbConn,
    last_checkout: Instant,
    suspect: bool,
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
    inner: ConnectionManager<DbConn>,
    idle_before_check: Duration,
}

impl Manager {
    /// A manager for `url` checking connections idle for longer than
    /// `idle_before_check` (and those whose last use failed).
    pub fn new(url: impl Into<String>, idle_before_check: Duration) -> Self {
        Self { inner: ConnectionManager::new(url), idle_before_check }
    }
}

impl ManageConnection for Manager {
    type Connection = Checked;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Checked, Self::Error> {
        Ok(Checked { conn: self.inner.connect()?, last_checkout: Instant::now(), suspect: false })
    }

    /// Called on every checkout: records it, and checks a PostgreSQL
    /// connection that was idle for long or whose last use failed.
    fn is_valid(&self, c: &mut Checked) -> Result<(), Self::Error> {
        let idle = c.last_checkout.elapsed();
        c.last_checkout = Instant::now();
        if matches!(c.conn, DbConn::Pg(_)) && (c.suspect || idle > self.idle_before_check) {
            c.conn.ping().map_err(diesel::r2d2::Error::QueryError)?;
        }
        c.suspect = false;
        Ok(())
    }

    fn has_broken(&self, c: &mut Checked) -> bool {
        self.inner.has_broken(&mut c.conn)
    }
}

/// The pool.
pub type DbPool = Pool<Manager>;

/// A connection taken from the pool; dereferences to the connection.
#[allow(missing_debug_implementations)]
pub struct PooledConn(PooledConnection<Manager>);

impl PooledConn {
    /// Checks a connection out of `pool`.
    pub(crate) fn get(pool: &DbPool) -> Result<Self, StoreError> {
        Ok(Self(pool.get()?))
    }

    /// Runs `f` on the connection; a failure other than a refusal of the
    /// data's rules (a conflict, a domain error) makes the next checkout check
    /// the connection before it is used again.
    pub(crate) fn run<T>(&mut self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let out = f(&mut self.0.conn);
        if matches!(out, Err(ref e) if !matches!(e, StoreError::Conflict(_) | StoreError::Refused(_))) {
            self.0.suspect = true;
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
