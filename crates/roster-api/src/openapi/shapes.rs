//! What serde does that utoipa's derives cannot see, made true of the whole
//! document in one place.

use std::collections::BTreeSet;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// Response fields that serde leaves out when empty (`skip_serializing_if`);
/// every other field of a response body is always sent, `null` or not.
const OMITTED_WHEN_EMPTY: &[(&str, &str)] = &[
    ("AcceptedDto", "user"),
    ("AcceptedDto", "access_token"),
    ("AcceptedDto", "token_type"),
    ("AcceptedDto", "expires_at"),
    ("GroupAssignResultDto", "code"),
    ("MemberDto", "labels"),
    ("MemberDto", "private_notes"),
    ("MemberDto", "profile_status"),
    ("Problem", "errors"),
];

/// The ETag forms `routes::if_match` reads: `*`, `"3"`, `W/"3"` (quotes optional).
const IF_MATCH: &str = r#"^\s*(\*|(W/)?"?[0-9]{1,18}"?)\s*$"#;

/// Marks response fields required, keeps `null` out of query parameters and
/// gives `If-Match` its form.
pub struct Shapes;

impl Modify for Shapes {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut requests = BTreeSet::new();
        let mut responses = BTreeSet::new();
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in operations.into_iter().flatten() {
                refs(&op.request_body, &mut requests);
                refs(&op.parameters, &mut requests);
                refs(&op.responses, &mut responses);
                parameters(op);
            }
        }
        let Some(components) = openapi.components.as_mut() else { return };
        let all = components.schemas.clone();
        let requests = reachable(requests, &all);
        for name in reachable(responses, &all).difference(&requests) {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
                for field in object.properties.keys() {
                    let omitted = OMITTED_WHEN_EMPTY.contains(&(name.as_str(), field.as_str()));
                    if !omitted && !object.required.contains(field) {
                        object.required.push(field.clone());
                    }
                }
            }
        }
    }
}

/// A query value is text: it can be absent, never `null`.
fn parameters(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        let Some(RefOr::T(Schema::Object(schema))) = p.schema.as_mut() else { continue };
        if matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header)
            && let SchemaType::Array(types) = &schema.schema_type
        {
            let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
            schema.schema_type = match types.as_slice() {
                [one] => SchemaType::Type(one.clone()),
                _ => SchemaType::Array(types),
            };
        }
        if matches!(p.parameter_in, ParameterIn::Header) && p.name.eq_ignore_ascii_case("If-Match") {
            schema.pattern = Some(IF_MATCH.to_owned());
        }
    }
}

/// The component names `value` refers to.
fn refs(value: &impl serde::Serialize, found: &mut BTreeSet<String>) {
    fn walk(v: &serde_json::Value, found: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(r)) = map.get("$ref")
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                {
                    found.insert(name.to_owned());
                }
                map.values().for_each(|v| walk(v, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    if let Ok(v) = serde_json::to_value(value) {
        walk(&v, found);
    }
}

/// `roots` and every component they refer to, transitively.
fn reachable(roots: BTreeSet<String>, all: &std::collections::BTreeMap<String, RefOr<Schema>>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut next = BTreeSet::new();
        if let Some(schema) = all.get(&name) {
            refs(schema, &mut next);
        }
        todo.extend(next.into_iter().filter(|n| !seen.contains(n)));
    }
    seen
}
