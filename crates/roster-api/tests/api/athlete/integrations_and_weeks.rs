use super::{audit_count, field_errors, member_path};
use crate::support::apps;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::Method;
use roster_domain::athlete::weekly::{boundaries, week_starts};
use roster_domain::values::Timezone;
use serde_json::json;

#[tokio::test]
async fn the_athlete_records_connections_and_coaches_see_them() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let res = app.call(Method::PUT, "/api/v1/me/integrations/strava", Some(&athlete.token), Some(json!({}))).await;
        let strava = res.assert_status(200).clone();
        assert_eq!(strava["status"], "connected");
        assert!(strava["connected_at"].is_string());
        let sync = (Utc::now() - Duration::minutes(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let garmin = json!({"status": "error", "external_athlete_id": "g-77", "last_sync_at": sync});
        let res = app.call(Method::PUT, "/api/v1/me/integrations/garmin", Some(&athlete.token), Some(garmin)).await;
        assert_eq!(res.assert_status(200)["status"], "error");
        assert_eq!(res.body["last_sync_at"], sync.as_str());

        let list = member_path(&org_id, &athlete, "integrations");
        let res = app.get(&list, &head.token).await;
        let data = res.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data.iter().map(|i| i["provider"].clone()).collect::<Vec<_>>(), [json!("strava"), json!("garmin")]);
        assert_eq!(data[1]["external_athlete_id"], "g-77");

        let res = app.delete("/api/v1/me/integrations/strava", &athlete.token).await;
        assert_eq!(res.status, 204, "{}", res.text);
        let res = app.get(&list, &athlete.token).await;
        assert_eq!(res.body["data"][0]["status"], "disconnected");
        assert_eq!(res.body["data"][0]["connected_at"], strava["connected_at"]);
        // Disconnecting again, or what was never connected, changes nothing.
        assert_eq!(app.delete("/api/v1/me/integrations/strava", &athlete.token).await.status, 204);
        assert_eq!(app.delete("/api/v1/me/integrations/apple_health", &athlete.token).await.status, 204);
        assert_eq!(audit_count(&app, &head, &org_id, "integration.connected").await, 2);
        assert_eq!(audit_count(&app, &head, &org_id, "integration.disconnected").await, 1);

        let res = app
            .call(
                Method::PUT,
                "/api/v1/me/integrations/strava",
                Some(&athlete.token),
                Some(json!({"status": "disconnected", "external_athlete_id": ""})),
            )
            .await;
        res.assert_problem(422, "invalid_status");
        assert_eq!(field_errors(&res)[0].0, "status");
        app.call(Method::PUT, "/api/v1/me/integrations/polar", Some(&athlete.token), Some(json!({})))
            .await
            .assert_problem(404, "not_found");
        app.call(Method::PUT, "/api/v1/me/integrations/strava", Some(&head.token), Some(json!({})))
            .await
            .assert_problem(403, "forbidden");
        let other = app.athlete(&org_id, None).await;
        app.get(&list, &other.token).await.assert_problem(404, "not_found");
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[tokio::test]
async fn weekly_distance_uses_the_organizations_mondays_and_keeps_empty_weeks() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let zone = "Pacific/Auckland";
        app.patch(&format!("/api/v1/organizations/{org_id}"), &head.token, json!({"timezone": zone}))
            .await
            .assert_status(200);
        let athlete = app.athlete(&org_id, None).await;
        let tz = Timezone::parse(zone).unwrap().tz();
        let mondays = week_starts(tz, Utc::now(), 4);
        let bounds = boundaries(tz, &mondays);
        let this_week = bounds[3];
        let activities = member_path(&org_id, &athlete, "activities");
        for (t, d) in [
            (this_week, 1000.0),                       // Monday 00:00 in Auckland: this week
            (this_week - Duration::seconds(1), 200.0), // Sunday 23:59:59 there: last week
            (bounds[1] - Duration::seconds(1), 30.0),  // the oldest of the 4 weeks
            (bounds[0] - Duration::seconds(1), 4.0),   // before the range
        ] {
            let body = json!({"sport": "run", "start_time": iso(t), "distance_m": d, "duration_s": 600});
            app.post(&activities, &athlete.token, body).await.assert_status(201);
        }
        let weekly = member_path(&org_id, &athlete, "weekly-distance");
        let res = app.get(&format!("{weekly}?weeks=4"), &head.token).await;
        let data = res.assert_status(200)["data"].as_array().unwrap().clone();
        let starts: Vec<String> = data.iter().map(|w| w["week_start"].as_str().unwrap().to_owned()).collect();
        assert_eq!(starts, mondays.iter().map(|d| d.to_string()).collect::<Vec<_>>());
        let distances: Vec<f64> = data.iter().map(|w| w["distance_m"].as_f64().unwrap()).collect();
        assert_eq!(distances, [30.0, 0.0, 200.0, 1000.0], "{:?}", app.backend);
        assert_eq!(data[1], json!({"week_start": starts[1], "distance_m": 0.0, "duration_s": 0, "activity_count": 0}));
        assert_eq!(data[3]["duration_s"], 600);

        let one = app.get(&format!("{weekly}?weeks=1"), &athlete.token).await;
        assert_eq!(one.assert_status(200)["data"][0]["distance_m"], 1000.0);
        let longest = app.get(&format!("{weekly}?weeks=104"), &athlete.token).await;
        assert_eq!(longest.assert_status(200)["data"].as_array().unwrap().len(), 104);
        let default = app.get(&weekly, &athlete.token).await;
        assert_eq!(default.assert_status(200)["data"].as_array().unwrap().len(), 12);
        for bad in ["0", "105", "many"] {
            app.get(&format!("{weekly}?weeks={bad}"), &head.token).await.assert_problem(400, "invalid_parameter");
        }
        let other = app.athlete(&org_id, None).await;
        app.get(&weekly, &other.token).await.assert_problem(404, "not_found");
    }
}
