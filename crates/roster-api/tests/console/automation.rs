//! Settings → **API keys** and **Webhooks** over HTTP, on both backends: a
//! key shown once that works against the API until revoked, an endpoint
//! refused beside its URL field (SSRF) then added, a signed test event in
//! its deliveries, redelivery, editing, rotation and deletion, and the 403
//! an assistant coach or an athlete gets.

use crate::client::{Browser, Page};
use crate::pages::api_session;
use crate::receiver::{Receiver, verified};
use crate::support::{TestApp, apps, spawn_with};
use roster_store::testing::TestDb;
use std::time::Duration;

/// The `value` of the element with `id` (an input without a name).
fn value_of(page: &Page, id: &str) -> String {
    let at = page.body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}: {}", page.body));
    let rest = &page.body[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    rest[start..start + rest[start..].find('"').unwrap()].to_owned()
}

/// The first path segment after `prefix` in the page's links.
fn id_after(page: &Page, prefix: &str) -> String {
    let at = page.body.find(prefix).unwrap_or_else(|| panic!("no {prefix}: {}", page.body)) + prefix.len();
    page.body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

async fn members_with_key(app: &TestApp, org_id: &str, key: &str) -> u16 {
    let url = format!("{}/api/v1/organizations/{org_id}/members", app.base);
    app.client.get(url).bearer_auth(key).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_key_is_shown_once_works_against_the_api_and_stops_when_revoked() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (_, org_id) = api_session(&app, &email).await;
        let settings = b.get("/settings").await;
        assert!(
            settings.body.contains("href=\"/settings/api-keys\"")
                && settings.body.contains("href=\"/settings/webhooks\"")
        );
        let page = b.get("/settings/api-keys").await;
        page.assert(200);
        assert!(page.body.contains("No API keys yet.") && page.body.contains("Read the audit log."));
        let default_expiry = (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
        assert!(page.body.contains(&format!("value=\"{default_expiry}\"")), "90 days by default");

        // Errors come back beside their fields, with the input kept.
        let too_far = (chrono::Utc::now().date_naive() + chrono::Duration::days(400)).to_string();
        let bad = b
            .submit("/settings/api-keys", "/settings/api-keys", &[("name", "Nightly sync"), ("expires_at", &too_far)])
            .await;
        bad.assert(422);
        assert!(
            bad.body.contains("id=\"scopes-error\"") && bad.body.contains("id=\"expires_at-error\""),
            "{}",
            bad.body
        );
        assert!(bad.body.contains("value=\"Nightly sync\"") && bad.body.contains(&format!("value=\"{too_far}\"")));

        let forged = [("csrf", "forged"), ("name", "Nightly sync"), ("scopes", "members:read")];
        b.post("/settings/api-keys", &forged).await.assert(403);
        let form = [("name", "Nightly sync"), ("scopes", "members:read"), ("scopes", "audit:read"), ("expires_at", "")];
        let made = b.submit("/settings/api-keys", "/settings/api-keys", &form).await;
        made.assert(200);
        assert!(made.body.contains("will not be shown again") && made.body.contains("data-copy=\"created-key\""));
        let key = value_of(&made, "created-key");
        assert!(key.starts_with("rst_") && key.len() == 53, "{key}");
        let listed = b.get("/settings/api-keys").await;
        assert!(!listed.body.contains(&key), "shown once");
        assert!(listed.body.contains(&key[..12]) && listed.body.contains("by Hana Tester"), "{}", listed.body);
        assert!(listed.body.contains("members:read") && listed.body.contains("Never"));

        assert_eq!(members_with_key(&app, &org_id, &key).await, 200);
        let key_id = id_after(&listed, "/settings/api-keys/");
        let confirm = b.get(&format!("/settings/api-keys/{key_id}/revoke")).await;
        confirm.assert(200);
        assert!(confirm.body.contains("Revoke the API key “Nightly sync”?"));
        b.submit(&format!("/settings/api-keys/{key_id}/revoke"), &format!("/settings/api-keys/{key_id}/revoke"), &[])
            .await
            .assert_redirect("/settings/api-keys?revoked=1");
        assert_eq!(members_with_key(&app, &org_id, &key).await, 401);
        assert!(b.get("/settings/api-keys?revoked=1").await.body.contains("No API keys yet."));
    }
}

/// Quick polling and retries, as the API's webhook tests use.
fn quick(settings: &mut roster_api::Settings) {
    settings.webhooks.poll_interval_ms = 50;
    settings.webhooks.retry_schedule_s = vec![1, 1, 1];
    settings.webhooks.timeout_s = 2;
}

/// The endpoint's page once `done` holds for it (up to 30 s).
async fn page_when(b: &mut Browser<'_>, path: &str, done: impl Fn(&str) -> bool) -> Page {
    for _ in 0..300 {
        let page = b.get(path).await;
        if done(&page.body) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never settled: {}", b.get(path).await.body);
}

#[tokio::test]
async fn an_endpoint_is_refused_beside_its_url_then_added_tested_redelivered_edited_and_deleted() {
    for db in TestDb::all() {
        let app = spawn_with(db, quick).await;
        let receiver = Receiver::start(&[]).await;
        let (mut b, _) = Browser::head_coach(&app).await;
        b.get("/settings/webhooks").await.assert(200);

        // An internal address is a field error, with the input kept.
        let internal = [("url", "http://10.0.0.7/hook"), ("event_types", "member.added"), ("description", "CRM")];
        let refused = b.submit("/settings/webhooks", "/settings/webhooks", &internal).await;
        refused.assert(422);
        assert!(
            refused.body.contains("id=\"url-error\"")
                && refused.body.contains("10.0.0.7 is an address in a private or internal network"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"http://10.0.0.7/hook\"") && refused.body.contains("value=\"CRM\""));
        assert!(refused.body.contains("value=\"member.added\" checked"));
        let bad = b.submit("/settings/webhooks", "/settings/webhooks", &[("url", "ftp://example.com")]).await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"url-error\""));

        let url = receiver.url();
        let form = [("url", url.as_str()), ("event_types", "member.added"), ("description", "CRM sync")];
        let made = b.submit("/settings/webhooks", "/settings/webhooks", &form).await;
        made.assert(200);
        let secret = value_of(&made, "created-secret");
        assert!(secret.starts_with("whsec_") && made.body.contains("will not be shown again"), "{secret}");
        assert!(made.body.contains("CRM sync") && made.body.contains("member.added"));
        let id = id_after(&made, "/settings/webhooks/");
        let path = format!("/settings/webhooks/{id}");
        assert!(!b.get("/settings/webhooks").await.body.contains(&secret), "shown once");

        // A test event is signed with the secret and shows in the deliveries.
        b.submit(&path, &format!("{path}/test"), &[]).await.assert_redirect(&format!("{path}?done=test"));
        let hits = receiver.wait_for(1).await;
        assert!(verified(&hits[0], &secret));
        let page = page_when(&mut b, &path, |body| body.contains(">delivered</span>")).await;
        assert!(page.body.contains("webhook.test") && page.body.contains("HTTP 200") && page.body.contains(" ms"));
        assert!(page.body.contains("answer 200"), "the first part of the answer");
        let delivery = id_after(&page, "/deliveries/");
        b.submit(&path, &format!("{path}/deliveries/{delivery}/redeliver"), &[])
            .await
            .assert_redirect(&format!("{path}?done=redelivered"));
        let hits = receiver.wait_for(2).await;
        assert_eq!(hits[1].id, hits[0].id, "a redelivery keeps its webhook-id");

        // Editing: an internal address is refused beside the field; then saved, disabled.
        let edit = [("url", "http://169.254.169.254/latest"), ("description", "CRM sync")];
        let refused = b.submit(&path, &path, &edit).await;
        refused.assert(422);
        assert!(refused.body.contains("id=\"url-error\"") && refused.body.contains("169.254.169.254"));
        let edit = [("url", url.as_str()), ("event_types", "member.removed"), ("description", "CRM v2")];
        b.submit(&path, &path, &edit).await.assert_redirect(&format!("{path}?done=saved"));
        let saved = b.get(&format!("{path}?done=saved")).await;
        assert!(saved.body.contains("value=\"CRM v2\"") && saved.body.contains("value=\"member.removed\" checked"));
        assert!(!saved.body.contains("name=\"enabled\" value=\"on\" checked"), "unticked: disabled");
        assert!(b.get("/settings/webhooks").await.body.contains(">Disabled</span>"));

        let rotated = b.submit(&path, &format!("{path}/rotate-secret"), &[]).await;
        rotated.assert(200);
        let new_secret = value_of(&rotated, "new-secret");
        assert!(new_secret.starts_with("whsec_") && new_secret != secret);

        b.get(&format!("{path}/delete")).await.assert(200);
        b.submit(&format!("{path}/delete"), &format!("{path}/delete"), &[])
            .await
            .assert_redirect("/settings/webhooks?deleted=1");
        let list = b.get("/settings/webhooks?deleted=1").await;
        assert!(list.body.contains("No endpoints yet.") && list.body.contains("The endpoint was deleted."));
        b.get(&path).await.assert(404);
    }
}

#[tokio::test]
async fn assistant_coaches_and_athletes_get_403_for_keys_and_webhooks() {
    for app in apps().await {
        let (_, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let hook = app
            .post(
                &format!("/api/v1/organizations/{org_id}/webhooks"),
                &head.token,
                serde_json::json!({"url": "https://example.com/h"}),
            )
            .await;
        let hook = hook.assert_status(201)["webhook_id"].as_str().unwrap().to_owned();
        let key = app
            .post(
                &format!("/api/v1/organizations/{org_id}/api-keys"),
                &head.token,
                serde_json::json!({"name": "sync", "scopes": ["members:read"]}),
            )
            .await;
        let key = key.assert_status(201)["key_id"].as_str().unwrap().to_owned();
        let hook_page = format!("/settings/webhooks/{hook}");
        let revoke_page = format!("/settings/api-keys/{key}/revoke");
        for email in [&coach.email, &athlete.email] {
            let mut b = Browser::new(&app);
            b.sign_in(email).await;
            for path in ["/settings/api-keys", "/settings/webhooks", hook_page.as_str(), revoke_page.as_str()] {
                let page = b.get(path).await;
                page.assert(403);
                assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
            }
        }
        let mut b = Browser::new(&app);
        b.sign_in(&coach.email).await;
        let settings = b.get("/settings").await;
        assert!(!settings.body.contains("/settings/api-keys") && !settings.body.contains("/settings/webhooks"));
        // A forged post with the assistant's own token is refused by the use case.
        let forged = b.submit("/settings", "/settings/api-keys", &[("name", "x"), ("scopes", "members:read")]).await;
        forged.assert(403);
        let forged = b.submit("/settings", "/settings/webhooks", &[("url", "https://example.com/h")]).await;
        forged.assert(403);
        b.submit("/settings", &revoke_page, &[]).await.assert(403);
        b.submit("/settings", &format!("{hook_page}/delete"), &[]).await.assert(403);
        b.submit("/settings", &format!("{hook_page}/test"), &[]).await.assert(403);
    }
}
