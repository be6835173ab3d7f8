//! # roster-store
//!
//! The persistence of roster: one schema over SQLite (the embedded default)
//! and PostgreSQL (production, and the way to scale out), chosen at run time
//! from the database URL. It implements the ports of `roster-domain`; every
//! write is one transaction that writes its audit event too.

mod accounts;
mod api_keys;
pub mod athlete;
mod attention;
mod audit;
pub mod backup;
mod calendar;
mod check;
mod conn;
mod dialect;
mod effects;
mod error;
mod fixed_sql;
mod groups;
mod invitations;
mod member_imports;
mod members;
mod organizations;
mod pinned;
mod plans;
mod pool;
mod prepared_sql;
mod privacy;
mod rows;
pub mod schema;
#[cfg(feature = "seed")]
pub mod seed;
mod sessions;
#[cfg(feature = "testing")]
pub mod testing;
mod throttle;
mod webhooks;

pub use check::{CheckReport, Drift};
#[cfg(feature = "testing")]
pub use conn::run_migrations_before;
pub use conn::{DatabaseUrl, DbConn, UrlError, connect, connect_with, migrations_applied, run_migrations, write_tx};
pub use error::StoreError;
pub use groups::{group_ids_of, member_in_group};
pub use invitations::{MailKey, OutboxRecord, OutboxWork};
pub use plans::training_plans_status;
pub use pool::{DEFAULT_CONNECT_TIMEOUT, DbPool, IDLE_BEFORE_CHECK, Manager, PooledConn};
pub use throttle::RateWindow;
pub use webhooks::{AttemptOutcome, FailingLimit, WebhookWork};

use roster_domain::RepoError;
use std::time::Duration;

/// The store: a connection pool and the repositories over it. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    mail_key: Option<std::sync::Arc<invitations::MailKey>>,
    /// Seals webhook secrets at rest.
    webhook_key: Option<std::sync::Arc<invitations::MailKey>>,
    /// Shared by every clone: names this store's pinned connection.
    pin: std::sync::Arc<()>,
    /// Set once the migrations ran (see [`Store::open_deferred`]).
    migrated: std::sync::Arc<std::sync::OnceLock<()>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("state", &self.pool.state()).finish()
    }
}

impl Store {
    /// Opens the database at `url`, migrates it, and returns the store.
    pub fn open(url: &DatabaseUrl, pool_size: u32) -> Result<Self, StoreError> {
        Self::open_with(url, pool_size, DEFAULT_CONNECT_TIMEOUT)
    }

    /// [`Store::open`] whose callers wait at most `connect_timeout` for a connection.
    pub fn open_with(url: &DatabaseUrl, pool_size: u32, connect_timeout: Duration) -> Result<Self, StoreError> {
        let store = Self::from_pool(connect_with(url, pool_size, connect_timeout)?);
        store.migrate(None)?;
        store.check_writable();
        Ok(store)
    }

    /// [`Store::open_with`] for a server, which must come up even while its
    /// database is out of service: an outage (and only an outage) is logged
    /// and the migrations run at the first use that reaches the database;
    /// until then every use fails as unavailable.
    pub fn open_deferred(url: &DatabaseUrl, pool_size: u32, connect_timeout: Duration) -> Result<Self, StoreError> {
        let store = Self::from_pool(connect_with(url, pool_size, connect_timeout)?);
        match store.migrate(None) {
            Ok(()) => store.check_writable(),
            Err(e) if e.outage().is_some() => {
                tracing::error!(error = %e, "the database is unavailable; serving 503 until it answers");
            }
            Err(e) => return Err(e),
        }
        Ok(store)
    }

    /// The store over an existing pool (no migrations run).
    pub fn from_pool(pool: DbPool) -> Self {
        Self {
            pool,
            mail_key: None,
            webhook_key: None,
            pin: std::sync::Arc::new(()),
            migrated: std::sync::Arc::new(std::sync::OnceLock::new()),
        }
    }

    /// Runs the migrations, waiting for a connection at most `within` (else
    /// the pool's connect timeout).
    fn migrate(&self, within: Option<Duration>) -> Result<(), StoreError> {
        let mut conn = match within {
            Some(timeout) => self.pool.get_timeout(timeout)?,
            None => PooledConn::get(&self.pool)?,
        };
        // Concurrent first uses may both migrate: diesel skips what ran, and
        // PostgreSQL serializes them on an advisory lock.
        run_migrations(&mut conn)?;
        let _ = self.migrated.set(());
        Ok(())
    }

    fn ensure_migrated(&self) -> Result<(), StoreError> {
        if self.migrated.get().is_some() { Ok(()) } else { self.migrate(None) }
    }

    /// Notes at start-up a SQLite file that can be read but not written
    /// (opened read-only): `/readyz` then says not ready at once instead of
    /// after the first refused write.
    fn check_writable(&self) {
        if self.pool.health().fault().is_none()
            && let Ok(mut conn) = PooledConn::get(&self.pool)
            && conn.is_file()
        {
            let _ = conn.run(|c| write_tx(c, |_| Ok(())));
        }
    }

    /// The store that seals outbox message bodies with `key` (they carry
    /// invitation links, which a copy of the database must not reveal).
    pub fn with_mail_key(mut self, key: [u8; 32]) -> Self {
        self.mail_key = invitations::MailKey::new(key).map(std::sync::Arc::new);
        self
    }

    /// A pooled connection.
    pub fn conn(&self) -> Result<PooledConn, StoreError> {
        self.ensure_migrated()?;
        PooledConn::get(&self.pool)
    }

    /// Which backend this store runs on: `sqlite` or `postgres`.
    pub fn backend(&self) -> Result<&'static str, StoreError> {
        Ok(self.conn()?.backend_name())
    }

    /// Database reachable, writable as far as the store knows, and every
    /// migration applied; waits at most `timeout` for a connection.
    ///
    /// After a storage failure no write has cleared, probes decide: free
    /// space next to the file, then a write into it (the SQLite write lock's
    /// row); when both succeed the fault is forgotten. Without such a
    /// failure no probe runs, so a busy writer never delays the answer.
    pub fn ready(&self, timeout: Duration) -> Result<bool, StoreError> {
        if self.migrated.get().is_none() {
            self.migrate(Some(timeout))?;
        }
        if self.pool.health().fault().is_some() {
            // The first probe may meet a connection opened before the
            // condition cleared; it is reopened for the second.
            self.pool.probe_space()?;
            let probe = || self.pool.get_timeout(timeout)?.run(|c| write_tx(c, |_| Ok(())));
            probe().or_else(|_| probe())?;
            self.pool.health().write_succeeded();
        }
        self.pool.get_timeout(timeout)?.run(migrations_applied)
    }

    /// Runs `f` with every repository call on this thread sharing one pooled
    /// connection, checked out at the first call and returned when `f` ends.
    /// A use case makes several repository calls (the caller's membership,
    /// then the page, then its groups); one checkout instead of one per call
    /// saves the pool's round trips. Nested calls (a repository call made
    /// while another holds the connection) fall back to the pool as before.
    pub fn pinned<T>(&self, f: impl FnOnce() -> T) -> T {
        pinned::run(self.pin_key(), f)
    }

    fn pin_key(&self) -> pinned::PinKey {
        std::sync::Arc::as_ptr(&self.pin) as pinned::PinKey
    }

    /// Runs `f` on a pooled connection (the pinned one inside [`Store::pinned`]);
    /// a failure has the connection checked before its next use (see `pool`).
    pub(crate) fn on_conn<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.ensure_migrated()?;
        pinned::with_conn(self.pin_key(), &self.pool, f)
    }

    /// Runs `f` on a pooled connection (the pinned one inside [`Store::pinned`]),
    /// mapping errors for the ports.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, RepoError> {
        self.on_conn(f).map_err(Into::into)
    }

    /// Runs `f` in one write transaction, mapping errors for the ports.
    pub(crate) fn tx<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, RepoError> {
        let out = self.on_conn(|conn| write_tx(conn, f));
        if out.is_ok() {
            self.pool.health().write_succeeded();
        }
        out.map_err(Into::into)
    }
}
