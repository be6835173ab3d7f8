//! Being added is never a trap: an account added directly is e-mailed which
//! club and which coach, and how to leave, and leaving works as it says.

use crate::support::{Session, TestApp, spawn_with};
use roster_store::testing::TestDb;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Undoes quoted-printable soft line breaks and `=3D`.
fn unfold(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The one delivered message to `to`, waited for.
pub async fn mail_to(dir: &Path, to: &str) -> String {
    let start = Instant::now();
    loop {
        let files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect())
            .unwrap_or_default();
        let mut found: Vec<String> = files
            .iter()
            .map(|p| unfold(&std::fs::read_to_string(p).unwrap()))
            .filter(|m| m.contains(&format!("To: {to}")))
            .collect();
        if let Some(message) = found.pop() {
            assert!(found.is_empty(), "one message to {to}");
            return message;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no e-mail to {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn app_with_mail(db: TestDb, dir: &Path) -> TestApp {
    let dir = dir.to_path_buf();
    spawn_with(db, move |s| {
        s.mail.dir = dir;
        s.mail.poll_interval_ms = 30;
        s.public_base_url = "https://club.example".into();
    })
    .await
}

/// The path of the `DELETE` the message tells its reader to send.
fn leave_path(message: &str) -> String {
    let start = message.find("https://club.example/api/v1/").expect("a leave link");
    let url = message[start..].split(|c: char| c.is_whitespace() || c == '<').next().unwrap();
    url.trim_start_matches("https://club.example").to_owned()
}

#[tokio::test]
async fn a_directly_added_athlete_is_emailed_the_club_the_coach_and_how_to_leave() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let app = app_with_mail(db, dir.path()).await;
        let (head, org_id) = app.head_coach().await;
        let athlete = app.signup("athlete").await;
        let members = format!("/api/v1/organizations/{org_id}/members");
        app.post(&members, &head.token, json!({"email": athlete.email})).await.assert_status(201);

        let message = mail_to(dir.path(), &athlete.email).await;
        assert!(message.contains("Subject: head Tester added you to Riverside Runners on roster"), "{message}");
        assert!(message.contains("head Tester added you to Riverside Runners on roster as an athlete"), "{message}");
        assert!(message.contains("you can leave at any time"), "{message}");
        let leave = leave_path(&message);
        assert_eq!(leave, format!("{members}/{}", athlete.user_id));

        // Following the e-mail's instructions ends the membership.
        app.delete(&leave, &athlete.token).await.assert_status(204);
        let me = app.get("/api/v1/auth/me", &athlete.token).await;
        assert_eq!(me.assert_status(200)["memberships"], json!([]));
    }
}

#[tokio::test]
async fn a_directly_added_assistant_coach_is_emailed_and_may_leave_but_not_remove_others() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let app = app_with_mail(db, dir.path()).await;
        let (head, org_id) = app.head_coach().await;
        let coaches = format!("/api/v1/organizations/{org_id}/coaches");
        let coach: Session = app.assistant_coach(&head, &org_id).await;
        let other = app.assistant_coach(&head, &org_id).await;

        let message = mail_to(dir.path(), &coach.email).await;
        assert!(message.contains("head Tester added you to Riverside Runners on roster as an assistant coach"));
        let leave = leave_path(&message);
        assert_eq!(leave, format!("{coaches}/{}", coach.user_id));

        app.delete(&format!("{coaches}/{}", other.user_id), &coach.token).await.assert_problem(403, "forbidden");
        app.delete(&leave, &coach.token).await.assert_status(204);
        let list = app.get(&coaches, &head.token).await;
        let ids: Vec<_> =
            list.assert_status(200)["data"].as_array().unwrap().iter().map(|c| c["user_id"].clone()).collect();
        assert_eq!(ids, vec![json!(head.user_id), json!(other.user_id)]);
        // The head coach cannot leave this way.
        app.delete(&format!("{coaches}/{}", head.user_id), &head.token)
            .await
            .assert_problem(409, "head_coach_required");
        let audit =
            app.get(&format!("/api/v1/organizations/{org_id}/audit-events?action=coach.removed"), &head.token).await;
        let events = audit.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["changes"]["left"], true);
    }
}

#[tokio::test]
async fn a_refused_add_sends_no_email() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let app = app_with_mail(db, dir.path()).await;
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let members = format!("/api/v1/organizations/{org_id}/members");
        // Already a member: nothing is written, so nothing is queued.
        app.post(&members, &head.token, json!({"user_id": athlete.user_id}))
            .await
            .assert_problem(409, "already_member");
        let coaches = format!("/api/v1/organizations/{org_id}/coaches");
        app.post(&coaches, &head.token, json!({"user_id": athlete.user_id}))
            .await
            .assert_problem(409, "already_member");
        assert_eq!(app.store.outbox_records().unwrap().len(), 0);
    }
}
