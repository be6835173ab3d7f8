//! `DELETE /me`: the account goes for good, and nothing of it stays.

use super::{athlete_with_data, code, person, scan};
use crate::support::{PASSWORD, TestApp, apps, spawn_with};
use reqwest::Method;
use roster_store::testing::TestDb;
use serde_json::json;
use std::time::Duration;

async fn delete_me(app: &TestApp, token: &str, password: &str) -> crate::support::Resp {
    app.call(Method::DELETE, "/api/v1/me", Some(token), Some(json!({"password": password}))).await
}

/// Waits until the outbox holds nothing unsent (the worker polls fast in these tests).
async fn outbox_drained(app: &TestApp) {
    for _ in 0..200 {
        if app.store.outbox_records().unwrap().iter().all(|r| r.sent_at.is_some() || r.failed_at.is_some()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the outbox never drained");
}

#[tokio::test]
async fn a_deleted_account_leaves_nothing_in_any_table() {
    for db in TestDb::all() {
        let mail = tempfile::tempdir().unwrap();
        let dir = mail.path().to_path_buf();
        let app = spawn_with(db, move |s| {
            s.mail.dir = dir;
            s.mail.poll_interval_ms = 20;
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        let mut leaving = person(&app).await;
        athlete_with_data(&app, &head, &org_id, &mut leaving).await;
        // A pending invitation to the address elsewhere, naming them, and a
        // password reset request (an e-mail to them in the outbox).
        let (other_head, other_org) = app.head_coach().await;
        let invited_as = super::unique("Invq");
        app.post(
            &format!("/api/v1/organizations/{other_org}/invitations"),
            &other_head.token,
            json!({"kind": "single_use", "email": leaving.session.email, "first_name": invited_as}),
        )
        .await
        .assert_status(201);
        leaving.traces.push(invited_as);
        app.call(Method::POST, "/api/v1/auth/password-reset", None, Some(json!({"email": leaving.session.email})))
            .await
            .assert_status(202);
        // The head coach renames the member: the audit details name them.
        let member = format!("/api/v1/organizations/{org_id}/members/{}", leaving.session.user_id);
        app.patch(&member, &head.token, json!({"display_name": "Renamed Quorra"})).await.assert_status(200);
        leaving.traces.push("Renamed Quorra".into());
        outbox_drained(&app).await;
        assert!(!scan::places(&app, &leaving.traces).is_empty(), "the scan finds what is there");

        delete_me(&app, &leaving.session.token, PASSWORD).await.assert_status(204);
        outbox_drained(&app).await;
        let left = scan::places(&app, &leaving.traces);
        assert!(left.is_empty(), "{:?}: {left:#?}", app.backend);

        // The confirmation went to the old address (the .eml file) and left the outbox.
        let emls: Vec<String> = std::fs::read_dir(mail.path())
            .unwrap()
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
            .filter(|m| m.contains("Your roster account was deleted"))
            .collect();
        assert_eq!(emls.len(), 1);
        assert!(emls[0].contains(&leaving.session.email));

        // Sign-in, the old access token and the old refresh token: all refused.
        let login = json!({"email": leaving.session.email, "password": PASSWORD});
        app.call(Method::POST, "/api/v1/auth/login", None, Some(login))
            .await
            .assert_problem(401, "invalid_credentials");
        app.get("/api/v1/auth/me", &leaving.session.token).await.assert_problem(401, "unauthenticated");
        let refresh = json!({"refresh_token": leaving.refresh_token});
        let res = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(refresh)).await;
        res.assert_problem(401, "refresh_token_invalid");

        // The audit trail keeps its events, scrubbed, with the actor a deleted account.
        let res = app.get(&format!("/api/v1/organizations/{org_id}/audit-events?limit=200"), &head.token).await;
        let events = res.assert_status(200)["data"].as_array().unwrap().clone();
        let theirs: Vec<_> =
            events.iter().filter(|e| e["subject_user_id"] == leaving.session.user_id.as_str()).collect();
        assert!(
            theirs.iter().any(|e| e["action"] == "race_goal.created" && e["changes"]["race_name"]["new"] == "[erased]")
        );
        assert!(
            theirs
                .iter()
                .any(|e| e["action"] == "account.deleted" && e["actor_user_id"] == leaving.session.user_id.as_str())
        );

        // The address can sign up again, as a new person.
        let again = json!({"email": leaving.session.email, "password": PASSWORD, "first_name": "New"});
        let res = app.call(Method::POST, "/api/v1/auth/signup", None, Some(again)).await;
        assert_ne!(res.assert_status(201)["user"]["user_id"], leaving.session.user_id.as_str());
    }
}

#[tokio::test]
async fn a_head_coach_must_transfer_first_and_the_password_must_be_right() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        delete_me(&app, &head.token, PASSWORD).await.assert_problem(409, "head_coach_must_transfer");
        delete_me(&app, &head.token, "Wrong1234").await.assert_problem(403, "wrong_password");
        let res = app.call(Method::DELETE, "/api/v1/me", Some(&head.token), Some(json!({}))).await;
        assert_eq!(code(&res.body), "missing_field", "{}", res.text);
        app.get(&format!("/api/v1/organizations/{org_id}"), &head.token).await.assert_status(200);
        let res = app.call(Method::DELETE, "/api/v1/me", None, Some(json!({"password": PASSWORD}))).await;
        res.assert_problem(401, "unauthenticated");
    }
}

#[tokio::test]
async fn a_deleted_coach_leaves_their_athletes_unassigned() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, Some(&coach)).await;
        delete_me(&app, &coach.token, PASSWORD).await.assert_status(204);
        let res = app.get(&format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id), &head.token).await;
        assert!(res.assert_status(200)["assigned_to_coach_id"].is_null(), "{}", res.text);
        let coaches = app.get(&format!("/api/v1/organizations/{org_id}/coaches"), &head.token).await;
        assert_eq!(coaches.assert_status(200)["data"].as_array().unwrap().len(), 1);
    }
}

/// Activities sent while the account is deleted either land before the
/// deletion (and are erased with it) or are refused after it.
#[tokio::test]
async fn concurrent_deletion_and_import_leave_nothing_behind() {
    for app in apps().await {
        for round in 0..3 {
            let (head, org_id) = app.head_coach().await;
            let mut p = person(&app).await;
            athlete_with_data(&app, &head, &org_id, &mut p).await;
            let url = format!("/api/v1/organizations/{org_id}/members/{}/activities", p.session.user_id);
            let imports: Vec<_> = (0..8)
                .map(|i| {
                    let (client, url, token) =
                        (app.client.clone(), format!("{}{url}", app.base), p.session.token.clone());
                    tokio::spawn(async move {
                        let start = (chrono::Utc::now() - chrono::Duration::hours(i + 5)).to_rfc3339();
                        let body = json!({"sport": "run", "start_time": start, "distance_m": 999.5, "duration_s": 600,
                            "source": "strava", "external_id": format!("s-{round}-{i}")});
                        client.post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
                    })
                })
                .collect();
            let deleted = delete_me(&app, &p.session.token, PASSWORD).await;
            let mut statuses = Vec::new();
            for import in imports {
                statuses.push(import.await.unwrap());
            }
            deleted.assert_status(204);
            // Landed (201), or refused: the session already gone (401), or the
            // session checked just before the deletion committed and the
            // membership gone by the time the use case read it (404).
            assert!(statuses.iter().all(|s| [201, 401, 404].contains(s)), "{statuses:?}");
            let left = scan::places(&app, &[p.session.user_id.clone()]);
            let data: Vec<_> = left
                .iter()
                .filter(|place| {
                    ["activities.", "race_goals.", "athlete_zones.", "integrations."]
                        .iter()
                        .any(|t| place.starts_with(t))
                })
                .collect();
            assert!(data.is_empty(), "{:?} round {round}: {data:?}", app.backend);
        }
    }
}
