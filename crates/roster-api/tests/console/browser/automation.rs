//! The head coach's Settings → **API keys** and **Webhooks** in Chromium:
//! a form refused beside its field, a key and a secret shown once with
//! Copy, the revoke and delete confirmations, an endpoint's page with its
//! deliveries.

use super::{Checker, body_text, click, fill, wait_path};
use fantoccini::{Client, Locator};

pub(super) async fn journey(c: &Client, check: &mut Checker, base: &str) {
    c.goto(&format!("{base}/settings")).await.unwrap();
    click(c, "a[href='/settings/api-keys']").await;
    wait_path(c, "/settings/api-keys").await;
    check.check(c, "api-keys").await;
    fill(c, "name", "Nightly sync").await;
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Id("scopes-error")).await.unwrap();
    check.check(c, "api-keys-error").await;
    click(c, "input[value='members:read']").await;
    click(c, "main form button[type=submit]").await;
    let key = c.wait().for_element(Locator::Id("created-key")).await.unwrap();
    assert!(key.prop("value").await.unwrap().unwrap_or_default().starts_with("rst_"));
    check.check(c, "api-key-created").await;
    c.goto(&format!("{base}/settings/api-keys")).await.unwrap();
    click(c, "a[href$='/revoke']").await;
    c.wait().for_element(Locator::Css("form[action$='/revoke']")).await.unwrap();
    check.check(c, "revoke-api-key").await;
    click(c, "main form button[type=submit]").await;
    wait_path(c, "/settings/api-keys?revoked=1").await;

    click(c, "main .tabs a[href='/settings/webhooks']").await;
    wait_path(c, "/settings/webhooks").await;
    check.check(c, "webhooks-empty").await;
    fill(c, "url", "http://10.0.0.7/hook").await;
    fill(c, "description", "CRM sync").await;
    click(c, "input[value='member.added']").await;
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Id("url-error")).await.unwrap();
    check.check(c, "webhooks-refused").await;
    // Nothing listens on the discard port: the test event fails and is logged.
    fill(c, "url", "http://127.0.0.1:9/hook").await;
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Id("created-secret")).await.unwrap();
    check.check(c, "webhook-created").await;
    c.find(Locator::LinkText("Open the endpoint")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("edit-heading")).await.unwrap();
    click(c, "form[action$='/test'] button").await;
    c.wait().for_element(Locator::Css("form[action$='/redeliver']")).await.unwrap();
    assert!(body_text(c).await.contains("webhook.test"));
    check.check(c, "webhook-endpoint").await;
    click(c, "form[action$='/rotate-secret'] button").await;
    c.wait().for_element(Locator::Id("new-secret")).await.unwrap();
    check.check(c, "webhook-secret-rotated").await;
    click(c, "a[href$='/delete']").await;
    c.wait().for_element(Locator::Css("form[action$='/delete']")).await.unwrap();
    check.check(c, "delete-webhook").await;
    c.goto(&format!("{base}/settings/webhooks")).await.unwrap();
    check.check(c, "webhooks").await;
}
