//! Journeys in headless Chromium (Debian's `chromium` and `chromedriver`),
//! driven with fantoccini: a small WebDriver client on the Tokio runtime the
//! tests already use, with no TLS stack and no Selenium server (thirtyfour
//! wraps the same protocol with more on top than these tests need). Every
//! page visited is checked with axe-core (from npm, `npm ci`) for serious
//! and critical violations, and photographed at 1280×800 and 390×844 under
//! `target/screenshots/`. Without Chromium the test says SKIPPED.

mod automation;
mod driver;
mod groups;
mod mine;
mod planned;
mod roster;

use crate::support::{PASSWORD, Session, TestApp, apps, unique_email};
use driver::{Checker, browser, start_driver};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;
use std::path::PathBuf;

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn fill(c: &Client, id: &str, text: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

async fn path(c: &Client) -> String {
    let url = c.current_url().await.unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Waits for the navigation a click or a key started to land on `expected`.
async fn wait_path(c: &Client, expected: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = path(c).await;
        if seen == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("expected to be at {expected}, still at {seen}: {}", body_text(c).await);
}

/// Waits until nothing matches `css`: after a form that posts and comes back
/// to the same path, `wait_path` is satisfied before the new page is in.
async fn wait_gone(c: &Client, css: &str) {
    for _ in 0..100 {
        if c.find(Locator::Css(css)).await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} is still on the page: {}", body_text(c).await);
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

async fn sign_in(c: &Client, app: &TestApp, email: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{}/sign-in", app.base)).await.unwrap();
    fill(c, "email", email).await;
    fill(c, "password", PASSWORD).await;
    click(c, "form button[type=submit]").await;
}

/// The invitation link in the e-mail file the outbox worker wrote for `to`.
async fn invitation_link(app: &TestApp, to: &str) -> String {
    for _ in 0..200 {
        for entry in std::fs::read_dir(app.mail_dir()).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let unfolded = text.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            if unfolded.contains(to)
                && let Some(at) = unfolded.find("/join/")
            {
                let token: String = unfolded[at + 6..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return format!("{}/join/{token}", app.base);
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no invitation e-mail for {to} in {}", app.mail_dir().display());
}

async fn api_login(app: &TestApp, email: &str) -> (Session, String) {
    let res =
        app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": PASSWORD}))).await;
    let token = res.assert_status(200)["access_token"].as_str().unwrap().to_owned();
    let user_id = res.body["user"]["user_id"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/auth/me", &token).await;
    let org_id = me.body["memberships"][0]["org_id"].as_str().unwrap().to_owned();
    (Session { token, user_id, email: email.to_owned() }, org_id)
}

/// A coach signs up, creates the club and invites an athlete, who joins
/// from the e-mail's link; the coach edits the athlete, filters by label and
/// opens the profile; an assistant coach signs in by keyboard alone and gets
/// no edit controls for another coach's athlete.
#[tokio::test]
async fn journeys_in_chromium() {
    let Some(driver) = start_driver().await else {
        println!(
            "browser tests SKIPPED: chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    for app in apps().await {
        let c = browser(&driver).await;
        journeys(&c, &app).await;
        c.close().await.unwrap();
    }
}

async fn journeys(c: &Client, app: &TestApp) {
    let mut check = Checker::new(app);
    let base = &app.base;

    // Signed-out pages.
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    check.check(c, "sign-in").await;
    c.goto(&format!("{base}/forgot-password")).await.unwrap();
    check.check(c, "forgot-password").await;
    c.goto(&format!("{base}/no-such-page")).await.unwrap();
    check.check(c, "not-found").await;

    // The coach signs up and creates the club.
    let head_email = unique_email("hana");
    c.goto(&format!("{base}/create-account")).await.unwrap();
    check.check(c, "create-account").await;
    fill(c, "first_name", "Hana").await;
    fill(c, "last_name", "Okafor").await;
    fill(c, "email", &head_email).await;
    fill(c, "password", PASSWORD).await;
    click(c, "form button[type=submit]").await;
    wait_path(c, "/club/new").await;
    check.check(c, "create-your-club").await;
    fill(c, "name", "Riverside Runners").await;
    fill(c, "timezone", "Europe/London").await;
    click(c, "main form button[type=submit]").await;
    wait_path(c, "/athletes").await;
    check.check(c, "athletes-empty").await;

    // ... and invites an athlete.
    click(c, "a[href='/athletes/invite']").await;
    wait_path(c, "/athletes/invite").await;
    check.check(c, "invite-athlete").await;
    let athlete_email = unique_email("jo");
    fill(c, "first_name", "Jo").await;
    fill(c, "email", &athlete_email).await;
    click(c, "main form button[type=submit]").await;
    wait_path(c, "/invitations?sent=1").await;
    assert!(body_text(c).await.contains(&athlete_email));
    check.check(c, "invitations").await;

    // **Copy link** shows the pending invitation's link again: the e-mail's.
    click(c, "a[href$='/link']").await;
    let field = c.wait().for_element(Locator::Css("#invitation-link")).await.unwrap();
    let shown = field.prop("value").await.unwrap().unwrap_or_default();
    check.check(c, "invitation-link").await;

    // The athlete opens the link from the e-mail, creates an account and joins.
    let link = invitation_link(app, &athlete_email).await;
    let token = |url: &str| url.rsplit("/join/").next().unwrap_or_default().to_owned();
    assert_eq!(token(&shown), token(&link), "Copy link shows the link the e-mail carries");
    c.delete_all_cookies().await.unwrap();
    c.goto(&link).await.unwrap();
    check.check(c, "join").await;
    fill(c, "su-first", "Jo").await;
    fill(c, "su-last", "Runner").await;
    fill(c, "su-password", PASSWORD).await;
    click(c, "#signup button[type=submit]").await;
    let next = c.wait().for_element(Locator::Css("#next:not(.hidden) a")).await.unwrap();
    next.click().await.unwrap();
    wait_path(c, "/sign-in").await;
    fill(c, "email", &athlete_email).await;
    fill(c, "password", PASSWORD).await;
    click(c, "form button[type=submit]").await;
    wait_path(c, "/me").await;
    assert!(body_text(c).await.contains("Riverside Runners"));
    check.check(c, "my-club").await;
    c.goto(&format!("{base}/me/activities")).await.unwrap();
    check.check(c, "my-activities").await;
    mine::journey(c, &mut check, base).await;
    c.goto(&format!("{base}/me/leave")).await.unwrap();
    check.check(c, "leave-club").await;
    c.goto(&format!("{base}/account")).await.unwrap();
    check.check(c, "account").await;

    // The coach edits the athlete's attributes, filters by label, opens the profile.
    sign_in(c, app, &head_email).await;
    wait_path(c, "/athletes").await;
    check.check(c, "athletes").await;
    c.wait().for_element(Locator::LinkText("Jo Runner")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("display_name")).await.unwrap();
    fill(c, "display_name", "Jo R").await;
    fill(c, "member_level", "gold").await;
    fill(c, "labels", "@marathon @spring").await;
    click(c, "#edit form button[type=submit]").await;
    c.wait().for_element(Locator::XPath("//header//span[@class='chip' and text()='@marathon']")).await.unwrap();
    check.check(c, "athlete-profile").await;
    c.goto(&format!("{base}/athletes")).await.unwrap();
    fill(c, "labels", "marathon").await;
    click(c, "form.filters button[type=submit]").await;
    wait_path(c, "/athletes?q=&status=&level=&labels=marathon&coach=&group=&compliance_below=&sort=name").await;
    c.find(Locator::LinkText("Jo R")).await.unwrap();
    check.check(c, "athletes-filtered").await;
    fill(c, "labels", "sprint").await;
    click(c, "form.filters button[type=submit]").await;
    wait_path(c, "/athletes?q=&status=&level=&labels=sprint&coach=&group=&compliance_below=&sort=name").await;
    assert!(body_text(c).await.contains("No athletes match."));
    c.find(Locator::LinkText("Jo R")).await.unwrap_err();
    c.back().await.unwrap();
    c.wait().for_element(Locator::LinkText("Jo R")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("a[href$='/remove']")).await.unwrap();
    click(c, "a[href$='/remove']").await;
    c.wait().for_element(Locator::Css("form[action$='/remove']")).await.unwrap();
    check.check(c, "remove-athlete").await;
    for (page, name) in [
        ("/groups", "groups"),
        ("/plans", "training-plans"),
        ("/coaches", "coaches"),
        ("/audit", "audit-log"),
        ("/settings", "settings"),
        ("/athletes/invite-link", "create-invite-link"),
        ("/athletes/add", "add-existing-user"),
    ] {
        c.goto(&format!("{base}{page}")).await.unwrap();
        check.check(c, name).await;
    }

    groups::journey(c, &mut check, base, &athlete_email).await;
    roster::bulk_and_csv(c, &mut check, base).await;
    let (head, org_id) = api_login(app, &head_email).await;
    planned::journey(c, &mut check, app, (&head, &org_id)).await;

    // An assistant coach signs in by keyboard only and cannot edit another coach's athlete.
    let assistant = app.assistant_coach(&head, &org_id).await;
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/sign-in")).await.unwrap();
    let mut reached = false;
    for _ in 0..10 {
        c.active_element().await.unwrap().send_keys(TAB).await.unwrap();
        if c.active_element().await.unwrap().attr("id").await.unwrap().as_deref() == Some("email") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the e-mail field");
    c.active_element().await.unwrap().send_keys(&assistant.email).await.unwrap();
    c.active_element().await.unwrap().send_keys(TAB).await.unwrap();
    c.active_element().await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    wait_path(c, "/athletes").await;
    c.wait().for_element(Locator::LinkText("Jo R")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("week-h")).await.unwrap();
    let text = body_text(c).await;
    assert!(text.contains("Weekly distance") && !text.contains("Remove from organization"));
    c.find(Locator::Id("edit")).await.unwrap_err();
    check.check(c, "athlete-profile-assistant").await;

    // The head coach closes the club from Settings, typing its name.
    sign_in(c, app, &head_email).await;
    wait_path(c, "/athletes").await;
    // A plan's page with its workout forms, and the head-coach transfer's confirmation.
    c.goto(&format!("{base}/plans")).await.unwrap();
    click(c, "main table a[href^='/plans/']").await;
    c.wait().for_element(Locator::Id("add-workout-heading")).await.unwrap();
    check.check(c, "training-plan").await;
    c.goto(&format!("{base}/coaches")).await.unwrap();
    click(c, "a[href$='/transfer']").await;
    c.wait().for_element(Locator::Css("form[action$='/transfer']")).await.unwrap();
    check.check(c, "transfer-head-coach").await;
    automation::journey(c, &mut check, base).await;
    c.goto(&format!("{base}/settings")).await.unwrap();
    click(c, "a[href='/settings/close']").await;
    wait_path(c, "/settings/close").await;
    fill(c, "confirm_name", "Riverside").await;
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Id("confirm_name-error")).await.unwrap();
    check.check(c, "close-club-mismatch").await;
    fill(c, "confirm_name", "Riverside Runners").await;
    click(c, "main form button[type=submit]").await;
    wait_path(c, "/club/new").await;
    assert!(check.pages.len() >= 22, "{:?}", check.pages);
}
