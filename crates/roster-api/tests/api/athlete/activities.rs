use super::{audit_count, field_errors, member_path};
use crate::support::apps;
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

fn ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn run(hours_ago: i64, distance_m: f64) -> Value {
    json!({"sport": "run", "start_time": ago(hours_ago), "distance_m": distance_m, "duration_s": 1800})
}

#[tokio::test]
async fn an_activity_resend_answers_200_with_the_stored_one() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let path = member_path(&org_id, &athlete, "activities");
        let body = json!({"sport": "bike", "start_time": ago(5), "distance_m": 40_000.5, "duration_s": 5400,
            "elevation_gain_m": 350.0, "avg_hr": 141, "title": " Hills ", "source": "strava", "external_id": "st-1"});
        let first = app.post(&path, &athlete.token, body.clone()).await;
        let created = first.assert_status(201).clone();
        assert_eq!(created["title"], "Hills");
        assert_eq!(created["source"], "strava");
        assert_eq!(created["created_by"], athlete.user_id.as_str());
        let mut changed = body.clone();
        changed["distance_m"] = json!(1.0);
        let resend = app.post(&path, &athlete.token, changed).await;
        assert_eq!(resend.assert_status(200), &created, "{:?}", app.backend);
        // The head coach records one for the athlete; `source` defaults to manual.
        let manual = app.post(&path, &head.token, run(3, 5000.0)).await;
        assert_eq!(manual.assert_status(201)["source"], "manual");
        assert_eq!(manual.body["created_by"], head.user_id.as_str());
        assert_eq!(audit_count(&app, &head, &org_id, "activity.created").await, 2);
    }
}

#[tokio::test]
async fn the_feed_is_newest_first_and_keyset_paged() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let path = member_path(&org_id, &athlete, "activities");
        for (h, d) in [(50, 1.0), (30, 2.0), (10, 3.0), (70, 4.0), (20, 5.0)] {
            app.post(&path, &athlete.token, run(h, d)).await.assert_status(201);
        }
        let mut seen = Vec::new();
        let mut url = format!("{path}?limit=2");
        loop {
            let page = app.get(&url, &head.token).await;
            let body = page.assert_status(200).clone();
            assert!(body["data"].as_array().unwrap().len() <= 2);
            seen.extend(body["data"].as_array().unwrap().iter().map(|a| a["distance_m"].as_f64().unwrap()));
            match body["next_cursor"].as_str() {
                Some(cursor) => url = format!("{path}?limit=2&before={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, [3.0, 5.0, 2.0, 1.0, 4.0], "{:?}", app.backend);
        // An activity recorded meanwhile does not disturb the next page.
        let first = app.get(&format!("{path}?limit=2"), &athlete.token).await;
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        app.post(&path, &athlete.token, run(1, 6.0)).await.assert_status(201);
        let next = app.get(&format!("{path}?limit=2&cursor={cursor}"), &athlete.token).await;
        assert_eq!(next.body["data"][0]["distance_m"], 2.0);

        app.get(&format!("{path}?before=bogus"), &head.token).await.assert_problem(400, "invalid_parameter");
        app.get(&format!("{path}?limit=0"), &head.token).await.assert_problem(400, "invalid_parameter");
        app.get(&format!("{path}?limit=201"), &head.token).await.assert_problem(400, "invalid_parameter");
        app.get(&format!("{path}?sort=x"), &head.token).await.assert_problem(400, "unknown_parameter");
    }
}

#[tokio::test]
async fn invalid_activities_are_422_naming_each_field() {
    for app in apps().await {
        let (_head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let path = member_path(&org_id, &athlete, "activities");
        let future = (Utc::now() + Duration::minutes(10)).to_rfc3339();
        let bad = json!({"sport": "rowing", "start_time": future, "distance_m": -1, "duration_s": 0,
            "elevation_gain_m": 20_001, "avg_hr": 300, "title": "x".repeat(201), "source": "polar"});
        let res = app.post(&path, &athlete.token, bad).await;
        res.assert_problem(422, "invalid_sport");
        let fields: Vec<String> = field_errors(&res).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            ["sport", "start_time", "distance_m", "duration_s", "elevation_gain_m", "avg_hr", "title", "source"]
        );
        let res = app
            .post(
                &path,
                &athlete.token,
                json!({"sport": "run", "start_time": ago(1), "distance_m": 1,
            "duration_s": 604_801}),
            )
            .await;
        res.assert_problem(422, "out_of_range");
        assert_eq!(field_errors(&res), [("duration_s".to_owned(), "out_of_range".to_owned())]);
        let mut from_garmin = run(1, 10.0);
        from_garmin["source"] = json!("garmin");
        let res = app.post(&path, &athlete.token, from_garmin).await;
        res.assert_problem(422, "external_id_required");
        assert_eq!(field_errors(&res)[0].0, "external_id");
        let mut control = run(1, 10.0);
        control["title"] = json!("Tempo\u{7}run");
        let res = app.post(&path, &athlete.token, control).await;
        res.assert_problem(422, "invalid_text");
        assert_eq!(field_errors(&res), [("title".to_owned(), "invalid_text".to_owned())]);

        let mut unknown = run(1, 10.0);
        unknown["pace"] = json!(300);
        app.post(&path, &athlete.token, unknown).await.assert_problem(400, "unknown_field");
        let mut malformed = run(1, 10.0);
        malformed["start_time"] = json!("yesterday");
        app.post(&path, &athlete.token, malformed).await.assert_problem(400, "invalid_type");
        app.post(&path, &athlete.token, json!({"sport": "run"})).await.assert_problem(400, "missing_field");
    }
}

#[tokio::test]
async fn who_may_read_and_write_an_athletes_activities() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let theirs = app.athlete(&org_id, Some(&coach)).await;
        let unassigned = app.athlete(&org_id, None).await;
        let (_, other_org) = app.head_coach().await;
        let stranger = app.athlete(&other_org, None).await;
        let outsider = app.signup("outsider").await;

        let path = |who| member_path(&org_id, who, "activities");
        app.post(&path(&unassigned), &coach.token, run(2, 1.0)).await.assert_problem(403, "not_assigned_to_you");
        app.post(&path(&theirs), &coach.token, run(2, 1.0)).await.assert_status(201);
        app.post(&path(&unassigned), &head.token, run(2, 1.0)).await.assert_status(201);
        app.get(&path(&unassigned), &coach.token).await.assert_status(200);
        // Another athlete, a non-member, a coach's own "athlete data", someone from elsewhere: 404.
        app.get(&path(&unassigned), &theirs.token).await.assert_problem(404, "not_found");
        app.post(&path(&unassigned), &theirs.token, run(2, 1.0)).await.assert_problem(404, "not_found");
        app.get(&path(&unassigned), &outsider.token).await.assert_problem(404, "not_found");
        app.get(&path(&coach), &head.token).await.assert_problem(404, "not_found");
        app.get(&path(&stranger), &head.token).await.assert_problem(404, "not_found");
        app.get(&format!("/api/v1/organizations/{org_id}/members/nope/activities"), &head.token)
            .await
            .assert_problem(404, "not_found");
        app.call(reqwest::Method::GET, &path(&unassigned), None, None).await.assert_problem(401, "unauthenticated");
        app.delete(&path(&unassigned), &head.token).await.assert_problem(405, "method_not_allowed");
    }
}
