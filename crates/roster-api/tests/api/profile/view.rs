use super::{codes, log_run, member_path};
use crate::plans::create_plan;
use crate::support::{apps, spawn_with};
use chrono::{Duration, Utc};
use reqwest::Method;
use roster_store::testing::TestDb;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpListener;

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

#[tokio::test]
async fn the_profile_gathers_plans_goal_integrations_activities_weeks_insights_and_signals() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let member = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        app.patch(
            &member,
            &head.token,
            json!({"labels": ["@injury-watch", "@marathon"], "private_notes": "left knee"}),
        )
        .await
        .assert_status(200);
        let plan = create_plan(&app, &head, &org_id, "Base", 2).await;
        let assignments = member_path(&org_id, &athlete, "plan-assignments");
        app.post(&assignments, &head.token, json!({"plan_id": plan, "start_date": today()})).await.assert_status(201);
        let later = today() + Duration::days(21);
        app.post(&assignments, &head.token, json!({"plan_id": plan, "start_date": later})).await.assert_status(201);
        let goals = member_path(&org_id, &athlete, "race-goals");
        let race_date = today() + Duration::days(60);
        app.post(
            &goals,
            &athlete.token,
            json!({"race_name": "City 10k", "race_date": race_date, "distance_m": 10000, "goal_time_s": 3000}),
        )
        .await
        .assert_status(201);
        app.post(
            &goals,
            &athlete.token,
            json!({"race_name": "Past race", "race_date": today() - Duration::days(3), "distance_m": 5000}),
        )
        .await
        .assert_status(201);
        app.call(
            Method::PUT,
            "/api/v1/me/integrations/strava",
            Some(&athlete.token),
            Some(json!({"external_athlete_id": "s-1"})),
        )
        .await
        .assert_status(200);
        // 11 activities: 10 in the last days, one 9 weeks ago; weeks in between are empty.
        for i in 0..10 {
            log_run(&app, &org_id, &athlete, &athlete.token, 2 + i * 6, 3000.0 + i as f64).await;
        }
        log_run(&app, &org_id, &athlete, &athlete.token, 24 * 63, 12_000.0).await;

        let res = app.get(&member_path(&org_id, &athlete, "profile"), &head.token).await;
        let p = res.assert_status(200).clone();
        assert_eq!(p["member"]["user_id"], athlete.user_id.as_str());
        assert_eq!(p["member"]["labels"], json!(["@injury-watch", "@marathon"]));
        assert_eq!(p["member"]["private_notes"], "left knee");
        assert_eq!(p["training_plans"]["current"]["plan_name"], "Base");
        assert_eq!(p["training_plans"]["current"]["current_week"], 1);
        let upcoming = p["training_plans"]["upcoming"].as_array().unwrap();
        assert_eq!(upcoming.len(), 1);
        assert_eq!(upcoming[0]["start_date"], later.to_string());
        assert_eq!(p["goal_race"]["race_name"], "City 10k");
        assert_eq!(p["goal_race"]["target_pace_s_per_km"], 300.0);
        assert_eq!(p["integrations"][0]["provider"], "strava");
        assert_eq!(p["integrations"][0]["status"], "connected");
        let recent = p["recent_activities"].as_array().unwrap();
        assert_eq!(recent.len(), 10, "the latest 10");
        assert_eq!(recent[0]["distance_m"], 3000.0, "newest first");
        let weeks = p["weekly_distance"].as_array().unwrap();
        assert_eq!(weeks.len(), 12);
        let starts: Vec<&str> = weeks.iter().map(|w| w["week_start"].as_str().unwrap()).collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "oldest first: {starts:?}");
        let total: f64 = weeks.iter().map(|w| w["distance_m"].as_f64().unwrap()).sum();
        assert!((total - (30_045.0 + 12_000.0)).abs() < 0.01, "{total}");
        assert!(weeks.iter().filter(|w| w["activity_count"] == 0).count() >= 6, "empty weeks included: {weeks:?}");
        let insights = p["insights"].as_array().unwrap();
        assert!(!insights.is_empty());
        assert!(insights.iter().all(|i| i["kind"].is_string() && i["text"].is_string() && i["data"].is_object()));
        let found = codes(&p);
        assert!(found.contains(&"injury_watch".to_owned()), "{found:?}");
        for absent in ["no_recent_activity", "no_integration", "no_active_plan", "race_soon_without_plan"] {
            assert!(!found.contains(&absent.to_owned()), "{absent} in {found:?}");
        }
        let signal = &p["attention_signals"][0];
        assert!(signal["severity"].is_string() && signal["message"].is_string() && signal["data"].is_object());

        // The athlete's own view: no private notes, no labels, no signal from labels.
        let own = app.get(&member_path(&org_id, &athlete, "profile"), &athlete.token).await;
        let own = own.assert_status(200).clone();
        let keys = own["member"].as_object().unwrap();
        assert!(!keys.contains_key("private_notes") && !keys.contains_key("labels"), "{keys:?}");
        assert!(!own.to_string().contains("left knee") && !own.to_string().contains("@injury-watch"));
        assert!(!codes(&own).contains(&"injury_watch".to_owned()));
        assert_eq!(own["goal_race"], p["goal_race"]);

        // Another athlete and a non-member see nothing.
        let other = app.athlete(&org_id, None).await;
        app.get(&member_path(&org_id, &athlete, "profile"), &other.token).await.assert_problem(404, "not_found");
        let stranger = app.signup("stranger").await;
        app.get(&member_path(&org_id, &athlete, "profile"), &stranger.token).await.assert_problem(404, "not_found");
        let nobody = format!("/api/v1/organizations/{org_id}/members/{}/profile", uuid::Uuid::now_v7());
        app.get(&nobody, &head.token).await.assert_problem(404, "not_found");
    }
}

/// A fake chat-completions endpoint: answers every request with `content`.
fn fake_llm(content: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let reply = json!({"choices": [{"message": {"role": "assistant", "content": content}}]}).to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body_start = loop {
                let Ok(n) = stream.read(&mut chunk) else { break None };
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i + 4);
                }
            };
            let Some(body_start) = body_start else { continue };
            let head = String::from_utf8_lossy(&buf[..body_start]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                .unwrap_or(0usize);
            while buf.len() < body_start + length {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
            stream.write_all(answer.as_bytes()).ok();
        }
    });
    base_url
}

#[tokio::test]
async fn insights_come_from_the_configured_model_endpoint() {
    let content = r#"{"insights": [{"kind": "weekly_trend", "text": "Said by the fake model."}]}"#;
    for db in TestDb::all() {
        let base_url = fake_llm(content);
        let app = spawn_with(db, |s| {
            s.insights.base_url = Some(base_url.clone());
            s.insights.model = Some("tiny-coach".into());
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        for hours in [3, 30, 24 * 9, 24 * 16] {
            log_run(&app, &org_id, &athlete, &athlete.token, hours, 8000.0).await;
        }
        let res = app.get(&member_path(&org_id, &athlete, "profile"), &head.token).await;
        let insights: Vec<Value> = res.assert_status(200)["insights"].as_array().unwrap().clone();
        assert_eq!(insights.len(), 1, "{insights:?}");
        assert_eq!(insights[0]["text"], "Said by the fake model.");
        assert_eq!(insights[0]["kind"], "weekly_trend");
    }
}
