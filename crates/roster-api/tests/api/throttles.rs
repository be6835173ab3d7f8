//! Limits an attacker meets: `user-lookup` per account (and audited), the
//! public endpoints' rate limit per client address behind trusted proxies,
//! and failed logins slowed down per account and per address.

use crate::support::{JWT_SECRET, PASSWORD, Resp, TestApp, spawn_with, unique_email};
use roster_api::{Application, Settings};
use roster_store::testing::TestDb;
use serde_json::{Value, json};
use std::time::Duration;

/// Rate limits on, but loose enough that the test's own sign-ups pass.
fn limits_on(s: &mut Settings) {
    s.rate_limit.enabled = true;
    s.rate_limit.per_minute = 6000;
    s.rate_limit.burst = 1000;
}

async fn login_from(app: &TestApp, from: &str, email: &str, password: &str) -> Resp {
    let res = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("X-Forwarded-For", from)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    TestApp::read(res).await
}

/// Asserts `429 rate_limited` with a `Retry-After` of 1 to `max` seconds; answers it.
#[track_caller]
fn retry_after(res: &Resp, max: u64) -> u64 {
    res.assert_problem(429, "rate_limited");
    let secs: u64 = res.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=max).contains(&secs), "Retry-After {secs} not within 1..={max}");
    secs
}

#[tokio::test]
async fn user_lookup_is_limited_per_account_and_every_lookup_is_audited() {
    for db in TestDb::all() {
        let app = spawn_with(db, |s| {
            limits_on(s);
            s.rate_limit.user_lookup_per_minute = 3;
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let known = app.signup("known").await;
        let lookup = |email: &str| format!("/api/v1/organizations/{org_id}/user-lookup?email={email}");
        let missing = unique_email("nobody");

        app.get(&lookup(&known.email), &head.token).await.assert_status(200);
        app.get(&lookup(&missing), &head.token).await.assert_problem(404, "user_not_found");
        app.get(&lookup(&known.email), &head.token).await.assert_status(200);
        retry_after(&app.get(&lookup(&known.email), &head.token).await, 60);
        // The limit is the caller's own: another coach still looks up.
        app.get(&lookup(&known.email), &coach.token).await.assert_status(200);

        let audit = format!("/api/v1/organizations/{org_id}/audit-events?action=user.looked_up&limit=200");
        let res = app.get(&audit, &head.token).await;
        let events = res.assert_status(200)["data"].as_array().unwrap().clone();
        let found: Vec<_> =
            events.iter().rev().map(|e| (e["changes"]["found"].clone(), e["subject_user_id"].clone())).collect();
        let yes = (json!(true), json!(known.user_id));
        assert_eq!(found, vec![yes.clone(), (json!(false), Value::Null), yes.clone(), yes]);
        assert!(!res.text.contains(&missing), "the e-mail asked for is not kept");
    }
}

#[tokio::test]
async fn concurrent_lookups_get_exactly_the_limit() {
    for db in TestDb::all() {
        let app = spawn_with(db, |s| {
            limits_on(s);
            s.rate_limit.user_lookup_per_minute = 5;
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        let path = format!("/api/v1/organizations/{org_id}/user-lookup?email={}", head.email);
        let answers = concurrent_gets(&app, &path, &head.token, 24).await;
        let passed = answers.iter().filter(|s| **s == 200).count();
        assert_eq!(passed, 5, "{answers:?}");
        assert!(answers.iter().all(|s| *s == 200 || *s == 429), "{answers:?}");
    }
}

/// `n` simultaneous GETs; their statuses.
async fn concurrent_gets(app: &TestApp, path: &str, token: &str, n: usize) -> Vec<u16> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (client, url, token) = (app.client.clone(), format!("{}{path}", app.base), token.to_owned());
        tasks.push(tokio::spawn(
            async move { client.get(url).bearer_auth(token).send().await.unwrap().status().as_u16() },
        ));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

/// The public rate limit: two requests, then `429`, per client.
fn tight_public_limit(s: &mut Settings) {
    s.rate_limit.enabled = true;
    s.rate_limit.per_minute = 1;
    s.rate_limit.burst = 2;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_public_rate_limit_is_per_forwarded_client() {
    for db in TestDb::all() {
        let app = spawn_with(db, |s| {
            tight_public_limit(s);
            s.server.trusted_proxies = vec!["127.0.0.0/8".into()];
        })
        .await;
        let email = unique_email("nobody");
        login_from(&app, "203.0.113.1", &email, "Wrong123").await.assert_problem(401, "invalid_credentials");
        login_from(&app, "6.6.6.6, 203.0.113.1", &email, "Wrong123").await.assert_problem(401, "invalid_credentials");
        // Forging an address to the left of the proxy's entry changes nothing.
        retry_after(&login_from(&app, "1.1.1.1, 203.0.113.1", &email, "Wrong123").await, 60);
        // Another client behind the same proxy has its own allowance.
        login_from(&app, "203.0.113.2", &email, "Wrong123").await.assert_problem(401, "invalid_credentials");
    }
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_header_is_ignored() {
    for db in TestDb::all() {
        let app = spawn_with(db, tight_public_limit).await;
        let email = unique_email("nobody");
        login_from(&app, "203.0.113.1", &email, "Wrong123").await.assert_problem(401, "invalid_credentials");
        login_from(&app, "203.0.113.2", &email, "Wrong123").await.assert_problem(401, "invalid_credentials");
        // Keyed by the TCP peer (127.0.0.1), whatever the header says.
        retry_after(&login_from(&app, "203.0.113.3", &email, "Wrong123").await, 60);
    }
}

/// Fast login slowdown: `account` failures for one account, `address` for one address.
fn slowdown(account: u32, address: u32) -> impl FnOnce(&mut Settings) {
    move |s| {
        limits_on(s);
        s.server.trusted_proxies = vec!["127.0.0.1".into()];
        s.rate_limit.login_failures_per_account = account;
        s.rate_limit.login_failures_per_address = address;
        s.rate_limit.login_first_delay_ms = 1000;
        s.rate_limit.login_max_delay_s = 2;
        s.rate_limit.login_forget_after_s = 60;
    }
}

#[tokio::test]
async fn failed_logins_slow_the_account_down_for_strangers_but_never_lock_its_owner_out() {
    for db in TestDb::all() {
        let app = spawn_with(db, slowdown(3, 100)).await;
        let victim = app.signup("victim").await;
        let (home, attacker, elsewhere) = ("198.51.100.10", "203.0.113.66", "192.0.2.5");
        login_from(&app, home, &victim.email, PASSWORD).await.assert_status(200);

        for _ in 0..3 {
            login_from(&app, attacker, &victim.email, "Guess1234").await.assert_problem(401, "invalid_credentials");
        }
        // Three failures: the account waits (the first delay, 1 s) for every unknown address,
        // even with the right password, which is not checked while it waits.
        retry_after(&login_from(&app, attacker, &victim.email, PASSWORD).await, 1);
        retry_after(&login_from(&app, elsewhere, &victim.email.to_uppercase(), PASSWORD).await, 1);
        // The owner's own address is not locked out.
        login_from(&app, home, &victim.email, PASSWORD).await.assert_status(200);

        // After the delay, attempts are checked again.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        login_from(&app, elsewhere, &victim.email, PASSWORD).await.assert_status(200);
        // The run goes on: the next failure doubles the delay, capped at 2 s.
        login_from(&app, attacker, &victim.email, "Guess1234").await.assert_problem(401, "invalid_credentials");
        assert_eq!(retry_after(&login_from(&app, attacker, &victim.email, "Guess1234").await, 2), 2);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        login_from(&app, attacker, &victim.email, "Guess1234").await.assert_problem(401, "invalid_credentials");
        assert_eq!(retry_after(&login_from(&app, attacker, &victim.email, "Guess1234").await, 2), 2);
    }
}

#[tokio::test]
async fn failed_logins_slow_the_address_down_whatever_the_accounts() {
    for db in TestDb::all() {
        let app = spawn_with(db, slowdown(100, 3)).await;
        let user = app.signup("user").await;
        let (guesser, neighbour) = ("203.0.113.77", "203.0.113.78");
        // Unknown and known accounts count alike: the answers say nothing about which exist.
        login_from(&app, guesser, &unique_email("a"), "Guess1234").await.assert_problem(401, "invalid_credentials");
        login_from(&app, guesser, &unique_email("b"), "Guess1234").await.assert_problem(401, "invalid_credentials");
        login_from(&app, guesser, &user.email, "Guess1234").await.assert_problem(401, "invalid_credentials");
        retry_after(&login_from(&app, guesser, &user.email, PASSWORD).await, 1);
        retry_after(&login_from(&app, guesser, &unique_email("c"), "Guess1234").await, 1);
        login_from(&app, neighbour, &user.email, PASSWORD).await.assert_status(200);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        login_from(&app, guesser, &user.email, PASSWORD).await.assert_status(200);
    }
}

#[tokio::test]
async fn concurrent_failed_logins_are_all_counted() {
    for db in TestDb::all() {
        let app = spawn_with(db, slowdown(6, 100)).await;
        let victim = app.signup("victim").await;
        let mut tasks = Vec::new();
        for i in 0..6 {
            let (client, base, email) = (app.client.clone(), app.base.clone(), victim.email.clone());
            tasks.push(tokio::spawn(async move {
                let res = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .header("X-Forwarded-For", format!("203.0.113.{i}"))
                    .json(&json!({"email": email, "password": "Guess1234"}))
                    .send()
                    .await
                    .unwrap();
                res.status().as_u16()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 401);
        }
        // Six failures from six addresses, counted together: the account waits.
        retry_after(&login_from(&app, "192.0.2.99", &victim.email, PASSWORD).await, 1);
    }
}

/// Another server on the database at `url`, with `tweak`ed settings; its base URL.
async fn second_server(url: &str, tweak: impl FnOnce(&mut Settings)) -> String {
    let mut settings = Settings::default();
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.database.url = url.to_owned();
    settings.database.pool_size = Some(4);
    settings.auth.jwt_secret = Some(JWT_SECRET.into());
    settings.mail.transport = roster_api::settings::MailTransport::Log;
    tweak(&mut settings);
    let app = Application::build(settings).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    base
}

#[tokio::test]
async fn the_limits_hold_across_servers_on_one_database() {
    for db in TestDb::all() {
        let url = db.url.clone();
        let tweak = |s: &mut Settings| {
            slowdown(3, 100)(s);
            s.rate_limit.user_lookup_per_minute = 4;
        };
        let app = spawn_with(db, tweak).await;
        let other = second_server(&url, tweak).await;
        let (head, org_id) = app.head_coach().await;
        let path = format!("/api/v1/organizations/{org_id}/user-lookup?email={}", head.email);
        let mut statuses = Vec::new();
        for i in 0..8 {
            let base = if i % 2 == 0 { &app.base } else { &other };
            let res = app.client.get(format!("{base}{path}")).bearer_auth(&head.token).send().await.unwrap();
            statuses.push(res.status().as_u16());
        }
        assert_eq!(statuses, [200, 200, 200, 200, 429, 429, 429, 429]);

        // Failed logins on one server slow the account down on the other.
        let victim = app.signup("victim").await;
        for _ in 0..3 {
            login_from(&app, "203.0.113.5", &victim.email, "Guess1234")
                .await
                .assert_problem(401, "invalid_credentials");
        }
        let res = app
            .client
            .post(format!("{other}/api/v1/auth/login"))
            .header("X-Forwarded-For", "192.0.2.8")
            .json(&json!({"email": victim.email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        retry_after(&TestApp::read(res).await, 1);
    }
}
