//! A `kill -9` of the server while a webhook is being delivered loses no
//! event: after the restart the delivery is made again, with the same
//! `webhook-id` (at least once).

use super::{free_port, post, start_with, wait_ready};
use roster_store::testing::TestDb;
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

const WEBHOOKS: &[(&str, &str)] = &[
    ("ROSTER__WEBHOOKS__ALLOW_NETWORKS", "127.0.0.0/8"),
    ("ROSTER__WEBHOOKS__POLL_INTERVAL_MS", "50"),
    // A short timeout makes the lease of a dead server's claim short too.
    ("ROSTER__WEBHOOKS__TIMEOUT_S", "1"),
];

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
        let mut server = start_with(&db.url, dir.path(), port, WEBHOOKS);
        wait_ready(&client, &base).await;

        let (hook_port, ids) = receiver();
        let email = format!("head.{}@crash.test", uuid::Uuid::now_v7().simple());
        let body = json!({"email": email, "password": "Secret123", "first_name": "H"});
        let session = post(&client, format!("{base}/api/v1/auth/signup"), None, body).await.unwrap();
        let token = session["access_token"].as_str().unwrap().to_owned();
        let org =
            post(&client, format!("{base}/api/v1/organizations"), Some(&token), json!({"name": "Club"})).await.unwrap();
        let org_id = org["org_id"].as_str().unwrap();
        let hook = json!({"url": format!("http://127.0.0.1:{hook_port}/hooks")});
        post(&client, format!("{base}/api/v1/organizations/{org_id}/webhooks"), Some(&token), hook).await.unwrap();
        // A change whose event goes out through the audit trail.
        let invite = json!({"kind": "single_use", "email": format!("x.{email}"), "first_name": "Jo"});
        post(&client, format!("{base}/api/v1/organizations/{org_id}/invitations"), Some(&token), invite).await.unwrap();

        let first = ids.recv_timeout(Duration::from_secs(30)).expect("the first attempt reaches the receiver");
        server.kill().unwrap(); // SIGKILL while the receiver holds the request
        server.wait().unwrap();

        let mut server = start_with(&db.url, dir.path(), port, WEBHOOKS);
        wait_ready(&client, &base).await;
        let again = ids.recv_timeout(Duration::from_secs(60)).expect("the delivery is made after the restart");
        assert_eq!(again, first, "{:?}: the same webhook-id after the restart", db.backend);
        assert!(!first.is_empty());
        server.kill().unwrap();
        server.wait().unwrap();
    }
}
