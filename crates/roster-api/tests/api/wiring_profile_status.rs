//! Profile status across features: each mark exact for a page, and
//! `sort=attention` paging every athlete once.

use crate::plans::create_plan;
use crate::support::{Session, apps};
use crate::wiring::{add, ago, ids, org_path};
use chrono::Duration;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn profile_status_is_exact_for_a_page_and_sort_attention_pages_everyone_once() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let base = create_plan(&app, &head, &org_id, "Base", 4).await;
        let later = create_plan(&app, &head, &org_id, "Later", 2).await;

        // X: current plan, injury watch, strava, heart-rate zones, two races, ran an hour ago.
        let x =
            add(&app, &head, &org_id, "xena", json!({"training_plan": {"plan_id": base}, "labels": ["@injury-watch"]}))
                .await;
        app.call(Method::PUT, "/api/v1/me/integrations/strava", Some(&x.token), Some(json!({})))
            .await
            .assert_status(200);
        let zones = json!({"heart_rate": {"zones": [{"name": "Z1", "min_bpm": 100, "max_bpm": 130}]},
            "pace": {"zones": []}});
        let path = org_path(&org_id, &format!("members/{}/zones", x.user_id));
        app.call(Method::PUT, &path, Some(&head.token), Some(zones)).await.assert_status(200);
        let goals = org_path(&org_id, &format!("members/{}/race-goals", x.user_id));
        for (name, date) in [("Far Race", "2099-05-01"), ("Near Race", "2098-01-01")] {
            let body = json!({"race_name": name, "race_date": date, "distance_m": 10000});
            app.post(&goals, &head.token, body).await.assert_status(201);
        }
        let activity = |d| json!({"sport": "run", "start_time": ago(d), "distance_m": 5000, "duration_s": 1800});
        let path = org_path(&org_id, &format!("members/{}/activities", x.user_id));
        app.post(&path, &head.token, activity(Duration::hours(1))).await.assert_status(201);

        // Y: nothing at all.
        let y = add(&app, &head, &org_id, "yuri", json!({})).await;

        // Z: garmin in error, an upcoming plan, pace zones, ran ten days ago.
        let z =
            add(&app, &head, &org_id, "zora", json!({"training_plan": {"plan_id": later, "start_date": "2099-01-05"}}))
                .await;
        app.call(Method::PUT, "/api/v1/me/integrations/garmin", Some(&z.token), Some(json!({"status": "error"})))
            .await
            .assert_status(200);
        let zones = json!({"heart_rate": {"zones": []},
            "pace": {"zones": [{"name": "easy", "min_s_per_km": 300, "max_s_per_km": 360}]}});
        let path = org_path(&org_id, &format!("members/{}/zones", z.user_id));
        app.call(Method::PUT, &path, Some(&head.token), Some(zones)).await.assert_status(200);
        let path = org_path(&org_id, &format!("members/{}/activities", z.user_id));
        app.post(&path, &head.token, activity(Duration::days(10))).await.assert_status(201);

        let res = app.get(&org_path(&org_id, "members?include_profile_status=true"), &head.token).await;
        let body = res.assert_status(200);
        let status = |who: &Session| {
            body["data"].as_array().unwrap().iter().find(|m| m["user_id"] == who.user_id.as_str()).unwrap()
                ["profile_status"]
                .clone()
        };
        let sx = status(&x);
        assert_eq!(
            sx["integrations"],
            json!({"strava": "connected", "garmin": "not_connected", "apple_health": "not_connected"}),
            "{:?}",
            app.backend
        );
        assert_eq!(sx["zones"], json!({"heart_rate": true, "pace": false}));
        assert_eq!(
            sx["race_goals"],
            json!({"count": 2, "next": {"race_name": "Near Race", "race_date": "2098-01-01"}})
        );
        assert_eq!(sx["training_plans"]["current"]["plan_name"], "Base");
        assert_eq!(
            (
                sx["training_plans"]["current"]["current_week"].as_i64(),
                sx["training_plans"]["current"]["total_weeks"].as_i64()
            ),
            (Some(1), Some(4))
        );
        assert!(sx["training_plans"]["current"]["assignment_id"].is_string());
        assert_eq!(sx["training_plans"]["upcoming"], 0);
        assert_eq!(sx["attention"], json!({"count": 1, "max_severity": "warning"}), "injury watch only");

        let sy = status(&y);
        assert_eq!(
            sy,
            json!({
                "integrations": {"strava": "not_connected", "garmin": "not_connected", "apple_health": "not_connected"},
                "zones": {"heart_rate": false, "pace": false},
                "race_goals": {"count": 0, "next": null},
                "training_plans": {"current": null, "upcoming": 0},
                // never active (urgent), no integration, no active plan, missing zones
                "attention": {"count": 4, "max_severity": "urgent"},
                "compliance": null
            })
        );

        let sz = status(&z);
        assert_eq!(sz["integrations"]["garmin"], "error");
        assert_eq!(sz["zones"], json!({"heart_rate": false, "pace": true}));
        assert_eq!(sz["training_plans"], json!({"current": null, "upcoming": 1}));
        // ten days without activity, integration error, no active plan
        assert_eq!(sz["attention"], json!({"count": 3, "max_severity": "warning"}));

        // Without the flag there is no profile status.
        let plain = app.get(&org_path(&org_id, "members"), &head.token).await;
        assert!(plain.assert_status(200)["data"][0].get("profile_status").is_none());

        // sort=attention: urgent first, then most signals, then name; paged one by one, each exactly once.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = org_path(&org_id, "members?sort=attention&limit=1&include_profile_status=true");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = app.get(&path, &head.token).await;
            let page = page.assert_status(200);
            assert_eq!(page["total"], 3);
            seen.extend(ids(page));
            assert!(page["data"][0]["profile_status"]["attention"].is_object());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(seen.len() <= 3, "paging does not end");
        }
        assert_eq!(seen, vec![y.user_id.clone(), z.user_id.clone(), x.user_id.clone()]);
        let all = app.get(&org_path(&org_id, "members?sort=attention&status=active"), &head.token).await;
        assert_eq!(ids(all.assert_status(200)), seen);
        // A cursor of another sort is refused.
        let by_name = app.get(&org_path(&org_id, "members?limit=1"), &head.token).await;
        let name_cursor = by_name.assert_status(200)["next_cursor"].as_str().unwrap().to_owned();
        app.get(&org_path(&org_id, &format!("members?sort=attention&cursor={name_cursor}")), &head.token)
            .await
            .assert_problem(400, "invalid_parameter");
    }
}
