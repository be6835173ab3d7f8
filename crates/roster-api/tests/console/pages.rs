//! The console's pages over HTTP, on both backends: sessions and CSRF,
//! the sidebar, the roster with its filters, inviting, the profile with a
//! stale edit, an assistant coach's limits, and refusals as pages.

use crate::client::{Browser, field_value};
use crate::support::{Session, TestApp, apps, unique_email};
use reqwest::Method;
use serde_json::{Value, json};

/// The API session of an account the console made (for fixtures).
pub(crate) async fn api_session(app: &TestApp, email: &str) -> (Session, String) {
    let body = json!({"email": email, "password": crate::support::PASSWORD});
    let res = app.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await;
    let login = res.assert_status(200).clone();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/auth/me", &token).await;
    let org_id = me.body["memberships"][0]["org_id"].as_str().unwrap_or_default().to_owned();
    let user_id = login["user"]["user_id"].as_str().unwrap().to_owned();
    (Session { token, user_id, email: email.to_owned() }, org_id)
}

#[tokio::test]
async fn signed_out_pages_send_to_sign_in_and_back() {
    for app in apps().await {
        let mut b = Browser::new(&app);
        b.get("/").await.assert_redirect("/sign-in");
        b.get("/athletes?labels=%40x").await.assert_redirect("/sign-in?next=/athletes%3Flabels%3D%2540x");
        let page = b.get("/sign-in").await;
        page.assert(200);
        assert!(page.body.contains("<label for=\"email\">E-mail</label>"));
        assert!(page.body.contains("href=\"/forgot-password\"") && page.body.contains("href=\"/create-account\""));
        // A sign-in form posted without the page's token is refused.
        let refused = b.post("/sign-in", &[("csrf", "forged"), ("email", "a@b.c"), ("password", "x")]).await;
        refused.assert(403);
        assert!(refused.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    }
}

#[tokio::test]
async fn creating_an_account_signs_in_with_an_httponly_lax_cookie_then_the_club_is_created() {
    for app in apps().await {
        let mut b = Browser::new(&app);
        let email = unique_email("head");
        b.create_account("Hana", &email).await;
        let cookie = b.set_cookies.iter().find(|c| c.starts_with("roster_session=")).unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"),
            "{cookie}"
        );
        b.get("/").await.assert_redirect("/club/new");
        let page = b.get("/club/new").await;
        assert!(page.body.contains("Create your club"));
        // A validation error keeps the input and names the field.
        let bad = b
            .submit("/club/new", "/club/new", &[("name", "Riverside"), ("description", ""), ("timezone", "Mars/Base")])
            .await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"timezone-error\"") && bad.body.contains("value=\"Riverside\""), "{}", bad.body);
        b.submit("/club/new", "/club/new", &[("name", "Riverside"), ("description", ""), ("timezone", "UTC")])
            .await
            .assert_redirect("/athletes");
        let athletes = b.get("/athletes").await;
        athletes.assert(200);
        for item in [
            "Athletes",
            "Groups",
            "Training plans",
            "Invitations",
            "Coaches",
            "Audit log",
            "Settings",
            "Invite athlete",
        ] {
            assert!(athletes.body.contains(&format!(">{item}</a>")), "{item}");
        }
        assert!(athletes.body.len() < 100_000);
        assert_eq!(athletes.body.matches("/static/").count(), 2, "a page loads at most 2 static files");
    }
}

#[tokio::test]
async fn every_form_post_needs_the_session_token_and_signing_out_ends_the_session() {
    for app in apps().await {
        let (mut b, _) = Browser::head_coach(&app).await;
        b.post("/settings", &[("csrf", "forged"), ("name", "Stolen"), ("description", ""), ("timezone", "UTC")])
            .await
            .assert(403);
        b.post("/settings", &[("name", "Stolen"), ("description", ""), ("timezone", "UTC")]).await.assert(403);
        let unreadable = b.post("/sign-in", &[("email", "a@b.c")]).await;
        unreadable.assert(400);
        assert!(unreadable.body.contains("This form could not be read"));
        let settings = b.get("/settings").await;
        assert!(settings.body.contains("value=\"Riverside Runners\""));
        let session = b.cookies["roster_session"].clone();
        b.submit("/athletes", "/sign-out", &[]).await.assert_redirect("/sign-in");
        assert!(!b.cookies.contains_key("roster_session"));
        // The old cookie is dead on the server too.
        b.cookies.insert("roster_session".into(), session);
        b.get("/athletes").await.assert_redirect("/sign-in?next=/athletes");
    }
}

#[tokio::test]
async fn signing_out_everywhere_through_the_api_ends_console_sessions() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (api, _) = api_session(&app, &email).await;
        app.call(Method::POST, "/api/v1/auth/logout-all", Some(&api.token), None).await.assert_status(204);
        b.get("/athletes").await.assert_redirect("/sign-in?next=/athletes");
    }
}

#[tokio::test]
async fn inviting_an_athlete_sends_the_email_and_a_bad_address_is_shown_beside_its_field() {
    for app in apps().await {
        let (mut b, _) = Browser::head_coach(&app).await;
        let bad = b
            .submit(
                "/athletes/invite",
                "/athletes/invite",
                &[("first_name", "Jo"), ("email", "not-an-email"), ("group", ""), ("plan", ""), ("start_date", "")],
            )
            .await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"email-error\"") && bad.body.contains("value=\"Jo\""), "{}", bad.body);
        let email = unique_email("jo");
        let form = [("first_name", "Jo"), ("email", email.as_str()), ("group", ""), ("plan", ""), ("start_date", "")];
        b.submit("/athletes/invite", "/athletes/invite", &form).await.assert_redirect("/invitations?sent=1");
        let list = b.get("/invitations?sent=1").await;
        assert!(list.body.contains("Invitation sent.") && list.body.contains(&email) && list.body.contains("pending"));
        let queued: Vec<String> = app.store.outbox_records().unwrap().into_iter().map(|r| r.message.to).collect();
        assert!(queued.contains(&email));
    }
}

#[tokio::test]
async fn the_roster_filters_by_label_and_the_profile_refuses_a_stale_edit_keeping_the_input() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let ann = app.athlete(&org_id, None).await;
        let bob = app.athlete(&org_id, None).await;
        let path = format!("/athletes/{}", ann.user_id);
        let profile = b.get(&path).await;
        profile.assert(200);
        for section in [
            "Training plans",
            "Goal race",
            "Connected integrations",
            "Recent activities",
            "Weekly distance",
            "Insights",
            "Attention signals",
            "Edit",
            "Assign coach",
        ] {
            assert!(profile.body.contains(&format!(">{section}</h2>")), "{section}");
        }
        assert!(profile.body.contains("<caption>Distance per week, last 12 weeks</caption>"));
        let version = field_value(&profile.body, "version").unwrap();
        let edit = [
            ("display_name", "Annie"),
            ("member_level", "gold"),
            ("labels", "@marathon"),
            ("private_notes", "knee"),
            ("status", "active"),
            ("version", version.as_str()),
        ];
        b.submit(&path, &format!("{path}/edit"), &edit).await.assert_redirect(&path);
        let roster = b.get("/athletes?labels=marathon").await;
        assert!(roster.body.contains("Annie") && !roster.body.contains(&bob.email), "{}", roster.body);
        assert!(roster.body.contains("<span class=\"chip\">@marathon</span>"));
        // Someone else saves first: the form comes back with both versions.
        app.patch(
            &format!("/api/v1/organizations/{org_id}/members/{}", ann.user_id),
            &head.token,
            json!({"member_level": "silver"}),
        )
        .await
        .assert_status(200);
        let stale = [
            ("display_name", "Ann B"),
            ("member_level", "gold"),
            ("labels", "@marathon"),
            ("private_notes", "knee"),
            ("status", "active"),
            ("version", version.as_str()),
        ];
        let again = b.submit(&path, &format!("{path}/edit"), &stale).await;
        again.assert(422);
        assert!(
            again.body.contains("Someone else saved")
                && again.body.contains("value=\"Ann B\"")
                && again.body.contains("<dd>silver</dd>"),
            "{}",
            again.body
        );
        let member: Value =
            app.get(&format!("/api/v1/organizations/{org_id}/members/{}", ann.user_id), &head.token).await.body;
        assert_eq!(member["display_name"], "Annie", "nothing was overwritten");
    }
}

#[tokio::test]
async fn an_assistant_coach_gets_no_edit_controls_for_another_coachs_athlete_and_a_forged_post_is_refused() {
    for app in apps().await {
        let (_, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let theirs = app.athlete(&org_id, None).await;
        let mine = app.athlete(&org_id, Some(&coach)).await;
        let mut b = Browser::new(&app);
        b.sign_in(&coach.email).await;
        let other = b.get(&format!("/athletes/{}", theirs.user_id)).await;
        other.assert(200);
        assert!(!other.body.contains(">Edit</h2>") && !other.body.contains("Remove from organization"));
        assert!(!other.body.contains(">Assign coach</h2>"));
        assert!(!other.body.contains(">Audit log</a>"), "the audit log is the head coach's");
        b.get("/audit").await.assert(403);
        let own = b.get(&format!("/athletes/{}", mine.user_id)).await;
        assert!(own.body.contains(">Edit</h2>"));
        let forged = [
            ("display_name", "Hacked"),
            ("member_level", ""),
            ("labels", ""),
            ("private_notes", ""),
            ("status", "active"),
            ("version", "1"),
        ];
        let refused = b
            .submit(&format!("/athletes/{}", mine.user_id), &format!("/athletes/{}/edit", theirs.user_id), &forged)
            .await;
        refused.assert(403);
        assert!(refused.body.contains("not assigned to you"), "{}", refused.body);
    }
}

#[tokio::test]
async fn an_athlete_sees_their_club_and_can_leave() {
    for app in apps().await {
        let (_, head_email) = Browser::head_coach(&app).await;
        let (_, org_id) = api_session(&app, &head_email).await;
        let athlete = app.athlete(&org_id, None).await;
        let mut b = Browser::new(&app);
        b.sign_in(&athlete.email).await;
        b.get("/").await.assert_redirect("/me");
        let me = b.get("/me").await;
        me.assert(200);
        assert!(
            me.body.contains(">My club</a>") && !me.body.contains(">Edit</h2>") && !me.body.contains("Private notes")
        );
        b.get("/athletes").await.assert(403);
        b.submit("/me/leave", "/me/leave", &[]).await.assert_redirect("/");
        b.get("/").await.assert_redirect("/club/new");
    }
}

#[tokio::test]
async fn unknown_pages_are_html_for_browsers_and_problems_for_the_api_and_assets_are_immutable() {
    for app in apps().await {
        let mut b = Browser::new(&app);
        let missing = b.get("/no-such-page").await;
        missing.assert(404);
        assert!(missing.body.contains("Page not found"));
        let api = b.get("/api/v1/no-such-thing").await;
        assert_eq!(api.headers["content-type"], "application/problem+json");
        let page = b.get("/sign-in").await;
        let at = page.body.find("/static/console.").unwrap();
        let css = &page.body[at..at + page.body[at..].find('"').unwrap()];
        let asset = b.get(css).await;
        asset.assert(200);
        assert_eq!(asset.headers["cache-control"], "public, max-age=31536000, immutable");
        b.get("/static/console.css").await.assert(404);
        let (mut coach, _) = Browser::head_coach(&app).await;
        coach.get(&format!("/athletes/{}", roster_domain::UserId::new())).await.assert(404);
        coach.get("/athletes/not-an-id").await.assert(404);
    }
}

#[tokio::test]
async fn an_invite_link_is_shown_once_and_an_existing_user_is_added_with_a_plan_that_can_be_cancelled() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let plan = json!({"name": "Base", "sport": "run", "duration_weeks": 4, "description": "", "workouts": []});
        let res = app.post(&format!("/api/v1/organizations/{org_id}/training-plans"), &head.token, plan).await;
        let plan_id = res.assert_status(201)["plan_id"].as_str().unwrap().to_owned();

        let bad = b
            .submit(
                "/athletes/invite-link",
                "/athletes/invite-link",
                &[("name", "Spring"), ("max_uses", "0"), ("expires", "")],
            )
            .await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"max_uses-error\"") && bad.body.contains("value=\"Spring\""));
        let made = b
            .submit(
                "/athletes/invite-link",
                "/athletes/invite-link",
                &[("name", "Spring"), ("max_uses", "20"), ("expires", "")],
            )
            .await;
        made.assert(200);
        let link = field_value(&made.body, "created-link").or_else(|| {
            let at = made.body.find("http://127.0.0.1:8080/join/")?;
            Some(made.body[at..at + made.body[at..].find('"')?].to_owned())
        });
        assert!(link.unwrap().contains("/join/"), "{}", made.body);

        let someone = app.signup("existing").await;
        b.submit(
            "/athletes/add",
            "/athletes/add",
            &[("email", "nobody@example.com"), ("group", ""), ("plan", ""), ("start_date", "")],
        )
        .await
        .assert(422);
        let added = b
            .submit(
                "/athletes/add",
                "/athletes/add",
                &[("email", someone.email.as_str()), ("group", ""), ("plan", ""), ("start_date", "")],
            )
            .await;
        let profile_path = format!("/athletes/{}", someone.user_id);
        added.assert_redirect(&profile_path);

        let today = chrono::Utc::now().date_naive().to_string();
        let bad_plan = b
            .submit(&profile_path, &format!("{profile_path}/plans"), &[("plan", ""), ("start_date", today.as_str())])
            .await;
        bad_plan.assert(422);
        assert!(bad_plan.body.contains("id=\"plan-error\""));
        b.submit(
            &profile_path,
            &format!("{profile_path}/plans"),
            &[("plan", plan_id.as_str()), ("start_date", today.as_str())],
        )
        .await
        .assert_redirect(&profile_path);
        let with_plan = b.get(&profile_path).await;
        assert!(with_plan.body.contains("<strong>Base</strong>"), "{}", with_plan.body);
        let at = with_plan.body.find("/cancel\"").unwrap();
        let start = with_plan.body[..at].rfind("action=\"").unwrap() + 8;
        let cancel = format!("{}/cancel", &with_plan.body[start..at]);
        b.submit(&profile_path, &cancel, &[]).await.assert_redirect(&profile_path);
        assert!(!b.get(&profile_path).await.body.contains("<strong>Base</strong>"));
    }
}

#[tokio::test]
async fn an_athlete_uploads_a_gpx_file_and_a_bad_file_is_shown_beside_the_field() {
    let gpx = br#"<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Park loop</name><trkseg>
<trkpt lat="51.5000" lon="-0.1000"><time>2026-12-01T07:00:00Z</time></trkpt>
<trkpt lat="51.5090" lon="-0.1000"><time>2026-12-01T07:05:00Z</time></trkpt>
<trkpt lat="51.5180" lon="-0.1000"><time>2026-12-01T07:10:00Z</time></trkpt></trkseg></trk></gpx>"#;
    for app in apps().await {
        let (_, head_email) = Browser::head_coach(&app).await;
        let (_, org_id) = api_session(&app, &head_email).await;
        let athlete = app.athlete(&org_id, None).await;
        let mut anonymous = Browser::new(&app);
        anonymous.upload("/me/upload", &[("csrf", "x")], ("run.gpx", gpx)).await.assert_redirect("/sign-in");
        let mut b = Browser::new(&app);
        b.sign_in(&athlete.email).await;
        let csrf = b.get("/me/upload").await.assert(200).csrf();
        let bad = b.upload("/me/upload", &[("csrf", csrf.as_str())], ("notes.txt", b"hello")).await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"file-error\""), "{}", bad.body);
        b.upload("/me/upload", &[("csrf", "forged")], ("run.gpx", gpx)).await.assert(403);
        b.upload("/me/upload", &[("csrf", csrf.as_str())], ("run.gpx", gpx)).await.assert_redirect("/me/activities");
        let list = b.get("/me/activities").await;
        assert!(list.body.contains("Park loop") && list.body.contains("2.0 km"), "{}", list.body);
    }
}
