//! Changing the password (every other session signed out at once) and
//! resetting it by e-mail (a single-use token through the outbox).

use crate::sessions::{Tokens, assert_signed_in, login, refresh};
use crate::support::{PASSWORD, TestApp, apps, spawn_with, unique_email};
use reqwest::Method;
use roster_store::testing::TestDb;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const NEW_PASSWORD: &str = "Newpass456";

async fn change(app: &TestApp, access: &str, current: &str, new: &str) -> crate::support::Resp {
    app.post("/api/v1/auth/password", access, json!({"current_password": current, "new_password": new})).await
}

async fn ask_reset(app: &TestApp, email: &str) -> crate::support::Resp {
    app.call(Method::POST, "/api/v1/auth/password-reset", None, Some(json!({"email": email}))).await
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> crate::support::Resp {
    let body = json!({"token": token, "password": password});
    app.call(Method::POST, "/api/v1/auth/password-reset/confirm", None, Some(body)).await
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    let body = json!({"email": email, "password": password});
    app.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await.status
}

/// The reset token in the outbox message queued for `email` (the store
/// opens the sealed body), newest last.
fn reset_tokens_for(app: &TestApp, email: &str) -> Vec<String> {
    app.store
        .outbox_records()
        .unwrap()
        .into_iter()
        .filter(|r| r.message.to == email && r.message.subject.contains("Reset"))
        .map(|r| token_in(&r.message.text))
        .collect()
}

fn token_in(text: &str) -> String {
    let start = text.find("#token=").expect("a reset link") + "#token=".len();
    text[start..].split(|c: char| c.is_whitespace() || c == '"' || c == '<').next().unwrap().to_owned()
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session_but_not_the_callers() {
    for app in apps().await {
        let user = app.signup("chg").await;
        let mine = login(&app, &user.email, PASSWORD).await;
        let other = login(&app, &user.email, PASSWORD).await;

        change(&app, &mine.access, "Wrong1234", NEW_PASSWORD).await.assert_problem(403, "wrong_password");
        let weak = change(&app, &mine.access, PASSWORD, "short").await;
        weak.assert_problem(422, "weak_password");
        assert_eq!(weak.body["errors"][0]["field"], "new_password");
        // Refusals change nothing.
        assert_signed_in(&app, &other.access, true).await;

        change(&app, &mine.access, PASSWORD, NEW_PASSWORD).await.assert_status(204);
        assert_signed_in(&app, &other.access, false).await;
        assert_signed_in(&app, &user.token, false).await;
        refresh(&app, &other.refresh).await.assert_problem(401, "refresh_token_invalid");
        assert_signed_in(&app, &mine.access, true).await;
        let renewed = Tokens::from_body(refresh(&app, &mine.refresh).await.assert_status(200));
        assert_signed_in(&app, &renewed.access, true).await;

        assert_eq!(login_status(&app, &user.email, PASSWORD).await, 401);
        assert_eq!(login_status(&app, &user.email, NEW_PASSWORD).await, 200);
        app.call(
            Method::POST,
            "/api/v1/auth/password",
            None,
            Some(json!({"current_password": "x", "new_password": "y"})),
        )
        .await
        .assert_problem(401, "unauthenticated");
    }
}

fn eml_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_reset_email_lands_in_the_mail_folder_and_its_token_sets_the_password_once() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let app = spawn_with(db, |s| {
            s.mail.dir = dir.path().to_path_buf();
            s.mail.poll_interval_ms = 30;
        })
        .await;
        let user = app.signup("reset").await;
        let session = login(&app, &user.email, PASSWORD).await;
        let res = ask_reset(&app, &user.email.to_uppercase()).await;
        res.assert_status(202);

        let start = Instant::now();
        while eml_files(dir.path()).is_empty() {
            assert!(start.elapsed() < Duration::from_secs(20), "no reset e-mail was written");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let raw = std::fs::read_to_string(&eml_files(dir.path())[0]).unwrap();
        let text = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
        assert!(text.contains(&format!("To: {}", user.email)), "{text}");
        assert!(text.contains("Subject: Reset your roster password"), "{text}");
        let token = token_in(&text);
        assert!(text.contains(&format!("{}/reset-password#token={token}", "http://127.0.0.1:8080")), "{text}");
        assert_eq!(reset_tokens_for(&app, &user.email), vec![token.clone()]);
        // The link's page is served, and keeps the token (in the fragment) to itself.
        let page = app.client.get(format!("{}/reset-password", app.base)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert!(page.text().await.unwrap().contains("/api/v1/auth/password-reset/confirm"));

        let weak = confirm(&app, &token, "weak").await;
        weak.assert_problem(422, "weak_password");
        confirm(&app, "not-a-token", NEW_PASSWORD).await.assert_problem(400, "reset_token_invalid");
        confirm(&app, &token, NEW_PASSWORD).await.assert_status(204);
        // Every session ends: the one before the reset and the sign-up one.
        assert_signed_in(&app, &session.access, false).await;
        assert_signed_in(&app, &user.token, false).await;
        refresh(&app, &session.refresh).await.assert_problem(401, "refresh_token_invalid");
        assert_eq!(login_status(&app, &user.email, PASSWORD).await, 401);
        assert_eq!(login_status(&app, &user.email, NEW_PASSWORD).await, 200);
        // Single use.
        confirm(&app, &token, "Another789").await.assert_problem(410, "reset_token_used");
        assert_eq!(login_status(&app, &user.email, NEW_PASSWORD).await, 200);
    }
}

#[tokio::test]
async fn a_reset_for_an_unknown_email_is_202_alike_and_sends_nothing() {
    for app in apps().await {
        let known = app.signup("known").await;
        let ghost = unique_email("ghost");
        let unknown = ask_reset(&app, &ghost).await;
        let found = ask_reset(&app, &known.email).await;
        assert_eq!((unknown.status, found.status), (202, 202));
        assert_eq!(unknown.text, found.text);
        assert_eq!(unknown.header("content-length"), found.header("content-length"));
        let malformed = ask_reset(&app, "not an e-mail").await;
        malformed.assert_status(202);
        let recipients: Vec<_> = app.store.outbox_records().unwrap().into_iter().map(|r| r.message.to).collect();
        assert_eq!(recipients, vec![known.email.clone()], "only the account's request queues an e-mail");
    }
}

#[tokio::test]
async fn resetting_with_one_token_uses_up_the_accounts_other_tokens() {
    for app in apps().await {
        let user = app.signup("two").await;
        ask_reset(&app, &user.email).await.assert_status(202);
        ask_reset(&app, &user.email).await.assert_status(202);
        let tokens = reset_tokens_for(&app, &user.email);
        assert_eq!(tokens.len(), 2);
        assert_ne!(tokens[0], tokens[1]);
        confirm(&app, &tokens[1], NEW_PASSWORD).await.assert_status(204);
        confirm(&app, &tokens[0], "Another789").await.assert_problem(410, "reset_token_used");
    }
}

#[tokio::test]
async fn a_reset_token_past_its_lifetime_is_410_expired() {
    for db in TestDb::all() {
        let app = spawn_with(db, |s| s.auth.password_reset_ttl_s = 1).await;
        let user = app.signup("late").await;
        ask_reset(&app, &user.email).await.assert_status(202);
        let token = reset_tokens_for(&app, &user.email).pop().unwrap();
        tokio::time::sleep(Duration::from_millis(1200)).await;
        confirm(&app, &token, NEW_PASSWORD).await.assert_problem(410, "reset_token_expired");
        assert_eq!(login_status(&app, &user.email, PASSWORD).await, 200);
    }
}

#[tokio::test]
async fn racing_confirmations_of_one_reset_token_let_exactly_one_through() {
    for app in apps().await {
        let user = app.signup("rc").await;
        for round in 0..8 {
            ask_reset(&app, &user.email).await.assert_status(202);
            let token = reset_tokens_for(&app, &user.email).pop().unwrap();
            let url = format!("{}/api/v1/auth/password-reset/confirm", app.base);
            let handles: Vec<_> = (0..5)
                .map(|i| {
                    let (client, url) = (app.client.clone(), url.clone());
                    let body = json!({"token": token, "password": format!("Racer{round}x{i}A")});
                    tokio::spawn(async move { client.post(&url).json(&body).send().await.unwrap() })
                })
                .collect();
            let mut ok = Vec::new();
            for (i, h) in handles.into_iter().enumerate() {
                let res = TestApp::read(h.await.unwrap()).await;
                match res.status {
                    204 => ok.push(i),
                    _ => res.assert_problem(410, "reset_token_used"),
                }
            }
            assert_eq!(ok.len(), 1, "round {round}: exactly one confirmation wins");
            let winner = format!("Racer{round}x{}A", ok[0]);
            assert_eq!(login_status(&app, &user.email, &winner).await, 200, "round {round}");
        }
    }
}

#[tokio::test]
async fn an_account_gets_at_most_three_open_reset_emails() {
    for app in apps().await {
        let user = app.signup("flood").await;
        for _ in 0..5 {
            ask_reset(&app, &user.email).await.assert_status(202);
        }
        let tokens = reset_tokens_for(&app, &user.email);
        assert_eq!(tokens.len(), 3, "the fourth and fifth requests send nothing");
        // Using one closes them all; the account may ask again.
        confirm(&app, &tokens[0], NEW_PASSWORD).await.assert_status(204);
        ask_reset(&app, &user.email).await.assert_status(202);
        assert_eq!(reset_tokens_for(&app, &user.email).len(), 4);
    }
}

#[tokio::test]
async fn two_reset_tokens_of_one_account_confirmed_at_once_let_exactly_one_through() {
    for app in apps().await {
        let user = app.signup("both").await;
        let url = format!("{}/api/v1/auth/password-reset/confirm", app.base);
        for round in 0..10 {
            ask_reset(&app, &user.email).await.assert_status(202);
            ask_reset(&app, &user.email).await.assert_status(202);
            let mut tokens = reset_tokens_for(&app, &user.email);
            let both = tokens.split_off(tokens.len() - 2);
            let handles: Vec<_> = both
                .iter()
                .enumerate()
                .map(|(i, token)| {
                    let (client, url) = (app.client.clone(), url.clone());
                    let body = json!({"token": token, "password": format!("Both{round}x{i}A")});
                    tokio::spawn(async move { client.post(&url).json(&body).send().await.unwrap() })
                })
                .collect();
            let mut winners = Vec::new();
            for (i, h) in handles.into_iter().enumerate() {
                let res = TestApp::read(h.await.unwrap()).await;
                match res.status {
                    204 => winners.push(i),
                    _ => res.assert_problem(410, "reset_token_used"),
                }
            }
            assert_eq!(winners.len(), 1, "round {round}");
            let password = format!("Both{round}x{}A", winners[0]);
            assert_eq!(login_status(&app, &user.email, &password).await, 200, "round {round}: the winner's password");
        }
    }
}
