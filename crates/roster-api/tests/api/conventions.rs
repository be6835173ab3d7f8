//! The contract's conventions: problem+json for every error, 400/405/413/415/429.

use crate::support::{PASSWORD, TestApp, apps, spawn_with, unique_email};
use roster_store::testing::TestDb;
use serde_json::json;

async fn raw_post(app: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> crate::support::Resp {
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    TestApp::read(res).await
}

#[tokio::test]
async fn malformed_bodies_are_400_problems() {
    for app in apps().await {
        let user = app.signup("conv").await;
        let orgs = "/api/v1/organizations";
        raw_post(&app, orgs, &user.token, "application/json", b"{\"name\": ".to_vec())
            .await
            .assert_problem(400, "malformed_json");
        let res =
            raw_post(&app, orgs, &user.token, "application/json", br#"{"name":"A","is_admin":true}"#.to_vec()).await;
        res.assert_problem(400, "unknown_field");
        assert_eq!(res.body["errors"][0]["field"], "is_admin");
        let res = raw_post(&app, orgs, &user.token, "application/json", br#"{"name": 42}"#.to_vec()).await;
        res.assert_problem(400, "invalid_type");
        let res = raw_post(&app, orgs, &user.token, "application/json", br#"{}"#.to_vec()).await;
        res.assert_problem(400, "missing_field");
        assert_eq!(res.body["errors"][0]["field"], "name");
        raw_post(&app, orgs, &user.token, "text/plain", br#"{"name":"A"}"#.to_vec())
            .await
            .assert_problem(415, "unsupported_media_type");
        let huge = format!(r#"{{"name":"A","description":"{}"}}"#, "x".repeat(1_100_000)).into_bytes();
        raw_post(&app, orgs, &user.token, "application/json", huge).await.assert_problem(413, "payload_too_large");
        // Nothing was created by any of these.
        let me = app.get("/api/v1/auth/me", &user.token).await;
        assert_eq!(me.body["memberships"], json!([]));
    }
}

/// serde reads a struct from a JSON array too (its fields in order): `[null,
/// null]` was every field of an all-optional body, and `["A"]` a new
/// organization. A body is a JSON object.
#[tokio::test]
async fn a_json_array_is_no_body_object() {
    for app in apps().await {
        let user = app.signup("conv").await;
        let orgs = "/api/v1/organizations";
        let res = raw_post(&app, orgs, &user.token, "application/json", br#"["A"]"#.to_vec()).await;
        res.assert_problem(400, "invalid_type");
        let me = app.get("/api/v1/auth/me", &user.token).await;
        assert_eq!(me.body["memberships"], json!([]), "nothing was created");
        let org = app.post(orgs, &user.token, json!({"name": "Array club"})).await;
        let path = format!("{orgs}/{}", org.assert_status(201)["org_id"].as_str().unwrap());
        let res = app.call(reqwest::Method::PATCH, &path, Some(&user.token), Some(json!([null, null, null]))).await;
        res.assert_problem(400, "invalid_type");
        // Duplicate keys stay refused, as serde refuses them in an object.
        let res = raw_post(&app, orgs, &user.token, "application/json", br#"{"name":"A","name":"B"}"#.to_vec()).await;
        assert_eq!(res.status, 400, "{}", res.text);
    }
}

#[tokio::test]
async fn wrong_method_is_405_and_unknown_path_404_both_problems() {
    for app in apps().await {
        let user = app.signup("conv").await;
        app.call(reqwest::Method::PUT, "/api/v1/organizations", Some(&user.token), None)
            .await
            .assert_problem(405, "method_not_allowed");
        app.call(reqwest::Method::DELETE, "/api/v1/auth/login", None, None)
            .await
            .assert_problem(405, "method_not_allowed");
        app.get("/api/v1/nothing-here", &user.token).await.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn public_auth_endpoints_are_rate_limited_with_retry_after() {
    let app = spawn_with(TestDb::sqlite(), |s| {
        s.rate_limit.enabled = true;
        s.rate_limit.per_minute = 1;
        s.rate_limit.burst = 3;
    })
    .await;
    let body = json!({"email": unique_email("rl"), "password": PASSWORD});
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..5 {
        let res = app.call(reqwest::Method::POST, "/api/v1/auth/login", None, Some(body.clone())).await;
        statuses.push(res.status);
        if res.status == 429 {
            limited = Some(res);
        }
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    let limited = limited.unwrap();
    limited.assert_problem(429, "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(retry >= 1);
    // Authenticated endpoints are not limited.
    let me = app.call(reqwest::Method::GET, "/api/v1/auth/me", None, None).await;
    assert_eq!(me.status, 401);
}

#[tokio::test]
async fn rate_limits_can_be_turned_off() {
    let app = spawn_with(TestDb::sqlite(), |s| {
        s.rate_limit.enabled = false;
        s.rate_limit.per_minute = 1;
        s.rate_limit.burst = 1;
    })
    .await;
    let body = json!({"email": unique_email("rl"), "password": PASSWORD});
    for _ in 0..5 {
        let res = app.call(reqwest::Method::POST, "/api/v1/auth/login", None, Some(body.clone())).await;
        assert_eq!(res.status, 401);
    }
}

#[tokio::test]
async fn a_query_value_of_the_wrong_kind_names_its_parameter() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let member = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        for (path, field) in [
            (format!("{member}/weekly-distance?weeks=-1"), "weeks"),
            (format!("{member}/calendar?from=2026-13-01"), "from"),
            (format!("/api/v1/organizations/{org_id}/audit-events?limit=ten"), "limit"),
        ] {
            let res = app.get(&path, &head.token).await;
            res.assert_problem(400, "invalid_parameter");
            assert_eq!(res.body["errors"][0]["field"], field, "{path}: {}", res.text);
        }
        let res = app.get(&format!("{member}/weekly-distance?wekks=4"), &head.token).await;
        res.assert_problem(400, "unknown_parameter");
        assert_eq!(res.body["errors"][0]["field"], "wekks", "{}", res.text);
    }
}
