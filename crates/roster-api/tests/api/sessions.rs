//! Sessions: refresh tokens that rotate, reuse that revokes the family,
//! signing out (one session, all) with the access tokens refused at once,
//! and an operator's token that signing out everywhere revokes too.

use crate::support::{JWT_SECRET, PASSWORD, TestApp, apps};
use reqwest::Method;
use serde_json::{Value, json};

/// One sign-in's tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl Tokens {
    pub fn from_body(body: &Value) -> Self {
        Self {
            access: body["access_token"].as_str().expect("an access token").to_owned(),
            refresh: body["refresh_token"].as_str().expect("a refresh token").to_owned(),
        }
    }
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> Tokens {
    let res =
        app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password}))).await;
    Tokens::from_body(res.assert_status(200))
}

pub async fn refresh(app: &TestApp, refresh_token: &str) -> crate::support::Resp {
    app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": refresh_token}))).await
}

/// The caller's access token is let in (`/auth/me` answers 200), or refused with 401.
pub async fn assert_signed_in(app: &TestApp, access: &str, expected: bool) {
    let me = app.get("/api/v1/auth/me", access).await;
    if expected {
        me.assert_status(200);
    } else {
        me.assert_problem(401, "unauthenticated");
    }
}

#[tokio::test]
async fn signup_login_and_a_new_accounts_accept_return_a_refresh_token_beside_the_old_fields() {
    for app in apps().await {
        let email = crate::support::unique_email("rt");
        let body = json!({"email": email, "password": PASSWORD, "first_name": "R"});
        let res = app.call(Method::POST, "/api/v1/auth/signup", None, Some(body)).await;
        for body in [res.assert_status(201).clone(), {
            let res = app
                .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": PASSWORD})))
                .await;
            res.assert_status(200).clone()
        }] {
            assert_eq!(body["token_type"], "Bearer");
            assert!(body["user"]["user_id"].is_string() && body["expires_at"].is_string());
            assert!(body["refresh_token"].as_str().is_some_and(|t| t.len() >= 43));
            let expires: chrono::DateTime<chrono::Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
            let refresh_expires: chrono::DateTime<chrono::Utc> =
                body["refresh_expires_at"].as_str().unwrap().parse().unwrap();
            // Short access tokens (15 minutes by default), refresh tokens for 30 days.
            let now = chrono::Utc::now();
            assert!(expires <= now + chrono::Duration::minutes(16), "{body}");
            assert!(refresh_expires > now + chrono::Duration::days(29), "{body}");
        }

        let (head, org_id) = app.head_coach().await;
        let issued =
            crate::invitations::invite_single(&app, &head, &org_id, &crate::support::unique_email("inv")).await;
        let token = crate::invitations::token_of(&issued);
        let res = crate::invitations::accept_anonymously(&app, &token, json!({"password": PASSWORD})).await;
        let body = res.assert_status(201);
        let tokens = Tokens::from_body(body);
        assert!(body["refresh_expires_at"].is_string());
        refresh(&app, &tokens.refresh).await.assert_status(200);
    }
}

#[tokio::test]
async fn a_refresh_token_rotates_and_the_new_pair_works() {
    for app in apps().await {
        let user = app.signup("rot").await;
        let first = login(&app, &user.email, PASSWORD).await;
        let res = refresh(&app, &first.refresh).await;
        let body = res.assert_status(200);
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_at"].is_string() && body["refresh_expires_at"].is_string());
        let second = Tokens::from_body(body);
        assert_ne!(second.refresh, first.refresh);
        assert_signed_in(&app, &second.access, true).await;
        // The same session: the first access token still works until it expires.
        assert_signed_in(&app, &first.access, true).await;
        let third = Tokens::from_body(refresh(&app, &second.refresh).await.assert_status(200));
        assert_signed_in(&app, &third.access, true).await;
    }
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    for app in apps().await {
        let user = app.signup("reuse").await;
        let first = login(&app, &user.email, PASSWORD).await;
        let other = login(&app, &user.email, PASSWORD).await;
        let second = Tokens::from_body(refresh(&app, &first.refresh).await.assert_status(200));
        // A thief replays the old token: refused, and the family dies.
        refresh(&app, &first.refresh).await.assert_problem(401, "refresh_token_reused");
        refresh(&app, &second.refresh).await.assert_problem(401, "refresh_token_invalid");
        assert_signed_in(&app, &second.access, false).await;
        assert_signed_in(&app, &first.access, false).await;
        // Another session of the same account is not touched.
        assert_signed_in(&app, &other.access, true).await;
        refresh(&app, &other.refresh).await.assert_status(200);
    }
}

#[tokio::test]
async fn unknown_and_malformed_refresh_tokens_are_401_and_revoke_nothing() {
    for app in apps().await {
        let user = app.signup("unk").await;
        let tokens = login(&app, &user.email, PASSWORD).await;
        refresh(&app, "not-a-token").await.assert_problem(401, "refresh_token_invalid");
        refresh(&app, &tokens.access).await.assert_problem(401, "refresh_token_invalid");
        app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({})))
            .await
            .assert_problem(400, "missing_field");
        refresh(&app, &tokens.refresh).await.assert_status(200);
    }
}

#[tokio::test]
async fn racing_refreshes_of_one_token_let_one_through_and_then_kill_the_family() {
    for app in apps().await {
        let user = app.signup("race").await;
        for round in 0..10 {
            let tokens = login(&app, &user.email, PASSWORD).await;
            let answers = race_refresh(&app, &tokens.refresh, 6).await;
            let winners: Vec<_> = answers.iter().filter(|r| r.status == 200).collect();
            assert_eq!(winners.len(), 1, "round {round}: the first rotation to commit wins");
            for loser in answers.iter().filter(|r| r.status != 200) {
                assert_eq!(loser.status, 401, "round {round}: {}", loser.text);
                let code = loser.body["code"].as_str().unwrap();
                assert!(code == "refresh_token_reused" || code == "refresh_token_invalid", "{code}");
            }
            // Someone lost the race, so the token was used twice: nothing of the family works.
            for winner in winners {
                let won = Tokens::from_body(&winner.body);
                refresh(&app, &won.refresh).await.assert_problem(401, "refresh_token_invalid");
                assert_signed_in(&app, &won.access, false).await;
            }
            assert_signed_in(&app, &tokens.access, false).await;
        }
    }
}

/// The same refresh token sent by `n` requests at once.
async fn race_refresh(app: &TestApp, refresh_token: &str, n: usize) -> Vec<crate::support::Resp> {
    let url = format!("{}/api/v1/auth/refresh", app.base);
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (client, url) = (app.client.clone(), url.clone());
            let body = json!({"refresh_token": refresh_token});
            tokio::spawn(async move { client.post(&url).json(&body).send().await.unwrap() })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(TestApp::read(h.await.unwrap()).await);
    }
    out
}

#[tokio::test]
async fn logout_refuses_the_sessions_access_and_refresh_tokens_at_once() {
    for app in apps().await {
        let user = app.signup("out").await;
        let a = login(&app, &user.email, PASSWORD).await;
        let b = login(&app, &user.email, PASSWORD).await;
        let res = app.call(Method::POST, "/api/v1/auth/logout", Some(&a.access), None).await;
        res.assert_status(204);
        assert_signed_in(&app, &a.access, false).await;
        refresh(&app, &a.refresh).await.assert_problem(401, "refresh_token_invalid");
        // Signing out again with the dead token: nobody to sign out.
        app.call(Method::POST, "/api/v1/auth/logout", Some(&a.access), None)
            .await
            .assert_problem(401, "unauthenticated");
        assert_signed_in(&app, &b.access, true).await;
    }
}

#[tokio::test]
async fn logout_with_a_refresh_token_alone_ends_its_session() {
    for app in apps().await {
        let user = app.signup("outr").await;
        let a = login(&app, &user.email, PASSWORD).await;
        let res = app.call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": a.refresh}))).await;
        res.assert_status(204);
        assert_signed_in(&app, &a.access, false).await;
        // An expired or revoked access token beside a good refresh token still signs that session out.
        let b = login(&app, &user.email, PASSWORD).await;
        app.call(Method::POST, "/api/v1/auth/logout", Some(&a.access), Some(json!({"refresh_token": b.refresh})))
            .await
            .assert_status(204);
        assert_signed_in(&app, &b.access, false).await;
        app.call(Method::POST, "/api/v1/auth/logout", None, None).await.assert_problem(401, "unauthenticated");
        app.call(Method::POST, "/api/v1/auth/logout", None, Some(json!({"refresh_token": "nope"})))
            .await
            .assert_problem(401, "refresh_token_invalid");
        let c = login(&app, &user.email, PASSWORD).await;
        app.call(Method::POST, "/api/v1/auth/logout", Some(&c.access), Some(json!({"refresh": "typo"})))
            .await
            .assert_problem(400, "unknown_field");
        assert_signed_in(&app, &c.access, true).await;
    }
}

#[tokio::test]
async fn logout_all_ends_every_session_of_the_account_and_only_its_own() {
    for app in apps().await {
        let user = app.signup("all").await;
        let other = app.signup("bystander").await;
        let sessions = [login(&app, &user.email, PASSWORD).await, login(&app, &user.email, PASSWORD).await];
        app.call(Method::POST, "/api/v1/auth/logout-all", Some(&sessions[0].access), None).await.assert_status(204);
        for s in &sessions {
            assert_signed_in(&app, &s.access, false).await;
            refresh(&app, &s.refresh).await.assert_problem(401, "refresh_token_invalid");
        }
        assert_signed_in(&app, &other.token, true).await;
        app.call(Method::POST, "/api/v1/auth/logout-all", None, None).await.assert_problem(401, "unauthenticated");
        // Signing in again starts a new session.
        let again = login(&app, &user.email, PASSWORD).await;
        assert_signed_in(&app, &again.access, true).await;
    }
}

#[tokio::test]
async fn an_operators_token_has_a_session_that_logout_all_revokes() {
    use roster_api::auth::TokenKeys;
    use roster_domain::{Clock, SystemClock};
    for app in apps().await {
        let user = app.signup("op").await;
        // What `roster token` does.
        let keys = TokenKeys::new(JWT_SECRET.as_bytes(), 900);
        let now = SystemClock.now();
        let sid = roster_domain::services::sessions::start_unrefreshable(
            &app.store,
            &SystemClock,
            user.id(),
            keys.expiry(now),
        )
        .unwrap();
        let (operator, _) = keys.issue(user.id(), sid, now).unwrap();
        assert_signed_in(&app, &operator, true).await;
        app.call(Method::POST, "/api/v1/auth/logout-all", Some(&user.token), None).await.assert_status(204);
        assert_signed_in(&app, &operator, false).await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_session_routes_and_their_problems() {
    let app = crate::support::spawn_with(roster_store::testing::TestDb::sqlite(), |_| {}).await;
    let doc = app.client.get(format!("{}/api/v1/openapi.json", app.base)).send().await.unwrap();
    let doc: Value = doc.json().await.unwrap();
    for path in [
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/logout-all",
        "/api/v1/auth/password",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
    ] {
        let op = &doc["paths"][path]["post"];
        assert!(op.is_object(), "{path} is documented");
        for (status, answer) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') {
                assert!(answer["content"]["application/problem+json"].is_object(), "{path} {status}: {answer}");
            }
        }
    }
    let refresh = &doc["paths"]["/api/v1/auth/refresh"]["post"]["responses"];
    assert!(refresh["401"].is_object() && refresh["200"].is_object());
    assert!(doc["components"]["schemas"]["SessionDto"]["properties"]["refresh_token"].is_object());
    let reset = &doc["paths"]["/api/v1/auth/password-reset/confirm"]["post"]["responses"];
    assert!(reset["400"].is_object() && reset["410"].is_object() && reset["422"].is_object());
}

#[tokio::test]
async fn a_signed_out_token_cannot_accept_an_invitation_either() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let link = crate::invitations::invite(&app, &head, &org_id, json!({"kind": "multi_use"})).await;
        let token = crate::invitations::token_of(&link);
        let athlete = app.signup("gone").await;
        app.call(Method::POST, "/api/v1/auth/logout", Some(&athlete.token), None).await.assert_status(204);
        // The public accept reads an optional caller: a revoked one is refused, not taken for nobody.
        app.post(&format!("/api/v1/invitations/{token}/accept"), &athlete.token, json!({}))
            .await
            .assert_problem(401, "unauthenticated");
        let again = login(&app, &athlete.email, PASSWORD).await;
        app.post(&format!("/api/v1/invitations/{token}/accept"), &again.access, json!({})).await.assert_status(201);
    }
}
