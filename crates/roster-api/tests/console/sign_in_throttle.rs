//! **Sign in** meets the API's failed-login slowdown: the same counters, so
//! guessing through the console is slowed as through `POST /auth/login`,
//! and failures through either add up. Both backends.

use crate::client::Browser;
use crate::support::{PASSWORD, TestApp, spawn_with};
use reqwest::Method;
use roster_store::testing::TestDb;
use serde_json::json;
use std::time::Duration;

/// Three failures for an account make it wait 1 s (at most 2 s later on).
fn slowdown(s: &mut roster_api::Settings) {
    s.rate_limit.enabled = true;
    s.rate_limit.per_minute = 6000;
    s.rate_limit.burst = 1000;
    s.rate_limit.login_failures_per_account = 3;
    s.rate_limit.login_failures_per_address = 100;
    s.rate_limit.login_first_delay_ms = 1000;
    s.rate_limit.login_max_delay_s = 2;
    s.rate_limit.login_forget_after_s = 60;
}

async fn sign_in(b: &mut Browser<'_>, email: &str, password: &str) -> crate::client::Page {
    b.submit("/sign-in", "/sign-in", &[("email", email), ("password", password), ("next", "/")]).await
}

async fn api_login(app: &TestApp, email: &str, password: &str) -> u16 {
    let body = json!({"email": email, "password": password});
    app.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await.status
}

#[tokio::test]
async fn failed_sign_ins_slow_the_account_down_like_the_apis_logins() {
    for db in TestDb::all() {
        let app = spawn_with(db, slowdown).await;
        let victim = app.signup("victim").await;
        let mut b = Browser::new(&app);
        for _ in 0..3 {
            let wrong = sign_in(&mut b, &victim.email, "Guess1234").await;
            wrong.assert(401);
            assert!(wrong.body.contains("Wrong e-mail or password."));
        }
        // The account waits, even with the right password, which is not checked meanwhile.
        let waiting = sign_in(&mut b, &victim.email, PASSWORD).await;
        waiting.assert(429);
        assert_eq!(waiting.headers["retry-after"].to_str().unwrap(), "1");
        assert!(waiting.body.contains("Too many failed sign-ins. Wait 1 s, then try again."), "{}", waiting.body);
        assert!(!b.cookies.contains_key("roster_session"), "no session while waiting");
        // One set of counters: the API's login waits too.
        assert_eq!(api_login(&app, &victim.email, PASSWORD).await, 429);

        tokio::time::sleep(Duration::from_millis(1100)).await;
        sign_in(&mut b, &victim.email, PASSWORD).await.assert_redirect("/");

        // Failures through the API count for the console as well.
        let other = app.signup("other").await;
        for _ in 0..3 {
            assert_eq!(api_login(&app, &other.email, "Guess1234").await, 401);
        }
        Browser::new(&app)
            .submit("/sign-in", "/sign-in", &[("email", &other.email), ("password", PASSWORD)])
            .await
            .assert(429);
    }
}
