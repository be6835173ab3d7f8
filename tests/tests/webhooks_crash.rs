//! A `kill -9` of the server while a webhook is being delivered loses no
//! event: after the restart the delivery is made again, with the same
//! `webhook-id` (at least once). Runs the real `roster` binary on SQLite and,
//! when `ROSTER_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use roster_store::testing::TestDb;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn roster_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("roster");
    assert!(bin.exists(), "{} is missing: run `cargo build -p roster-api` first", bin.display());
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(url: &str, dir: &std::path::Path, port: u16) -> Child {
    Command::new(roster_binary())
        .arg("serve")
        .current_dir(dir)
        .env("ROSTER__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("ROSTER__DATABASE__URL", url)
        .env("ROSTER__AUTH__JWT_SECRET", "crash-test-secret-crash-test-secret-0123")
        .env("ROSTER__RATE_LIMIT__ENABLED", "false")
        .env("ROSTER__LOG__LEVEL", "warn")
        .env("ROSTER__WEBHOOKS__ALLOW_NETWORKS", "127.0.0.0/8")
        .env("ROSTER__WEBHOOKS__POLL_INTERVAL_MS", "50")
        // A short timeout makes the lease of a dead server's claim short too.
        .env("ROSTER__WEBHOOKS__TIMEOUT_S", "1")
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

async fn post(client: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut req = client.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.unwrap()
}

/// The `webhook-id` of one HTTP request read from `stream`.
fn read_request(stream: &mut TcpStream) -> String {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (mut id, mut length) = (String::new(), 0usize);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("webhook-id:") {
            id = v.trim().to_owned();
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    id
}

/// A receiver that never answers its first request (the server is killed
/// meanwhile) and answers 200 to the others; reports each `webhook-id`.
fn receiver() -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let id = read_request(&mut stream);
            if held.is_empty() {
                held.push(stream); // kept open, never answered
            } else {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            }
            if tx.send(id).is_err() {
                return;
            }
        }
    });
    (port, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_delivery_delivers_it_after_the_restart() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let mut server = start(&db.url, dir.path(), port);
        wait_ready(&client, &base).await;

        let (hook_port, ids) = receiver();
        let email = format!("head.{}@crash.test", uuid::Uuid::now_v7().simple());
        let body = json!({"email": email, "password": "Secret123", "first_name": "H"});
        let session = post(&client, format!("{base}/api/v1/auth/signup"), None, body).await;
        let token = session["access_token"].as_str().unwrap().to_owned();
        let org = post(&client, format!("{base}/api/v1/organizations"), Some(&token), json!({"name": "Club"})).await;
        let org_id = org["org_id"].as_str().unwrap();
        let hook = json!({"url": format!("http://127.0.0.1:{hook_port}/hooks")});
        post(&client, format!("{base}/api/v1/organizations/{org_id}/webhooks"), Some(&token), hook).await;
        // A change whose event goes out through the audit trail.
        let invite = json!({"kind": "single_use", "email": format!("x.{email}"), "first_name": "Jo"});
        post(&client, format!("{base}/api/v1/organizations/{org_id}/invitations"), Some(&token), invite).await;

        let first = ids.recv_timeout(Duration::from_secs(30)).expect("the first attempt reaches the receiver");
        server.kill().unwrap(); // SIGKILL while the receiver holds the request
        server.wait().unwrap();

        let mut server = start(&db.url, dir.path(), port);
        wait_ready(&client, &base).await;
        let again = ids.recv_timeout(Duration::from_secs(60)).expect("the delivery is made after the restart");
        assert_eq!(again, first, "{:?}: the same webhook-id after the restart", db.backend);
        assert!(!first.is_empty());
        server.kill().unwrap();
        server.wait().unwrap();
    }
}
