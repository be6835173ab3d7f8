//! API keys on an athlete's data, the profile and the attention queue: reads
//! take `members:read`, race goals and zones `activities:write`. Each route
//! answers `403 insufficient_scope` naming its scope without it and `404` to
//! another organization's key; the audit trail names a key that writes.
//! Connecting one's own integrations stays an account's (a key: `401`).

use crate::api_keys::create_key;
use crate::key_routes::{audit_events, names_scope};
use crate::profile::member_path;
use crate::support::{Session, apps, days_from_today, noon};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_members_read_key_reads_an_athletes_data_and_profile_as_a_coach_does() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (other_head, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (_, writer) = create_key(&app, &head, &org_id, &["activities:write"]).await;
        let (_, foreign) = create_key(&app, &other_head, &other_org, &["members:read"]).await;
        let member = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        let attrs = json!({"labels": ["@marathon"], "private_notes": "left knee"});
        app.patch(&member, &head.token, attrs).await.assert_status(200);
        let at = noon(days_from_today(-1));
        let run = json!({"sport": "run", "start_time": at.to_rfc3339(), "distance_m": 8000.0, "duration_s": 2400,
            "source": "garmin", "external_id": "g-1"});
        app.post(&member_path(&org_id, &athlete, "activities"), &head.token, run).await.assert_status(201);
        let goal = json!({"race_name": "Berlin", "race_date": days_from_today(90), "distance_m": 42195});
        app.post(&member_path(&org_id, &athlete, "race-goals"), &head.token, goal).await.assert_status(201);

        for rest in ["activities", "race-goals", "zones", "integrations", "weekly-distance?weeks=4", "profile"] {
            let url = member_path(&org_id, &athlete, rest);
            app.get(&url, &reader).await.assert_status(200);
            names_scope(&app.get(&url, &writer).await, "members:read");
            let elsewhere = member_path(&other_org, &athlete, rest);
            app.get(&elsewhere, &foreign).await.assert_problem(404, "not_found");
            app.get(&elsewhere, &reader).await.assert_problem(404, "not_found");
        }
        let feed = app.get(&member_path(&org_id, &athlete, "activities"), &reader).await;
        assert_eq!(feed.body["data"][0]["external_id"], "g-1", "{backend:?}: {}", feed.text);
        let goals = app.get(&member_path(&org_id, &athlete, "race-goals"), &reader).await;
        assert_eq!(goals.body["data"][0]["race_name"], "Berlin");
        let weeks = app.get(&member_path(&org_id, &athlete, "weekly-distance?weeks=4"), &reader).await;
        assert_eq!(weeks.body["data"].as_array().map(Vec::len), Some(4));
        // The profile as a coach sees it: labels, private notes and their signals.
        let profile = app.get(&member_path(&org_id, &athlete, "profile"), &reader).await.assert_status(200).clone();
        assert_eq!(profile["member"]["private_notes"], "left knee", "{backend:?}: {profile}");
        assert_eq!(profile["member"]["labels"], json!(["@marathon"]));
        // A key's profile of a coach is no athlete's: 404, as for the head coach.
        let coach_profile = format!("/api/v1/organizations/{org_id}/members/{}/profile", head.user_id);
        app.get(&coach_profile, &reader).await.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn an_activities_write_key_writes_race_goals_and_zones_and_is_named_in_the_audit_trail() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["activities:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let goals = member_path(&org_id, &athlete, "race-goals");
        let body = json!({"race_name": "Berlin", "race_date": days_from_today(90), "distance_m": 42195});

        names_scope(&app.post(&goals, &reader, body.clone()).await, "activities:write");
        let elsewhere = member_path(&other_org, &athlete, "race-goals");
        app.post(&elsewhere, &key, body.clone()).await.assert_problem(404, "not_found");
        let made = app.post(&goals, &key, body).await.assert_status(201).clone();
        let one = format!("{goals}/{}", made["race_goal_id"].as_str().unwrap());
        let change = json!({"goal_time_s": 10800});
        names_scope(&app.patch(&one, &reader, change.clone()).await, "activities:write");
        let foreign_one = format!("{elsewhere}/{}", made["race_goal_id"].as_str().unwrap());
        app.patch(&foreign_one, &key, change.clone()).await.assert_problem(404, "not_found");
        assert_eq!(app.patch(&one, &key, change).await.assert_status(200)["version"], 2);
        names_scope(&app.delete(&one, &reader).await, "activities:write");
        app.delete(&foreign_one, &key).await.assert_problem(404, "not_found");
        app.delete(&one, &key).await.assert_status(204);
        assert_eq!(app.get(&goals, &reader).await.assert_status(200)["data"], json!([]));

        let zones = member_path(&org_id, &athlete, "zones");
        let settings = json!({"heart_rate": {"max_bpm": 190, "zones": [
            {"name": "z1", "min_bpm": 100, "max_bpm": 130}, {"name": "z2", "min_bpm": 130, "max_bpm": 150}]}});
        names_scope(&app.call(Method::PUT, &zones, Some(&reader), Some(settings.clone())).await, "activities:write");
        let foreign_zones = member_path(&other_org, &athlete, "zones");
        let refused = app.call(Method::PUT, &foreign_zones, Some(&key), Some(settings.clone())).await;
        refused.assert_problem(404, "not_found");
        let put = app.call(Method::PUT, &zones, Some(&key), Some(settings)).await;
        assert_eq!(put.assert_status(200)["heart_rate"]["zones"][1]["min_bpm"], 130);
        assert_eq!(app.get(&zones, &reader).await.assert_status(200)["version"], 1);
        // A coach's data is no athlete's: 404, as for the head coach.
        let coach_zones = format!("/api/v1/organizations/{org_id}/members/{}/zones", head.user_id);
        let coach = app.call(Method::PUT, &coach_zones, Some(&key), Some(json!({}))).await;
        coach.assert_problem(404, "not_found");

        let events = audit_events(&app, &org_id, &head.token).await;
        for action in ["race_goal.created", "race_goal.updated", "race_goal.deleted", "zones.updated"] {
            let by_key = events.iter().any(|e| e["action"] == action && e["actor_user_id"] == key_id.as_str());
            assert!(by_key, "{action}: the audit trail names the key");
        }
    }
}

#[tokio::test]
async fn a_key_cannot_connect_integrations_they_are_the_athletes_own() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let all = ["members:read", "members:write", "activities:write"];
        let (_, key) = create_key(&app, &head, &org_id, &all).await;
        let url = "/api/v1/me/integrations/strava";
        let connect = app.call(Method::PUT, url, Some(&key), Some(json!({"external_athlete_id": "s-1"}))).await;
        connect.assert_problem(401, "unauthenticated");
        app.delete(url, &key).await.assert_problem(401, "unauthenticated");
    }
}

fn queued(queue: &serde_json::Value) -> Vec<String> {
    let entries = queue["data"].as_array().unwrap().iter();
    let mut ids: Vec<_> = entries.map(|e| e["member"]["user_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

fn sorted(who: &[&Session]) -> Vec<String> {
    let mut ids: Vec<_> = who.iter().map(|s| s.user_id.clone()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_members_read_key_reads_the_whole_organizations_attention_queue() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (other_head, other_org) = app.head_coach().await;
        let assistant = app.assistant_coach(&head, &org_id).await;
        let theirs = app.athlete(&org_id, Some(&assistant)).await;
        let unassigned = app.athlete(&org_id, None).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (_, writer) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (_, foreign) = create_key(&app, &other_head, &other_org, &["members:read"]).await;
        let queue = format!("/api/v1/organizations/{org_id}/attention");

        // New athletes have signals (no integration, no zones): both are queued.
        let by_key = app.get(&queue, &reader).await.assert_status(200).clone();
        assert_eq!(queued(&by_key), sorted(&[&theirs, &unassigned]), "{backend:?}: {by_key}");
        let by_head = app.get(&queue, &head.token).await.assert_status(200).clone();
        assert_eq!(queued(&by_key), queued(&by_head), "{backend:?}: the key's queue is the head coach's");
        let by_assistant = app.get(&queue, &assistant.token).await.assert_status(200).clone();
        assert_eq!(queued(&by_assistant), sorted(&[&theirs]), "{backend:?}");

        names_scope(&app.get(&queue, &writer).await, "members:read");
        let elsewhere = format!("/api/v1/organizations/{other_org}/attention");
        app.get(&elsewhere, &reader).await.assert_problem(404, "not_found");
        app.get(&queue, &foreign).await.assert_problem(404, "not_found");
    }
}
