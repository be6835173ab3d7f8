//! API tests for an athlete's data: activities, race goals, zones,
//! integrations and the weekly distance trend, on both backends.

mod activities;
mod goals_and_zones;
mod integrations_and_weeks;

use crate::support::{Resp, Session, TestApp};
use reqwest::Method;
use serde_json::Value;

/// `/api/v1/organizations/{org}/members/{user}/{rest}`.
pub fn member_path(org_id: &str, who: &Session, rest: &str) -> String {
    format!("/api/v1/organizations/{org_id}/members/{}/{rest}", who.user_id)
}

/// A request with an `If-Match` header.
pub async fn with_if_match(app: &TestApp, method: Method, path: &str, token: &str, version: &str, body: Value) -> Resp {
    let res = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("if-match", version)
        .json(&body)
        .send()
        .await
        .unwrap();
    TestApp::read(res).await
}

/// The fields named in a validation problem, with their codes.
pub fn field_errors(res: &Resp) -> Vec<(String, String)> {
    res.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How many audit events of `action` the organization has.
pub async fn audit_count(app: &TestApp, head: &Session, org_id: &str, action: &str) -> usize {
    let res =
        app.get(&format!("/api/v1/organizations/{org_id}/audit-events?action={action}&limit=200"), &head.token).await;
    res.assert_status(200)["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn the_openapi_document_describes_the_athlete_routes() {
    let app = crate::support::spawn_with(roster_store::testing::TestDb::sqlite(), |_| {}).await;
    let res = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    let paths = &res.assert_status(200)["paths"];
    for (path, method) in [
        ("/api/v1/organizations/{org_id}/members/{user_id}/activities", "post"),
        ("/api/v1/organizations/{org_id}/members/{user_id}/race-goals/{goal_id}", "patch"),
        ("/api/v1/organizations/{org_id}/members/{user_id}/zones", "put"),
        ("/api/v1/organizations/{org_id}/members/{user_id}/weekly-distance", "get"),
        ("/api/v1/me/integrations/{provider}", "delete"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    assert!(res.body["components"]["schemas"]["ZoneSettings"].is_object());
}
