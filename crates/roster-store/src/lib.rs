//! # roster-store
//!
//! The persistence of roster: one schema over SQLite (the embedded default)
//! and PostgreSQL (production, and the way to scale out), chosen at run time
//! from the database URL. It implements the ports of `roster-domain`; every
//! write is one transaction that writes its audit event too.

mod accounts;
pub mod athlete;
mod audit;
mod conn;
mod effects;
mod error;
mod groups;
mod invitations;
mod members;
mod organizations;
mod pinned;
mod plans;
mod pool;
mod rows;
pub mod schema;
pub mod seed;
mod sessions;
#[cfg(feature = "testing")]
pub mod testing;

pub use conn::{DatabaseUrl, DbConn, UrlError, connect, migrations_applied, run_migrations, write_tx};
pub use effects::JoinMode;
pub use error::StoreError;
pub use groups::{group_ids_of, member_in_group};
pub use invitations::{MailKey, OutboxRecord, OutboxWork};
pub use plans::{SeededPlans, training_plans_status};
pub use pool::{DbPool, IDLE_BEFORE_CHECK, Manager, PooledConn};

use roster_domain::RepoError;

/// The store: a connection pool and the repositories over it. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    mail_key: Option<std::sync::Arc<invitations::MailKey>>,
    /// Shared by every clone: names this store's pinned connection.
    pin: std::sync::Arc<()>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("state", &self.pool.state()).finish()
    }
}

impl Store {
    /// Opens the database at `url`, migrates it, and returns the store.
    pub fn open(url: &DatabaseUrl, pool_size: u32) -> Result<Self, StoreError> {
        let pool = connect(url, pool_size)?;
        run_migrations(&mut *PooledConn::get(&pool)?)?;
        Ok(Self { pool, mail_key: None, pin: std::sync::Arc::new(()) })
    }

    /// The store over an existing pool (no migrations run).
    pub fn from_pool(pool: DbPool) -> Self {
        Self { pool, mail_key: None, pin: std::sync::Arc::new(()) }
    }

    /// The store that seals outbox message bodies with `key` (they carry
    /// invitation links, which a copy of the database must not reveal).
    pub fn with_mail_key(mut self, key: [u8; 32]) -> Self {
        self.mail_key = invitations::MailKey::new(key).map(std::sync::Arc::new);
        self
    }

    /// A pooled connection.
    pub fn conn(&self) -> Result<PooledConn, StoreError> {
        PooledConn::get(&self.pool)
    }

    /// Which backend this store runs on: `sqlite` or `postgres`.
    pub fn backend(&self) -> Result<&'static str, StoreError> {
        Ok(match &*self.conn()? {
            DbConn::Sqlite(_) => "sqlite",
            DbConn::Pg(_) => "postgres",
        })
    }

    /// Database reachable and every migration applied.
    pub fn ready(&self) -> Result<bool, StoreError> {
        self.on_conn(migrations_applied)
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
        pinned::with_conn(self.pin_key(), &self.pool, f)
    }

    /// Runs `f` on a pooled connection (the pinned one inside [`Store::pinned`]),
    /// mapping errors for the ports.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, RepoError> {
        self.on_conn(f).map_err(Into::into)
    }

    /// Runs `f` in one write transaction, mapping errors for the ports.
    pub(crate) fn tx<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, RepoError> {
        self.on_conn(|conn| write_tx(conn, f)).map_err(Into::into)
    }
}
