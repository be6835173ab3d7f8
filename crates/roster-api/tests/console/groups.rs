//! **Groups**, **Invitations** and the **Audit log** over HTTP, on both
//! backends: creating, renaming (a stale rename keeps the input), members
//! added by e-mail and removed, **Assign plan** to a group, deleting;
//! resending and revoking invitations; the audit log's filters; and the
//! refusals (an athlete, an assistant coach, a forged CSRF token).

use crate::client::Browser;
use crate::pages::api_session;
use crate::support::{Session, TestApp, apps, unique_email};
use serde_json::json;

async fn plan(app: &TestApp, head: &Session, org_id: &str, name: &str) -> String {
    let plan = json!({"name": name, "sport": "run", "duration_weeks": 4, "description": "", "workouts": []});
    let res = app.post(&format!("/api/v1/organizations/{org_id}/training-plans"), &head.token, plan).await;
    res.assert_status(201)["plan_id"].as_str().unwrap().to_owned()
}

/// Creates a group through the console; its page's path.
async fn create_group(b: &mut Browser<'_>, name: &str) -> String {
    let made = b.submit("/groups", "/groups", &[("name", name), ("description", "Tuesday track")]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    made.location().to_owned()
}

#[tokio::test]
async fn a_group_is_created_renamed_given_members_and_a_plan_then_deleted() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let plan_id = plan(&app, &head, &org_id, "Base").await;
        let athlete = app.athlete(&org_id, None).await;

        let list = b.get("/groups").await;
        list.assert(200);
        assert!(list.body.contains("No groups yet.") && list.body.contains(">Create group</h2>"));
        // Errors come back beside their fields, with the input kept.
        let bad = b.submit("/groups", "/groups", &[("name", "  "), ("description", "Keep me")]).await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"name-error\"") && bad.body.contains(">Keep me</textarea>"), "{}", bad.body);
        let path = create_group(&mut b, "Track squad").await;
        assert!(path.starts_with("/groups/"), "{path}");
        let taken = b.submit("/groups", "/groups", &[("name", "Track squad"), ("description", "")]).await;
        taken.assert(422);
        assert!(taken.body.contains("Another group already has this name."));
        assert!(b.get("/groups").await.body.contains(&format!("href=\"{path}\">Track squad</a>")));

        let page = b.get(&path).await;
        page.assert(200);
        assert!(page.body.contains("<h1>Track squad</h1>") && page.body.contains("Nobody in this group yet."));
        assert!(page.body.contains(">Assign plan</h2>") && page.body.contains("Also for athletes who join later"));

        // Rename; a stale form is refused with the input kept.
        let form = [("name", "Track team"), ("description", "Tuesdays"), ("version", "1")];
        b.submit(&path, &path, &form).await.assert_redirect(&format!("{path}?done=saved"));
        let stale = b.submit(&path, &path, &[("name", "Old tab"), ("description", ""), ("version", "1")]).await;
        stale.assert(422);
        assert!(stale.body.contains("Someone else saved this group") && stale.body.contains("value=\"Old tab\""));
        assert!(stale.body.contains("name=\"version\" value=\"2\""), "saving again replaces theirs");

        // Members by e-mail.
        let members = format!("{path}/members");
        let unknown = b.submit(&path, &members, &[("email", "nobody@example.com")]).await;
        unknown.assert(422);
        assert!(unknown.body.contains("id=\"email-error\"") && unknown.body.contains("value=\"nobody@example.com\""));
        let upper = athlete.email.to_uppercase();
        b.submit(&path, &members, &[("email", upper.as_str())]).await.assert_redirect(&format!("{path}?done=added"));
        let with = b.get(&path).await;
        assert!(
            with.body.contains(&athlete.email) && with.body.contains(&format!("/members/{}/remove", athlete.user_id))
        );

        // Assign plan: a missing plan is shown beside its field; then for everyone, and later joiners.
        let plans = format!("{path}/plans");
        let today = chrono::Utc::now().date_naive().to_string();
        let bad = b.submit(&path, &plans, &[("plan", ""), ("start_date", today.as_str())]).await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"plan-error\"") && bad.body.contains(&format!("value=\"{today}\"")));
        let form = [("plan", plan_id.as_str()), ("start_date", today.as_str()), ("later", "on")];
        let done = b.submit(&path, &plans, &form).await;
        done.assert(200);
        assert!(
            done.body.contains("assigned to 1 of 1 members of the group") && done.body.contains("join the group later")
        );
        let again = b.submit(&path, &plans, &form).await;
        assert!(again.body.contains("already has this plan from this date"), "{}", again.body);
        let profile = b.get(&format!("/athletes/{}", athlete.user_id)).await;
        assert!(profile.body.contains("<strong>Base</strong>"), "{}", profile.body);

        let remove = format!("{path}/members/{}/remove", athlete.user_id);
        b.submit(&path, &remove, &[]).await.assert_redirect(&format!("{path}?done=removed"));
        assert!(!b.get(&path).await.body.contains(&athlete.email));

        let confirm = b.get(&format!("{path}/delete")).await;
        confirm.assert(200);
        assert!(confirm.body.contains("Delete the group “Track team”?"));
        b.submit(&format!("{path}/delete"), &format!("{path}/delete"), &[]).await.assert_redirect("/groups?deleted=1");
        assert!(b.get("/groups?deleted=1").await.body.contains("No groups yet."));
        b.get(&path).await.assert(404);
        b.get("/groups/not-an-id").await.assert(404);
    }
}

#[tokio::test]
async fn athletes_forged_posts_and_an_assistant_coachs_group_plan_follow_the_apis_rules() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let plan_id = plan(&app, &head, &org_id, "Base").await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let theirs = app.athlete(&org_id, None).await;
        let mine = app.athlete(&org_id, Some(&coach)).await;
        let path = create_group(&mut b, "Mixed").await;
        for who in [&theirs, &mine] {
            b.submit(&path, &format!("{path}/members"), &[("email", who.email.as_str())]).await.assert(303);
        }
        // A forged CSRF token.
        b.post("/groups", &[("csrf", "forged"), ("name", "X"), ("description", "")]).await.assert(403);
        b.post(&format!("{path}/delete"), &[("csrf", "forged")]).await.assert(403);

        // An assistant coach manages groups, but assigns plans only to their own athletes.
        let mut a = Browser::new(&app);
        a.sign_in(&coach.email).await;
        let page = a.get(&path).await;
        page.assert(200);
        assert!(page.body.contains(">Assign plan</h2>"));
        let today = chrono::Utc::now().date_naive().to_string();
        let done = a
            .submit(&path, &format!("{path}/plans"), &[("plan", plan_id.as_str()), ("start_date", today.as_str())])
            .await;
        done.assert(200);
        assert!(done.body.contains("assigned to 1 of 2 members of the group"), "{}", done.body);
        assert!(done.body.contains("not assigned to you"), "{}", done.body);

        // An athlete gets forbidden pages and posts.
        let mut t = Browser::new(&app);
        t.sign_in(&theirs.email).await;
        t.get("/groups").await.assert(403);
        t.get(&path).await.assert(403);
        t.get("/invitations").await.assert(403);
        let csrf = t.get("/me").await.csrf();
        t.post("/groups", &[("csrf", csrf.as_str()), ("name", "Mine"), ("description", "")]).await.assert(403);
        t.post(&format!("{path}/members/{}/remove", mine.user_id), &[("csrf", csrf.as_str())]).await.assert(404);
    }
}

#[tokio::test]
async fn invitations_are_resent_with_a_new_link_and_revoked_as_the_api_allows() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let jo = unique_email("jo");
        let form = [("first_name", "Jo"), ("email", jo.as_str()), ("group", ""), ("plan", ""), ("start_date", "")];
        b.submit("/athletes/invite", "/athletes/invite", &form).await.assert_redirect("/invitations?sent=1");
        let invites = format!("/api/v1/organizations/{org_id}/invitations");
        let link = json!({"kind": "multi_use", "name": "Spring flyer", "max_uses": 20});
        app.post(&invites, &head.token, link).await.assert_status(201);
        let coach_email = unique_email("coachinv");
        let as_coach =
            json!({"kind": "single_use", "email": coach_email, "first_name": "Cy", "role": "assistant_coach"});
        app.post(&invites, &head.token, as_coach).await.assert_status(201);
        let listed = app.get(&invites, &head.token).await;
        let id_of = |needle: &str| {
            listed.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i.to_string().contains(needle))
                .unwrap()["invitation_id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (jo_id, flyer_id, cy_id) = (id_of(&jo), id_of("Spring flyer"), id_of(&coach_email));

        let page = b.get("/invitations").await;
        page.assert(200);
        assert!(page.body.contains("Spring flyer") && page.body.contains("Link, used 0 of 20"));
        assert!(page.body.contains(&format!("/invitations/{jo_id}/resend")));
        assert!(!page.body.contains(&format!("/invitations/{flyer_id}/resend")), "a link has no e-mail to resend");
        assert!(page.body.contains(&format!("/invitations/{flyer_id}/revoke")));

        let sent_before = app.store.outbox_records().unwrap().into_iter().filter(|r| r.message.to == jo).count();
        let resent = b.submit("/invitations", &format!("/invitations/{jo_id}/resend"), &[]).await;
        resent.assert(200);
        assert!(resent.body.contains("sent again to") && resent.body.contains("data-copy=\"created-link\""));
        assert!(
            resent.body.contains("id=\"created-link-text\" href=\"http"),
            "the link is visible text without script"
        );
        let sent_after = app.store.outbox_records().unwrap().into_iter().filter(|r| r.message.to == jo).count();
        assert_eq!(sent_after, sent_before + 1);

        // An assistant coach may not revoke a coach's invitation; the page shows them no button.
        let coach = app.assistant_coach(&head, &org_id).await;
        let mut a = Browser::new(&app);
        a.sign_in(&coach.email).await;
        let theirs = a.get("/invitations").await;
        assert!(!theirs.body.contains(&format!("/invitations/{cy_id}/revoke")));
        assert!(theirs.body.contains(&format!("/invitations/{flyer_id}/revoke")));
        a.submit("/invitations", &format!("/invitations/{cy_id}/revoke"), &[]).await.assert(403);
        b.post(&format!("/invitations/{flyer_id}/revoke"), &[("csrf", "forged")]).await.assert(403);

        b.submit("/invitations", &format!("/invitations/{flyer_id}/revoke"), &[])
            .await
            .assert_redirect("/invitations?revoked=1");
        let revoked = b.get("/invitations?status=revoked").await;
        assert!(revoked.body.contains("Spring flyer") && !revoked.body.contains(&jo));
        assert!(!revoked.body.contains(&format!("/invitations/{flyer_id}/revoke")));
        let pending = b.get("/invitations?status=pending").await;
        assert!(pending.body.contains(&jo) && !pending.body.contains("Spring flyer"));
    }
}

#[tokio::test]
async fn the_audit_log_filters_by_action_and_actor_in_the_url() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        create_group(&mut b, "Hill repeats").await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let all = b.get("/audit").await;
        all.assert(200);
        assert!(all.body.contains("<code>group.created</code>") && all.body.contains("<code>coach.added</code>"));
        assert!(all.body.contains("<option value=\"group.created\">"), "actions present are suggested");
        assert!(all.body.contains(&format!("<option value=\"{}\">Hana Tester</option>", head.user_id)));

        let only = b.get("/audit?action=group.created").await;
        assert!(only.body.contains("<code>group.created</code>") && !only.body.contains("<code>coach.added</code>"));
        assert!(only.body.contains("value=\"group.created\" list=") && only.body.contains("Clear filters"));
        let by_coach = b.get(&format!("/audit?action=&actor={}", coach.user_id)).await;
        assert!(by_coach.body.contains("Nothing recorded matches these filters."), "{}", by_coach.body);
        let by_head = b.get(&format!("/audit?actor={}", head.user_id)).await;
        assert!(by_head.body.contains(&format!("<option value=\"{}\" selected>", head.user_id)));
        assert!(by_head.body.contains("<code>group.created</code>"));

        let mut a = Browser::new(&app);
        a.sign_in(&coach.email).await;
        a.get("/audit?action=group.created").await.assert(403);
    }
}
