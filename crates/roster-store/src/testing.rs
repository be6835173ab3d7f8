//! Fresh databases for tests, on both backends.
//!
//! SQLite: a file in a temporary folder. PostgreSQL: when
//! `ROSTER_TEST_POSTGRES_URL` is set, a new database `roster_test_<random>`
//! on that server, dropped when the [`TestDb`] is dropped. Without the
//! variable, PostgreSQL runs are skipped and say so on stderr; with it, an
//! unreachable server is a failure.

use crate::{DatabaseUrl, Store};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::Rng;

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "ROSTER_TEST_POSTGRES_URL";

/// A backend a test can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

/// A fresh, migrated database that is removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    /// The URL to open it with.
    pub url: String,
    /// Which backend.
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh SQLite database in a temporary folder.
    #[allow(clippy::expect_used)]
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("roster.db").display());
        Self { url, backend: Backend::Sqlite, _dir: Some(dir), pg: None }
    }

    /// A fresh PostgreSQL database, or `None` (with a note on stderr) when
    /// `ROSTER_TEST_POSTGRES_URL` is not set.
    #[allow(clippy::expect_used)]
    pub fn postgres() -> Option<Self> {
        let Ok(base) = std::env::var(POSTGRES_ENV) else {
            eprintln!("PostgreSQL run SKIPPED: {POSTGRES_ENV} is not set");
            return None;
        };
        let name = format!("roster_test_{:016x}", rand::thread_rng().r#gen::<u64>());
        let mut admin = PgConnection::establish(&base)
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but the server is unreachable: {e}"));
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("CREATE DATABASE");
        let url = with_database(&base, &name);
        Some(Self { url, backend: Backend::Postgres, _dir: None, pg: Some((base, name)) })
    }

    /// Every backend available: SQLite always, PostgreSQL when configured.
    pub fn all() -> Vec<Self> {
        let mut dbs = vec![Self::sqlite()];
        dbs.extend(Self::postgres());
        dbs
    }

    /// Opens (and migrates) a store on this database.
    #[allow(clippy::expect_used)]
    pub fn store(&self) -> Store {
        let url = DatabaseUrl::parse(&self.url).expect("a test URL");
        // Tests race more threads than connections straight on the pool:
        // they wait for a connection as long as they need, not a server's second.
        Store::open_with(&url, 8, std::time::Duration::from_secs(10)).expect("the test database opens and migrates")
    }
}

impl TestDb {
    /// A connection to this database as it is: no migration run (see
    /// [`crate::run_migrations_before`]), foreign keys on as the pool has them.
    #[allow(clippy::expect_used)]
    pub fn bare_conn(&self) -> crate::DbConn {
        match DatabaseUrl::parse(&self.url).expect("a test URL") {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy()).expect("the SQLite file opens");
                conn.batch_execute("PRAGMA foreign_keys = ON;").expect("foreign keys on");
                crate::DbConn::Sqlite(conn)
            }
            DatabaseUrl::Postgres(url) => {
                crate::DbConn::Pg(PgConnection::establish(&url).expect("the PostgreSQL database opens"))
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.pg
            && let Ok(mut admin) = PgConnection::establish(base)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// `base` with its database name replaced by `name`.
fn with_database(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let scheme_end = head.find("://").map_or(0, |i| i + 3);
    let root = match head[scheme_end..].find('/') {
        Some(slash) => &head[..scheme_end + slash],
        None => head,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(with_database("postgres://u@h:5432/test", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
