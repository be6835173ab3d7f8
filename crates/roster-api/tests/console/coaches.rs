//! **Coaches** over HTTP, on both backends: the head coach adds an assistant
//! coach by e-mail (errors beside the field, the input kept), removes one and
//! hands over the head-coach role, each behind a confirmation page; an
//! assistant coach sees the list without controls and an athlete gets 403,
//! and their forged posts are refused by the use cases.

use crate::client::Browser;
use crate::pages::api_session;
use crate::support::{apps, unique_email};

#[tokio::test]
async fn the_head_coach_adds_removes_and_hands_over_to_assistant_coaches() {
    for app in apps().await {
        let (mut b, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let page = b.get("/coaches").await;
        page.assert(200);
        assert!(page.body.contains("Add assistant coach") && page.body.contains("Head coach"), "{}", page.body);

        // Errors come back beside the e-mail field, with the input kept.
        let bad = b.submit("/coaches", "/coaches", &[("email", "not-an-e-mail")]).await;
        bad.assert(422);
        assert!(
            bad.body.contains("id=\"email-error\"") && bad.body.contains("value=\"not-an-e-mail\""),
            "{}",
            bad.body
        );
        let nobody = unique_email("nobody");
        let unknown = b.submit("/coaches", "/coaches", &[("email", &nobody)]).await;
        unknown.assert(422);
        assert!(unknown.body.contains("No account has this e-mail") && unknown.body.contains(&nobody));

        let coach = app.signup("coach").await;
        b.post("/coaches", &[("csrf", "forged"), ("email", &coach.email)]).await.assert(403);
        b.submit("/coaches", "/coaches", &[("email", &coach.email)]).await.assert_redirect("/coaches?done=added");
        let listed = b.get("/coaches?done=added").await;
        assert!(listed.body.contains(&coach.email) && listed.body.contains("Assistant coach"));
        assert!(listed.body.contains("told by e-mail"));
        let again = b.submit("/coaches", "/coaches", &[("email", &coach.email)]).await;
        again.assert(422);
        assert!(again.body.contains("already a member") && again.body.contains("id=\"email-error\""));

        // Remove, behind a confirmation page.
        let remove = format!("/coaches/{}/remove", coach.user_id);
        assert!(listed.body.contains(&format!("href=\"{remove}\"")));
        let confirm = b.get(&remove).await;
        confirm.assert(200);
        assert!(confirm.body.contains("from the coaches?"), "{}", confirm.body);
        b.submit(&remove, &remove, &[]).await.assert_redirect("/coaches?done=removed");
        assert!(!b.get("/coaches").await.body.contains(&coach.email));
        b.get(&format!("/coaches/{}/remove", head.user_id)).await.assert(404);

        // Transfer the head-coach role: the head coach becomes an assistant.
        let next = app.assistant_coach(&head, &org_id).await;
        let transfer = format!("/coaches/{}/transfer", next.user_id);
        let confirm = b.get(&transfer).await;
        confirm.assert(200);
        assert!(confirm.body.contains("the head coach?") && confirm.body.contains("you become an assistant coach"));
        b.submit(&transfer, &transfer, &[]).await.assert_redirect("/coaches?done=transferred");
        let after = b.get("/coaches?done=transferred").await;
        after.assert(200);
        assert!(after.body.contains("you are now an assistant coach"));
        assert!(!after.body.contains("Add assistant coach") && !after.body.contains("/transfer"), "{}", after.body);
        assert!(!after.body.contains(">Audit log</a>"), "the audit log is the head coach's");
        let me = app.get(&format!("/api/v1/organizations/{org_id}/coaches"), &head.token).await;
        let list = me.assert_status(200)["data"].as_array().unwrap().clone();
        let role = |id: &str| list.iter().find(|c| c["user_id"] == id).unwrap()["role"].as_str().unwrap().to_owned();
        assert_eq!((role(&head.user_id).as_str(), role(&next.user_id).as_str()), ("assistant_coach", "head_coach"));
    }
}

#[tokio::test]
async fn assistant_coaches_see_no_controls_and_athletes_no_list_and_forged_posts_are_refused() {
    for app in apps().await {
        let (_, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let other = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let outsider = app.signup("outsider").await;

        let mut b = Browser::new(&app);
        b.sign_in(&coach.email).await;
        let page = b.get("/coaches").await;
        page.assert(200);
        assert!(page.body.contains(&other.email) && page.body.contains(&head.email));
        assert!(!page.body.contains("Add assistant coach") && !page.body.contains("/remove\""), "{}", page.body);
        let remove = format!("/coaches/{}/remove", other.user_id);
        let transfer = format!("/coaches/{}/transfer", other.user_id);
        b.get(&remove).await.assert(403);
        b.get(&transfer).await.assert(403);
        // Forged posts with the assistant's own token: the use cases refuse them.
        b.submit("/coaches", "/coaches", &[("email", &outsider.email)]).await.assert(403);
        b.submit("/coaches", &remove, &[]).await.assert(403);
        b.submit("/coaches", &transfer, &[]).await.assert(403);
        b.submit("/coaches", &format!("/coaches/{}/remove", head.user_id), &[]).await.assert(403);

        let mut b = Browser::new(&app);
        b.sign_in(&athlete.email).await;
        let page = b.get("/coaches").await;
        page.assert(403);
        assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        b.submit("/me", "/coaches", &[("email", &outsider.email)]).await.assert(403);
        b.submit("/me", &transfer, &[]).await.assert(403);

        let list = app.get(&format!("/api/v1/organizations/{org_id}/coaches"), &head.token).await;
        assert_eq!(list.assert_status(200)["data"].as_array().unwrap().len(), 3, "nothing changed");
    }
}
