//! API tests for groups, group membership and group plan assignment, on every backend.

use crate::plans::create_plan;
use crate::support::apps;
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

/// `(user_id, outcome, code)` of each result.
pub fn results(body: &Value) -> Vec<(String, String, Option<String>)> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user_id"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
                r["code"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn groups_are_created_listed_renamed_and_deleted() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");
        let res = app.post(&groups, &head.token, json!({"name": "Tuesday Track", "description": "400s"})).await;
        let group = res.assert_status(201).clone();
        assert_eq!(res.header("etag"), Some("\"1\""));
        assert_eq!((group["member_count"].as_i64(), group["version"].as_i64()), (Some(0), Some(1)));
        let url = format!("{groups}/{}", group["group_id"].as_str().unwrap());
        app.post(&groups, &head.token, json!({"name": "tuesday TRACK"})).await.assert_problem(409, "group_name_taken");
        app.post(&groups, &head.token, json!({"name": ""})).await.assert_problem(422, "invalid_name");
        app.post(&groups, &head.token, json!({"name": "x".repeat(81)})).await.assert_problem(422, "invalid_name");
        app.post(&groups, &head.token, json!({"name": "A", "color": "red"})).await.assert_problem(400, "unknown_field");
        let coach = app.assistant_coach(&head, &org_id).await;
        let second = app.post(&groups, &coach.token, json!({"name": "Long Run"})).await.assert_status(201).clone();
        let second_url = format!("{groups}/{}", second["group_id"].as_str().unwrap());
        let athlete = app.athlete(&org_id, None).await;
        app.post(&groups, &athlete.token, json!({"name": "Mine"})).await.assert_problem(403, "forbidden");
        app.get(&groups, &athlete.token).await.assert_problem(403, "forbidden");

        let list = app.get(&groups, &coach.token).await;
        assert_eq!(list.assert_status(200)["data"].as_array().unwrap().len(), 2);
        let page = app.get(&format!("{groups}?limit=1"), &head.token).await;
        let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        let rest = app.get(&format!("{groups}?limit=1&cursor={cursor}"), &head.token).await;
        assert_eq!(rest.body["data"][0]["name"], "Long Run");
        assert!(rest.body["next_cursor"].is_null());

        app.patch(&second_url, &head.token, json!({"name": "TUESDAY track"}))
            .await
            .assert_problem(409, "group_name_taken");
        let renamed = app.patch(&url, &head.token, json!({"name": "Tuesday Intervals"})).await;
        assert_eq!(renamed.assert_status(200)["version"], 2);
        assert_eq!(renamed.header("etag"), Some("\"2\""));
        let stale = app
            .client
            .request(Method::PATCH, format!("{}{url}", app.base))
            .bearer_auth(&head.token)
            .header("If-Match", "\"1\"")
            .json(&json!({"name": "Again"}))
            .send()
            .await
            .unwrap();
        crate::support::TestApp::read(stale).await.assert_problem(412, "version_mismatch");
        app.get(&url, &head.token).await.assert_status(200);

        let res = app.delete(&url, &head.token).await;
        assert_eq!(res.status, 204, "{}", res.text);
        app.get(&url, &head.token).await.assert_problem(404, "not_found");
        app.delete(&url, &head.token).await.assert_problem(404, "not_found");
        // Deleting frees the name.
        app.post(&groups, &head.token, json!({"name": "Tuesday Intervals"})).await.assert_status(201);
    }
}

#[tokio::test]
async fn group_members_are_added_and_removed_idempotently_and_stay_in_the_org() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");
        let group = app.post(&groups, &head.token, json!({"name": "Juniors"})).await.assert_status(201).clone();
        let url = format!("{groups}/{}", group["group_id"].as_str().unwrap());
        let athlete = app.athlete(&org_id, None).await;
        let member = format!("{url}/members/{}", athlete.user_id);
        for _ in 0..2 {
            let res = app.call(Method::PUT, &member, Some(&head.token), None).await;
            assert_eq!(res.status, 204, "{}", res.text);
        }
        assert_eq!(app.get(&url, &head.token).await.body["member_count"], 1);
        let stranger = app.signup("stranger").await;
        app.call(Method::PUT, &format!("{url}/members/{}", stranger.user_id), Some(&head.token), None)
            .await
            .assert_problem(404, "not_found");
        app.call(
            Method::PUT,
            &format!("{groups}/{}/members/{}", uuid::Uuid::now_v7(), athlete.user_id),
            Some(&head.token),
            None,
        )
        .await
        .assert_problem(404, "not_found");
        app.call(Method::PUT, &member, Some(&athlete.token), None).await.assert_problem(403, "forbidden");
        for _ in 0..2 {
            assert_eq!(app.delete(&member, &head.token).await.status, 204);
        }
        assert_eq!(app.get(&url, &head.token).await.body["member_count"], 0);
        app.call(Method::PUT, &member, Some(&head.token), None).await;
        assert_eq!(app.delete(&url, &head.token).await.status, 204);
        let org = app.get(&format!("/api/v1/organizations/{org_id}"), &head.token).await;
        assert_eq!(org.body["counts"]["athletes"], 1, "deleting a group keeps its members");

        let res = app.get(&format!("/api/v1/organizations/{org_id}/audit-events?limit=200"), &head.token).await;
        let seen: Vec<&str> =
            res.body["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for action in ["group.created", "group.member_added", "group.member_removed", "group.deleted"] {
            assert!(seen.contains(&action), "{action} missing from {seen:?}");
        }
        assert_eq!(seen.iter().filter(|a| **a == "group.member_added").count(), 2, "idempotent PUTs write nothing");
    }
}

#[tokio::test]
async fn a_plan_assigned_to_a_group_reaches_members_and_late_joiners() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");
        let group = app.post(&groups, &head.token, json!({"name": "Marathoners"})).await.assert_status(201).clone();
        let url = format!("{groups}/{}", group["group_id"].as_str().unwrap());
        let (mine, theirs, busy) = (
            app.athlete(&org_id, Some(&coach)).await,
            app.athlete(&org_id, None).await,
            app.athlete(&org_id, None).await,
        );
        for a in [&mine, &theirs, &busy] {
            app.call(Method::PUT, &format!("{url}/members/{}", a.user_id), Some(&head.token), None).await;
        }
        let plan_id = create_plan(&app, &head, &org_id, "Spring Marathon", 2).await;
        let other_plan = create_plan(&app, &head, &org_id, "Other", 1).await;
        let start = Utc::now().date_naive() + Duration::days(1);
        app.post(
            &format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", busy.user_id),
            &head.token,
            json!({"plan_id": other_plan, "start_date": start}),
        )
        .await
        .assert_status(201);

        let assign = format!("{url}/plan-assignments");
        let body = json!({"plan_id": plan_id, "start_date": start});
        let res = app.post(&assign, &coach.token, body.clone()).await;
        let r = results(res.assert_status(200));
        let of = |r: &[(String, String, Option<String>)], u: &str| r.iter().find(|x| x.0 == u).cloned().unwrap();
        assert_eq!(of(&r, &mine.user_id).1, "assigned");
        assert_eq!(
            of(&r, &theirs.user_id),
            (theirs.user_id.clone(), "skipped".into(), Some("not_assigned_to_you".into()))
        );

        let with_enroll = json!({"plan_id": plan_id, "start_date": start, "enroll_future_members": true});
        let r = results(app.post(&assign, &head.token, with_enroll.clone()).await.assert_status(200));
        assert_eq!(of(&r, &mine.user_id), (mine.user_id.clone(), "skipped".into(), Some("already_assigned".into())));
        assert_eq!(of(&r, &theirs.user_id).1, "assigned");
        assert_eq!(
            of(&r, &busy.user_id),
            (busy.user_id.clone(), "skipped".into(), Some("plan_assignment_overlap".into()))
        );
        // Idempotent: nothing new the second time.
        let r = results(app.post(&assign, &head.token, with_enroll).await.assert_status(200));
        assert!(r.iter().filter(|x| x.0 != busy.user_id).all(|x| x.2.as_deref() == Some("already_assigned")));

        // A late joiner gets the plan with the same start date.
        let late = app.athlete(&org_id, None).await;
        app.call(Method::PUT, &format!("{url}/members/{}", late.user_id), Some(&head.token), None).await;
        let list = app
            .get(&format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", late.user_id), &late.token)
            .await;
        let data = list.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data.len(), 1);
        assert_eq!(
            (data[0]["plan_id"].as_str(), data[0]["start_date"].as_str()),
            (Some(plan_id.as_str()), Some(start.to_string().as_str()))
        );

        // Refusals of the whole request.
        let past = json!({"plan_id": plan_id, "start_date": Utc::now().date_naive() - Duration::days(1)});
        app.post(&assign, &head.token, past).await.assert_problem(422, "start_date_in_past");
        app.post(&assign, &head.token, json!({"plan_id": uuid::Uuid::now_v7(), "start_date": start}))
            .await
            .assert_problem(422, "unknown_plan");
        app.post(&assign, &mine.token, body.clone()).await.assert_problem(403, "forbidden");
        app.delete(&format!("/api/v1/organizations/{org_id}/training-plans/{plan_id}"), &head.token).await;
        app.post(&assign, &head.token, body).await.assert_problem(422, "plan_archived");

        let res = app
            .get(&format!("/api/v1/organizations/{org_id}/audit-events?action=group.plan_assigned"), &head.token)
            .await;
        assert_eq!(res.body["data"].as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_groups_and_plans() {
    let app = apps().await.remove(0);
    let res = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    let paths = res.assert_status(200)["paths"].as_object().unwrap().clone();
    for path in [
        "/api/v1/organizations/{org_id}/groups",
        "/api/v1/organizations/{org_id}/groups/{group_id}",
        "/api/v1/organizations/{org_id}/groups/{group_id}/members/{user_id}",
        "/api/v1/organizations/{org_id}/groups/{group_id}/plan-assignments",
        "/api/v1/organizations/{org_id}/training-plans",
        "/api/v1/organizations/{org_id}/training-plans/{plan_id}",
        "/api/v1/organizations/{org_id}/members/{user_id}/plan-assignments",
        "/api/v1/organizations/{org_id}/members/{user_id}/plan-assignments/{assignment_id}",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let schemas = res.body["components"]["schemas"].as_object().unwrap();
    for schema in ["GroupDto", "GroupAssignResponse", "PlanDto", "WorkoutDto", "AssignmentDto"] {
        assert!(schemas.contains_key(schema), "{schema} is not documented");
    }
}
