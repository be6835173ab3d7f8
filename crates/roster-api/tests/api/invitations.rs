//! Invitations over HTTP on both backends: create, list, read, resend, revoke,
//! the public preview and join page, accepting (signed in and signing up)
//! with every refusal, concurrency, and e-mail delivery.

mod accept;
mod delivery;
mod links;

use crate::support::{Resp, Session, TestApp, apps};
use reqwest::Method;
use serde_json::{Value, json};

pub fn invitations_path(org_id: &str) -> String {
    format!("/api/v1/organizations/{org_id}/invitations")
}

/// The token at the end of an `invite_url`.
pub fn token_of(issued: &Value) -> String {
    issued["invite_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned()
}

pub async fn invite(app: &TestApp, by: &Session, org_id: &str, body: Value) -> Value {
    app.post(&invitations_path(org_id), &by.token, body).await.assert_status(201).clone()
}

pub async fn invite_single(app: &TestApp, by: &Session, org_id: &str, email: &str) -> Value {
    invite(app, by, org_id, json!({"kind": "single_use", "email": email, "first_name": "Jo"})).await
}

/// Accepts without signing in.
pub async fn accept_anonymously(app: &TestApp, token: &str, body: Value) -> Resp {
    app.call(Method::POST, &format!("/api/v1/invitations/{token}/accept"), None, Some(body)).await
}

pub async fn preview(app: &TestApp, token: &str) -> Resp {
    app.call(Method::GET, &format!("/api/v1/invitations/{token}"), None, None).await
}

async fn audit_actions(app: &TestApp, head: &Session, org_id: &str) -> Vec<String> {
    let res = app.get(&format!("/api/v1/organizations/{org_id}/audit-events?limit=200"), &head.token).await;
    res.assert_status(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn coaches_create_single_use_and_multi_use_invitations() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let group_id = crate::wiring::create_group(&app, &head, &org_id, "Sunday long run").await;
        let plan_id = crate::plans::create_plan(&app, &head, &org_id, "Base", 4).await;
        let issued = invite(
            &app,
            &head,
            &org_id,
            json!({"kind": "single_use", "email": " Jo@Example.com ", "first_name": "Jo",
                   "group_id": group_id, "training_plan": {"plan_id": plan_id, "start_date": "2099-01-04"}}),
        )
        .await;
        let inv = &issued["invitation"];
        assert_eq!(inv["kind"], "single_use", "{:?}", app.backend);
        assert_eq!(inv["role"], "athlete");
        assert_eq!(inv["email"], "jo@example.com");
        assert_eq!(inv["status"], "pending");
        assert_eq!(
            (inv["use_count"].as_i64(), inv["max_uses"].as_i64(), inv["send_count"].as_i64()),
            (Some(0), Some(1), Some(1))
        );
        assert_eq!(inv["created_by"], head.user_id.as_str());
        assert_eq!(inv["training_plan"]["start_date"], "2099-01-04");
        assert!(inv["group_id"].is_string() && inv["last_sent_at"].is_string());
        let created = chrono::DateTime::parse_from_rfc3339(inv["created_at"].as_str().unwrap()).unwrap();
        let expires = chrono::DateTime::parse_from_rfc3339(inv["expires_at"].as_str().unwrap()).unwrap();
        assert_eq!(expires - created, chrono::Duration::days(14), "default expiry");
        let url = issued["invite_url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:8080/join/"), "{url}");
        assert!(token_of(&issued).len() >= 22, "at least 128 bits");

        let link =
            invite(&app, &head, &org_id, json!({"kind": "multi_use", "name": "Spring intake", "max_uses": null})).await;
        let l = &link["invitation"];
        assert_eq!(
            (l["kind"].as_str(), l["max_uses"].is_null(), l["expires_at"].is_null()),
            (Some("multi_use"), true, true)
        );
        assert_eq!(
            (l["name"].as_str(), l["email"].is_null(), l["send_count"].as_i64()),
            (Some("Spring intake"), true, Some(0))
        );

        let org = app.get(&format!("/api/v1/organizations/{org_id}"), &head.token).await;
        assert_eq!(org.body["counts"]["pending_invitations"], 2);
        let id = inv["invitation_id"].as_str().unwrap();
        let read = app.get(&format!("{}/{id}", invitations_path(&org_id)), &head.token).await;
        assert_eq!(read.assert_status(200)["email"], "jo@example.com");
        assert!(audit_actions(&app, &head, &org_id).await.iter().filter(|a| *a == "invitation.created").count() == 2);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_invitation_endpoints() {
    let app = crate::support::spawn_with(roster_store::testing::TestDb::sqlite(), |_| {}).await;
    let spec = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    let paths = &spec.assert_status(200)["paths"];
    for path in [
        "/api/v1/organizations/{org_id}/invitations",
        "/api/v1/organizations/{org_id}/invitations/{invitation_id}",
        "/api/v1/organizations/{org_id}/invitations/{invitation_id}/resend",
        "/api/v1/organizations/{org_id}/invitations/{invitation_id}/link",
        "/api/v1/invitations/{token}",
        "/api/v1/invitations/{token}/accept",
    ] {
        assert!(paths[path].is_object(), "{path} is documented");
    }
    assert!(paths["/api/v1/organizations/{org_id}/invitations"]["post"]["responses"]["409"].is_object());
    assert!(spec.body["components"]["schemas"]["AcceptedDto"].is_object());
    let link = &paths["/api/v1/organizations/{org_id}/invitations/{invitation_id}/link"]["get"]["responses"];
    assert!(link["409"]["description"].as_str().unwrap().contains("link_unavailable"), "{link}");
}

#[tokio::test]
async fn invitation_lists_filter_and_page() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let a = invite_single(&app, &head, &org_id, "a@example.com").await;
        invite(&app, &coach, &org_id, json!({"kind": "multi_use", "max_uses": 5})).await;
        let c = invite_single(&app, &coach, &org_id, "c@example.com").await;
        let c_id = c["invitation"]["invitation_id"].as_str().unwrap();
        let res = app.delete(&format!("{}/{c_id}", invitations_path(&org_id)), &head.token).await;
        assert_eq!(res.status, 204);
        let list = |q: &'static str| {
            let (app, path, token) = (&app, invitations_path(&org_id), head.token.clone());
            async move { app.get(&format!("{path}{q}"), &token).await }
        };
        let all = list("").await;
        assert_eq!(all.assert_status(200)["data"].as_array().unwrap().len(), 3, "{:?}", app.backend);
        assert!(all.body["next_cursor"].is_null());
        assert_eq!(all.body["data"][0]["invitation_id"], c_id, "newest first");
        assert_eq!(list("?status=revoked").await.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(list("?status=pending").await.body["data"].as_array().unwrap().len(), 2);
        assert_eq!(list("?kind=multi_use").await.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(
            list("?kind=single_use&status=pending").await.body["data"][0]["invitation_id"],
            a["invitation"]["invitation_id"]
        );
        let first = list("?limit=2").await;
        assert_eq!(first.body["data"].as_array().unwrap().len(), 2);
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        let rest = app.get(&format!("{}?limit=2&cursor={cursor}", invitations_path(&org_id)), &head.token).await;
        assert_eq!(rest.body["data"][0]["invitation_id"], a["invitation"]["invitation_id"]);
        assert!(rest.body["next_cursor"].is_null());
        list("?status=used").await.assert_problem(400, "invalid_parameter");
        list("?kind=both").await.assert_problem(400, "invalid_parameter");
        list("?limit=0").await.assert_problem(400, "invalid_parameter");
        list("?cursor=!!").await.assert_problem(400, "invalid_parameter");
        // Coaches only.
        let athlete = app.athlete(&org_id, None).await;
        app.get(&invitations_path(&org_id), &athlete.token).await.assert_problem(403, "forbidden");
        let stranger = app.signup("stranger").await;
        app.get(&invitations_path(&org_id), &stranger.token).await.assert_problem(404, "not_found");
        app.get(&format!("{}/{}", invitations_path(&org_id), uuid::Uuid::now_v7()), &head.token)
            .await
            .assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn creating_refuses_members_duplicates_roles_and_bad_bodies() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let path = invitations_path(&org_id);
        let post = |token: &str, body: Value| {
            let (app, path, token) = (&app, path.clone(), token.to_owned());
            async move { app.post(&path, &token, body).await }
        };
        let single = |email: &str| json!({"kind": "single_use", "email": email, "first_name": "Jo"});
        post(&head.token, single(&athlete.email)).await.assert_problem(409, "already_member");
        post(&head.token, single(&coach.email.to_uppercase())).await.assert_problem(409, "already_member");
        post(&head.token, single("dup@example.com")).await.assert_status(201);
        post(&coach.token, single("DUP@example.com")).await.assert_problem(409, "invitation_pending");
        // Assistant coaches invite athletes but not coaches; athletes invite nobody.
        let as_coach =
            json!({"kind": "single_use", "email": "c2@example.com", "first_name": "Cy", "role": "assistant_coach"});
        post(&coach.token, as_coach.clone()).await.assert_problem(403, "forbidden");
        post(&head.token, as_coach).await.assert_status(201);
        post(&athlete.token, json!({"kind": "multi_use"})).await.assert_problem(403, "forbidden");
        let stranger = app.signup("stranger").await;
        post(&stranger.token, json!({"kind": "multi_use"})).await.assert_problem(404, "not_found");
        // Bad bodies.
        post(&head.token, json!({"kind": "single_use", "email": "bad", "first_name": "Jo"}))
            .await
            .assert_problem(422, "invalid_email");
        post(&head.token, json!({"kind": "single_use", "first_name": "Jo"})).await.assert_problem(422, "required");
        post(&head.token, json!({"kind": "everyone"})).await.assert_problem(422, "invalid_kind");
        post(&head.token, json!({"kind": "single_use", "email": "r@x.io", "first_name": "Jo", "role": "head_coach"}))
            .await
            .assert_problem(422, "invalid_role");
        post(&head.token, json!({"kind": "multi_use", "email": "x@y.io"})).await.assert_problem(422, "not_allowed");
        post(&head.token, json!({"kind": "multi_use", "max_uses": 0})).await.assert_problem(422, "invalid_max_uses");
        post(&head.token, json!({"kind": "multi_use", "expires_at": "2020-01-01T00:00:00Z"}))
            .await
            .assert_problem(422, "expires_at_in_past");
        let res = post(&head.token, json!({"kind": "multi_use", "uses": 3})).await;
        res.assert_problem(400, "unknown_field");
        assert_eq!(res.body["errors"][0]["field"], "uses");
        post(&head.token, json!({"kind": "multi_use", "max_uses": "ten"})).await.assert_problem(400, "invalid_type");
    }
}

#[tokio::test]
async fn resending_gives_a_new_link_and_kills_the_old_one() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let issued = invite_single(&app, &head, &org_id, "jo@example.com").await;
        let id = issued["invitation"]["invitation_id"].as_str().unwrap();
        let old = token_of(&issued);
        let res = app.post(&format!("{}/{id}/resend", invitations_path(&org_id)), &head.token, json!({})).await;
        let resent = res.assert_status(200).clone();
        assert_eq!(resent["invitation"]["send_count"], 2, "{:?}", app.backend);
        let new = token_of(&resent);
        assert_ne!(old, new);
        assert_eq!(preview(&app, &old).await.assert_status(200)["status"], "revoked");
        accept_anonymously(&app, &old, json!({"password": "Secret123"}))
            .await
            .assert_problem(410, "invitation_revoked");
        assert_eq!(preview(&app, &new).await.assert_status(200)["status"], "pending");
        accept_anonymously(&app, &new, json!({"password": "Secret123"})).await.assert_status(201);
        // Used now: nothing to resend.
        app.post(&format!("{}/{id}/resend", invitations_path(&org_id)), &head.token, json!({}))
            .await
            .assert_problem(410, "invitation_already_used");
        let link = invite(&app, &head, &org_id, json!({"kind": "multi_use"})).await;
        let link_id = link["invitation"]["invitation_id"].as_str().unwrap();
        app.post(&format!("{}/{link_id}/resend", invitations_path(&org_id)), &head.token, json!({}))
            .await
            .assert_problem(422, "not_single_use");
        assert!(audit_actions(&app, &head, &org_id).await.contains(&"invitation.resent".to_owned()));
    }
}

#[tokio::test]
async fn revoking_kills_the_link_at_once() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let link = invite(&app, &head, &org_id, json!({"kind": "multi_use"})).await;
        let id = link["invitation"]["invitation_id"].as_str().unwrap();
        let token = token_of(&link);
        let path = format!("{}/{id}", invitations_path(&org_id));
        let res = app.delete(&path, &coach.token).await;
        assert_eq!((res.status, res.text.as_str()), (204, ""), "{:?}", app.backend);
        assert_eq!(app.delete(&path, &head.token).await.status, 204, "revoking twice changes nothing");
        assert_eq!(preview(&app, &token).await.body["status"], "revoked");
        let res = accept_anonymously(
            &app,
            &token,
            json!({"password": "Secret123", "email": "z@example.com", "first_name": "Zed"}),
        )
        .await;
        res.assert_problem(410, "invitation_revoked");
        assert_eq!(app.get(&path, &head.token).await.body["status"], "revoked");
        let athlete = app.athlete(&org_id, None).await;
        app.delete(&path, &athlete.token).await.assert_problem(403, "forbidden");
        let actions = audit_actions(&app, &head, &org_id).await;
        assert_eq!(actions.iter().filter(|a| *a == "invitation.revoked").count(), 1);
    }
}

#[tokio::test]
async fn the_public_preview_shows_the_organization_and_an_email_hint() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let issued = invite_single(&app, &head, &org_id, "jane@example.com").await;
        let res = preview(&app, &token_of(&issued)).await;
        let p = res.assert_status(200);
        assert_eq!(p["organization"], json!({"org_id": org_id, "name": "Riverside Runners"}), "{:?}", app.backend);
        assert_eq!((p["kind"].as_str(), p["role"].as_str()), (Some("single_use"), Some("athlete")));
        assert_eq!((p["first_name"].as_str(), p["email_hint"].as_str()), (Some("Jo"), Some("j•••@example.com")));
        assert_eq!(p["status"], "pending");
        assert!(p["expires_at"].is_string());
        assert!(!res.text.contains("jane@"), "the address is never shown in full");
        preview(&app, "not-a-real-token").await.assert_problem(404, "invitation_not_found");
        accept_anonymously(&app, "not-a-real-token", json!({"password": "Secret123"}))
            .await
            .assert_problem(404, "invitation_not_found");
    }
}

#[tokio::test]
async fn the_join_page_is_self_contained_and_says_whether_the_link_is_good() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let issued = invite_single(&app, &head, &org_id, "jane@example.com").await;
        let token = token_of(&issued);
        let res = app
            .client
            .get(issued["invite_url"].as_str().unwrap().replace("http://127.0.0.1:8080", &app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{:?}", app.backend);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
        let html = res.text().await.unwrap();
        assert!(html.contains("Join Riverside Runners") && html.contains("This invitation is valid."));
        assert!(html.contains("data-status=\"pending\"") && html.contains("<form"));
        assert!(html.contains("/api/v1/invitations/") && html.contains("/auth/login"));
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external assets");
        let id = issued["invitation"]["invitation_id"].as_str().unwrap();
        app.delete(&format!("{}/{id}", invitations_path(&org_id)), &head.token).await;
        let html = app.client.get(format!("{}/join/{token}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("no longer valid") && html.contains("data-status=\"revoked\""));
        let res = app.client.get(format!("{}/join/nope", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("not valid"));
    }
}

#[tokio::test]
async fn public_preview_and_accept_are_rate_limited() {
    let db = roster_store::testing::TestDb::sqlite();
    let app = crate::support::spawn_with(db, |s| {
        s.rate_limit.enabled = true;
        s.rate_limit.per_minute = 1;
        s.rate_limit.burst = 2;
    })
    .await;
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(preview(&app, "whatever").await.status);
        }
        v
    };
    assert_eq!(statuses, [404, 404, 429]);
    let res = accept_anonymously(&app, "whatever", json!({"password": "Secret123"})).await;
    res.assert_problem(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
}
