//! Writes without `If-Match` racing each other: each applies to the latest
//! version, so every one of them succeeds; `412 version_mismatch` is only
//! for a client that named a version that is no longer current.

use crate::support::{TestApp, apps};
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

/// How many writes race at once.
const WRITERS: usize = 12;

/// Sends `WRITERS` copies of a write at once, the i-th with `body(i)`, and
/// asserts that every one answered 200.
async fn all_succeed(app: &TestApp, method: Method, path: &str, token: &str, body: impl Fn(usize) -> Value) {
    let writes = (0..WRITERS).map(|i| app.call(method.clone(), path, Some(token), Some(body(i))));
    for res in join_all(writes).await {
        assert_eq!(res.status, 200, "{:?} {path}: {}", app.backend, res.text);
    }
}

#[tokio::test]
async fn concurrent_writes_without_if_match_all_apply() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let org = format!("/api/v1/organizations/{org_id}");
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let member = format!("{org}/members/{}", athlete.user_id);
        let before = app.get(&member, &head.token).await.body["version"].as_i64().unwrap();
        all_succeed(&app, Method::PATCH, &member, &head.token, |i| json!({"member_level": format!("level {i}")})).await;
        // Each write's version is one past the one before it: none was lost.
        let after = app.get(&member, &head.token).await.body["version"].as_i64().unwrap();
        assert_eq!(after, before + WRITERS as i64, "{:?}", app.backend);
        let coach_id = coach.user_id.clone();
        all_succeed(
            &app,
            Method::PUT,
            &format!("{member}/coach"),
            &head.token,
            |i| json!({"coach_id": if i % 2 == 0 { Value::from(coach_id.as_str()) } else { Value::Null }}),
        )
        .await;
        all_succeed(&app, Method::PATCH, &org, &head.token, |i| json!({"description": format!("take {i}")})).await;
        let group = app.post(&format!("{org}/groups"), &head.token, json!({"name": "Track"})).await;
        let group = format!("{org}/groups/{}", group.assert_status(201)["group_id"].as_str().unwrap());
        all_succeed(&app, Method::PATCH, &group, &head.token, |i| json!({"description": format!("take {i}")})).await;
        let today = chrono::Utc::now().date_naive();
        let goal = json!({"race_name": "Berlin", "race_date": today + chrono::Duration::days(90), "distance_m": 42195});
        let goal = app.post(&format!("{member}/race-goals"), &head.token, goal).await;
        let goal = format!("{member}/race-goals/{}", goal.assert_status(201)["race_goal_id"].as_str().unwrap());
        all_succeed(&app, Method::PATCH, &goal, &head.token, |i| json!({"race_name": format!("Berlin {i}")})).await;
    }
}

#[tokio::test]
async fn concurrent_plan_edits_without_if_match_all_apply() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let plan_id = crate::plans::create_plan(&app, &head, &org_id, "Base", 4).await;
        let plan = format!("/api/v1/organizations/{org_id}/training-plans/{plan_id}");
        all_succeed(&app, Method::PATCH, &plan, &head.token, |i| json!({"description": format!("take {i}")})).await;
    }
}
