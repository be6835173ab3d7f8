//! The roster's pages over HTTP: filters, sorts, counts, refused
//! parameters, and paging while members are added, on both backends.

use crate::members::{add_athlete, members_path};
use crate::support::{Resp, Session, apps};
use serde_json::{Value, json};
use std::collections::HashSet;

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
