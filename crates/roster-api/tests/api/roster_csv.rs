//! API tests for the roster as CSV, CSV imports and bulk actions, on every backend.

mod bulk;
mod export_import;
mod idempotent_race;
mod malformed;

use crate::profile::{BOUNDARY, form};
use crate::support::{Resp, Session, TestApp};
use serde_json::{Value, json};

/// Uploads `csv` to the import route with the form's `fields`.
pub async fn upload(app: &TestApp, org_id: &str, token: &str, csv: &[u8], fields: &[(&str, &str)]) -> Resp {
    upload_with(app, org_id, token, csv, fields, &[]).await
}

/// [`upload`] with extra request headers.
pub async fn upload_with(
    app: &TestApp,
    org_id: &str,
    token: &str,
    csv: &[u8],
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Resp {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![("file", Some("members.csv"), csv)];
    parts.extend(fields.iter().map(|(name, value)| (*name, None, value.as_bytes())));
    let mut req = app
        .client
        .post(format!("{}/api/v1/organizations/{org_id}/imports", app.base))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(form(&parts));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    TestApp::read(req.send().await.expect("the server answers")).await
}

/// The export's bytes (status 200 asserted).
pub async fn export(app: &TestApp, org_id: &str, token: &str, query: &str) -> Vec<u8> {
    let res = app
        .client
        .get(format!("{}/api/v1/organizations/{org_id}/members.csv{query}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    res.bytes().await.unwrap().to_vec()
}

/// Each row's outcome, in file order.
pub fn outcomes(report: &Value) -> Vec<&str> {
    report["rows"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect()
}

/// The first error code of each row (`""` for none).
pub fn error_codes(report: &Value) -> Vec<&str> {
    report["rows"].as_array().unwrap().iter().map(|r| r["errors"][0]["code"].as_str().unwrap_or("")).collect()
}

/// Creates a group and returns its id.
pub async fn group(app: &TestApp, coach: &Session, org_id: &str, name: &str) -> String {
    let res = app.post(&format!("/api/v1/organizations/{org_id}/groups"), &coach.token, json!({"name": name})).await;
    res.assert_status(201)["group_id"].as_str().unwrap().to_owned()
}

/// The member as a coach reads it.
pub async fn member(app: &TestApp, org_id: &str, token: &str, who: &Session) -> Value {
    app.get(&format!("/api/v1/organizations/{org_id}/members/{}", who.user_id), token).await.assert_status(200).clone()
}
