//! E-mail delivery: the outbox worker with the file, SMTP and log transports,
//! retries with backoff, and several servers sharing one database.

use super::{accept_anonymously, invite, invite_single, preview};
use crate::support::{JWT_SECRET, PASSWORD, TestApp, spawn_with};
use roster_api::settings::MailTransport;
use roster_api::{Application, Settings};
use roster_store::testing::TestDb;
use serde_json::json;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Undoes quoted-printable soft line breaks and `=3D`, enough to find a link.
fn unfold(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect())
        .unwrap_or_default()
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(20), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn fast_mail(s: &mut Settings, dir: &Path) {
    s.mail.dir = dir.to_path_buf();
    s.mail.poll_interval_ms = 30;
}

/// The link in a delivered message, found in its plain-text part.
fn link_in(message: &str) -> String {
    let text = unfold(message);
    let start = text.find("http://").expect("a link");
    text[start..].split(|c: char| c.is_whitespace() || c == '"' || c == '<').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_file_transport_writes_one_eml_per_message_with_text_and_html_parts() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let app = spawn_with(db, |s| fast_mail(s, dir.path())).await;
        let (head, org_id) = app.head_coach().await;
        let issued = invite_single(&app, &head, &org_id, "jo@example.com").await;
        invite(&app, &head, &org_id, json!({"kind": "multi_use"})).await; // no e-mail for a link
        wait_until("the .eml file", || eml_files(dir.path()).len() == 1).await;
        let raw = std::fs::read_to_string(&eml_files(dir.path())[0]).unwrap();
        assert!(raw.contains("Subject: Jo, you're invited to join Riverside Runners on roster"), "{raw}");
        assert!(raw.contains("To: jo@example.com"));
        assert!(raw.contains("multipart/alternative") && raw.contains("text/plain") && raw.contains("text/html"));
        let link = link_in(&raw);
        assert_eq!(link, issued["invite_url"].as_str().unwrap(), "{:?}", app.backend);
        // The file is written just before the row is marked sent: wait for the mark too.
        wait_until("the row marked sent", || app.store.outbox_records().unwrap().iter().all(|r| r.sent_at.is_some()))
            .await;
        let records = app.store.outbox_records().unwrap();
        assert_eq!(records.len(), 1);
        assert!(records[0].sent_at.is_some() && records[0].attempts == 1 && records[0].last_error.is_none());
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(eml_files(dir.path()).len(), 1, "delivered once");
    }
}

/// A small SMTP server that accepts everything and keeps each message's DATA.
fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let store = store.clone();
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut say = |line: &str| out.write_all(format!("{line}\r\n").as_bytes());
                say("220 sink ESMTP").unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let command = line.trim_end().to_ascii_uppercase();
                    if command.starts_with("EHLO") || command.starts_with("HELO") {
                        say("250-sink").unwrap();
                        say("250 8BITMIME").unwrap();
                    } else if command == "DATA" {
                        say("354 end with <CRLF>.<CRLF>").unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            reader.read_line(&mut line).unwrap();
                            if line == ".\r\n" || line == ".\n" {
                                break;
                            }
                            data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
                        }
                        store.lock().unwrap().push(data);
                        say("250 queued").unwrap();
                    } else if command == "QUIT" {
                        let _ = say("221 bye");
                        return;
                    } else {
                        say("250 ok").unwrap();
                    }
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn an_invitation_email_arrives_through_a_real_smtp_server() {
    for db in TestDb::all() {
        let (port, received) = smtp_sink();
        let dir = tempfile::tempdir().unwrap();
        let app = spawn_with(db, |s| {
            fast_mail(s, dir.path());
            s.mail.transport = MailTransport::Smtp;
            s.mail.smtp.host = Some("127.0.0.1".into());
            s.mail.smtp.port = Some(port);
            s.mail.smtp.tls = Some("none".into());
            s.mail.from = "Riverside Runners <coach@example.com>".into();
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        invite(&app, &head, &org_id, json!({"kind": "single_use", "email": "ada@example.com", "first_name": "Ada"}))
            .await;
        wait_until("the SMTP delivery", || !received.lock().unwrap().is_empty()).await;
        let message = received.lock().unwrap()[0].clone();
        assert!(message.contains("Subject: Ada, you're invited to join Riverside Runners on roster"), "{message}");
        assert!(
            message.contains("To: ada@example.com")
                && message.contains("From: \"Riverside Runners\" <coach@example.com>")
        );
        let text = unfold(&message);
        assert!(text.contains("Hi Ada,") && text.contains("Riverside Runners invites you"), "{text}");
        // The link works: it previews and accepts.
        let link = link_in(&message);
        let token = link.rsplit('/').next().unwrap();
        assert_eq!(preview(&app, token).await.assert_status(200)["first_name"], "Ada", "{:?}", app.backend);
        accept_anonymously(&app, token, json!({"password": PASSWORD})).await.assert_status(201);
    }
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_and_the_error_is_kept() {
    for db in TestDb::all() {
        let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let app = spawn_with(db, |s| {
            fast_mail(s, dir.path());
            s.mail.transport = MailTransport::Smtp;
            s.mail.smtp.host = Some("127.0.0.1".into());
            s.mail.smtp.port = Some(closed);
            s.mail.smtp.tls = Some("none".into());
            s.mail.max_attempts = 3;
            s.mail.retry_base_ms = 100;
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        invite_single(&app, &head, &org_id, "jo@example.com").await;
        let store = app.store.clone();
        wait_until("the worker to give up", || store.outbox_records().unwrap()[0].failed_at.is_some()).await;
        let record = &app.store.outbox_records().unwrap()[0];
        assert_eq!(record.attempts, 3, "{:?}", app.backend);
        assert!(record.sent_at.is_none());
        assert!(record.last_error.as_deref().is_some_and(|e| e.starts_with("smtp:")), "{:?}", record.last_error);
    }
}

#[tokio::test]
async fn the_log_transport_marks_messages_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(TestDb::sqlite(), |s| {
        fast_mail(s, dir.path());
        s.mail.transport = MailTransport::Log;
    })
    .await;
    let (head, org_id) = app.head_coach().await;
    invite_single(&app, &head, &org_id, "jo@example.com").await;
    let store = app.store.clone();
    wait_until("the log delivery", || store.outbox_records().unwrap()[0].sent_at.is_some()).await;
    assert!(eml_files(dir.path()).is_empty());
}

/// A second server on the same database, with its own mail folder.
async fn second_server(url: &str, mail_dir: &Path) -> String {
    let mut settings = Settings::default();
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.database.url = url.to_owned();
    settings.database.pool_size = Some(4);
    settings.auth.jwt_secret = Some(JWT_SECRET.into());
    settings.rate_limit.enabled = false;
    fast_mail(&mut settings, mail_dir);
    let app = Application::build(settings).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    base
}

#[tokio::test]
async fn several_servers_on_one_database_send_each_message_exactly_once() {
    for db in TestDb::all() {
        let url = db.url.clone();
        let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let app: TestApp = spawn_with(db, |s| fast_mail(s, dir_a.path())).await;
        let base_b = second_server(&url, dir_b.path()).await;
        let (head, org_id) = app.head_coach().await;
        const N: usize = 24;
        for i in 0..N {
            // Half the invitations through each server.
            let base = if i % 2 == 0 { &app.base } else { &base_b };
            let res = app
                .client
                .post(format!("{base}/api/v1/organizations/{org_id}/invitations"))
                .bearer_auth(&head.token)
                .json(&json!({"kind": "single_use", "email": format!("p{i}@example.com"), "first_name": "P"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
        let all = || [eml_files(dir_a.path()), eml_files(dir_b.path())].concat();
        wait_until("every message", || all().len() >= N).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let files = all();
        assert_eq!(files.len(), N, "{:?}: each message exactly once", app.backend);
        let recipients: HashSet<String> = files
            .iter()
            .map(|f| {
                let raw = std::fs::read_to_string(f).unwrap();
                raw.lines().find(|l| l.starts_with("To: ")).unwrap().to_owned()
            })
            .collect();
        assert_eq!(recipients.len(), N);
        assert!(app.store.outbox_records().unwrap().iter().all(|r| r.sent_at.is_some() && r.attempts == 1));
    }
}
