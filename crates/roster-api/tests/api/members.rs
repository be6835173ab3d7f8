//! The roster over HTTP, on both backends.

use crate::support::{Resp, Session, TestApp, apps};
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) fn members_path(org_id: &str) -> String {
    format!("/api/v1/organizations/{org_id}/members")
}

/// A new account added through the API by `by`, with `extra` merged into the body.
pub(crate) async fn add_athlete(app: &TestApp, by: &Session, org_id: &str, extra: Value) -> Session {
    let athlete = app.signup("athlete").await;
    let mut body = json!({"user_id": athlete.user_id});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    app.post(&members_path(org_id), &by.token, body).await.assert_status(201);
    athlete
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Resp {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

async fn patch_if_match(app: &TestApp, path: &str, token: &str, etag: &str, body: Value) -> Resp {
    let res = app
        .client
        .patch(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("if-match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    TestApp::read(res).await
}

async fn latest_event(app: &TestApp, head: &Session, org_id: &str, action: &str) -> Value {
    let res = app.get(&format!("/api/v1/organizations/{org_id}/audit-events?action={action}"), &head.token).await;
    res.assert_status(200)["data"][0].clone()
}

#[tokio::test]
async fn coaches_add_existing_accounts_with_attributes_in_one_go() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.signup("maya").await;
        let res = app
            .post(
                &members_path(&org_id),
                &head.token,
                json!({"email": athlete.email.to_uppercase(), "display_name": " Mayo ", "member_level": "elite",
                    "labels": ["@Marathon", " @marathon", "@injury-watch"], "private_notes": "left knee",
                    "assigned_to_coach_id": coach.user_id}),
            )
            .await;
        let body = res.assert_status(201);
        assert_eq!(res.header("etag"), Some("\"1\""));
        assert_eq!(body["role"], "athlete");
        assert_eq!(body["display_name"], "Mayo");
        assert_eq!(body["labels"], json!(["@injury-watch", "@marathon"]));
        assert_eq!(body["private_notes"], "left knee");
        assert_eq!(body["status"], "active");
        assert_eq!(body["assigned_to_coach_id"], coach.user_id.as_str());
        assert_eq!(body["group_ids"], json!([]));
        assert_eq!(body["first_name"], "maya");
        assert!(body.get("profile_status").is_none());
        let event = latest_event(&app, &head, &org_id, "member.added").await;
        assert_eq!(event["subject_user_id"], athlete.user_id.as_str());
        assert_eq!(event["changes"]["private_notes"], json!({"changed": true}));
        assert!(!event.to_string().contains("left knee"));

        // An assistant coach's athlete is theirs unless the body says otherwise.
        let theirs = add_athlete(&app, &coach, &org_id, json!({})).await;
        let got = app.get(&format!("{}/{}", members_path(&org_id), theirs.user_id), &head.token).await;
        assert_eq!(got.body["assigned_to_coach_id"], coach.user_id.as_str());
        let unassigned = add_athlete(&app, &coach, &org_id, json!({"assigned_to_coach_id": null})).await;
        let got = app.get(&format!("{}/{}", members_path(&org_id), unassigned.user_id), &head.token).await;
        assert_eq!(got.body["assigned_to_coach_id"], Value::Null);
        let by_head = add_athlete(&app, &head, &org_id, json!({})).await;
        let got = app.get(&format!("{}/{}", members_path(&org_id), by_head.user_id), &head.token).await;
        assert_eq!(got.body["assigned_to_coach_id"], Value::Null);
    }
}

#[tokio::test]
async fn adding_members_refuses_with_the_contract_codes() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let path = members_path(&org_id);
        let coach = app.assistant_coach(&head, &org_id).await;
        let member = add_athlete(&app, &head, &org_id, json!({})).await;
        app.post(&path, &head.token, json!({"email": "nobody@example.com"}))
            .await
            .assert_problem(404, "user_not_found");
        app.post(&path, &head.token, json!({"user_id": member.user_id})).await.assert_problem(409, "already_member");
        let (other_head, other_org) = app.head_coach().await;
        app.post(&members_path(&other_org), &other_head.token, json!({"user_id": member.user_id}))
            .await
            .assert_problem(409, "member_of_another_organization");
        let fresh = app.signup("fresh").await;
        let with = |extra: Value| {
            let mut body = json!({"user_id": fresh.user_id});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        app.post(&path, &head.token, with(json!({"labels": ["marathon"]}))).await.assert_problem(422, "invalid_label");
        let many: Vec<String> = (0..21).map(|i| format!("@l{i}")).collect();
        app.post(&path, &head.token, with(json!({"labels": many}))).await.assert_problem(422, "too_many_labels");
        app.post(&path, &head.token, with(json!({"display_name": "x".repeat(61)})))
            .await
            .assert_problem(422, "invalid_display_name");
        app.post(&path, &head.token, with(json!({"member_level": ""})))
            .await
            .assert_problem(422, "invalid_member_level");
        app.post(&path, &head.token, with(json!({"private_notes": "n".repeat(10_001)})))
            .await
            .assert_problem(422, "invalid_private_notes");
        app.post(&path, &head.token, with(json!({"assigned_to_coach_id": member.user_id})))
            .await
            .assert_problem(422, "not_a_coach");
        app.post(&path, &coach.token, with(json!({"assigned_to_coach_id": head.user_id})))
            .await
            .assert_problem(403, "forbidden");
        app.post(&path, &head.token, with(json!({"nickname": "x"}))).await.assert_problem(400, "unknown_field");
        app.post(&path, &head.token, with(json!({"group_id": "not-a-uuid"}))).await.assert_problem(400, "invalid_type");
        app.post(&path, &member.token, with(json!({}))).await.assert_problem(403, "forbidden");
        let stranger = app.signup("stranger").await;
        app.post(&path, &stranger.token, with(json!({}))).await.assert_problem(404, "not_found");
        // None of the refusals added the account.
        app.get(&format!("{path}/{}", fresh.user_id), &head.token).await.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn permission_matrix() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let path = members_path(&org_id);
        let assigned = app.assistant_coach(&head, &org_id).await;
        let other_coach = app.assistant_coach(&head, &org_id).await;
        let target = add_athlete(&app, &head, &org_id, json!({"assigned_to_coach_id": assigned.user_id})).await;
        let other_athlete = add_athlete(&app, &head, &org_id, json!({})).await;
        let stranger = app.signup("stranger").await;
        let actors: [(&str, &Session); 6] = [
            ("head coach", &head),
            ("assigned coach", &assigned),
            ("other coach", &other_coach),
            ("the athlete", &target),
            ("another athlete", &other_athlete),
            ("stranger", &stranger),
        ];
        // (list, get, patch, put coach) per actor: status and code.
        let expected: [[(u16, &str); 4]; 6] = [
            [(200, ""), (200, ""), (200, ""), (200, "")],
            [(200, ""), (200, ""), (200, ""), (403, "forbidden")],
            [(200, ""), (200, ""), (403, "not_assigned_to_you"), (403, "forbidden")],
            [(403, "forbidden"), (200, ""), (403, "forbidden"), (403, "forbidden")],
            // Another athlete is told nothing about the member (issue #13, item 14).
            [(403, "forbidden"), (404, "not_found"), (404, "not_found"), (404, "not_found")],
            [(404, "not_found"), (404, "not_found"), (404, "not_found"), (404, "not_found")],
        ];
        let member = format!("{path}/{}", target.user_id);
        for ((who, session), row) in actors.iter().zip(expected) {
            let results = [
                app.get(&path, &session.token).await,
                app.get(&member, &session.token).await,
                app.patch(&member, &session.token, json!({"member_level": "elite"})).await,
                put(&app, &format!("{member}/coach"), &session.token, json!({"coach_id": assigned.user_id})).await,
            ];
            for (res, (status, code)) in results.iter().zip(row) {
                if code.is_empty() {
                    assert_eq!(res.status, status, "{who}: {}", res.text);
                } else {
                    res.assert_problem(status, code);
                }
            }
        }
        // The athlete's own view omits private notes and labels.
        let own = app.get(&member, &target.token).await;
        assert!(own.body.get("private_notes").is_none() && own.body.get("labels").is_none(), "{}", own.text);
        let coach_view = app.get(&member, &other_coach.token).await;
        assert!(coach_view.body.get("private_notes").is_some() && coach_view.body["labels"].is_array());

        // Removal: each actor tries on a fresh athlete assigned to `assigned`.
        let deletes: [(&Session, u16, &str); 5] = [
            (&head, 204, ""),
            (&assigned, 204, ""),
            (&other_coach, 403, "not_assigned_to_you"),
            (&other_athlete, 404, "not_found"),
            (&stranger, 404, "not_found"),
        ];
        for (session, status, code) in deletes {
            let victim = add_athlete(&app, &head, &org_id, json!({"assigned_to_coach_id": assigned.user_id})).await;
            let res = app.delete(&format!("{path}/{}", victim.user_id), &session.token).await;
            if code.is_empty() {
                assert_eq!(res.status, status, "{}", res.text);
            } else {
                res.assert_problem(status, code);
            }
        }
        // The athlete leaves.
        assert_eq!(app.delete(&member, &target.token).await.status, 204);
        app.delete(&format!("{path}/{}", head.user_id), &head.token).await.assert_problem(409, "head_coach_required");
        app.get(&format!("{path}/{}", uuid::Uuid::now_v7()), &head.token).await.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn patch_honours_if_match_clears_with_null_and_never_touches_the_account() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = add_athlete(&app, &head, &org_id, json!({"display_name": "Zed", "labels": ["@a"]})).await;
        let member = format!("{}/{}", members_path(&org_id), athlete.user_id);
        let res = app
            .patch(
                &member,
                &head.token,
                json!({"labels": ["@B", "@c"], "private_notes": "hamstring", "status": "inactive", "member_level": "pro"}),
            )
            .await;
        assert_eq!(res.assert_status(200)["labels"], json!(["@b", "@c"]));
        assert_eq!(res.header("etag"), Some("\"2\""));
        let event = latest_event(&app, &head, &org_id, "member.updated").await;
        assert_eq!(event["changes"]["private_notes"], json!({"changed": true}));
        assert_eq!(event["changes"]["status"], json!({"old": "active", "new": "inactive"}));
        assert_eq!(event["changes"]["labels"], json!({"old": ["@a"], "new": ["@b", "@c"]}));
        assert!(!event.to_string().contains("hamstring"));

        patch_if_match(&app, &member, &head.token, "\"1\"", json!({"member_level": "x"}))
            .await
            .assert_problem(412, "version_mismatch");
        let res =
            patch_if_match(&app, &member, &head.token, "\"2\"", json!({"display_name": null, "labels": null})).await;
        let body = res.assert_status(200);
        assert_eq!(body["display_name"], Value::Null);
        assert_eq!(body["labels"], json!([]));
        assert_eq!(body["member_level"], "pro");
        assert_eq!(body["version"], 3);
        // Unchanged patch: no new version.
        assert_eq!(app.patch(&member, &head.token, json!({"member_level": "pro"})).await.body["version"], 3);

        app.patch(&member, &head.token, json!({"labels": ["nope"]})).await.assert_problem(422, "invalid_label");
        app.patch(&member, &head.token, json!({"status": "gone"})).await.assert_problem(422, "invalid_status");
        app.patch(&member, &head.token, json!({"status": null})).await.assert_problem(422, "invalid_status");
        app.patch(&member, &head.token, json!({"first_name": "X"})).await.assert_problem(400, "unknown_field");
        let me = app.get("/api/v1/auth/me", &athlete.token).await;
        assert_eq!(me.body["user"]["first_name"], "athlete", "the account is untouched");
    }
}

#[tokio::test]
async fn head_coach_assigns_coaches_and_removing_a_coach_unassigns() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = add_athlete(&app, &head, &org_id, json!({})).await;
        let member = format!("{}/{}", members_path(&org_id), athlete.user_id);
        let res = put(&app, &format!("{member}/coach"), &head.token, json!({"coach_id": coach.user_id})).await;
        assert_eq!(res.assert_status(200)["assigned_to_coach_id"], coach.user_id.as_str());
        assert_eq!(res.header("etag"), Some("\"2\""));
        let event = latest_event(&app, &head, &org_id, "coach.assigned").await;
        assert_eq!(event["changes"]["assigned_to_coach_id"]["new"], coach.user_id.as_str());
        put(&app, &format!("{member}/coach"), &head.token, json!({"coach_id": athlete.user_id}))
            .await
            .assert_problem(422, "not_a_coach");
        put(&app, &format!("{member}/coach"), &head.token, json!({})).await.assert_problem(400, "missing_field");
        app.delete(&format!("/api/v1/organizations/{org_id}/coaches/{}", coach.user_id), &head.token).await;
        assert_eq!(app.get(&member, &head.token).await.body["assigned_to_coach_id"], Value::Null);
        let res = put(&app, &format!("{member}/coach"), &head.token, json!({"coach_id": null})).await;
        assert_eq!(res.assert_status(200)["assigned_to_coach_id"], Value::Null);
    }
}

#[tokio::test]
async fn removal_keeps_the_account_and_re_adding_starts_a_new_membership() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = add_athlete(&app, &head, &org_id, json!({"labels": ["@x"]})).await;
        let member = format!("{}/{}", members_path(&org_id), athlete.user_id);
        let before = app.get(&member, &head.token).await.body["joined_at"].clone();
        assert_eq!(app.delete(&member, &head.token).await.status, 204);
        app.get(&member, &head.token).await.assert_problem(404, "not_found");
        app.get("/api/v1/auth/me", &athlete.token).await.assert_status(200);
        let event = latest_event(&app, &head, &org_id, "member.removed").await;
        assert_eq!(event["subject_user_id"], athlete.user_id.as_str());
        app.post(&members_path(&org_id), &head.token, json!({"user_id": athlete.user_id})).await.assert_status(201);
        let again = app.get(&member, &head.token).await;
        assert_ne!(again.body["joined_at"], before);
        assert_eq!(again.body["labels"], json!([]));
    }
}
