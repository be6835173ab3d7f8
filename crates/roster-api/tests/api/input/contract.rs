//! HTTP conventions and limits: `405` names what is allowed, `429` says
//! honestly when to come back, an over-long request line is a problem, a
//! plan's workouts are capped, `/docs` redirects, a repeated group plan
//! assignment is skipped, and e-mail addresses are compared in NFC.

use crate::support::{PASSWORD, apps, spawn_with, unique_email};
use chrono::{Duration, Utc};
use reqwest::Method;
use roster_store::testing::TestDb;
use serde_json::json;

#[tokio::test]
async fn method_not_allowed_names_the_allowed_methods() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let cases = [
            (Method::PUT, "/api/v1/organizations".to_owned(), "POST"),
            (Method::DELETE, "/api/v1/auth/login".to_owned(), "POST"),
            (Method::POST, format!("/api/v1/organizations/{org_id}"), "DELETE, GET, PATCH"),
            (Method::PUT, format!("/api/v1/organizations/{org_id}/members/{}", head.user_id), "DELETE, GET, PATCH"),
            (Method::POST, "/healthz".to_owned(), "GET"),
        ];
        for (method, path, allow) in cases {
            let res = app.call(method.clone(), &path, Some(&head.token), None).await;
            res.assert_problem(405, "method_not_allowed");
            assert_eq!(res.header("allow"), Some(allow), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn rate_limited_answers_say_when_to_retry_rounded_up() {
    // The invitation preview is public, rate limited and cheap, so the
    // requests below arrive well within the limiter's periods.
    let preview = |app: &crate::support::TestApp| format!("{}/api/v1/invitations/no-such-token", app.base);
    // 6 a minute: one every 10 s, so the wait after the burst is about 10 s, never `0`.
    let app = spawn_with(TestDb::sqlite(), |s| {
        s.rate_limit.enabled = true;
        s.rate_limit.per_minute = 6;
        s.rate_limit.burst = 1;
    })
    .await;
    let first = crate::support::TestApp::read(app.client.get(preview(&app)).send().await.unwrap()).await;
    first.assert_problem(404, "invitation_not_found");
    for _ in 0..3 {
        let res = crate::support::TestApp::read(app.client.get(preview(&app)).send().await.unwrap()).await;
        res.assert_problem(429, "rate_limited");
        let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
        assert!((8..=10).contains(&retry), "Retry-After {retry}");
    }
    // 600 a minute: the wait after the burst is under 100 ms, and still says 1.
    let app = spawn_with(TestDb::sqlite(), |s| {
        s.rate_limit.enabled = true;
        s.rate_limit.per_minute = 600;
        s.rate_limit.burst = 1;
    })
    .await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (client, url) = (app.client.clone(), preview(&app));
        requests.spawn(async move { crate::support::TestApp::read(client.get(url).send().await.unwrap()).await });
    }
    let mut limited = 0;
    while let Some(res) = requests.join_next().await {
        let res = res.unwrap();
        if res.status == 429 {
            res.assert_problem(429, "rate_limited");
            assert_eq!(res.header("retry-after"), Some("1"));
            limited += 1;
        }
    }
    assert!(limited > 0);
}

#[tokio::test]
async fn an_over_long_request_line_is_a_problem() {
    for app in apps().await {
        let user = app.signup("long").await;
        for len in [10_000, 20_000, 60_000] {
            let path = format!("/api/v1/auth/me?pad={}", "x".repeat(len));
            let res = app.get(&path, &user.token).await;
            res.assert_problem(414, "uri_too_long");
        }
        let path = format!("/api/v1/{}", "a".repeat(20_000));
        app.get(&path, &user.token).await.assert_problem(414, "uri_too_long");
    }
}

#[tokio::test]
async fn a_plan_has_at_most_three_workouts_a_day() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let plans = format!("/api/v1/organizations/{org_id}/training-plans");
        // `per_day` workouts on each of the 14 days of a two-week plan, plus `extra` on week 1's Monday.
        let workouts = |per_day: usize, extra: usize| -> Vec<_> {
            let days = (1..=2).flat_map(|week| (1..=7).map(move |day| (week, day)));
            let mut all: Vec<_> = days
                .flat_map(|(week, day)| {
                    (0..per_day).map(move |i| json!({"week": week, "day": day, "title": format!("W{i}")}))
                })
                .collect();
            all.extend((0..extra).map(|i| json!({"week": 1, "day": 1, "title": format!("Extra {i}")})));
            all
        };
        let body = |w| json!({"name": "Cap", "sport": "run", "duration_weeks": 2, "workouts": w});
        let res = app.post(&plans, &head.token, body(workouts(3, 0))).await;
        assert_eq!(res.assert_status(201)["workouts"].as_array().unwrap().len(), 42);
        let plan_url = format!("{plans}/{}", res.body["plan_id"].as_str().unwrap());
        let res = app.post(&plans, &head.token, body(workouts(1, 3))).await;
        res.assert_problem(422, "too_many_workouts");
        assert_eq!(res.body["errors"][0]["field"], "workouts");
        let res = app.post(&plans, &head.token, body(workouts(0, 15_000))).await;
        res.assert_problem(422, "too_many_workouts");
        let res = app.patch(&plan_url, &head.token, json!({"workouts": workouts(3, 1)})).await;
        res.assert_problem(422, "too_many_workouts");
        let res = app.get(&plan_url, &head.token).await;
        assert_eq!(res.assert_status(200)["workouts"].as_array().unwrap().len(), 42);
    }
}

#[tokio::test]
async fn docs_without_the_slash_redirects() {
    let app = spawn_with(TestDb::sqlite(), |_| {}).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client.get(format!("{}/docs", app.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 308);
    assert_eq!(res.headers().get("location").unwrap(), "/docs/");
    let res = app.client.get(format!("{}/docs", app.base)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn a_repeated_group_plan_assignment_is_skipped_with_already_assigned() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let org = format!("/api/v1/organizations/{org_id}");
        let group = app.post(&format!("{org}/groups"), &head.token, json!({"name": "Track"})).await;
        let group_url = format!("{org}/groups/{}", group.assert_status(201)["group_id"].as_str().unwrap());
        app.call(Method::PUT, &format!("{group_url}/members/{}", athlete.user_id), Some(&head.token), None)
            .await
            .assert_status(204);
        let plan_id = crate::plans::create_plan(&app, &head, &org_id, "Base", 2).await;
        let body = json!({"plan_id": plan_id, "start_date": Utc::now().date_naive() + Duration::days(1)});
        let first = app.post(&format!("{group_url}/plan-assignments"), &head.token, body.clone()).await;
        assert_eq!(first.assert_status(200)["results"][0]["outcome"], "assigned");
        assert!(first.body["results"][0].get("code").is_none_or(serde_json::Value::is_null), "{}", first.text);
        let again = app.post(&format!("{group_url}/plan-assignments"), &head.token, body).await;
        let result = &again.assert_status(200)["results"][0];
        assert_eq!((&result["outcome"], &result["code"]), (&json!("skipped"), &json!("already_assigned")));
    }
}

#[tokio::test]
async fn email_addresses_are_one_account_whatever_their_unicode_form() {
    for app in apps().await {
        let local = format!("jos\u{e9}.{}", &unique_email("x")[..12]);
        let composed = format!("{local}@example.com");
        let decomposed = composed.replace('\u{e9}', "e\u{301}");
        assert_ne!(composed, decomposed);
        let signup = |email: &str| json!({"email": email, "password": PASSWORD, "first_name": "Jos\u{e9}"});
        let res = app.call(Method::POST, "/api/v1/auth/signup", None, Some(signup(&composed))).await;
        assert_eq!(res.assert_status(201)["user"]["email"], composed);
        let res = app.call(Method::POST, "/api/v1/auth/signup", None, Some(signup(&decomposed))).await;
        res.assert_problem(409, "email_taken");
        // Signed up decomposed, signed in composed (and the other way round).
        let other = format!("ren\u{e9}e.{}", &unique_email("y")[..12]);
        let other_decomposed = format!("{other}@example.com").replace('\u{e9}', "e\u{301}");
        let res = app.call(Method::POST, "/api/v1/auth/signup", None, Some(signup(&other_decomposed))).await;
        assert_eq!(res.assert_status(201)["user"]["email"], format!("{other}@example.com"));
        let login = json!({"email": format!("{other}@EXAMPLE.com"), "password": PASSWORD});
        app.call(Method::POST, "/api/v1/auth/login", None, Some(login)).await.assert_status(200);
        let (head, org_id) = app.head_coach().await;
        let lookup = format!("/api/v1/organizations/{org_id}/user-lookup?email={}", urlencode(&decomposed));
        let res = app.get(&lookup, &head.token).await;
        assert_eq!(res.assert_status(200)["user"]["email"], composed);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

#[tokio::test]
async fn every_documented_path_names_its_methods_in_allow() {
    let app = spawn_with(TestDb::sqlite(), |_| {}).await;
    let user = app.signup("allow").await;
    let doc = app.client.get(format!("{}/api/v1/openapi.json", app.base)).send().await.unwrap();
    let doc: serde_json::Value = doc.json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let documented: Vec<&str> = ["DELETE", "GET", "PATCH", "POST", "PUT"]
            .into_iter()
            .filter(|m| item.get(m.to_lowercase()).is_some())
            .collect();
        let Some(other) = ["PUT", "PATCH", "DELETE", "POST", "GET"].into_iter().find(|m| !documented.contains(m))
        else {
            continue;
        };
        let concrete = path
            .split('/')
            .map(|seg| match seg {
                "{provider}" => "strava".to_owned(),
                s if s.starts_with('{') => uuid::Uuid::now_v7().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let res = app.call(other.parse().unwrap(), &concrete, Some(&user.token), None).await;
        res.assert_problem(405, "method_not_allowed");
        assert_eq!(res.header("allow"), Some(documented.join(", ").as_str()), "{other} {path}");
        checked += 1;
    }
    assert!(checked > 20, "{checked}");
}
