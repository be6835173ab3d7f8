use crate::support::apps;
use serde_json::json;

#[tokio::test]
async fn head_coach_adds_lists_and_removes_coaches() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coaches = format!("/api/v1/organizations/{org_id}/coaches");
        let by_email = app.signup("byemail").await;
        let res = app.post(&coaches, &head.token, json!({"email": by_email.email.to_uppercase()})).await;
        let coach = res.assert_status(201);
        assert_eq!(coach["role"], "assistant_coach");
        assert_eq!(coach["assigned_athletes"], 0);
        let by_id = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, Some(&by_id)).await;

        let list = app.get(&coaches, &by_id.token).await;
        let data = list.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data.len(), 3);
        assert_eq!(data[0]["role"], "head_coach");
        let assigned = data.iter().find(|c| c["user_id"] == by_id.user_id.as_str()).unwrap();
        assert_eq!(assigned["assigned_athletes"], 1);

        let res = app.delete(&format!("{coaches}/{}", by_id.user_id), &head.token).await;
        assert_eq!(res.status, 204, "{}", res.text);
        assert!(res.text.is_empty());
        let list = app.get(&coaches, &head.token).await;
        assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
        // The removed coach's athlete is unassigned; the coach's account still works.
        let org = app.get(&format!("/api/v1/organizations/{org_id}"), &head.token).await;
        assert_eq!(org.body["counts"]["athletes"], 1);
        app.get(&format!("/api/v1/organizations/{org_id}"), &by_id.token).await.assert_problem(404, "not_found");
        app.get("/api/v1/auth/me", &by_id.token).await.assert_status(200);
        let _ = athlete;
    }
}

#[tokio::test]
async fn adding_coaches_refuses_unknown_accounts_members_and_bad_bodies() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coaches = format!("/api/v1/organizations/{org_id}/coaches");
        app.post(&coaches, &head.token, json!({"email": "nobody@example.com"}))
            .await
            .assert_problem(404, "user_not_found");
        app.post(&coaches, &head.token, json!({"user_id": uuid::Uuid::now_v7()}))
            .await
            .assert_problem(404, "user_not_found");
        let coach = app.assistant_coach(&head, &org_id).await;
        app.post(&coaches, &head.token, json!({"user_id": coach.user_id})).await.assert_problem(409, "already_member");
        app.post(&coaches, &head.token, json!({"user_id": head.user_id})).await.assert_problem(409, "already_member");
        app.post(&coaches, &head.token, json!({})).await.assert_problem(422, "email_or_user_id");
        app.post(&coaches, &head.token, json!({"email": "x@y.io", "user_id": coach.user_id}))
            .await
            .assert_problem(422, "email_or_user_id");
        app.post(&coaches, &head.token, json!({"email": "bad"})).await.assert_problem(422, "invalid_email");
        app.post(&coaches, &coach.token, json!({"email": "x@y.io"})).await.assert_problem(403, "forbidden");
    }
}

#[tokio::test]
async fn the_head_coach_cannot_be_removed() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let res = app.delete(&format!("/api/v1/organizations/{org_id}/coaches/{}", head.user_id), &head.token).await;
        res.assert_problem(409, "head_coach_required");
        let coach = app.assistant_coach(&head, &org_id).await;
        app.delete(&format!("/api/v1/organizations/{org_id}/coaches/{}", head.user_id), &coach.token)
            .await
            .assert_problem(403, "forbidden");
        let athlete = app.athlete(&org_id, None).await;
        app.delete(&format!("/api/v1/organizations/{org_id}/coaches/{}", athlete.user_id), &head.token)
            .await
            .assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn head_coach_transfer_swaps_roles() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let transfer = format!("/api/v1/organizations/{org_id}/head-coach");
        app.post(&transfer, &head.token, json!({"user_id": athlete.user_id})).await.assert_problem(422, "not_a_coach");
        app.post(&transfer, &coach.token, json!({"user_id": coach.user_id})).await.assert_problem(403, "forbidden");

        let res = app.post(&transfer, &head.token, json!({"user_id": coach.user_id})).await;
        let data = res.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data[0]["user_id"], coach.user_id.as_str());
        assert_eq!(data[0]["role"], "head_coach");
        let org = app.get(&format!("/api/v1/organizations/{org_id}"), &head.token).await;
        assert_eq!(org.body["head_coach_user_id"], coach.user_id.as_str());
        // The old head coach is now an assistant and may create their own organization.
        app.post("/api/v1/organizations", &head.token, json!({"name": "New club"})).await.assert_status(201);
    }
}

#[tokio::test]
async fn transfer_to_someone_heading_another_organization_is_409() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (other_head, _) = app.head_coach().await;
        app.post(
            &format!("/api/v1/organizations/{org_id}/coaches"),
            &head.token,
            json!({"user_id": other_head.user_id}),
        )
        .await
        .assert_status(201);
        app.post(
            &format!("/api/v1/organizations/{org_id}/head-coach"),
            &head.token,
            json!({"user_id": other_head.user_id}),
        )
        .await
        .assert_problem(409, "already_head_coach");
    }
}

#[tokio::test]
async fn user_lookup_finds_accounts_by_exact_email() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let other = app.signup("findme").await;
        let lookup = |email: &str| format!("/api/v1/organizations/{org_id}/user-lookup?email={email}");
        let res = app.get(&lookup(&other.email.to_uppercase()), &head.token).await;
        assert_eq!(res.assert_status(200)["user"]["user_id"], other.user_id.as_str());
        assert!(res.body["membership"].is_null());
        let res = app.get(&lookup(&head.email), &head.token).await;
        assert_eq!(res.body["membership"]["role"], "head_coach");
        app.get(&lookup("missing@example.com"), &head.token).await.assert_problem(404, "user_not_found");
        app.get(&lookup("not-an-email"), &head.token).await.assert_problem(400, "invalid_parameter");
        app.get(&format!("/api/v1/organizations/{org_id}/user-lookup"), &head.token)
            .await
            .assert_problem(400, "invalid_parameter");
        let athlete = app.athlete(&org_id, None).await;
        app.get(&lookup(&other.email), &athlete.token).await.assert_problem(403, "forbidden");
    }
}

#[tokio::test]
async fn audit_trail_records_mutations_for_the_head_coach_only() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        app.patch(&format!("/api/v1/organizations/{org_id}"), &head.token, json!({"name": "Renamed"}))
            .await
            .assert_status(200);
        let audit = format!("/api/v1/organizations/{org_id}/audit-events");
        let res = app.get(&audit, &head.token).await;
        let actions: Vec<_> = res.assert_status(200)["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(actions, ["organization.updated", "coach.added", "organization.created"]);
        assert_eq!(res.body["data"][0]["changes"]["name"], json!({"old": "Riverside Runners", "new": "Renamed"}));

        let page = app.get(&format!("{audit}?limit=2"), &head.token).await;
        assert_eq!(page.body["data"].as_array().unwrap().len(), 2);
        let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        let rest = app.get(&format!("{audit}?limit=2&cursor={cursor}"), &head.token).await;
        assert_eq!(rest.body["data"][0]["action"], "organization.created");
        assert!(rest.body["next_cursor"].is_null());

        let filtered =
            app.get(&format!("{audit}?action=coach.added&subject_user_id={}", coach.user_id), &head.token).await;
        assert_eq!(filtered.body["data"].as_array().unwrap().len(), 1);

        app.get(&audit, &coach.token).await.assert_problem(403, "forbidden");
        app.get(&format!("{audit}?limit=0"), &head.token).await.assert_problem(400, "invalid_parameter");
        app.get(&format!("{audit}?limit=500"), &head.token).await.assert_problem(400, "invalid_parameter");
        app.get(&format!("{audit}?cursor=%%%"), &head.token).await.assert_problem(400, "invalid_parameter");
        app.get(&format!("{audit}?actor_id=nope"), &head.token).await.assert_problem(400, "invalid_parameter");
    }
}
