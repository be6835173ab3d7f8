//! Organization API keys: management (head coach only, shown once, hashed at
//! rest, expiry rules) and using a key as `Authorization: Bearer rst_…`.

use crate::support::{Session, TestApp, apps};
use serde_json::{Value, json};

fn keys(org_id: &str) -> String {
    format!("/api/v1/organizations/{org_id}/api-keys")
}

pub async fn create_key(app: &TestApp, head: &Session, org_id: &str, scopes: &[&str]) -> (String, String) {
    let res = app.post(&keys(org_id), &head.token, json!({"name": "CRM sync", "scopes": scopes})).await;
    let body = res.assert_status(201);
    (body["key_id"].as_str().unwrap().to_owned(), body["key"].as_str().unwrap().to_owned())
}

fn stored_hashes(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    use roster_store::schema::api_keys;
    let mut conn = app.store.conn().unwrap();
    api_keys::table.select(api_keys::secret_hash).load::<String>(&mut *conn).unwrap()
}

#[tokio::test]
async fn the_head_coach_makes_lists_and_revokes_keys_shown_once() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let res = app.post(&keys(&org_id), &head.token, json!({"name": "CRM", "scopes": ["members:read"]})).await;
        let created = res.assert_status(201).clone();
        let key = created["key"].as_str().unwrap();
        assert!(key.starts_with("rst_") && key.len() == 53, "{key}");
        assert_eq!(created["prefix"], key[..12]);
        assert_eq!(created["created_by"], head.user_id.as_str());
        let expires: chrono::DateTime<chrono::Utc> = created["expires_at"].as_str().unwrap().parse().unwrap();
        let days = (expires - chrono::Utc::now()).num_days();
        assert!((89..=90).contains(&days), "90 days by default, got {days}");

        let listed = app.get(&keys(&org_id), &head.token).await;
        let data = listed.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data.len(), 1);
        for field in ["key_id", "name", "scopes", "prefix", "created_by", "created_at", "expires_at", "last_used_at"] {
            assert!(data[0].get(field).is_some(), "{field} in {}", data[0]);
        }
        assert!(!listed.text.contains(key), "the key is shown once");
        let hashes = stored_hashes(&app);
        assert!(hashes.iter().all(|h| h.len() == 64 && !h.contains(key)), "stored hashed: {hashes:?}");

        let id = created["key_id"].as_str().unwrap();
        app.delete(&format!("{}/{id}", keys(&org_id)), &head.token).await.assert_status(204);
        assert_eq!(app.get(&keys(&org_id), &head.token).await.assert_status(200)["data"], json!([]));
        app.delete(&format!("{}/{id}", keys(&org_id)), &head.token).await.assert_problem(404, "not_found");

        let audit = app.get(&format!("/api/v1/organizations/{org_id}/audit-events"), &head.token).await;
        assert!(audit.text.contains("api_key.created") && audit.text.contains("api_key.revoked"));
        assert!(!audit.text.contains(key));
    }
}

#[tokio::test]
async fn only_the_head_coach_manages_keys_and_bad_requests_name_the_field() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let body = json!({"name": "x", "scopes": ["members:read"]});
        app.post(&keys(&org_id), &coach.token, body.clone()).await.assert_problem(403, "forbidden");
        app.get(&keys(&org_id), &coach.token).await.assert_problem(403, "forbidden");
        let outsider = app.signup("outsider").await;
        app.get(&keys(&org_id), &outsider.token).await.assert_problem(404, "not_found");

        let far = (chrono::Utc::now() + chrono::Duration::days(366)).to_rfc3339();
        let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
        let cases: [(Value, &str, &str); 5] = [
            (json!({"name": "x", "scopes": ["keys:manage"]}), "scopes", "unknown_scope"),
            (json!({"name": "x", "scopes": []}), "scopes", "required"),
            (json!({"name": "", "scopes": ["members:read"]}), "name", "required"),
            (json!({"name": "x", "scopes": ["members:read"], "expires_at": far}), "expires_at", "too_far"),
            (json!({"name": "x", "scopes": ["members:read"], "expires_at": past}), "expires_at", "in_past"),
        ];
        for (body, field, code) in cases {
            let res = app.post(&keys(&org_id), &head.token, body).await;
            res.assert_problem(422, code);
            assert_eq!(res.body["errors"][0]["field"], field, "{}", res.text);
        }
        let year = (chrono::Utc::now() + chrono::Duration::days(365)).to_rfc3339();
        let body = json!({"name": "x", "scopes": ["members:read"], "expires_at": year});
        app.post(&keys(&org_id), &head.token, body).await.assert_status(201);
    }
}

fn roster(org_id: &str) -> String {
    format!("/api/v1/organizations/{org_id}/members")
}

#[tokio::test]
async fn a_key_reads_and_writes_members_as_its_scopes_allow() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (writer_id, writer) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let one = format!("{}/{}", roster(&org_id), athlete.user_id);

        let listed = app.get(&roster(&org_id), &reader).await;
        assert_eq!(listed.assert_status(200)["data"][0]["user_id"], athlete.user_id.as_str());
        app.get(&one, &reader).await.assert_status(200);
        let refused = app.patch(&one, &reader, json!({"member_level": "gold"})).await;
        refused.assert_problem(403, "insufficient_scope");
        assert!(refused.text.contains("members:write"), "names the scope: {}", refused.text);
        app.get(&roster(&org_id), &writer).await.assert_problem(403, "insufficient_scope");

        let patched = app.patch(&one, &writer, json!({"member_level": "gold"})).await;
        assert_eq!(patched.assert_status(200)["member_level"], "gold");
        let audit = app.get(&format!("/api/v1/organizations/{org_id}/audit-events"), &head.token).await;
        let events = audit.assert_status(200)["data"].as_array().unwrap().clone();
        let update = events.iter().find(|e| e["action"] == "member.updated").unwrap();
        assert_eq!(update["actor_user_id"], writer_id.as_str(), "the audit trail names the key: {update}");

        let listed = app.get(&keys(&org_id), &head.token).await;
        let used = listed.assert_status(200)["data"].as_array().unwrap().iter().all(|k| k["last_used_at"].is_string());
        assert!(used, "last_used_at is recorded: {}", listed.text);
    }
}

#[tokio::test]
async fn a_key_is_refused_elsewhere_once_revoked_or_expired_and_cannot_manage_keys() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["members:read"]).await;
        app.get(&roster(&other_org), &key).await.assert_problem(404, "not_found");
        app.get(&keys(&org_id), &key).await.assert_problem(401, "unauthenticated");

        let mut forged = key.clone();
        forged.replace_range(10..11, if &key[10..11] == "a" { "b" } else { "a" });
        app.get(&roster(&org_id), &forged).await.assert_problem(401, "unauthenticated");

        let (expiring_id, expiring) = create_key(&app, &head, &org_id, &["members:read"]).await;
        expire(&app, &expiring_id);
        app.get(&roster(&org_id), &expiring).await.assert_problem(401, "unauthenticated");

        app.get(&roster(&org_id), &key).await.assert_status(200);
        app.delete(&format!("{}/{key_id}", keys(&org_id)), &head.token).await.assert_status(204);
        app.get(&roster(&org_id), &key).await.assert_problem(401, "unauthenticated");
    }
}

fn expire(app: &TestApp, key_id: &str) {
    use diesel::prelude::*;
    use roster_store::schema::api_keys;
    let mut conn = app.store.conn().unwrap();
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).naive_utc();
    diesel::update(api_keys::table.filter(api_keys::key_id.eq(key_id)))
        .set(api_keys::expires_at.eq(past))
        .execute(&mut *conn)
        .unwrap();
}

#[tokio::test]
async fn each_key_is_rate_limited_on_its_own() {
    for db in roster_store::testing::TestDb::all() {
        let app = crate::support::spawn_with(db, |s| {
            s.rate_limit.enabled = true;
            s.rate_limit.api_key_per_minute = 2;
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        let (_, busy) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (_, quiet) = create_key(&app, &head, &org_id, &["members:read"]).await;
        for _ in 0..2 {
            app.get(&roster(&org_id), &busy).await.assert_status(200);
        }
        let limited = app.get(&roster(&org_id), &busy).await;
        limited.assert_problem(429, "rate_limited");
        assert!(limited.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() >= 1));
        app.get(&roster(&org_id), &quiet).await.assert_status(200);
        app.get(&roster(&org_id), &head.token).await.assert_status(200);
    }
}

#[tokio::test]
async fn a_key_reads_the_audit_trail_and_manages_webhooks_with_those_scopes() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (auditor_id, auditor) = create_key(&app, &head, &org_id, &["audit:read"]).await;
        let (hooker_id, hooker) = create_key(&app, &head, &org_id, &["webhooks:manage"]).await;
        let audit = format!("/api/v1/organizations/{org_id}/audit-events");
        let hooks = format!("/api/v1/organizations/{org_id}/webhooks");

        app.get(&audit, &auditor).await.assert_status(200);
        let refused = app.get(&audit, &hooker).await;
        refused.assert_problem(403, "insufficient_scope");
        assert!(refused.text.contains("audit:read"), "{}", refused.text);
        app.get(&hooks, &auditor).await.assert_problem(403, "insufficient_scope");

        let created = app.post(&hooks, &hooker, json!({"url": "https://hooks.example.com/roster"})).await;
        let hook_id = created.assert_status(201)["webhook_id"].as_str().unwrap().to_owned();
        assert_eq!(app.get(&hooks, &hooker).await.assert_status(200)["data"].as_array().unwrap().len(), 1);
        app.delete(&format!("{hooks}/{hook_id}"), &hooker).await.assert_status(204);

        let events = app.get(&audit, &auditor).await.assert_status(200)["data"].as_array().unwrap().clone();
        let created = events.iter().find(|e| e["action"] == "webhook.created").unwrap();
        assert_eq!(created["actor_user_id"], hooker_id.as_str(), "the key, not its maker: {created}");
        assert_ne!(auditor_id, hooker_id);
    }
}

#[tokio::test]
async fn a_members_write_key_assigns_coaches_and_removes_athletes() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (_, writer) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let one = format!("{}/{}", roster(&org_id), athlete.user_id);
        let assign = json!({"coach_id": coach.user_id});

        app.call(reqwest::Method::PUT, &format!("{one}/coach"), Some(&reader), Some(assign.clone()))
            .await
            .assert_problem(403, "insufficient_scope");
        let assigned = app.call(reqwest::Method::PUT, &format!("{one}/coach"), Some(&writer), Some(assign)).await;
        assert_eq!(assigned.assert_status(200)["assigned_to_coach_id"], coach.user_id.as_str());

        app.delete(&one, &reader).await.assert_problem(403, "insufficient_scope");
        let coach_as_member = format!("{}/{}", roster(&org_id), coach.user_id);
        app.delete(&coach_as_member, &writer).await.assert_problem(403, "forbidden");
        app.delete(&one, &writer).await.assert_status(204);
        app.get(&one, &reader).await.assert_problem(404, "not_found");
    }
}

/// Issue #17: a key is a principal of its organization, not of the coach who
/// made it. Only the head coach makes keys (assistants get `403`, above), so
/// the maker can leave only after handing the role over.
#[tokio::test]
async fn a_key_survives_the_removal_of_the_coach_who_made_it() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let successor = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["members:read", "members:write"]).await;

        let transfer = format!("/api/v1/organizations/{org_id}/head-coach");
        app.post(&transfer, &head.token, json!({"user_id": successor.user_id})).await.assert_status(200);
        let former = format!("/api/v1/organizations/{org_id}/coaches/{}", head.user_id);
        app.delete(&former, &successor.token).await.assert_status(204);
        app.get(&roster(&org_id), &head.token).await.assert_problem(404, "not_found");

        // The key still reads and writes, and its record still names its maker.
        app.get(&roster(&org_id), &key).await.assert_status(200);
        let one = format!("{}/{}", roster(&org_id), athlete.user_id);
        app.patch(&one, &key, json!({"member_level": "silver"})).await.assert_status(200);
        let listed = app.get(&keys(&org_id), &successor.token).await;
        let data = listed.assert_status(200)["data"].as_array().unwrap().clone();
        let record = data.iter().find(|k| k["key_id"] == key_id.as_str()).expect("still listed");
        assert_eq!(record["created_by"], head.user_id.as_str());

        // The new head coach may revoke it like any other.
        app.delete(&format!("{}/{key_id}", keys(&org_id)), &successor.token).await.assert_status(204);
        app.get(&roster(&org_id), &key).await.assert_problem(401, "unauthenticated");
    }
}
