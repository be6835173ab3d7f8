//! `roster backup`: a consistent copy of a SQLite database taken while the
//! server runs, and for PostgreSQL the `pg_dump` command that does the same.

use crate::conn::DatabaseUrl;
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use std::path::{Path, PathBuf};

/// Why no backup was made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target exists: a backup never replaces a file.
    #[error("{0} exists; give a new file name")]
    Exists(PathBuf),
    /// There is no database to copy.
    #[error("no database at {0}")]
    NoDatabase(PathBuf),
    /// PostgreSQL is backed up with its own tools; the command is attached.
    #[error("PostgreSQL databases are backed up with pg_dump: {0}")]
    UsePgDump(String),
    /// The copy was made but does not pass SQLite's integrity check.
    #[error("the copy at {path} fails its integrity check: {report}")]
    Corrupt {
        /// Where the copy is.
        path: PathBuf,
        /// What `PRAGMA integrity_check` said.
        report: String,
    },
    /// The database or the file system failed.
    #[error("{0}")]
    Failed(String),
}

/// Copies the SQLite database at `url` to `to`, which must not exist (its
/// folder is made if need be), and returns the copy's size in bytes.
///
/// `VACUUM INTO` reads one snapshot (a read transaction: in WAL mode the
/// server's writers go on meanwhile) and writes it compacted to a new file.
/// It is written as `to.partial`, synced, checked and only then renamed to
/// `to`, so a file at `to` is always a whole, checked backup.
pub fn backup(url: &DatabaseUrl, to: &Path) -> Result<u64, BackupError> {
    let db = match url {
        DatabaseUrl::Sqlite(db) => db,
        DatabaseUrl::Postgres(pg) => return Err(BackupError::UsePgDump(pg_dump_command(pg, to))),
    };
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    // Opening a missing file would create an empty database.
    if !db.is_file() {
        return Err(BackupError::NoDatabase(db.clone()));
    }
    let failed = |what: &str, e: &dyn std::fmt::Display| BackupError::Failed(format!("{what}: {e}"));
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| failed(&format!("folder {}", dir.display()), &e))?;
    }
    let partial = PathBuf::from(format!("{}.partial", to.display()));
    let _ = std::fs::remove_file(&partial);
    // A connection of its own, not the pool's: it must be closed, and no
    // companion file left behind, before the copy is renamed.
    let mut conn = open(db).map_err(|e| failed("database", &e))?;
    let target = partial.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{target}'")).map_err(|e| failed("VACUUM INTO", &e))?;
    drop(conn);
    std::fs::File::open(&partial).and_then(|f| f.sync_all()).map_err(|e| failed("sync", &e))?;

    let report = integrity_check(&partial)?;
    if report != "ok" {
        return Err(BackupError::Corrupt { path: partial, report });
    }
    std::fs::rename(&partial, to).map_err(|e| failed("rename", &e))?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename is durable once the folder is synced.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    std::fs::metadata(to).map(|m| m.len()).map_err(|e| failed("stat", &e))
}

/// SQLite's `PRAGMA integrity_check` of the database file at `path`: `ok`,
/// or what is wrong.
pub fn integrity_check(path: &Path) -> Result<String, BackupError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let failed = |e: &dyn std::fmt::Display| BackupError::Failed(format!("integrity check of {}: {e}", path.display()));
    let mut conn = open(path).map_err(|e| failed(&e))?;
    let rows: Vec<Row> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn).map_err(|e| failed(&e))?;
    Ok(rows.into_iter().map(|r| r.integrity_check).collect::<Vec<_>>().join("; "))
}

/// A plain connection that waits for the server's writers like the server does.
fn open(path: &Path) -> Result<SqliteConnection, String> {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| e.to_string())?;
    conn.batch_execute("PRAGMA busy_timeout = 10000;").map_err(|e| e.to_string())?;
    Ok(conn)
}

/// The `pg_dump` command for the database at `url`, writing to `to`. The
/// password, if the URL has one, is left out: a command printed on a
/// terminal ends up in shell histories and logs. `pg_dump` reads it from
/// `~/.pgpass` or `PGPASSWORD`.
pub fn pg_dump_command(url: &str, to: &Path) -> String {
    format!("pg_dump --format=custom --file={} '{}'", shell_word(&to.to_string_lossy()), without_password(url))
}

fn without_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{}{user}@{host}{}", &url[..scheme_end], &rest[authority_end..])
        }
        None => url.to_owned(),
    }
    .replace('\'', "%27")
}

fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pg_dump_command_leaves_the_password_out() {
        let cmd =
            pg_dump_command("postgres://ada:s3cret@db.example:5432/roster?sslmode=require", Path::new("/b/r.dump"));
        assert_eq!(
            cmd,
            "pg_dump --format=custom --file=/b/r.dump 'postgres://ada@db.example:5432/roster?sslmode=require'"
        );
        let cmd = pg_dump_command("postgres://localhost/roster", Path::new("my backup.dump"));
        assert_eq!(cmd, "pg_dump --format=custom --file='my backup.dump' 'postgres://localhost/roster'");
    }
}
