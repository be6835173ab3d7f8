//! A `kill -9` of the server during writes loses no write that was answered
//! with 2xx, nor a webhook being delivered (`webhooks` below). Runs the real `roster` binary on SQLite and, when
//! `ROSTER_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use roster_store::testing::TestDb;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `roster` binary cargo built next to this test.
fn roster_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("roster");
    assert!(bin.exists(), "{} is missing: run `cargo test --workspace` (it builds the binary)", bin.display());
    bin
}

/// An acknowledged signup and, when acknowledged too, its organization.
type Acked = (String, Option<String>);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(url: &str, dir: &std::path::Path, port: u16) -> Child {
    start_with(url, dir, port, &[])
}

fn start_with(url: &str, dir: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Child {
    Command::new(roster_binary())
        .arg("serve")
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("ROSTER__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("ROSTER__DATABASE__URL", url)
        .env("ROSTER__AUTH__JWT_SECRET", "crash-test-secret-crash-test-secret-0123")
        .env("ROSTER__RATE_LIMIT__ENABLED", "false")
        .env("ROSTER__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
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

async fn post(client: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Option<Value> {
    let mut req = client.post(url).json(&body).timeout(Duration::from_secs(5));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.ok()?;
    if !res.status().is_success() {
        return None;
    }
    res.json().await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_writes_loses_no_acknowledged_write() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let mut server = start(&db.url, dir.path(), port);
        wait_ready(&client, &base).await;

        // Writers sign up and create an organization each, recording what was acknowledged.
        let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
        let mut writers = Vec::new();
        for w in 0..6 {
            let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
            writers.push(tokio::spawn(async move {
                for i in 0.. {
                    let email = format!("w{w}.{i}.{}@crash.test", uuid::Uuid::now_v7().simple());
                    let body = json!({"email": email, "password": "Secret123", "first_name": "W"});
                    let Some(session) = post(&client, format!("{base}/api/v1/auth/signup"), None, body).await else {
                        break;
                    };
                    acked.lock().unwrap().push((email.clone(), None));
                    let token = session["access_token"].as_str().unwrap().to_owned();
                    let org = json!({"name": format!("Club {w}-{i}")});
                    let Some(org) = post(&client, format!("{base}/api/v1/organizations"), Some(&token), org).await
                    else {
                        break;
                    };
                    let org_id = org["org_id"].as_str().unwrap().to_owned();
                    acked.lock().unwrap().iter_mut().rev().find(|(e, _)| *e == email).unwrap().1 = Some(org_id);
                }
            }));
        }
        // Let writes pile up (however loaded the machine is), then kill mid-stream.
        let deadline = Instant::now() + Duration::from_secs(60);
        while acked.lock().unwrap().len() < 20 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill().unwrap(); // SIGKILL: no chance to flush anything
        server.wait().unwrap();
        for w in writers {
            w.await.unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() >= 6, "{:?}: the writers made progress before the kill ({})", db.backend, acked.len());

        let mut server = start(&db.url, dir.path(), port);
        wait_ready(&client, &base).await;
        for (email, org_id) in &acked {
            let login = json!({"email": email, "password": "Secret123"});
            let session = post(&client, format!("{base}/api/v1/auth/login"), None, login)
                .await
                .unwrap_or_else(|| panic!("{:?}: acknowledged signup {email} was lost", db.backend));
            if let Some(org_id) = org_id {
                let token = session["access_token"].as_str().unwrap();
                let res = client
                    .get(format!("{base}/api/v1/organizations/{org_id}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200, "{:?}: acknowledged organization {org_id} was lost", db.backend);
            }
        }
        eprintln!("{:?}: {} acknowledged signups survived kill -9", db.backend, acked.len());
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_drains_in_flight_requests_and_exits_zero() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = start(&db.url, dir.path(), port);
    wait_ready(&client, &base).await;

    // Sign-ups hash a password, so they are in flight for a while.
    let in_flight: Vec<_> = (0..8)
        .map(|i| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                let body = json!({"email": format!("drain{i}@term.test"), "password": "Secret123", "first_name": "D"});
                client.post(format!("{base}/api/v1/auth/signup")).json(&body).send().await.map(|r| r.status().as_u16())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(status.success());
    for request in in_flight {
        // Requests accepted before the signal complete; later ones find the port closed.
        if let Ok(code) = request.await.unwrap() {
            assert_eq!(code, 201);
        }
    }
    let exit = tokio::task::spawn_blocking(move || server.wait().unwrap()).await.unwrap();
    assert_eq!(exit.code(), Some(0), "roster exits 0 after SIGTERM");
}

#[path = "crash/webhooks.rs"]
mod webhooks;
