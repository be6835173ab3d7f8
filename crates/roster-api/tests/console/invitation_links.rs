//! **Copy link** on the Invitations page: a pending invitation's link on a
//! page of its own (works with scripts off), the one the API gave; none for
//! dead invitations or for the coach invitations an assistant coach may not
//! resend; a `409` page saying what to do when the link cannot be shown.

use crate::client::Browser;
use crate::pages::api_session;
use crate::support::{apps, unique_email};
use serde_json::json;

#[tokio::test]
async fn copy_link_shows_the_link_the_api_gave_to_whom_may_resend_it() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let invites = format!("/api/v1/organizations/{org_id}/invitations");
        let flyer = app.post(&invites, &head.token, json!({"kind": "multi_use", "name": "Spring flyer"})).await;
        let flyer = flyer.assert_status(201).clone();
        let cy =
            json!({"kind": "single_use", "email": unique_email("cy"), "first_name": "Cy", "role": "assistant_coach"});
        let cy = app.post(&invites, &head.token, cy).await.assert_status(201).clone();
        let gone = app.post(&invites, &head.token, json!({"kind": "multi_use", "name": "Old flyer"})).await;
        let gone = gone.assert_status(201)["invitation"]["invitation_id"].as_str().unwrap().to_owned();
        app.delete(&format!("{invites}/{gone}"), &head.token).await.assert_status(204);
        let id = |v: &serde_json::Value| v["invitation"]["invitation_id"].as_str().unwrap().to_owned();
        let (flyer_id, cy_id) = (id(&flyer), id(&cy));

        let list = b.get("/invitations").await;
        list.assert(200);
        assert!(list.body.contains(&format!("href=\"/invitations/{flyer_id}/link\"")), "{:?}", app.backend);
        assert!(list.body.contains(&format!("href=\"/invitations/{cy_id}/link\"")));
        assert!(!list.body.contains(&format!("/invitations/{gone}/link")), "a revoked invitation has no link");

        let page = b.get(&format!("/invitations/{flyer_id}/link")).await;
        page.assert(200);
        let url = flyer["invite_url"].as_str().unwrap();
        assert!(page.body.contains(&format!("readonly value=\"{url}\"")), "{}", page.body);
        assert!(page.body.contains("data-copy=\"invitation-link\"") && page.body.contains("Spring flyer"));
        b.get(&format!("/invitations/{gone}/link")).await.assert(410);

        // An assistant coach sees the athletes' link, not a coach invitation's.
        let coach = app.assistant_coach(&head, &org_id).await;
        let mut a = Browser::new(&app);
        a.sign_in(&coach.email).await;
        let theirs = a.get("/invitations").await;
        assert!(theirs.body.contains(&format!("/invitations/{flyer_id}/link")));
        assert!(!theirs.body.contains(&format!("/invitations/{cy_id}/link")));
        a.get(&format!("/invitations/{cy_id}/link")).await.assert(403);
        a.get(&format!("/invitations/{flyer_id}/link")).await.assert(200);
        let athlete = app.athlete(&org_id, None).await;
        let mut t = Browser::new(&app);
        t.sign_in(&athlete.email).await;
        t.get(&format!("/invitations/{flyer_id}/link")).await.assert(403);
    }
}

#[tokio::test]
async fn a_link_from_before_nonces_cannot_be_shown_and_the_page_says_what_to_do() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let invites = format!("/api/v1/organizations/{org_id}/invitations");
        let jo = json!({"kind": "single_use", "email": unique_email("jo"), "first_name": "Jo"});
        let jo = app.post(&invites, &head.token, jo).await.assert_status(201)["invitation"]["invitation_id"]
            .as_str()
            .unwrap()
            .to_owned();
        {
            use diesel::prelude::*;
            use roster_store::schema::invitation_tokens;
            diesel::update(invitation_tokens::table.filter(invitation_tokens::invitation_id.eq(&jo)))
                .set(invitation_tokens::link_nonce.eq(None::<String>))
                .execute(&mut *app.store.conn().unwrap())
                .unwrap();
        }
        let page = b.get(&format!("/invitations/{jo}/link")).await;
        page.assert(409);
        assert!(page.body.contains("This link cannot be shown again"), "{}", page.body);
        assert!(page.body.contains(&format!("action=\"/invitations/{jo}/resend\"")), "a resend is offered");
        assert!(!page.body.contains("data-copy"), "no link to copy");

        // Resending makes a link that can be shown.
        let resent = b.submit("/invitations", &format!("/invitations/{jo}/resend"), &[]).await;
        resent.assert(200);
        let shown = b.get(&format!("/invitations/{jo}/link")).await;
        shown.assert(200);
        assert!(shown.body.contains("data-copy=\"invitation-link\""));
    }
}
