//! Connections: one diesel `MultiConnection` over SQLite and PostgreSQL,
//! picked at run time from the URL, pooled with r2d2.

use crate::pool::{DEFAULT_CONNECT_TIMEOUT, DbPool};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::path::PathBuf;
use std::time::Duration;

/// A connection to either backend.
#[allow(missing_debug_implementations)]
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL, the production store.
    Pg(PgConnection),
    /// SQLite, the embedded default.
    Sqlite(SqliteConnection),
}

impl DbConn {
    /// Which backend this is: `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DbConn::Sqlite(_) => "sqlite",
            DbConn::Pg(_) => "postgres",
        }
    }

    /// Whether this is the embedded SQLite file, whose storage faults
    /// (disk full, read-only) the store probes and remembers.
    pub(crate) fn is_file(&self) -> bool {
        matches!(self, DbConn::Sqlite(_))
    }
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Which backend a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
}

/// The database URL cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    /// Neither `sqlite://`, `postgres://`, `postgresql://` nor a plain path.
    #[error("unsupported scheme `{0}` (use sqlite://PATH, a plain path, or postgres://...)")]
    Scheme(String),
    /// An empty path or URL.
    #[error("must not be empty")]
    Empty,
}

impl DatabaseUrl {
    /// Reads `sqlite://PATH`, a plain path, or `postgres://…`.
    ///
    /// ```
    /// use roster_store::DatabaseUrl;
    /// assert!(matches!(DatabaseUrl::parse("sqlite://data/roster.db"), Ok(DatabaseUrl::Sqlite(_))));
    /// assert!(matches!(DatabaseUrl::parse("postgres://localhost/roster"), Ok(DatabaseUrl::Postgres(_))));
    /// assert!(DatabaseUrl::parse("mysql://localhost/roster").is_err());
    /// assert!(DatabaseUrl::parse("data/roster.db").unwrap().default_pool_size() >= 2);
    /// ```
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(UrlError::Empty);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err(UrlError::Empty);
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(UrlError::Scheme(scheme.to_owned()));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(url)))
    }

    /// A sensible pool size for the backend: as many connections as cores
    /// (at least 2), on either backend. A use case holds its connection while
    /// it runs and its work is CPU-bound, so more connections than cores only
    /// queue the same work on the same cores (measured in
    /// `docs/performance.md`). A PostgreSQL across a network, where a query
    /// also waits for the wire, wants more: set `database.pool_size`.
    pub fn default_pool_size(&self) -> u32 {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        u32::try_from(cores).unwrap_or(u32::MAX).max(2)
    }
}

/// Opens a pool (creating a SQLite file's folder when missing); a caller
/// waits at most [`DEFAULT_CONNECT_TIMEOUT`] for a connection.
pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<DbPool, crate::StoreError> {
    connect_with(url, pool_size, DEFAULT_CONNECT_TIMEOUT)
}

/// Opens a pool whose callers wait at most `connect_timeout` for a
/// connection before they are told the database is unavailable. No
/// connection is made yet: an unreachable database shows at the first use.
pub fn connect_with(url: &DatabaseUrl, pool_size: u32, connect_timeout: Duration) -> Result<DbPool, crate::StoreError> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| crate::StoreError::Pool(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok(DbPool::new(url, pool_size, connect_timeout))
}

/// Applies pending migrations; returns how many ran. On PostgreSQL an
/// advisory lock keeps several starting servers from migrating at once.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, crate::StoreError> {
    let to_err = |e: Box<dyn std::error::Error + Send + Sync>| crate::StoreError::Pool(format!("migrations: {e}"));
    match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()).map_err(to_err),
        DbConn::Pg(c) => {
            c.batch_execute("SELECT pg_advisory_lock(7243011)")?;
            let ran = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()).map_err(to_err);
            c.batch_execute("SELECT pg_advisory_unlock(7243011)")?;
            ran
        }
    }
}

/// Applies pending migrations in order up to, not including, the first
/// whose version (`YYYYMMDDhhmmss`, the folder's date and number) is
/// `version` or later; returns how many ran. For tests of what a migration
/// does to rows written before it.
#[cfg(feature = "testing")]
pub fn run_migrations_before(conn: &mut DbConn, version: &str) -> Result<usize, crate::StoreError> {
    let to_err = |e: Box<dyn std::error::Error + Send + Sync>| crate::StoreError::Pool(format!("migrations: {e}"));
    let mut ran = 0;
    loop {
        let next = match conn {
            DbConn::Sqlite(c) => {
                c.pending_migrations(SQLITE_MIGRATIONS).map_err(to_err)?.first().map(|m| m.name().version().to_string())
            }
            DbConn::Pg(c) => c
                .pending_migrations(POSTGRES_MIGRATIONS)
                .map_err(to_err)?
                .first()
                .map(|m| m.name().version().to_string()),
        };
        match next {
            Some(next) if next.as_str() < version => {}
            _ => return Ok(ran),
        }
        match conn {
            DbConn::Sqlite(c) => c.run_next_migration(SQLITE_MIGRATIONS).map_err(to_err)?,
            DbConn::Pg(c) => c.run_next_migration(POSTGRES_MIGRATIONS).map_err(to_err)?,
        };
        ran += 1;
    }
}

/// Whether every embedded migration has been applied.
pub fn migrations_applied(conn: &mut DbConn) -> Result<bool, crate::StoreError> {
    let to_err = |e: Box<dyn std::error::Error + Send + Sync>| crate::StoreError::Pool(format!("migrations: {e}"));
    let pending = match conn {
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS).map_err(to_err)?,
        DbConn::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS).map_err(to_err)?,
    };
    Ok(!pending)
}

/// Runs `f` in one transaction that commits only if `f` succeeds. On SQLite
/// the transaction takes the write lock first, so concurrent writers queue on
/// `busy_timeout` instead of failing.
pub fn write_tx<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, crate::StoreError>,
) -> Result<T, crate::StoreError> {
    conn.transaction(|conn| {
        crate::dialect::take_write_lock(conn)?;
        f(conn)
    })
}
