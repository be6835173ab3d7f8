//! Webhooks: endpoint rules, signed delivery to a loopback receiver checked
//! by an independent verifier, retries, 410, redirects, rotation, test
//! events and redelivery, SSRF refusals, disabling after days of failures,
//! and two servers on one PostgreSQL database (each event fanned out once,
//! each delivery attempted once).

mod attention;
mod failing;
mod receiver;

use crate::support::{Resp, Session, TestApp, apps, spawn_with};
use receiver::{Receiver, verified};
use roster_store::testing::TestDb;
use serde_json::{Value, json};
use std::time::Duration;

fn hooks(org_id: &str) -> String {
    format!("/api/v1/organizations/{org_id}/webhooks")
}

/// Test settings: quick polling and retries (the schedule in seconds).
fn quick(settings: &mut roster_api::Settings) {
    settings.webhooks.poll_interval_ms = 50;
    settings.webhooks.retry_schedule_s = vec![1, 1, 1];
    settings.webhooks.timeout_s = 2;
}

async fn quick_apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in TestDb::all() {
        out.push(spawn_with(db, quick).await);
    }
    out
}

async fn create_hook(app: &TestApp, head: &Session, org_id: &str, body: Value) -> (String, String) {
    let res = app.post(&hooks(org_id), &head.token, body).await;
    let body = res.assert_status(201);
    (body["webhook_id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
}

async fn deliveries(app: &TestApp, head: &Session, org_id: &str, hook: &str) -> Vec<Value> {
    let res = app.get(&format!("{}/{hook}/deliveries", hooks(org_id)), &head.token).await;
    res.assert_status(200)["data"].as_array().unwrap().clone()
}

/// Waits (up to 30 s) until the endpoint's deliveries satisfy `done`.
async fn settle(
    app: &TestApp,
    head: &Session,
    org_id: &str,
    hook: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..300 {
        let list = deliveries(app, head, org_id, hook).await;
        if done(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("deliveries never settled: {:?}", deliveries(app, head, org_id, hook).await);
}

async fn endpoint(app: &TestApp, head: &Session, org_id: &str, hook: &str) -> Value {
    app.get(&format!("{}/{hook}", hooks(org_id)), &head.token).await.assert_status(200).clone()
}

async fn wait_until_disabled(app: &TestApp, head: &Session, org_id: &str, hook: &str) -> Value {
    for _ in 0..300 {
        let e = endpoint(app, head, org_id, hook).await;
        if e["enabled"] == false {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the endpoint was never disabled");
}

#[tokio::test]
async fn endpoints_are_the_head_coachs_and_keep_their_secret_hidden() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let res = app
            .post(
                &hooks(&org_id),
                &head.token,
                json!({"url": "https://hooks.example.com/roster",
                "event_types": ["member.added", "activity.created"], "description": "CRM sync"}),
            )
            .await;
        let created = res.assert_status(201).clone();
        let secret = created["secret"].as_str().unwrap();
        assert!(secret.starts_with("whsec_"));
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD.decode(&secret["whsec_".len()..]).unwrap();
        assert_eq!(key.len(), 32);
        assert_eq!(created["enabled"], true);
        assert_eq!(created["event_types"], json!(["activity.created", "member.added"]));
        let id = created["webhook_id"].as_str().unwrap();

        let listed = app.get(&hooks(&org_id), &head.token).await;
        assert_eq!(listed.assert_status(200)["data"].as_array().unwrap().len(), 1);
        assert!(!listed.text.contains("whsec_"), "the secret is shown once: {}", listed.text);
        let one = endpoint(&app, &head, &org_id, id).await;
        assert!(one.get("secret").is_none());

        let patched = app
            .patch(&format!("{}/{id}", hooks(&org_id)), &head.token, json!({"enabled": false, "event_types": []}))
            .await;
        assert_eq!(patched.assert_status(200)["enabled"], false);
        assert_eq!(patched.body["event_types"], json!([]));
        assert_eq!(patched.body["description"], "CRM sync");

        let rotated = app.post(&format!("{}/{id}/rotate-secret", hooks(&org_id)), &head.token, json!({})).await;
        let rotated = rotated.assert_status(200);
        assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
        assert_ne!(rotated["secret"].as_str().unwrap(), secret);

        // The secret is sealed at rest.
        let stored = stored_secrets(&app);
        assert!(!stored.is_empty() && stored.iter().all(|s| !s.contains("whsec_")), "{stored:?}");

        let audit = app.get(&format!("/api/v1/organizations/{org_id}/audit-events"), &head.token).await;
        let actions: Vec<&str> = audit.assert_status(200)["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for action in ["webhook.created", "webhook.updated", "webhook.secret_rotated"] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
        assert!(!audit.text.contains("whsec_"));

        app.delete(&format!("{}/{id}", hooks(&org_id)), &head.token).await.assert_status(204);
        app.get(&format!("{}/{id}", hooks(&org_id)), &head.token).await.assert_problem(404, "not_found");
        app.delete(&format!("{}/{id}", hooks(&org_id)), &head.token).await.assert_problem(404, "not_found");
    }
}

fn stored_secrets(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    use roster_store::schema::webhook_endpoints;
    let mut conn = app.store.conn().unwrap();
    webhook_endpoints::table
        .select(webhook_endpoints::secret)
        .load::<String>(&mut *conn)
        .unwrap()
        .into_iter()
        .chain(
            webhook_endpoints::table
                .select(webhook_endpoints::previous_secret)
                .load::<Option<String>>(&mut *conn)
                .unwrap()
                .into_iter()
                .flatten(),
        )
        .collect()
}

#[tokio::test]
async fn others_cannot_manage_endpoints() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (id, _) = create_hook(&app, &head, &org_id, json!({"url": "https://hooks.example.com/"})).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let (stranger, other_org) = app.head_coach().await;
        let one = format!("{}/{id}", hooks(&org_id));
        for who in [&coach, &athlete] {
            app.get(&hooks(&org_id), &who.token).await.assert_problem(403, "forbidden");
            app.post(&hooks(&org_id), &who.token, json!({"url": "https://x.example.com/"}))
                .await
                .assert_problem(403, "forbidden");
            app.patch(&one, &who.token, json!({"enabled": false})).await.assert_problem(403, "forbidden");
            app.delete(&one, &who.token).await.assert_problem(403, "forbidden");
            app.post(&format!("{one}/test"), &who.token, json!({})).await.assert_problem(403, "forbidden");
            app.get(&format!("{one}/deliveries"), &who.token).await.assert_problem(403, "forbidden");
        }
        // Outside the organization: it does not exist.
        app.get(&hooks(&org_id), &stranger.token).await.assert_problem(404, "not_found");
        // Another organization's endpoint id is unknown here.
        app.get(&format!("{}/{id}", hooks(&other_org)), &stranger.token).await.assert_problem(404, "not_found");
        app.delete(&format!("{}/{id}", hooks(&other_org)), &stranger.token).await.assert_problem(404, "not_found");
        app.post(&format!("{}/{id}/rotate-secret", hooks(&other_org)), &stranger.token, json!({}))
            .await
            .assert_problem(404, "not_found");
        let unknown = roster_domain::DeliveryId::new();
        app.post(&format!("{one}/deliveries/{unknown}/redeliver"), &head.token, json!({}))
            .await
            .assert_problem(404, "not_found");
    }
}

#[track_caller]
fn assert_field(res: &Resp, field: &str, code: &str) {
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.header("content-type"), Some("application/problem+json"));
    let errors = res.body["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["field"] == field && e["code"] == code), "{field} {code}: {}", res.text);
}

#[tokio::test]
async fn bad_endpoints_are_refused_naming_the_field() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let path = hooks(&org_id);
        let post = |body: Value| app.post(&path, &head.token, body);
        assert_field(&post(json!({"url": "ftp://example.com"})).await, "url", "invalid_url");
        assert_field(&post(json!({"url": "https://user:pw@example.com/"})).await, "url", "invalid_url");
        assert_field(
            &post(json!({"url": "https://example.com", "event_types": ["member.deleted"]})).await,
            "event_types",
            "unknown_event_type",
        );
        assert_field(
            &post(json!({"url": "https://example.com", "description": "x".repeat(501)})).await,
            "description",
            "too_long",
        );
        // SSRF: address literals in the server's own networks (tests allow only 127.0.0.0/8).
        for url in
            ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://192.168.1.1/"]
        {
            assert_field(&post(json!({"url": url})).await, "url", "address_not_allowed");
        }
        let (id, _) = create_hook(&app, &head, &org_id, json!({"url": "https://example.com/"})).await;
        let res =
            app.patch(&format!("{}/{id}", hooks(&org_id)), &head.token, json!({"url": "http://172.16.0.1/"})).await;
        assert_field(&res, "url", "address_not_allowed");
        post(json!({"url": "https://example.com", "secret": "mine"})).await.assert_problem(400, "unknown_field");
    }
}

#[tokio::test]
async fn changes_reach_the_receiver_signed_with_the_ids_and_changed_fields() {
    for app in quick_apps().await {
        let (head, org_id) = app.head_coach().await;
        let receiver = Receiver::start(&[]).await;
        let (hook, secret) = create_hook(&app, &head, &org_id, json!({"url": receiver.url()})).await;
        let only_activities = Receiver::start(&[]).await;
        let filtered = json!({"url": only_activities.url(), "event_types": ["activity.created", "invitation.created"]});
        create_hook(&app, &head, &org_id, filtered).await;

        let athlete = app.athlete(&org_id, None).await;
        let member = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        let res = app.patch(&member, &head.token, json!({"status": "suspended", "private_notes": "left knee"})).await;
        res.assert_status(200);

        let mut hits = receiver.wait_for(2).await;
        // Delivered concurrently: in either order.
        hits.sort_by_key(|h| h.json()["type"].as_str().unwrap().to_owned());
        let types: Vec<Value> = hits.iter().map(|h| h.json()["type"].clone()).collect();
        assert_eq!(types, [json!("member.added"), json!("member.updated")]);
        for hit in &hits {
            assert!(verified(hit, &secret), "the independent verifier accepts {hit:?}");
            assert!(!verified(hit, &roster_api::webhooks::new_secret()), "another secret does not verify");
            let age = chrono::Utc::now().timestamp() - hit.timestamp.parse::<i64>().unwrap();
            assert!((0..300).contains(&age), "timestamp {}", hit.timestamp);
        }
        let updated = hits[1].json();
        assert_eq!(updated["data"]["organization_id"], org_id.as_str());
        assert_eq!(updated["data"]["user_id"], athlete.user_id.as_str());
        assert_eq!(updated["data"]["actor_user_id"], head.user_id.as_str());
        assert_eq!(updated["data"]["changes"]["status"], json!({"old": "active", "new": "suspended"}));
        assert!(!hits[1].body.contains("private") && !hits[1].body.contains("knee"), "{}", hits[1].body);
        assert!(updated["timestamp"].is_string());

        let list =
            settle(&app, &head, &org_id, &hook, |l| l.len() == 2 && l.iter().all(|d| d["status"] == "delivered")).await;
        let ids: Vec<&str> = list.iter().map(|d| d["delivery_id"].as_str().unwrap()).collect();
        assert!(ids.contains(&hits[0].id.as_str()) && ids.contains(&hits[1].id.as_str()), "webhook-id is the delivery");
        let attempt = &list[0]["attempt_log"][0];
        assert_eq!(attempt["status_code"], 200);
        assert_eq!(attempt["response_body"], "answer 200");
        assert!(attempt["latency_ms"].as_i64().unwrap() >= 0);

        // The filtered endpoint got none of them.
        let invitee = crate::support::unique_email("invitee");
        crate::invitations::invite_single(&app, &head, &org_id, &invitee).await;
        let got = only_activities.wait_for(1).await;
        assert!(got.iter().all(|h| h.json()["type"] == "invitation.created"), "{got:?}");
    }
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_same_message_a_third_time() {
    for app in quick_apps().await {
        let (head, org_id) = app.head_coach().await;
        let receiver = Receiver::start(&[500, 429]).await;
        let (hook, secret) = create_hook(&app, &head, &org_id, json!({"url": receiver.url()})).await;
        app.post(&format!("{}/{hook}/test", hooks(&org_id)), &head.token, json!({})).await.assert_status(202);
        let hits = receiver.wait_for(3).await;
        assert!(hits.iter().all(|h| h.id == hits[0].id), "webhook-id is the same across retries");
        assert!(hits.iter().all(|h| verified(h, &secret)));
        assert_eq!(hits[0].json()["type"], "webhook.test");
        let list = settle(&app, &head, &org_id, &hook, |l| l.first().is_some_and(|d| d["status"] == "delivered")).await;
        let codes: Vec<&Value> = list[0]["attempt_log"].as_array().unwrap().iter().map(|a| &a["status_code"]).collect();
        assert_eq!(codes, [&json!(200), &json!(429), &json!(500)], "newest first");
        assert_eq!(list[0]["attempts"], 3);
        assert_eq!(list[0]["event_id"], Value::Null);
        assert_eq!(receiver.hits().len(), 3);
    }
}

#[tokio::test]
async fn gone_disables_and_redirects_are_not_followed() {
    for app in quick_apps().await {
        let (head, org_id) = app.head_coach().await;
        let moved = Receiver::start(&[302]).await;
        let (hook, _) = create_hook(&app, &head, &org_id, json!({"url": moved.url()})).await;
        app.post(&format!("{}/{hook}/test", hooks(&org_id)), &head.token, json!({})).await;
        let list = settle(&app, &head, &org_id, &hook, |l| l.first().is_some_and(|d| d["status"] == "failed")).await;
        assert_eq!(list[0]["attempt_log"][0]["status_code"], 302);
        assert_eq!(list[0]["attempt_log"][0]["error"], "redirects are not followed");
        assert_eq!(moved.hits().len(), 1, "the redirect was not followed");

        let gone = Receiver::start(&[410]).await;
        let (hook, _) = create_hook(&app, &head, &org_id, json!({"url": gone.url()})).await;
        app.post(&format!("{}/{hook}/test", hooks(&org_id)), &head.token, json!({})).await;
        let e = wait_until_disabled(&app, &head, &org_id, &hook).await;
        assert_eq!(e["disabled_reason"], "gone");
        // Enabling it again clears the reason.
        let e = app.patch(&format!("{}/{hook}", hooks(&org_id)), &head.token, json!({"enabled": true})).await;
        assert_eq!(e.assert_status(200)["disabled_reason"], Value::Null);
    }
}

#[tokio::test]
async fn after_a_rotation_both_secrets_sign_and_redelivery_keeps_the_id() {
    for app in quick_apps().await {
        let (head, org_id) = app.head_coach().await;
        let receiver = Receiver::start(&[]).await;
        let (hook, old) = create_hook(&app, &head, &org_id, json!({"url": receiver.url()})).await;
        let res = app.post(&format!("{}/{hook}/rotate-secret", hooks(&org_id)), &head.token, json!({})).await;
        let new = res.assert_status(200)["secret"].as_str().unwrap().to_owned();
        let queued = app.post(&format!("{}/{hook}/test", hooks(&org_id)), &head.token, json!({})).await;
        let delivery = queued.assert_status(202)["delivery_id"].as_str().unwrap().to_owned();
        let hits = receiver.wait_for(1).await;
        assert_eq!(hits[0].id, delivery);
        assert_eq!(hits[0].signature.split(' ').count(), 2);
        assert!(verified(&hits[0], &old) && verified(&hits[0], &new));
        settle(&app, &head, &org_id, &hook, |l| l.first().is_some_and(|d| d["status"] == "delivered")).await;

        let path = format!("{}/{hook}/deliveries/{delivery}/redeliver", hooks(&org_id));
        app.post(&path, &head.token, json!({})).await.assert_status(202);
        let hits = receiver.wait_for(2).await;
        assert_eq!(hits[1].id, delivery);
        assert_eq!(hits[1].body, hits[0].body);
    }
}

#[tokio::test]
async fn names_resolving_into_internal_networks_are_refused_at_delivery() {
    for db in TestDb::all() {
        let app = spawn_with(db, |s| {
            quick(s);
            s.webhooks.allow_networks = vec![];
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        let receiver = Receiver::start(&[]).await;
        let post = app.post(&hooks(&org_id), &head.token, json!({"url": receiver.url()})).await;
        assert_field(&post, "url", "address_not_allowed");
        let by_name = format!("http://localhost:{}/hooks", receiver.port);
        let (hook, _) = create_hook(&app, &head, &org_id, json!({"url": by_name})).await;
        app.post(&format!("{}/{hook}/test", hooks(&org_id)), &head.token, json!({})).await;
        let list = settle(&app, &head, &org_id, &hook, |l| l.first().is_some_and(|d| d["status"] == "failed")).await;
        let error = list[0]["attempt_log"][0]["error"].as_str().unwrap();
        assert!(error.contains("address not allowed"), "{error}");
        assert!(receiver.hits().is_empty());
    }
}
