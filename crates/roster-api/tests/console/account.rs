//! **Account** (export my data, delete account) and **Settings → Close
//! club**, over HTTP on both backends.

use crate::client::Browser;
use crate::pages::api_session;
use crate::support::{PASSWORD, TestApp, age_sessions, apps};
use reqwest::Method;
use std::io::Read;

/// The text of `name` in a ZIP.
fn file_in(zip: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

fn mail_to(app: &TestApp, email: &str) -> Vec<String> {
    let records = app.store.outbox_records().unwrap();
    records.into_iter().filter(|r| r.message.to == email).map(|r| r.message.subject).collect()
}

#[tokio::test]
async fn an_athlete_exports_their_data_then_deletes_their_account() {
    for app in apps().await {
        let (_, head_email) = Browser::head_coach(&app).await;
        let (_, org_id) = api_session(&app, &head_email).await;
        let athlete = app.athlete(&org_id, None).await;
        let mut b = Browser::new(&app);
        b.sign_in(&athlete.email).await;
        let page = b.get("/account").await;
        page.assert(200);
        for text in [">Account</a>", ">Export my data</h2>", ">Delete account</h2>", &athlete.email] {
            assert!(page.body.contains(text), "{text}");
        }

        // Just signed in: no password needed.
        let zip = b.submit("/account", "/account/export", &[("password", "")]).await;
        zip.assert(200);
        assert_eq!(zip.headers["content-type"], "application/zip");
        assert!(
            zip.headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"roster-export-")
        );
        assert!(file_in(&zip.bytes, "account.json").contains(&athlete.email));

        // Signed in long ago: the password, and only the right one.
        age_sessions(&app, &athlete.user_id);
        let asked = b.submit("/account", "/account/export", &[("password", "")]).await;
        asked.assert(422);
        assert!(asked.body.contains("id=\"export-password-error\">Enter your password"), "{}", asked.body);
        let wrong = b.submit("/account", "/account/export", &[("password", "not-it")]).await;
        wrong.assert(422);
        assert!(wrong.body.contains("That is not your password."));
        b.submit("/account", "/account/export", &[("password", PASSWORD)]).await.assert(200);

        // Deleting needs the box ticked and the password.
        let unticked = b.submit("/account", "/account/delete", &[("password", PASSWORD)]).await;
        unticked.assert(422);
        assert!(unticked.body.contains("id=\"confirm-error\""), "{}", unticked.body);
        let wrong = b.submit("/account", "/account/delete", &[("password", "not-it"), ("confirm", "yes")]).await;
        wrong.assert(422);
        assert!(wrong.body.contains("id=\"delete-password-error\">That is not your password."));
        let session = b.cookies["roster_session"].clone();
        let gone = b.submit("/account", "/account/delete", &[("password", PASSWORD), ("confirm", "yes")]).await;
        gone.assert_redirect("/sign-in?deleted=1");
        assert!(!b.cookies.contains_key("roster_session"));
        assert!(b.get("/sign-in?deleted=1").await.body.contains("Your account is deleted."));
        assert_eq!(mail_to(&app, &athlete.email).len(), 1, "the confirmation to the old address");

        // The old session is dead and the password opens nothing.
        b.cookies.insert("roster_session".into(), session);
        b.get("/account").await.assert_redirect("/sign-in?next=/account");
        let form = [("email", athlete.email.as_str()), ("password", PASSWORD), ("next", "/")];
        b.submit("/sign-in", "/sign-in", &form).await.assert(401);
    }
}

#[tokio::test]
async fn the_head_coach_must_hand_over_before_deleting_and_closes_the_club_by_its_name() {
    for app in apps().await {
        let (mut b, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let athlete = app.athlete(&org_id, None).await;

        let account = b.get("/account").await;
        assert!(account.body.contains("You are the head coach of Riverside Runners."), "{}", account.body);
        assert!(!account.body.contains("action=\"/account/delete\""));
        let refused = b.submit("/account", "/account/delete", &[("password", PASSWORD), ("confirm", "yes")]).await;
        refused.assert(422);
        assert!(refused.body.contains("transfer the head-coach role or close the club first"), "{}", refused.body);

        // Only the head coach gets the page.
        let mut other = Browser::new(&app);
        other.sign_in(&athlete.email).await;
        other.get("/settings/close").await.assert(403);

        assert!(b.get("/settings").await.body.contains("href=\"/settings/close\""));
        let mismatch = b.submit("/settings/close", "/settings/close", &[("confirm_name", "riverside runners")]).await;
        mismatch.assert(422);
        assert!(
            mismatch.body.contains("id=\"confirm_name-error\">Type the club&#39;s name exactly: Riverside Runners"),
            "{}",
            mismatch.body
        );
        let closed = b.submit("/settings/close", "/settings/close", &[("confirm_name", "Riverside Runners")]).await;
        closed.assert_redirect("/");
        b.get("/").await.assert_redirect("/club/new");
        let org = app.call(Method::GET, &format!("/api/v1/organizations/{org_id}"), Some(&head.token), None).await;
        org.assert_status(404);
        assert!(!mail_to(&app, &athlete.email).is_empty(), "the athlete hears the club closed");
        // Heading no club now, the coach may delete the account.
        b.submit("/account", "/account/delete", &[("password", PASSWORD), ("confirm", "yes")])
            .await
            .assert_redirect("/sign-in?deleted=1");
    }
}

#[tokio::test]
async fn password_forms_are_rate_limited_per_address_with_a_page_that_says_so() {
    let app = crate::support::spawn_with(roster_store::testing::TestDb::sqlite(), |s| {
        s.rate_limit.enabled = true;
        s.rate_limit.per_minute = 6;
        s.rate_limit.burst = 2;
    })
    .await;
    let mut b = Browser::new(&app);
    let form = [("email", "nobody@example.com"), ("password", "guess"), ("next", "/")];
    // The page and one guess fit the burst; the next guess waits.
    b.submit("/sign-in", "/sign-in", &form).await.assert(401);
    let csrf = b.cookies["roster_csrf"].clone();
    let limited =
        b.post("/sign-in", &[("csrf", csrf.as_str()), ("email", "nobody@example.com"), ("password", "x")]).await;
    limited.assert(429);
    assert!(
        limited.headers["content-type"].to_str().unwrap().starts_with("text/html"),
        "{:?} {}",
        limited.headers,
        limited.body
    );
    assert!(limited.body.contains("Too many attempts"));
    let retry: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry), "Retry-After {retry}");
}
