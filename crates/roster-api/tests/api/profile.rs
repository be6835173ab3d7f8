//! API tests for the athlete profile and activity file import, on both
//! backends.

mod import;
mod signals;
mod view;

use crate::support::{Resp, Session, TestApp};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// `/api/v1/organizations/{org}/members/{user}/{rest}`.
pub fn member_path(org_id: &str, who: &Session, rest: &str) -> String {
    format!("/api/v1/organizations/{org_id}/members/{}/{rest}", who.user_id)
}

/// A file of the importer's test data.
pub fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../roster-import/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub const BOUNDARY: &str = "roster-test-7d1f0c";

/// A `multipart/form-data` body: `(name, file name, content)` per part.
pub fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, data) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => {
                body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes())
            }
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts `body` with `content_type` to the import route of `who`.
pub async fn post_raw(app: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Resp {
    let res = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the server answers");
    TestApp::read(res).await
}

/// Imports one file (multipart, part `file`).
pub async fn import(app: &TestApp, org_id: &str, who: &Session, token: &str, name: &str, bytes: &[u8]) -> Resp {
    post_raw(
        app,
        &member_path(org_id, who, "activities/import"),
        token,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        form(&[("file", Some(name), bytes)]),
    )
    .await
}

/// An RFC 3339 instant `hours` ago.
pub fn ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Records a run of `distance_m` that started `hours` ago.
pub async fn log_run(app: &TestApp, org_id: &str, who: &Session, token: &str, hours: i64, distance_m: f64) {
    let body = json!({"sport": "run", "start_time": ago(hours), "distance_m": distance_m, "duration_s": 1800});
    app.post(&member_path(org_id, who, "activities"), token, body).await.assert_status(201);
}

/// The signal codes of a profile.
pub fn codes(profile: &Value) -> Vec<String> {
    profile["attention_signals"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap().to_owned()).collect()
}
