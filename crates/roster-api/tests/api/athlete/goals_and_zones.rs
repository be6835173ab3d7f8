use super::{audit_count, field_errors, member_path, with_if_match};
use crate::support::apps;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn race_goals_carry_a_target_pace_and_honour_if_match() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let goals = member_path(&org_id, &athlete, "race-goals");
        let res = app
            .post(
                &goals,
                &athlete.token,
                json!({"race_name": " Berlin Marathon ", "race_date": "2027-09-26",
                "distance_m": 42195, "goal_time_s": 10800}),
            )
            .await;
        let goal = res.assert_status(201).clone();
        assert_eq!(res.header("etag"), Some("\"1\""));
        assert_eq!(goal["race_name"], "Berlin Marathon");
        assert_eq!(goal["target_pace_s_per_km"], 256.0);
        app.post(&goals, &head.token, json!({"race_name": "Parkrun", "race_date": "2027-01-02", "distance_m": 5000}))
            .await
            .assert_status(201);
        let list = app.get(&goals, &athlete.token).await;
        let names: Vec<_> =
            list.assert_status(200)["data"].as_array().unwrap().iter().map(|g| g["race_name"].clone()).collect();
        assert_eq!(names, [json!("Parkrun"), json!("Berlin Marathon")]);
        assert!(list.body["data"][0]["target_pace_s_per_km"].is_null());

        let one = format!("{goals}/{}", goal["race_goal_id"].as_str().unwrap());
        let res = with_if_match(&app, Method::PATCH, &one, &athlete.token, "\"1\"", json!({"goal_time_s": null})).await;
        assert_eq!(res.assert_status(200)["version"], 2);
        assert!(res.body["target_pace_s_per_km"].is_null());
        assert_eq!(res.header("etag"), Some("\"2\""));
        with_if_match(&app, Method::PATCH, &one, &athlete.token, "\"1\"", json!({"race_name": "Lost"}))
            .await
            .assert_problem(412, "version_mismatch");
        let res = app.patch(&one, &athlete.token, json!({"race_name": null, "distance_m": 0})).await;
        res.assert_problem(422, "required");
        assert_eq!(field_errors(&res), [("race_name".to_owned(), "required".to_owned())]);
        let res = app.patch(&one, &athlete.token, json!({"distance_m": -5, "goal_time_s": 0})).await;
        assert_eq!(
            field_errors(&res),
            [
                ("distance_m".to_owned(), "out_of_range".to_owned()),
                ("goal_time_s".to_owned(), "out_of_range".to_owned())
            ]
        );
        let res = app
            .post(&goals, &athlete.token, json!({"race_name": "", "race_date": "2027-01-01", "distance_m": 0}))
            .await;
        res.assert_problem(422, "required");
        app.post(&goals, &athlete.token, json!({"race_name": "X", "race_date": "2027-02-30", "distance_m": 1}))
            .await
            .assert_problem(400, "invalid_type");

        let coach = app.assistant_coach(&head, &org_id).await;
        app.patch(&one, &coach.token, json!({"race_name": "Mine"})).await.assert_problem(403, "not_assigned_to_you");
        app.delete(&one, &coach.token).await.assert_problem(403, "not_assigned_to_you");
        let res = app.delete(&one, &athlete.token).await;
        assert_eq!(res.status, 204, "{}", res.text);
        app.delete(&one, &athlete.token).await.assert_problem(404, "not_found");
        app.patch(&one, &athlete.token, json!({})).await.assert_problem(404, "not_found");
        for action in ["race_goal.created", "race_goal.updated", "race_goal.deleted"] {
            assert!(audit_count(&app, &head, &org_id, action).await >= 1, "{action}");
        }
    }
}

#[tokio::test]
async fn zones_are_validated_and_replaced_with_versions() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, Some(&coach)).await;
        let zones = member_path(&org_id, &athlete, "zones");
        let empty = app.get(&zones, &head.token).await;
        assert_eq!(empty.assert_status(200)["version"], 0);
        assert_eq!(empty.body["heart_rate"]["zones"], json!([]));

        let good = json!({
            "heart_rate": {"max_bpm": 190, "resting_bpm": 48, "zones": [
                {"name": "Z1", "min_bpm": 100, "max_bpm": 130}, {"name": "Z2", "min_bpm": 130, "max_bpm": 150}]},
            "pace": {"threshold_s_per_km": 250, "zones": [{"name": "easy", "min_s_per_km": 300, "max_s_per_km": 360}]}
        });
        let res = app.call(Method::PUT, &zones, Some(&coach.token), Some(good.clone())).await;
        assert_eq!(res.assert_status(200)["version"], 1);
        assert_eq!(res.body["heart_rate"]["zones"][1]["min_bpm"], 130);
        assert_eq!(res.header("etag"), Some("\"1\""));
        let read = app.get(&zones, &athlete.token).await;
        assert_eq!(read.assert_status(200)["pace"], good["pace"]);

        let inverted = json!({"heart_rate": {"zones": [
            {"name": "Z1", "min_bpm": 100, "max_bpm": 120}, {"name": "Z2", "min_bpm": 120, "max_bpm": 140},
            {"name": "Z3", "min_bpm": 170, "max_bpm": 150}]}});
        let res = app.call(Method::PUT, &zones, Some(&athlete.token), Some(inverted)).await;
        res.assert_problem(422, "inverted_zone");
        assert_eq!(field_errors(&res), [("heart_rate.zones[2].min_bpm".to_owned(), "inverted_zone".to_owned())]);
        let overlapping = json!({"pace": {"zones": [
            {"name": "fast", "min_s_per_km": 200, "max_s_per_km": 250}, {"name": "easy", "min_s_per_km": 240, "max_s_per_km": 330}]}});
        let res = app.call(Method::PUT, &zones, Some(&athlete.token), Some(overlapping)).await;
        res.assert_problem(422, "overlapping_zones");
        assert_eq!(field_errors(&res)[0].0, "pace.zones[1].min_s_per_km");
        let unordered = json!({"heart_rate": {"zones": [
            {"name": "Z2", "min_bpm": 140, "max_bpm": 160}, {"name": "Z1", "min_bpm": 100, "max_bpm": 120}]}});
        app.call(Method::PUT, &zones, Some(&athlete.token), Some(unordered))
            .await
            .assert_problem(422, "zones_out_of_order");
        app.call(Method::PUT, &zones, Some(&athlete.token), Some(json!({"heart_rate": {"zones": [], "lactate": 1}})))
            .await
            .assert_problem(400, "unknown_field");

        with_if_match(&app, Method::PUT, &zones, &athlete.token, "\"7\"", json!({}))
            .await
            .assert_problem(412, "version_mismatch");
        let res = with_if_match(&app, Method::PUT, &zones, &athlete.token, "\"1\"", json!({})).await;
        assert_eq!(res.assert_status(200)["version"], 2);

        let unassigned = app.athlete(&org_id, None).await;
        let theirs = member_path(&org_id, &unassigned, "zones");
        app.call(Method::PUT, &theirs, Some(&coach.token), Some(good)).await.assert_problem(403, "not_assigned_to_you");
        app.get(&theirs, &athlete.token).await.assert_problem(404, "not_found");
        assert_eq!(audit_count(&app, &head, &org_id, "zones.updated").await, 2);
    }
}
