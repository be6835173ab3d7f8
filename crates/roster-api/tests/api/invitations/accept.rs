//! Accepting invitations: signing up, signed in, every refusal, and concurrency.

use super::{accept_anonymously, audit_actions, invitations_path, invite, invite_single, preview, token_of};
use crate::support::{PASSWORD, apps, unique_email};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn signing_up_through_a_single_use_invitation_verifies_the_email_and_joins() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let email = unique_email("jo");
        let group_id = crate::wiring::create_group(&app, &head, &org_id, "Juniors").await;
        let issued = invite(
            &app,
            &coach,
            &org_id,
            json!({"kind": "single_use", "email": email, "first_name": "Jo", "group_id": group_id}),
        )
        .await;
        let token = token_of(&issued);
        let res = accept_anonymously(&app, &token, json!({"password": PASSWORD, "last_name": "Lee"})).await;
        let body = res.assert_status(201).clone();
        let m = &body["member"];
        assert_eq!(
            (m["org_id"].as_str(), m["role"].as_str()),
            (Some(org_id.as_str()), Some("athlete")),
            "{:?}",
            app.backend
        );
        assert_eq!(
            (m["first_name"].as_str(), m["last_name"].as_str(), m["email"].as_str()),
            (Some("Jo"), Some("Lee"), Some(email.as_str()))
        );
        assert_eq!(
            m["assigned_to_coach_id"],
            coach.user_id.as_str(),
            "invited by an assistant coach: assigned to them"
        );
        assert_eq!(
            (m["labels"].clone(), m["group_ids"].clone(), m["display_name"].clone()),
            (json!([]), json!([group_id]), json!(null))
        );
        assert_eq!((m["status"].as_str(), m["version"].as_i64()), (Some("active"), Some(1)));
        assert_eq!(body["organization"]["org_id"], org_id.as_str());
        assert_eq!(body["organization"]["counts"]["athletes"], 1);
        assert_eq!(body["organization"]["counts"]["pending_invitations"], 0);
        assert_eq!(body["user"]["email_verified"], true);
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_at"].is_string());
        let me = app.get("/api/v1/auth/me", body["access_token"].as_str().unwrap()).await;
        assert_eq!(me.assert_status(200)["memberships"][0]["org_id"], org_id.as_str());
        let id = issued["invitation"]["invitation_id"].as_str().unwrap();
        let read = app.get(&format!("{}/{id}", invitations_path(&org_id)), &head.token).await;
        assert_eq!((read.body["status"].as_str(), read.body["use_count"].as_i64()), (Some("accepted"), Some(1)));
        let actions = super::audit_actions(&app, &head, &org_id).await;
        assert!(actions.contains(&"invitation.accepted".to_owned()) && actions.contains(&"member.added".to_owned()));
        // Used.
        accept_anonymously(&app, &token, json!({"password": PASSWORD}))
            .await
            .assert_problem(410, "invitation_already_used");
        assert_eq!(preview(&app, &token).await.body["status"], "accepted");
    }
}

#[tokio::test]
async fn signed_in_accounts_accept_with_an_empty_body() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let sam = app.signup("sam").await;
        let issued = invite_single(&app, &head, &org_id, &sam.email).await;
        let path = format!("/api/v1/invitations/{}/accept", token_of(&issued));
        let res = app.post(&path, &sam.token, json!({"password": PASSWORD})).await;
        res.assert_problem(422, "already_signed_in");
        let res = app.post(&path, &sam.token, json!({})).await;
        let body = res.assert_status(201);
        assert_eq!(body["member"]["user_id"], sam.user_id.as_str(), "{:?}", app.backend);
        assert!(body["member"]["assigned_to_coach_id"].is_null(), "invited by the head coach: unassigned");
        assert!(body.get("access_token").is_none() && body.get("user").is_none());
        // A head coach of another organization may be an athlete here.
        let link = invite(&app, &head, &org_id, json!({"kind": "multi_use", "max_uses": 3})).await;
        let (other_head, _) = app.head_coach().await;
        let res =
            app.post(&format!("/api/v1/invitations/{}/accept", token_of(&link)), &other_head.token, json!({})).await;
        assert_eq!(res.assert_status(201)["member"]["role"], "athlete");
    }
}

#[tokio::test]
async fn every_refusal_of_accepting_has_its_code() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let accept = |token: String, who: Option<String>, body: serde_json::Value| {
            let app = &app;
            async move {
                app.call(Method::POST, &format!("/api/v1/invitations/{token}/accept"), who.as_deref(), Some(body)).await
            }
        };
        // invitation_email_mismatch: signed in as someone else, or signing up with another e-mail.
        let kim = app.signup("kim").await;
        let single = invite_single(&app, &head, &org_id, "jo@example.com").await;
        accept(token_of(&single), Some(kim.token.clone()), json!({}))
            .await
            .assert_problem(403, "invitation_email_mismatch");
        accept(token_of(&single), None, json!({"password": PASSWORD, "email": "kim@example.com"}))
            .await
            .assert_problem(403, "invitation_email_mismatch");
        // email_taken: not signed in, but the invited e-mail has an account.
        let taken = app.signup("taken").await;
        let for_taken = invite_single(&app, &head, &org_id, &taken.email).await;
        accept(token_of(&for_taken), None, json!({"password": PASSWORD})).await.assert_problem(409, "email_taken");
        // already_member.
        let link = invite(&app, &head, &org_id, json!({"kind": "multi_use"})).await;
        let athlete = app.athlete(&org_id, None).await;
        accept(token_of(&link), Some(athlete.token.clone()), json!({})).await.assert_problem(409, "already_member");
        accept(token_of(&link), Some(head.token.clone()), json!({})).await.assert_problem(409, "already_member");
        // member_of_another_organization.
        let (other_head, other_org) = app.head_coach().await;
        let elsewhere = app.athlete(&other_org, None).await;
        accept(token_of(&link), Some(elsewhere.token.clone()), json!({}))
            .await
            .assert_problem(409, "member_of_another_organization");
        let _ = other_head;
        // invitation_exhausted.
        let once = invite(&app, &head, &org_id, json!({"kind": "multi_use", "max_uses": 1})).await;
        let body = |p: &str| json!({"password": PASSWORD, "email": unique_email(p), "first_name": "Al"});
        accept(token_of(&once), None, body("first")).await.assert_status(201);
        accept(token_of(&once), None, body("second")).await.assert_problem(410, "invitation_exhausted");
        // invitation_expired.
        let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
        let expiring = invite(&app, &head, &org_id, json!({"kind": "multi_use", "expires_at": soon})).await;
        tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
        accept(token_of(&expiring), None, body("late")).await.assert_problem(410, "invitation_expired");
        assert_eq!(preview(&app, &token_of(&expiring)).await.body["status"], "expired");
        // Sign-up bodies are checked field by field.
        accept(token_of(&link), None, json!({})).await.assert_problem(422, "required");
        accept(token_of(&link), None, json!({"password": PASSWORD, "first_name": "Al"}))
            .await
            .assert_problem(422, "required");
        accept(token_of(&link), None, json!({"password": "weak", "email": "w@example.com", "first_name": "Al"}))
            .await
            .assert_problem(422, "weak_password");
        accept(token_of(&link), None, json!({"password": PASSWORD, "nickname": "x"}))
            .await
            .assert_problem(400, "unknown_field");
        accept(token_of(&link), Some("not-a-token".into()), json!({})).await.assert_problem(401, "unauthenticated");
        let _ = audit_actions;
    }
}

#[tokio::test]
async fn fifty_concurrent_sign_ups_through_a_ten_use_link_make_exactly_ten_members() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let link = invite(&app, &head, &org_id, json!({"kind": "multi_use", "max_uses": 10})).await;
        let url = format!("{}/api/v1/invitations/{}/accept", app.base, token_of(&link));
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let (client, url) = (app.client.clone(), url.clone());
                let body =
                    json!({"password": PASSWORD, "email": unique_email(&format!("racer{i}")), "first_name": "Racer"});
                tokio::spawn(async move { client.post(&url).json(&body).send().await.unwrap() })
            })
            .collect();
        let mut statuses = Vec::new();
        for h in handles {
            let res = crate::support::TestApp::read(h.await.unwrap()).await;
            if res.status != 201 {
                res.assert_problem(410, "invitation_exhausted");
            }
            statuses.push(res.status);
        }
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 10, "{:?}", app.backend);
        let org = app.get(&format!("/api/v1/organizations/{org_id}"), &head.token).await;
        assert_eq!(org.body["counts"]["athletes"], 10);
        let id = link["invitation"]["invitation_id"].as_str().unwrap();
        let read = app.get(&format!("{}/{id}", invitations_path(&org_id)), &head.token).await;
        assert_eq!((read.body["use_count"].as_i64(), read.body["status"].as_str()), (Some(10), Some("exhausted")));
    }
}

#[tokio::test]
async fn concurrent_accepts_of_one_single_use_invitation_have_one_winner() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let email = unique_email("once");
        let issued = invite_single(&app, &head, &org_id, &email).await;
        let url = format!("{}/api/v1/invitations/{}/accept", app.base, token_of(&issued));
        let handles: Vec<_> = (0..12)
            .map(|_| {
                let (client, url) = (app.client.clone(), url.clone());
                tokio::spawn(
                    async move { client.post(&url).json(&json!({"password": PASSWORD})).send().await.unwrap() },
                )
            })
            .collect();
        let mut wins = 0;
        for h in handles {
            let res = crate::support::TestApp::read(h.await.unwrap()).await;
            match res.status {
                201 => wins += 1,
                // Not `email_taken`, though the winner made the account.
                _ => res.assert_problem(410, "invitation_already_used"),
            }
        }
        assert_eq!(wins, 1, "{:?}", app.backend);
        let org = app.get(&format!("/api/v1/organizations/{org_id}"), &head.token).await;
        assert_eq!(org.body["counts"]["athletes"], 1);
    }
}
