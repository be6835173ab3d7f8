//! A SQLite database that cannot be written (a read-only file, a full disk)
//! answers writes with `503 storage_unavailable`, is not ready while it
//! lasts, and recovers without a restart once the condition clears. Runs the
//! real `roster` binary.
//!
//! Tests run as root here, and root ignores file permissions: the read-only
//! case runs the server as `nobody` over a folder `nobody` owns, the disk-full
//! case puts the database on a small tmpfs. Either says so loudly and does
//! nothing where that is not possible.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use serde_json::{Value, json};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NOBODY: u32 = 65534;
const SECRET: &str = "storage-test-secret-storage-test-secret-01";

fn roster_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("roster");
    assert!(bin.exists(), "{} is missing: run `cargo test --workspace` (it builds the binary)", bin.display());
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A running server; killed when dropped.
struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `roster serve` on the SQLite file `db`, as `nobody` when `as_nobody`.
    fn start(db: &Path, cwd: &Path, as_nobody: bool) -> Self {
        let port = free_port();
        let mut cmd = if as_nobody {
            let mut c = Command::new("setpriv");
            c.args([format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"), "--clear-groups".into()]);
            c.arg(roster_binary());
            c
        } else {
            Command::new(roster_binary())
        };
        let child = cmd
            .arg("serve")
            .current_dir(cwd)
            .env("ROSTER__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("ROSTER__DATABASE__URL", format!("sqlite://{}", db.display()))
            .env("ROSTER__AUTH__JWT_SECRET", SECRET)
            .env("ROSTER__RATE_LIMIT__ENABLED", "false")
            .env("ROSTER__MAIL__TRANSPORT", "log")
            .env("ROSTER__LOG__LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Self { child, base: format!("http://127.0.0.1:{port}"), client: reqwest::Client::new() }
    }

    async fn call(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).timeout(Duration::from_secs(20));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let started = Instant::now();
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, retry_after, content_type, body, text, took: started.elapsed() }
    }

    async fn signup(&self, email: &str) -> Answer {
        let body = json!({"email": email, "password": "Secret123", "first_name": "S"});
        self.call(reqwest::Method::POST, "/api/v1/auth/signup", None, Some(body)).await
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    /// Waits until the server answers `/healthz` (it may well not be ready).
    async fn wait_alive(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(res) = self.client.get(format!("{}/healthz", self.base)).send().await
                && res.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server at {} did not start", self.base);
    }

    /// Waits until `/readyz` answers `200`, for at most `within`.
    async fn wait_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            // Not listening yet while it starts.
            let last = match self.client.get(format!("{}/readyz", self.base)).send().await {
                Ok(res) if res.status() == 200 => return,
                Ok(res) => res.text().await.unwrap_or_default(),
                Err(e) => e.to_string(),
            };
            assert!(Instant::now() < deadline, "not ready after {within:?}: {last}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: Value,
    text: String,
    took: Duration,
}

impl Answer {
    #[track_caller]
    fn assert_storage_unavailable(&self) {
        assert_eq!(self.status, 503, "{}", self.text);
        assert_eq!(self.content_type.as_deref(), Some("application/problem+json"));
        assert_eq!(self.body["code"], "storage_unavailable", "{}", self.text);
        let retry: u64 = self.retry_after.as_deref().expect("Retry-After").parse().unwrap();
        assert!(retry >= 1);
        assert!(self.took < Duration::from_secs(2), "took {:?}", self.took);
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The database file and its companions (`-wal`, `-shm`) that exist.
fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|p| p.exists())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_answers_503_is_not_ready_and_recovers_without_restart() {
    if !is_root() {
        eprintln!("read-only SQLite test SKIPPED: it needs root to run the server as nobody");
        return;
    }
    let top = tempfile::tempdir().unwrap();
    chmod(top.path(), 0o755);
    let data = top.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::os::unix::fs::chown(&data, Some(NOBODY), Some(NOBODY)).unwrap();
    let db = data.join("roster.db");

    let server = Server::start(&db, top.path(), true);
    server.wait_ready(Duration::from_secs(30)).await;
    let ada = server.signup("ada@storage.test").await;
    assert_eq!(ada.status, 201, "{}", ada.text);
    let token = ada.body["access_token"].as_str().unwrap().to_owned();
    drop(server);

    // An operator's mistake (a restore as another user, a `chmod`): the
    // server starts over a database it can read but not write.
    for file in database_files(&db) {
        chmod(&file, 0o444);
    }
    let server = Server::start(&db, top.path(), true);
    server.wait_alive().await;
    let ready = server.get("/readyz", None).await;
    assert_eq!(ready.status, 503, "not ready while the database cannot be written: {}", ready.text);
    assert!(ready.took < Duration::from_secs(1), "/readyz took {:?}", ready.took);
    assert_eq!(server.get("/healthz", None).await.status, 200);
    for i in 0..3 {
        server.signup(&format!("bob{i}@storage.test")).await.assert_storage_unavailable();
    }
    // Reads still work.
    assert_eq!(server.get("/api/v1/auth/me", Some(&token)).await.status, 200);

    for file in database_files(&db) {
        chmod(&file, 0o644);
    }
    server.wait_ready(Duration::from_secs(5)).await;
    let bob = server.signup("bob@storage.test").await;
    assert_eq!(bob.status, 201, "writes work again without a restart: {}", bob.text);
}

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: PathBuf, size: &str) -> Option<Self> {
        std::fs::create_dir_all(&at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Self(at))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system holding `dir` until it is full.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_is_not_ready_and_recovers_without_restart() {
    let top = tempfile::tempdir().unwrap();
    let Some(mount) = (if is_root() { Tmpfs::mount(top.path().join("mnt"), "4m") } else { None }) else {
        eprintln!("disk-full SQLite test SKIPPED: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
        return;
    };
    let db = mount.0.join("roster.db");
    {
        let server = Server::start(&db, top.path(), false);
        server.wait_ready(Duration::from_secs(30)).await;
        assert_eq!(server.signup("ada@full.test").await.status, 201);

        let filler = fill(&mount.0);
        let mut refused = 0;
        for i in 0..10 {
            let res = server.signup(&format!("bob{i}@full.test")).await;
            if res.status != 201 {
                res.assert_storage_unavailable();
                refused += 1;
            }
        }
        assert!(refused > 0, "a full disk refused no write");
        let ready = server.get("/readyz", None).await;
        assert_eq!(ready.status, 503, "not ready while writes fail: {}", ready.text);
        assert!(ready.took < Duration::from_secs(1), "/readyz took {:?}", ready.took);

        std::fs::remove_file(filler).unwrap();
        server.wait_ready(Duration::from_secs(5)).await;
        let res = server.signup("carol@full.test").await;
        assert_eq!(res.status, 201, "writes work again without a restart: {}", res.text);
    }
    drop(mount);
}
