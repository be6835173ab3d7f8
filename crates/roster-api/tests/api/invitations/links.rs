//! `GET …/invitations/{id}/link`: a pending invitation's link shown again,
//! the very link given at creation (or the last resend), to whom may resend
//! it; refused for dead invitations, other organizations, athletes, keys
//! without `invitations:write`, and links the server cannot derive again.

use super::{accept_anonymously, invitations_path, invite, invite_single};
use crate::api_keys::create_key;
use crate::key_routes::names_scope;
use crate::support::{TestApp, apps};
use serde_json::{Value, json};

fn link_path(org_id: &str, issued: &Value) -> String {
    format!("{}/{}/link", invitations_path(org_id), issued["invitation"]["invitation_id"].as_str().unwrap())
}

/// Makes the invitation's current token look as one made before nonces were kept.
fn forget_nonce(app: &TestApp, issued: &Value) {
    use diesel::prelude::*;
    use roster_store::schema::invitation_tokens;
    let id = issued["invitation"]["invitation_id"].as_str().unwrap();
    diesel::update(invitation_tokens::table.filter(invitation_tokens::invitation_id.eq(id)))
        .set(invitation_tokens::link_nonce.eq(None::<String>))
        .execute(&mut *app.store.conn().unwrap())
        .unwrap();
}

#[tokio::test]
async fn the_link_is_the_one_given_at_creation_and_after_a_resend_the_new_one() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let multi = invite(&app, &head, &org_id, json!({"kind": "multi_use", "max_uses": 5})).await;
        let res = app.get(&link_path(&org_id, &multi), &head.token).await;
        assert_eq!(res.assert_status(200)["link"], multi["invite_url"], "{:?}", app.backend);
        assert_eq!(res.body.as_object().unwrap().len(), 1, "only the link: {}", res.text);

        let single = invite_single(&app, &head, &org_id, "jo@example.com").await;
        let path = link_path(&org_id, &single);
        assert_eq!(app.get(&path, &head.token).await.assert_status(200)["link"], single["invite_url"]);
        let resend =
            format!("{}/{}/resend", invitations_path(&org_id), single["invitation"]["invitation_id"].as_str().unwrap());
        let resent = app.post(&resend, &head.token, json!({})).await.assert_status(200).clone();
        assert_ne!(resent["invite_url"], single["invite_url"]);
        assert_eq!(app.get(&path, &head.token).await.assert_status(200)["link"], resent["invite_url"], "the new link");

        // The link shown joins.
        let shown = app.get(&link_path(&org_id, &multi), &head.token).await.body["link"].as_str().unwrap().to_owned();
        let token = shown.rsplit('/').next().unwrap();
        let body = json!({"password": "Secret123", "email": "mo@example.com", "first_name": "Mo"});
        accept_anonymously(&app, token, body).await.assert_status(201);
        assert_eq!(app.get(&link_path(&org_id, &multi), &head.token).await.assert_status(200)["link"], shown);
    }
}

#[tokio::test]
async fn dead_invitations_and_underivable_links_show_nothing() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let revoked = invite(&app, &head, &org_id, json!({"kind": "multi_use"})).await;
        let id = revoked["invitation"]["invitation_id"].as_str().unwrap();
        app.delete(&format!("{}/{id}", invitations_path(&org_id)), &head.token).await.assert_status(204);
        app.get(&link_path(&org_id, &revoked), &head.token).await.assert_problem(410, "invitation_revoked");

        let used = invite(&app, &head, &org_id, json!({"kind": "multi_use", "max_uses": 1})).await;
        let token = super::token_of(&used);
        let body = json!({"password": "Secret123", "email": "al@example.com", "first_name": "Al"});
        accept_anonymously(&app, &token, body).await.assert_status(201);
        app.get(&link_path(&org_id, &used), &head.token).await.assert_problem(410, "invitation_exhausted");

        let old = invite_single(&app, &head, &org_id, "old@example.com").await;
        forget_nonce(&app, &old);
        let res = app.get(&link_path(&org_id, &old), &head.token).await;
        res.assert_problem(409, "link_unavailable");
        assert!(res.text.contains("create a new link or resend"), "{}", res.text);
        assert_eq!(
            super::preview(&app, &super::token_of(&old)).await.body["status"],
            "pending",
            "the link still works"
        );

        let unknown = format!("{}/{}/link", invitations_path(&org_id), roster_domain::InvitationId::new());
        app.get(&unknown, &head.token).await.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn who_may_see_a_link_is_who_may_resend_it() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (other_head, other_org) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let multi = invite(&app, &head, &org_id, json!({"kind": "multi_use"})).await;
        let body =
            json!({"kind": "single_use", "email": "cy@example.com", "first_name": "Cy", "role": "assistant_coach"});
        let for_coach = invite(&app, &head, &org_id, body).await;

        assert_eq!(
            app.get(&link_path(&org_id, &multi), &coach.token).await.assert_status(200)["link"],
            multi["invite_url"]
        );
        app.get(&link_path(&org_id, &for_coach), &coach.token).await.assert_problem(403, "forbidden");
        app.get(&link_path(&org_id, &for_coach), &head.token).await.assert_status(200);
        app.get(&link_path(&org_id, &multi), &athlete.token).await.assert_problem(403, "forbidden");
        // Another organization's head coach, and the invitation under another organization.
        app.get(&link_path(&org_id, &multi), &other_head.token).await.assert_problem(404, "not_found");
        app.get(&link_path(&other_org, &multi), &other_head.token).await.assert_problem(404, "not_found");

        let (_, key) = create_key(&app, &head, &org_id, &["invitations:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        assert_eq!(app.get(&link_path(&org_id, &multi), &key).await.assert_status(200)["link"], multi["invite_url"]);
        names_scope(&app.get(&link_path(&org_id, &multi), &reader).await, "invitations:write");
        let (_, other_key) = create_key(&app, &other_head, &other_org, &["invitations:write"]).await;
        app.get(&link_path(&org_id, &multi), &other_key).await.assert_problem(404, "not_found");
    }
}
