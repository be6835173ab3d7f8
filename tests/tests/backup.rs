//! `roster backup PATH` while the server runs and writes: the copy passes
//! SQLite's integrity check, has every migration, and holds every write
//! acknowledged before the backup began. On PostgreSQL it makes no copy and
//! prints the `pg_dump` command, without the password.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use diesel::prelude::*;
use roster_store::testing::TestDb;
use roster_store::{DatabaseUrl, DbConn};
use serde_json::json;
use std::collections::HashSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn roster_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("roster");
    assert!(bin.exists(), "{} is missing: run `cargo test --workspace` (it builds the binary)", bin.display());
    bin
}

fn roster(url: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(roster_binary());
    cmd.current_dir(dir)
        .env("ROSTER__DATABASE__URL", url)
        .env("ROSTER__AUTH__JWT_SECRET", "backup-test-secret-backup-test-secret-0123")
        .env("ROSTER__RATE_LIMIT__ENABLED", "false")
        .env("ROSTER__MAIL__TRANSPORT", "log")
        .env("ROSTER__LOG__LEVEL", "warn");
    cmd
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await
            && res.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server at {base} did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sqlite_backup_under_write_load_is_whole_current_and_holds_every_acknowledged_write() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = Server(
        roster(&db.url, dir.path())
            .arg("serve")
            .env("ROSTER__SERVER__BIND", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    wait_ready(&client, &base).await;

    // Writers sign up accounts until told to stop, recording each acknowledged one.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (client, base, acked, stop) = (client.clone(), base.clone(), acked.clone(), stop.clone());
            tokio::spawn(async move {
                for i in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let email = format!("w{w}.{i}@backup.test");
                    let body = json!({"email": email, "password": "Secret123", "first_name": "W"});
                    let res = client.post(format!("{base}/api/v1/auth/signup")).json(&body).send().await.unwrap();
                    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
                    acked.lock().unwrap().push(email);
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 20 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let before: Vec<String> = acked.lock().unwrap().clone();
    // A folder that does not exist yet, as in the README's example.
    let target = dir.path().join("backups").join("roster-copy.db");
    let (url, to) = (db.url.clone(), target.clone());
    let cwd = dir.path().to_owned();
    let out =
        tokio::task::spawn_blocking(move || roster(&url, &cwd).arg("backup").arg(&to).output().unwrap()).await.unwrap();
    let during = acked.lock().unwrap().len() - before.len();
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    assert!(out.status.success(), "roster backup failed: {}", String::from_utf8_lossy(&out.stderr));
    eprintln!("backed up with {} writes acknowledged before and {during} during the backup", before.len());

    // Nothing half-written is left next to the backup.
    let names: Vec<_> = std::fs::read_dir(target.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("roster-copy.db")], "{names:?}");

    let pool = roster_store::connect(&DatabaseUrl::Sqlite(target.clone()), 1).unwrap();
    let mut conn = pool.get().unwrap();
    assert_eq!(roster_store::backup::integrity_check(&target).unwrap(), "ok");
    assert!(roster_store::migrations_applied(&mut conn).unwrap(), "the copy has every migration");
    let DbConn::Sqlite(sqlite) = &mut *conn else { unreachable!() };
    use roster_store::schema::users;
    let emails: HashSet<String> =
        users::table.select(users::email).load::<String>(sqlite).unwrap().into_iter().collect();
    for email in &before {
        assert!(emails.contains(email), "{email} was acknowledged before the backup began but is not in it");
    }

    // A backup never replaces a file.
    let again = roster(&db.url, dir.path()).arg("backup").arg(&target).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
}

#[test]
fn on_postgres_backup_prints_the_pg_dump_command_without_the_password_and_copies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgres://roster:s3cret-pw@db.example:5432/roster_prod?sslmode=require";
    let target = dir.path().join("roster.dump");
    let out = roster(url, dir.path()).arg("backup").arg(&target).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "no backup was made, and the exit status says so");
    assert!(stdout.starts_with("pg_dump "), "{stdout}");
    assert!(stdout.contains("roster@db.example:5432/roster_prod"), "{stdout}");
    assert!(stdout.contains(&target.display().to_string()), "{stdout}");
    assert!(!stdout.contains("s3cret-pw") && !stderr.contains("s3cret-pw"), "{stdout} {stderr}");
    assert!(stderr.contains("pg_dump"), "{stderr}");
    assert!(!target.exists());
}
