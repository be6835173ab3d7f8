//! The served OpenAPI document says what the server answers: clients are
//! generated from it. scripts/contract-test.sh checks the same against the
//! running server with schemathesis; these tests pin the document's shape.

use crate::support::{TestApp, apps};
use reqwest::Method;
use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    app.call(Method::GET, "/api/v1/openapi.json", None, None).await.assert_status(200).clone()
}

/// `(METHOD path, operation)` for every operation.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((format!("{} {path}", method.to_uppercase()), path.clone(), op));
            }
        }
    }
    assert!(ops.len() > 50, "the whole API is documented: {}", ops.len());
    ops
}

fn responses(op: &Value) -> &serde_json::Map<String, Value> {
    op["responses"].as_object().unwrap()
}

fn parameter<'a>(op: &'a Value, name: &str) -> Option<&'a Value> {
    op["parameters"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == name))
}

#[tokio::test]
async fn path_parameters_are_the_path_template_and_filters_are_query_parameters() {
    for app in apps().await {
        let doc = document(&app).await;
        for (name, path, op) in operations(&doc) {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let placeholder = format!("{{{}}}", p["name"].as_str().unwrap());
                if p["in"] == "path" {
                    assert!(path.contains(&placeholder), "{name}: `{}` is no path parameter", p["name"]);
                    assert_eq!(p["required"], true, "{name}: path parameter {}", p["name"]);
                } else {
                    assert!(!path.contains(&placeholder), "{name}: `{}` is in the path", p["name"]);
                }
            }
        }
        let ops = operations(&doc);
        let op = |wanted: &str| ops.iter().find(|(name, ..)| name == wanted).unwrap().2;
        for (operation, query) in [
            ("GET /api/v1/organizations/{org_id}/audit-events", "actor_id"),
            ("GET /api/v1/organizations/{org_id}/groups", "limit"),
            ("GET /api/v1/organizations/{org_id}/invitations", "status"),
            ("GET /api/v1/organizations/{org_id}/members/{user_id}/activities", "before"),
            ("GET /api/v1/organizations/{org_id}/training-plans", "q"),
            ("GET /api/v1/organizations/{org_id}/members/{user_id}/weekly-distance", "weeks"),
        ] {
            let p = parameter(op(operation), query).unwrap_or_else(|| panic!("{operation}: no `{query}`"));
            assert_eq!(p["in"], "query", "{operation}: {query}");
            assert_ne!(p["required"], true, "{operation}: {query} is optional");
        }
        let email = parameter(op("GET /api/v1/organizations/{org_id}/user-lookup"), "email").unwrap();
        assert_eq!((&email["in"], &email["required"]), (&Value::from("query"), &Value::from(true)));
    }
}

#[tokio::test]
async fn every_limit_is_1_to_200_and_counts_are_not_negative() {
    for app in apps().await {
        let doc = document(&app).await;
        let mut limits = 0;
        for (name, _, op) in operations(&doc) {
            if let Some(limit) = parameter(op, "limit") {
                limits += 1;
                assert_eq!(limit["in"], "query", "{name}");
                assert_eq!(limit["schema"]["minimum"], 1, "{name}: {limit}");
                assert_eq!(limit["schema"]["maximum"], 200, "{name}: {limit}");
            }
        }
        assert!(limits >= 6, "every paged list has a limit: {limits}");
        for (name, _, op) in operations(&doc) {
            for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] != "path") {
                let nullable = p["schema"]["type"].as_array().is_some_and(|t| t.contains(&Value::from("null")));
                assert!(!nullable, "{name}: {} is never null: {p}", p["name"]);
                if p["name"] == "If-Match" {
                    assert!(p["schema"]["pattern"].is_string(), "{name}: If-Match has the ETag form: {p}");
                }
            }
        }
        let schemas = &doc["components"]["schemas"];
        let weeks = parameter(
            &doc["paths"]["/api/v1/organizations/{org_id}/members/{user_id}/weekly-distance"]["get"],
            "weeks",
        );
        assert_eq!(weeks.unwrap()["schema"]["minimum"], 1, "{weeks:?}");
        // Counts are never negative, and the lists' required fields are required.
        assert_eq!(schemas["MemberListDto"]["properties"]["total"]["minimum"], 0, "{}", schemas["MemberListDto"]);
        let member = schemas["MemberDto"]["required"].as_array().unwrap();
        for (field, always) in [("assigned_to_coach_id", true), ("display_name", true), ("labels", false)] {
            assert_eq!(member.contains(&Value::from(field)), always, "MemberDto.{field}: {member:?}");
        }
        // A field the server leaves out when it has no value is not required.
        let required = schemas["GroupAssignResultDto"]["required"].as_array().cloned().unwrap_or_default();
        assert!(!required.contains(&Value::from("code")), "{}", schemas["GroupAssignResultDto"]);
        for list in ["MemberListDto", "GroupListDto", "InvitationListDto", "PlanListDto", "AuditPageDto"] {
            let required = schemas[list]["required"].as_array().unwrap();
            for field in ["data", "next_cursor"] {
                assert!(required.contains(&Value::from(field)), "{list}.{field} is required: {}", schemas[list]);
            }
        }
    }
}

/// A schema that `allOf` combines may not close itself to the other parts'
/// properties: no object could then validate.
#[tokio::test]
async fn no_all_of_part_forbids_the_other_parts_properties() {
    for app in apps().await {
        let doc = document(&app).await;
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let resolve = |s: &'_ Value| -> Value {
            match s["$ref"].as_str() {
                Some(r) => schemas[r.trim_start_matches("#/components/schemas/")].clone(),
                None => s.clone(),
            }
        };
        let mut all_ofs = Vec::new();
        collect_all_ofs(&doc, &mut all_ofs);
        for parts in all_ofs {
            if parts.len() < 2 {
                continue;
            }
            for part in &parts {
                assert_ne!(resolve(part)["additionalProperties"], false, "an allOf that cannot validate: {parts:?}");
            }
        }
        // The zones answer is an object with the settings and their version.
        let zones = &schemas["ZonesDto"];
        for field in ["heart_rate", "pace", "version", "updated_at"] {
            assert!(zones["properties"][field].is_object(), "ZonesDto.{field}: {zones}");
        }
    }
}

fn collect_all_ofs(value: &Value, found: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(parts)) = map.get("allOf") {
                found.push(parts.clone());
            }
            map.values().for_each(|v| collect_all_ofs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_all_ofs(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn every_error_is_documented_as_problem_json() {
    for app in apps().await {
        let doc = document(&app).await;
        for (name, _, op) in operations(&doc) {
            for (status, response) in responses(op) {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().unwrap_or_else(|| panic!("{name} {status}: no body"));
                    let types: Vec<_> = content.keys().collect();
                    assert_eq!(types, ["application/problem+json"], "{name} {status}");
                    assert_eq!(content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_errors_every_operation_can_answer_are_documented() {
    for app in apps().await {
        let doc = document(&app).await;
        for (name, path, op) in operations(&doc) {
            let documented = |status: &str| responses(op).contains_key(status);
            let secured = op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if secured {
                assert!(documented("401"), "{name}: 401");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(documented(status), "{name}: {status}");
                }
            }
            let has_query = op["parameters"].as_array().into_iter().flatten().any(|p| p["in"] != "path");
            if has_query {
                assert!(documented("400"), "{name}: 400 for a bad query or header value");
            }
            if path.contains('{') {
                assert!(documented("404"), "{name}: 404");
            }
            assert!(documented("414"), "{name}: 414 for a request target over 8 KiB");
            if path != "/healthz" {
                assert!(documented("503"), "{name}: 503 when the database is unavailable");
                let retry = &responses(op)["503"]["headers"]["Retry-After"];
                assert!(retry.is_object(), "{name}: 503 has Retry-After");
            }
        }
        let ops = operations(&doc);
        for public in [
            "POST /api/v1/auth/signup",
            "POST /api/v1/auth/login",
            "GET /api/v1/invitations/{token}",
            "POST /api/v1/invitations/{token}/accept",
        ] {
            let op = ops.iter().find(|(name, ..)| name == public).unwrap().2;
            let limited = &responses(op)["429"];
            assert!(limited["headers"]["Retry-After"].is_object(), "{public}: 429 with Retry-After: {limited}");
        }
        assert!(!responses(&doc["paths"]["/healthz"]["get"]).contains_key("503"), "healthz needs no database");
    }
}

#[tokio::test]
async fn every_reference_resolves() {
    for app in apps().await {
        let doc = document(&app).await;
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 100, "{}", refs.len());
        for r in refs {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
            assert!(doc["components"]["schemas"][name].is_object(), "{r} is not in the document");
        }
    }
}

fn collect_refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                found.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, found)),
        _ => {}
    }
}
