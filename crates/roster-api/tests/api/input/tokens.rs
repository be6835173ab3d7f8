//! A well-signed token of an account that no longer exists (a database
//! restored from an older backup, an account removed by hand) is `401`,
//! never a `500` from a foreign key, on every route it can reach.

use crate::support::{TestApp, apps};
use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::json;

/// The access token of an account that is then removed from the database by hand.
async fn ghost_token(app: &TestApp) -> String {
    let ghost = app.signup("ghost").await;
    let mut conn = app.store.conn().unwrap();
    for table in [
        "refresh_tokens WHERE session_id IN (SELECT session_id FROM sessions WHERE user_id = $1)",
        "sessions WHERE user_id = $1",
        "users WHERE user_id = $1",
    ] {
        diesel::sql_query(format!("DELETE FROM {table}"))
            .bind::<diesel::sql_types::Text, _>(&ghost.user_id)
            .execute(&mut *conn)
            .unwrap();
    }
    ghost.token
}

async fn multi_use_link(app: &TestApp, head_token: &str, org_id: &str) -> String {
    let res = app
        .post(&format!("/api/v1/organizations/{org_id}/invitations"), head_token, json!({"kind": "multi_use"}))
        .await;
    let url = res.assert_status(201)["invite_url"].as_str().unwrap().to_owned();
    url.rsplit('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_token_whose_account_is_gone_is_401_on_what_needs_no_membership() {
    for app in apps().await {
        let ghost = ghost_token(&app).await;
        let (head, org_id) = app.head_coach().await;
        let link = multi_use_link(&app, &head.token, &org_id).await;

        let res = app.post("/api/v1/organizations", &ghost, json!({"name": "Phantom Club"})).await;
        res.assert_problem(401, "unauthenticated");
        app.get("/api/v1/auth/me", &ghost).await.assert_problem(401, "unauthenticated");
        let res = app.post(&format!("/api/v1/invitations/{link}/accept"), &ghost, json!({})).await;
        res.assert_problem(401, "unauthenticated");
        let strava = "/api/v1/me/integrations/strava";
        app.call(Method::PUT, strava, Some(&ghost), Some(json!({}))).await.assert_problem(401, "unauthenticated");
        app.delete(strava, &ghost).await.assert_problem(401, "unauthenticated");

        // Inside an organization too: the token itself is no good.
        let org = format!("/api/v1/organizations/{org_id}");
        let head_member = format!("{org}/members/{}", head.user_id);
        let writes = [
            (Method::PATCH, org.clone(), json!({"name": "X"})),
            (Method::POST, format!("{org}/groups"), json!({"name": "G"})),
            (Method::POST, format!("{org}/invitations"), json!({"kind": "multi_use"})),
            (Method::POST, format!("{org}/members"), json!({"email": head.email})),
            (Method::POST, format!("{org}/coaches"), json!({"user_id": head.user_id})),
            (Method::DELETE, head_member.clone(), json!(null)),
            (Method::POST, format!("{org}/head-coach"), json!({"user_id": head.user_id})),
        ];
        for (method, path, body) in writes {
            let body = (!body.is_null()).then_some(body);
            let res = app.call(method.clone(), &path, Some(&ghost), body).await;
            res.assert_problem(401, "unauthenticated");
        }
        // Nothing was written for the ghost.
        let me = app.get("/api/v1/auth/me", &head.token).await;
        assert_eq!(me.assert_status(200)["memberships"].as_array().unwrap().len(), 1);
    }
}
