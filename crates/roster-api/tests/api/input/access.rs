//! An athlete asking about another athlete learns nothing: `404` on every
//! route that names another member, exactly as for an id that does not
//! exist. And an import is refused before its body is read.

use crate::plans::create_plan;
use crate::profile::{BOUNDARY, form, member_path, post_raw};
use crate::support::{Resp, Session, TestApp, apps};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

/// Every route about one member that an athlete can call, with a body that
/// would be valid for a caller allowed to make it.
fn member_routes(
    org_id: &str,
    target: &str,
    group_id: &str,
    plan_id: &str,
    goal_id: &str,
    assignment_id: &str,
) -> Vec<(Method, String, Option<Value>)> {
    let org = format!("/api/v1/organizations/{org_id}");
    let m = format!("{org}/members/{target}");
    let start = Utc::now().date_naive() + Duration::days(3);
    let run = json!({"sport": "run", "start_time": "2026-01-01T10:00:00Z", "distance_m": 5000.0, "duration_s": 1500});
    let goal = json!({"race_name": "City 10k", "race_date": "2099-05-01", "distance_m": 10000.0});
    vec![
        (Method::GET, m.clone(), None),
        (Method::PATCH, m.clone(), Some(json!({"display_name": "Speedy"}))),
        (Method::DELETE, m.clone(), None),
        (Method::PUT, format!("{m}/coach"), Some(json!({"coach_id": null}))),
        (Method::GET, format!("{m}/plan-assignments"), None),
        (Method::POST, format!("{m}/plan-assignments"), Some(json!({"plan_id": plan_id, "start_date": start}))),
        (Method::DELETE, format!("{m}/plan-assignments/{assignment_id}"), None),
        (Method::GET, format!("{m}/activities"), None),
        (Method::POST, format!("{m}/activities"), Some(run)),
        (Method::GET, format!("{m}/race-goals"), None),
        (Method::POST, format!("{m}/race-goals"), Some(goal)),
        (Method::PATCH, format!("{m}/race-goals/{goal_id}"), Some(json!({"race_name": "Renamed"}))),
        (Method::DELETE, format!("{m}/race-goals/{goal_id}"), None),
        (Method::GET, format!("{m}/zones"), None),
        (Method::PUT, format!("{m}/zones"), Some(json!({}))),
        (Method::GET, format!("{m}/integrations"), None),
        (Method::GET, format!("{m}/weekly-distance"), None),
        (Method::GET, format!("{m}/profile"), None),
        (Method::PUT, format!("{org}/groups/{group_id}/members/{target}"), None),
        (Method::DELETE, format!("{org}/groups/{group_id}/members/{target}"), None),
        (Method::DELETE, format!("{org}/coaches/{target}"), None),
    ]
}

async fn setup(app: &TestApp) -> (Session, String, Session, Session, String, String, String, String) {
    let (head, org_id) = app.head_coach().await;
    let me = app.athlete(&org_id, None).await;
    let other = app.athlete(&org_id, None).await;
    let org = format!("/api/v1/organizations/{org_id}");
    let group = app.post(&format!("{org}/groups"), &head.token, json!({"name": "Track"})).await;
    let group_id = group.assert_status(201)["group_id"].as_str().unwrap().to_owned();
    let plan_id = create_plan(app, &head, &org_id, "Base", 2).await;
    let start = Utc::now().date_naive() + Duration::days(1);
    let assignment = app
        .post(
            &format!("{org}/members/{}/plan-assignments", other.user_id),
            &head.token,
            json!({"plan_id": plan_id, "start_date": start}),
        )
        .await;
    let assignment_id = assignment.assert_status(201)["assignment_id"].as_str().unwrap().to_owned();
    let goal = app
        .post(
            &format!("{org}/members/{}/race-goals", other.user_id),
            &other.token,
            json!({"race_name": "City 10k", "race_date": "2099-05-01", "distance_m": 10000.0}),
        )
        .await;
    let goal_id = goal.assert_status(201)["race_goal_id"].as_str().unwrap().to_owned();
    (head, org_id, me, other, group_id, plan_id, goal_id, assignment_id)
}

async fn send(app: &TestApp, token: &str, (method, path, body): &(Method, String, Option<Value>)) -> Resp {
    app.call(method.clone(), path, Some(token), body.clone()).await
}

#[tokio::test]
async fn an_athlete_gets_404_about_another_athlete_on_every_member_route() {
    for app in apps().await {
        let (head, org_id, me, other, group_id, plan_id, goal_id, assignment_id) = setup(&app).await;
        let nobody = roster_domain::UserId::new().to_string();
        let coach = app.assistant_coach(&head, &org_id).await;
        let mut leaks = Vec::new();
        for target in [other.user_id.as_str(), nobody.as_str(), coach.user_id.as_str(), head.user_id.as_str()] {
            for route in member_routes(&org_id, target, &group_id, &plan_id, &goal_id, &assignment_id) {
                let res = send(&app, &me.token, &route).await;
                if res.status != 404 || res.body["code"] != "not_found" {
                    leaks.push(format!("{} {} -> {} {}", route.0, route.1, res.status, res.body["code"]));
                }
            }
        }
        assert!(leaks.is_empty(), "{:?}: {leaks:#?}", app.backend);
        // The other athlete's data is untouched.
        let goals = app.get(&member_path(&org_id, &other, "race-goals"), &other.token).await;
        assert_eq!(goals.assert_status(200)["data"][0]["race_name"], "City 10k");
        let plans = app.get(&member_path(&org_id, &other, "plan-assignments"), &other.token).await;
        assert_eq!(plans.assert_status(200)["data"][0]["status"], "upcoming");
        let res = app.get(&format!("/api/v1/organizations/{org_id}/members/{}", other.user_id), &head.token).await;
        assert!(res.assert_status(200)["display_name"].is_null());
    }
}

#[tokio::test]
async fn an_import_is_refused_before_its_body_is_read() {
    for app in apps().await {
        let (head, org_id, me, other, ..) = setup(&app).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let stranger = app.signup("stranger").await;
        let path = member_path(&org_id, &other, "activities/import");
        let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
        let garbage = form(&[("file", Some("notes.txt"), b"\x00\x01 certainly not an activity")]);
        for token in [&me.token, &stranger.token] {
            post_raw(&app, &path, token, &multipart, garbage.clone()).await.assert_problem(404, "not_found");
            post_raw(&app, &path, token, &multipart, b"--no boundary here".to_vec())
                .await
                .assert_problem(404, "not_found");
            post_raw(&app, &path, token, "text/plain", b"hello".to_vec()).await.assert_problem(404, "not_found");
        }
        post_raw(&app, &path, &coach.token, &multipart, garbage.clone())
            .await
            .assert_problem(403, "not_assigned_to_you");
        post_raw(&app, &path, &coach.token, "text/plain", b"x".to_vec())
            .await
            .assert_problem(403, "not_assigned_to_you");
        // A body past the limit from someone who may not write is a 404, not a 413.
        let big = vec![b' '; roster_import::MAX_FILE_BYTES + 128 * 1024];
        post_raw(&app, &path, &me.token, &multipart, big).await.assert_problem(404, "not_found");
        // The athlete themselves still gets the file's problem.
        post_raw(&app, &path, &other.token, &multipart, garbage).await.assert_problem(422, "unsupported_format");
    }
}

#[tokio::test]
async fn a_title_read_from_a_file_is_made_one_line_and_a_form_title_must_be_text() {
    for app in apps().await {
        let (_, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let gpx = String::from_utf8(crate::profile::testdata("route-5k.gpx")).unwrap();
        let gpx = gpx.replace("<name>Morning run &amp; hill</name>", "<name>Morning\r\n\trun&#9;&#1;hill</name>");
        let res = crate::profile::import(&app, &org_id, &athlete, &athlete.token, "t.gpx", gpx.as_bytes()).await;
        assert_eq!(res.assert_status(201)["title"], "Morning run hill");
        let path = member_path(&org_id, &athlete, "activities/import");
        let body = form(&[("file", Some("t.gpx"), gpx.as_bytes()), ("title", None, b"Two\nlines")]);
        let res =
            post_raw(&app, &path, &athlete.token, &format!("multipart/form-data; boundary={BOUNDARY}"), body).await;
        res.assert_problem(422, "invalid_text");
    }
}
