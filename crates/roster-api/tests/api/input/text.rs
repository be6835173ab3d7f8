//! One rule for every text value in a body: no control characters
//! (`422 invalid_text`, naming the field), except newline and tab in
//! multi-line fields, identically on both backends.

use crate::plans::create_plan;
use crate::support::{PASSWORD, TestApp, apps, unique_email};
use reqwest::Method;
use serde_json::{Value, json};

/// Sends `body` and expects `422 invalid_text` naming `field`.
async fn refused(app: &TestApp, method: Method, path: &str, token: Option<&str>, body: Value, field: &str) {
    let res = app.call(method.clone(), path, token, Some(body.clone())).await;
    assert_eq!(res.status, 422, "{:?} {method} {path} {body}: {}", app.backend, res.text);
    res.assert_problem(422, "invalid_text");
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&field), "{method} {path}: {fields:?} should name {field}");
}

fn workout(title: &str, kind: &str, notes: &str) -> Value {
    json!([{"week": 1, "day": 1, "title": title, "kind": kind, "notes": notes}])
}

fn plan(name: &str, description: &str, workouts: Value) -> Value {
    json!({"name": name, "description": description, "sport": "run", "duration_weeks": 2, "workouts": workouts})
}

#[tokio::test]
async fn control_characters_are_invalid_text_in_every_body_field() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let org = format!("/api/v1/organizations/{org_id}");
        let member = format!("{org}/members/{}", athlete.user_id);
        let group = app.post(&format!("{org}/groups"), &head.token, json!({"name": "Track"})).await;
        let group_url = format!("{org}/groups/{}", group.assert_status(201)["group_id"].as_str().unwrap());
        let plan_url = format!("{org}/training-plans/{}", create_plan(&app, &head, &org_id, "Base", 2).await);
        let goal = app
            .post(
                &format!("{member}/race-goals"),
                &athlete.token,
                json!({"race_name": "City 10k", "race_date": "2099-05-01", "distance_m": 10000.0}),
            )
            .await;
        let goal_url = format!("{member}/race-goals/{}", goal.assert_status(201)["race_goal_id"].as_str().unwrap());
        let fresh = app.signup("fresh").await;

        for bad in ["a\u{0}b", "a\u{7}b", "a\u{7f}b", "a\u{85}b", "a\u{1b}[31mb"] {
            let t = Some(head.token.as_str());
            let post = Method::POST;
            let patch = Method::PATCH;
            refused(&app, post.clone(), "/api/v1/organizations", Some(&fresh.token), json!({"name": bad}), "name")
                .await;
            let body = json!({"name": "Ok", "description": bad});
            refused(&app, post.clone(), "/api/v1/organizations", Some(&fresh.token), body, "description").await;
            refused(&app, patch.clone(), &org, t, json!({"description": bad}), "description").await;
            refused(&app, patch.clone(), &org, t, json!({"name": bad}), "name").await;
            let groups = format!("{org}/groups");
            refused(&app, post.clone(), &groups, t, json!({"name": "G", "description": bad}), "description").await;
            refused(&app, post.clone(), &groups, t, json!({"name": bad}), "name").await;
            refused(&app, patch.clone(), &group_url, t, json!({"description": bad}), "description").await;
            let plans = format!("{org}/training-plans");
            let ok = workout("Easy", "easy", "fine");
            refused(&app, post.clone(), &plans, t, plan(bad, "d", ok.clone()), "name").await;
            refused(&app, post.clone(), &plans, t, plan("P", bad, ok.clone()), "description").await;
            refused(&app, post.clone(), &plans, t, plan("P", "d", workout(bad, "e", "n")), "workouts[0].title").await;
            refused(&app, post.clone(), &plans, t, plan("P", "d", workout("T", bad, "n")), "workouts[0].kind").await;
            refused(&app, post.clone(), &plans, t, plan("P", "d", workout("T", "e", bad)), "workouts[0].notes").await;
            refused(&app, patch.clone(), &plan_url, t, json!({"name": bad}), "name").await;
            refused(&app, patch.clone(), &plan_url, t, json!({"description": bad}), "description").await;
            for field in ["display_name", "member_level", "private_notes"] {
                refused(&app, patch.clone(), &member, t, json!({ field: bad }), field).await;
            }
            refused(&app, patch.clone(), &member, t, json!({"labels": [bad]}), "labels").await;
            let invitations = format!("{org}/invitations");
            let single = json!({"kind": "single_use", "email": unique_email("inv"), "first_name": bad});
            refused(&app, post.clone(), &invitations, t, single, "first_name").await;
            refused(&app, post.clone(), &invitations, t, json!({"kind": "multi_use", "name": bad}), "name").await;
            let goal_body = json!({"race_name": bad, "race_date": "2099-05-01", "distance_m": 10000.0});
            refused(&app, post.clone(), &format!("{member}/race-goals"), t, goal_body, "race_name").await;
            refused(&app, patch.clone(), &goal_url, t, json!({"race_name": bad}), "race_name").await;
            let zones = json!({"heart_rate": {"zones": [{"name": bad, "min_bpm": 100, "max_bpm": 120}]}});
            refused(&app, Method::PUT, &format!("{member}/zones"), t, zones, "heart_rate.zones[0].name").await;
            let run = |field: &str| {
                let mut body = json!({"sport": "run", "start_time": "2026-01-01T10:00:00Z", "distance_m": 5000.0,
                    "duration_s": 1500, "source": "strava", "external_id": "x1"});
                body[field] = json!(bad);
                body
            };
            refused(&app, post.clone(), &format!("{member}/activities"), t, run("title"), "title").await;
            refused(&app, post.clone(), &format!("{member}/activities"), t, run("external_id"), "external_id").await;
            let integration = json!({"external_athlete_id": bad});
            let strava = "/api/v1/me/integrations/strava";
            refused(&app, Method::PUT, strava, Some(&athlete.token), integration, "external_athlete_id").await;
            let signup = json!({"email": unique_email("s"), "password": PASSWORD, "first_name": bad});
            refused(&app, post.clone(), "/api/v1/auth/signup", None, signup, "first_name").await;
            let signup = json!({"email": unique_email("s"), "password": PASSWORD, "first_name": "A", "last_name": bad});
            refused(&app, post.clone(), "/api/v1/auth/signup", None, signup, "last_name").await;
        }
        // Nothing of it was stored.
        let me = app.get("/api/v1/auth/me", &fresh.token).await;
        assert_eq!(me.assert_status(200)["memberships"], json!([]));
        let plans = app.get(&format!("{org}/training-plans"), &head.token).await;
        assert_eq!(plans.assert_status(200)["data"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn multi_line_fields_keep_newlines_and_tabs_single_line_fields_refuse_them() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let org = format!("/api/v1/organizations/{org_id}");
        let text = "Line one\n\tindented line two\r\nline three";
        let stored = "Line one\n\tindented line two\nline three";

        let res = app.patch(&org, &head.token, json!({"description": text})).await;
        assert_eq!(res.assert_status(200)["description"], stored);
        let member = format!("{org}/members/{}", athlete.user_id);
        let res = app.patch(&member, &head.token, json!({"private_notes": text})).await;
        assert_eq!(res.assert_status(200)["private_notes"], stored);
        let res = app.post(&format!("{org}/groups"), &head.token, json!({"name": "Track", "description": text})).await;
        assert_eq!(res.assert_status(201)["description"], stored);
        let body = plan("Base", text, workout("Easy", "easy", text));
        let res = app.post(&format!("{org}/training-plans"), &head.token, body).await;
        let created = res.assert_status(201);
        assert_eq!((&created["description"], &created["workouts"][0]["notes"]), (&json!(stored), &json!(stored)));

        // A name is one line: a newline or a tab is a control character there.
        for bad in ["two\nlines", "tab\there", "cr\rhere"] {
            let t = Some(head.token.as_str());
            refused(&app, Method::PATCH, &org, t, json!({"name": bad}), "name").await;
            let groups = format!("{org}/groups");
            refused(&app, Method::POST, &groups, t, json!({"name": bad}), "name").await;
            let body = plan("P", "d", workout(bad, "e", "n"));
            refused(&app, Method::POST, &format!("{org}/training-plans"), t, body, "workouts[0].title").await;
            refused(&app, Method::PATCH, &member, t, json!({"display_name": bad}), "display_name").await;
        }
        // A lone carriage return is not a line break either.
        let t = Some(head.token.as_str());
        refused(&app, Method::PATCH, &org, t, json!({"description": "a\rb"}), "description").await;
    }
}
