use crate::support::apps;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn create_read_and_patch_with_etags() {
    for app in apps().await {
        let head = app.signup("head").await;
        let res = app
            .post(
                "/api/v1/organizations",
                &head.token,
                json!({"name": "  Hill Harriers ", "description": "Club", "timezone": "Europe/Paris"}),
            )
            .await;
        let org = res.assert_status(201).clone();
        assert_eq!(res.header("etag"), Some("\"1\""));
        assert_eq!(org["name"], "Hill Harriers");
        assert_eq!(org["timezone"], "Europe/Paris");
        assert_eq!(org["head_coach_user_id"], head.user_id.as_str());
        assert_eq!(org["counts"], json!({"athletes": 0, "coaches": 1, "pending_invitations": 0}));
        let path = format!("/api/v1/organizations/{}", org["org_id"].as_str().unwrap());

        let read = app.get(&path, &head.token).await;
        assert_eq!(read.assert_status(200)["version"], 1);

        let res = app.call(Method::PATCH, &path, Some(&head.token), Some(json!({"name": "Hill Harriers AC"}))).await;
        assert_eq!(res.assert_status(200)["version"], 2);
        assert_eq!(res.header("etag"), Some("\"2\""));

        let stale = app
            .client
            .patch(format!("{}{path}", app.base))
            .bearer_auth(&head.token)
            .header("if-match", "\"1\"")
            .json(&json!({"name": "Lost update"}))
            .send()
            .await
            .unwrap();
        crate::support::TestApp::read(stale).await.assert_problem(412, "version_mismatch");
        let garbled = app
            .client
            .patch(format!("{}{path}", app.base))
            .bearer_auth(&head.token)
            .header("if-match", "version one")
            .json(&json!({"name": "Garbled"}))
            .send()
            .await
            .unwrap();
        crate::support::TestApp::read(garbled).await.assert_problem(400, "invalid_header");
        assert_eq!(app.get(&path, &head.token).await.body["name"], "Hill Harriers AC", "nothing changed");

        let fresh = app
            .client
            .patch(format!("{}{path}", app.base))
            .bearer_auth(&head.token)
            .header("if-match", "\"2\"")
            .json(&json!({"timezone": "America/New_York"}))
            .send()
            .await
            .unwrap();
        let fresh = crate::support::TestApp::read(fresh).await;
        assert_eq!(fresh.assert_status(200)["timezone"], "America/New_York");
    }
}

#[tokio::test]
async fn an_account_heads_at_most_one_organization() {
    for app in apps().await {
        let (head, _) = app.head_coach().await;
        app.post("/api/v1/organizations", &head.token, json!({"name": "Second"}))
            .await
            .assert_problem(409, "already_head_coach");
    }
}

#[tokio::test]
async fn invalid_values_are_422_naming_the_field() {
    for app in apps().await {
        let head = app.signup("head").await;
        let res = app.post("/api/v1/organizations", &head.token, json!({"name": " ", "timezone": "Mars/Base"})).await;
        res.assert_problem(422, "invalid_name");
        assert_eq!(res.body["errors"][1]["field"], "timezone");
        assert_eq!(res.body["errors"][1]["code"], "invalid_timezone");
    }
}

#[tokio::test]
async fn strangers_get_404_and_non_head_coaches_get_403() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let path = format!("/api/v1/organizations/{org_id}");
        let stranger = app.signup("stranger").await;
        app.get(&path, &stranger.token).await.assert_problem(404, "not_found");
        app.patch(&path, &stranger.token, json!({"name": "Mine"})).await.assert_problem(404, "not_found");

        let coach = app.assistant_coach(&head, &org_id).await;
        app.get(&path, &coach.token).await.assert_status(200);
        app.patch(&path, &coach.token, json!({"name": "Mine"})).await.assert_problem(403, "forbidden");

        let athlete = app.athlete(&org_id, None).await;
        let read = app.get(&path, &athlete.token).await;
        assert_eq!(read.assert_status(200)["counts"]["athletes"], 1);
        app.patch(&path, &athlete.token, json!({"name": "Mine"})).await.assert_problem(403, "forbidden");

        let unknown = format!("/api/v1/organizations/{}", uuid::Uuid::now_v7());
        app.get(&unknown, &head.token).await.assert_problem(404, "not_found");
        app.get("/api/v1/organizations/not-a-uuid", &head.token).await.assert_problem(404, "not_found");
    }
}
