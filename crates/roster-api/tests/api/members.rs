//! The roster over HTTP, on both backends.

use crate::support::{Resp, Session, TestApp, apps};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;

fn members_path(org_id: &str) -> String {
    format!("/api/v1/organizations/{org_id}/members")
}

/// A new account added through the API by `by`, with `extra` merged into the body.
async fn add_athlete(app: &TestApp, by: &Session, org_id: &str, extra: Value) -> Session {
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

#[tokio::test]
async fn roster_filters_sorts_counts_and_refuses_bad_parameters() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let path = members_path(&org_id);
        let coach = app.assistant_coach(&head, &org_id).await;
        let other_coach = app.assistant_coach(&head, &org_id).await;
        let a = add_athlete(&app, &coach, &org_id, json!({"display_name": "Alpha", "labels": ["@marathon"]})).await;
        let b = add_athlete(&app, &coach, &org_id, json!({"display_name": "Bravo", "member_level": "elite"})).await;
        let c =
            add_athlete(&app, &head, &org_id, json!({"display_name": "Charlie", "labels": ["@marathon", "@trail"]}))
                .await;
        app.patch(&format!("{path}/{}", b.user_id), &head.token, json!({"status": "suspended"}))
            .await
            .assert_status(200);
        let ids = |res: &Resp| -> Vec<String> {
            res.body["data"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()).collect()
        };
        let get = |q: &str| {
            let url = format!("{path}?{q}");
            let token = head.token.clone();
            let app = &app;
            async move { app.get(&url, &token).await }
        };

        let all = get("").await;
        assert_eq!(ids(&all), [a.user_id.as_str(), b.user_id.as_str(), c.user_id.as_str()]);
        assert_eq!(all.body["total"], 3);
        assert_eq!(all.body["next_cursor"], Value::Null);
        assert_eq!(ids(&get("status=active").await), [a.user_id.as_str(), c.user_id.as_str()]);
        assert_eq!(
            ids(&get("status=active&status=suspended&sort=-joined_at").await),
            [c.user_id.as_str(), b.user_id.as_str(), a.user_id.as_str()]
        );
        assert_eq!(ids(&get("label=@marathon&label=@TRAIL").await), [c.user_id.as_str()]);
        assert_eq!(ids(&get("member_level=elite").await), [b.user_id.as_str()]);
        assert_eq!(
            ids(&get(&format!("assigned_to_coach_id={}", coach.user_id)).await),
            [a.user_id.as_str(), b.user_id.as_str()]
        );
        assert_eq!(ids(&get("assigned_to_coach_id=none").await), [c.user_id.as_str()]);
        assert_eq!(ids(&get("q=CHAR").await), [c.user_id.as_str()]);
        assert_eq!(get(&format!("q={}", a.email.to_uppercase())).await.body["total"], 1);
        let mine = app.get(&format!("{path}?assigned_to_coach_id=me&label=@marathon"), &coach.token).await;
        assert_eq!(ids(&mine), [a.user_id.as_str()]);
        app.get(&format!("{path}?assigned_to_coach_id={}", other_coach.user_id), &coach.token)
            .await
            .assert_problem(403, "forbidden");

        let page = get("limit=2&sort=joined_at&include_profile_status=true").await;
        assert_eq!(page.body["total"], 3);
        assert_eq!(
            page.body["data"][0]["profile_status"],
            json!({
                "integrations": {"strava": "not_connected", "garmin": "not_connected", "apple_health": "not_connected"},
                "zones": {"heart_rate": false, "pace": false},
                "race_goals": {"count": 0, "next": null},
                "training_plans": {"current": null, "upcoming": 0},
                // no activity ever (urgent), no integration, no plan, no zones
                "attention": {"count": 4, "max_severity": "urgent"},
                "compliance": null
            })
        );
        let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        assert_eq!(ids(&get(&format!("limit=2&sort=joined_at&cursor={cursor}")).await), [c.user_id.as_str()]);
        get(&format!("cursor={cursor}")).await.assert_problem(400, "invalid_parameter");

        for (query, param) in [
            ("status=gone", "status"),
            ("label=marathon", "label"),
            ("member_level=", "member_level"),
            ("assigned_to_coach_id=someone", "assigned_to_coach_id"),
            ("group_id=12", "group_id"),
            ("include_profile_status=yes", "include_profile_status"),
            ("sort=age", "sort"),
            ("sort=-attention", "sort"),
            ("limit=0", "limit"),
            ("limit=201", "limit"),
            ("limit=ten", "limit"),
            ("cursor=@@@", "cursor"),
            ("sort=name&sort=name", "sort"),
        ] {
            let res = get(query).await;
            res.assert_problem(400, "invalid_parameter");
            assert_eq!(res.body["errors"][0]["field"], param, "{query}");
        }
        get("q=%01").await.assert_problem(400, "invalid_text");
        let res = get("colour=red").await;
        res.assert_problem(400, "unknown_parameter");
        assert_eq!(res.body["errors"][0]["field"], "colour");
        assert_eq!(get(&format!("group_id={}", uuid::Uuid::now_v7())).await.status, 200);
    }
}

#[tokio::test]
async fn walking_all_pages_returns_every_member_once_under_concurrent_inserts() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let path = members_path(&org_id);
        let mut before = HashSet::new();
        for _ in 0..25 {
            before.insert(add_athlete(&app, &head, &org_id, json!({})).await.user_id);
        }
        // Inserts run concurrently with the walk.
        let writer = {
            let (client, base, token, org) = (app.client.clone(), app.base.clone(), head.token.clone(), org_id.clone());
            let accounts: Vec<Session> = {
                let mut v = Vec::new();
                for _ in 0..15 {
                    v.push(app.signup("late").await);
                }
                v
            };
            tokio::spawn(async move {
                for account in accounts {
                    let res = client
                        .post(format!("{base}/api/v1/organizations/{org}/members"))
                        .bearer_auth(&token)
                        .json(&json!({"user_id": account.user_id}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status().as_u16(), 201);
                }
            })
        };
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}?limit=4&cursor={c}"),
                None => format!("{path}?limit=4"),
            };
            let res = app.get(&url, &head.token).await;
            let body = res.assert_status(200);
            seen.extend(body["data"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()));
            match body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            tokio::task::yield_now().await;
        }
        writer.await.unwrap();
        let unique: HashSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "no member twice: {seen:?}");
        assert!(before.is_subset(&unique), "every member present before the walk is seen");
    }
}
