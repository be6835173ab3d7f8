use super::{codes, log_run, member_path};
use crate::plans::create_plan;
use crate::support::apps;
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

fn signal<'a>(profile: &'a Value, code: &str) -> &'a Value {
    profile["attention_signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {profile}"))
}

#[tokio::test]
async fn every_attention_signal_the_api_can_produce_shows_on_a_profile() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let today = Utc::now().date_naive();
        let profile = |who: &crate::support::Session| member_path(&org_id, who, "profile");

        // Nothing at all.
        let empty = app.athlete(&org_id, None).await;
        let p = app.get(&profile(&empty), &head.token).await.assert_status(200).clone();
        assert_eq!(signal(&p, "no_recent_activity")["severity"], "urgent");
        assert_eq!(signal(&p, "no_recent_activity")["data"]["days_since_last_activity"], Value::Null);
        for code in ["no_integration", "no_active_plan", "missing_zones"] {
            assert_eq!(signal(&p, code)["severity"], "info", "{code}");
        }
        assert_eq!(codes(&p).len(), 4, "{p}");

        // A load spike (20 km this week against 5 km weeks), an integration in error, injury watch.
        let spiking = app.athlete(&org_id, None).await;
        for day in [10, 17, 24, 31] {
            log_run(&app, &org_id, &spiking, &head.token, day * 24, 5000.0).await;
        }
        log_run(&app, &org_id, &spiking, &head.token, 30, 20_000.0).await;
        app.call(Method::PUT, "/api/v1/me/integrations/garmin", Some(&spiking.token), Some(json!({"status": "error"})))
            .await
            .assert_status(200);
        let member = format!("/api/v1/organizations/{org_id}/members/{}", spiking.user_id);
        app.patch(&member, &head.token, json!({"labels": ["@injury-watch"]})).await.assert_status(200);
        let p = app.get(&profile(&spiking), &head.token).await.assert_status(200).clone();
        assert_eq!(signal(&p, "load_spike")["severity"], "urgent");
        assert_eq!(signal(&p, "integration_error")["severity"], "warning");
        assert_eq!(signal(&p, "injury_watch")["severity"], "warning");
        assert!(
            !codes(&p).contains(&"no_integration".to_owned()) && !codes(&p).contains(&"no_recent_activity".to_owned())
        );

        // A volume drop (2 km this week against 10 km weeks) and a one-week plan ending with nothing after it.
        let dropping = app.athlete(&org_id, None).await;
        for day in [10, 17, 24, 31] {
            log_run(&app, &org_id, &dropping, &head.token, day * 24, 10_000.0).await;
        }
        log_run(&app, &org_id, &dropping, &head.token, 5, 2000.0).await;
        let short = create_plan(&app, &head, &org_id, "Sharpen", 1).await;
        app.post(
            &member_path(&org_id, &dropping, "plan-assignments"),
            &head.token,
            json!({"plan_id": short, "start_date": today}),
        )
        .await
        .assert_status(201);
        app.call(
            Method::PUT,
            &member_path(&org_id, &dropping, "zones"),
            Some(&head.token),
            Some(json!({"heart_rate": {"zones": [{"name": "easy", "min_bpm": 100, "max_bpm": 140}]}})),
        )
        .await
        .assert_status(200);
        let p = app.get(&profile(&dropping), &head.token).await.assert_status(200).clone();
        assert_eq!(signal(&p, "volume_drop")["severity"], "warning");
        assert_eq!(signal(&p, "plan_ending_soon")["severity"], "warning");
        for absent in ["no_active_plan", "missing_zones", "load_spike"] {
            assert!(!codes(&p).contains(&absent.to_owned()), "{absent} in {p}");
        }

        // A race in three weeks and no plan; nothing for 10 days is a warning.
        let racing = app.athlete(&org_id, None).await;
        log_run(&app, &org_id, &racing, &racing.token, 24 * 10, 6000.0).await;
        app.post(
            &member_path(&org_id, &racing, "race-goals"),
            &racing.token,
            json!({"race_name": "Harbour half", "race_date": today + Duration::days(21), "distance_m": 21097.5}),
        )
        .await
        .assert_status(201);
        let p = app.get(&profile(&racing), &racing.token).await.assert_status(200).clone();
        assert_eq!(signal(&p, "race_soon_without_plan")["severity"], "warning");
        assert_eq!(signal(&p, "no_recent_activity")["severity"], "warning");
    }
}
