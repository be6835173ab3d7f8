//! `GET /me/export`: what the archive holds, and who may download it.

use super::{athlete_with_data, person};
use crate::support::{PASSWORD, TestApp, age_sessions, apps};
use serde_json::Value;
use std::io::Read;

async fn export(app: &TestApp, token: &str, password: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{}/api/v1/me/export", app.base)).bearer_auth(token);
    if let Some(password) = password {
        req = req.header("X-Roster-Password", password);
    }
    req.send().await.unwrap()
}

fn files(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().to_owned(), text)
        })
        .collect()
}

fn json_of(files: &[(String, String)], name: &str) -> Value {
    let (_, text) = files.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} in the archive"));
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn the_export_holds_what_it_promises_and_nobody_elses_data() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let mut me = person(&app).await;
        athlete_with_data(&app, &head, &org_id, &mut me).await;
        let mut other = person(&app).await;
        athlete_with_data(&app, &head, &org_id, &mut other).await;

        let res = export(&app, &me.session.token, None).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/zip");
        assert!(
            res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"roster-export-")
        );
        let files = files(&res.bytes().await.unwrap());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for expected in [
            "README.txt",
            "account.json",
            "memberships.json",
            "plan_assignments.json",
            "race_goals.json",
            "zones.json",
            "integrations.json",
            "activities/0001.json",
            "audit_events/0001.json",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        assert_eq!(json_of(&files, "account.json")["email"], me.session.email.as_str());
        let membership = &json_of(&files, "memberships.json")[0];
        assert_eq!(membership["role"], "athlete");
        assert_eq!(membership["organization"], "Riverside Runners");
        assert_eq!(membership["coach_holds_private_notes"], true);
        assert!(membership["organization_attributes"]["display_name"].is_string());
        assert_eq!(json_of(&files, "plan_assignments.json")[0]["plan"]["name"], "Base");
        assert_eq!(json_of(&files, "activities/0001.json")[0]["distance_m"], 12345.678);
        assert_eq!(json_of(&files, "integrations.json")[0]["provider"], "garmin");
        assert_eq!(json_of(&files, "zones.json")["settings"]["heart_rate"]["max_bpm"], 197);
        let events = json_of(&files, "audit_events/0001.json");
        assert!(events.as_array().unwrap().iter().any(|e| e["action"] == "race_goal.created" && e["actor"] == "you"));

        // Everything of theirs is in it, but the text of private notes
        // (index 5 of the traces); nothing of anyone else is.
        let all: String = files.iter().map(|(_, text)| text.as_str()).collect::<Vec<_>>().join("\n").to_lowercase();
        for (i, trace) in me.traces.iter().enumerate() {
            assert_eq!(all.contains(&trace.to_lowercase()), i != 5, "{trace}");
        }
        let shared = "12345.678".to_owned(); // the same distance in both fixtures
        for trace in
            other.traces.iter().filter(|t| **t != shared).chain([&head.email, &head.user_id, &other.session.user_id])
        {
            assert!(!all.contains(&trace.to_lowercase()), "another person's {trace} leaked");
        }
    }
}

#[tokio::test]
async fn an_old_sign_in_needs_the_password_again() {
    for app in apps().await {
        let me = person(&app).await;
        age_sessions(&app, &me.session.user_id);
        let res = crate::support::TestApp::read(export(&app, &me.session.token, None).await).await;
        res.assert_problem(403, "reauthentication_required");
        let res = crate::support::TestApp::read(export(&app, &me.session.token, Some("Wrong1234")).await).await;
        res.assert_problem(403, "wrong_password");
        let res = export(&app, &me.session.token, Some(PASSWORD)).await;
        assert_eq!(res.status(), 200);
        let files = files(&res.bytes().await.unwrap());
        assert_eq!(json_of(&files, "activities/0001.json"), serde_json::json!([]));
        let res = app.client.get(format!("{}/api/v1/me/export", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
}

#[tokio::test]
async fn many_activities_are_split_across_files() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let me = app.athlete(&org_id, Some(&head)).await;
        let user: roster_domain::UserId = me.user_id.parse().unwrap();
        let now = chrono::Utc::now();
        let list: Vec<_> = (0..2500)
            .map(|i| roster_domain::athlete::Activity {
                activity_id: roster_domain::ActivityId::new(),
                user_id: user,
                sport: roster_domain::Sport::Run,
                start_time: now - chrono::Duration::minutes(i),
                distance_m: 1000.0,
                duration_s: 300,
                elevation_gain_m: None,
                avg_hr: None,
                title: None,
                source: roster_domain::athlete::ActivitySource::Manual,
                external_id: None,
                created_by: user,
                created_by_key: None,
                created_at: now,
            })
            .collect();
        roster_store::athlete::insert_activities_bulk(&mut app.store.conn().unwrap(), &list).unwrap();
        let res = export(&app, &me.token, None).await;
        assert_eq!(res.status(), 200);
        let files = files(&res.bytes().await.unwrap());
        let counts: Vec<usize> = ["activities/0001.json", "activities/0002.json", "activities/0003.json"]
            .iter()
            .map(|n| json_of(&files, n).as_array().unwrap().len())
            .collect();
        assert_eq!(counts, [1000, 1000, 500]);
        assert!(!files.iter().any(|(n, _)| n == "activities/0004.json"));
    }
}

#[tokio::test]
async fn a_password_with_accents_is_taken_from_the_header_as_utf8() {
    for app in apps().await {
        let email = crate::support::unique_email("accents");
        let body = serde_json::json!({"email": email, "password": "Pässw0rd1é", "first_name": "Zoë"});
        let res = app.call(reqwest::Method::POST, "/api/v1/auth/signup", None, Some(body)).await;
        let token = res.assert_status(201)["access_token"].as_str().unwrap().to_owned();
        let user_id = res.body["user"]["user_id"].as_str().unwrap().to_owned();
        age_sessions(&app, &user_id);
        let password = reqwest::header::HeaderValue::from_bytes("Pässw0rd1é".as_bytes()).unwrap();
        let req = app.client.get(format!("{}/api/v1/me/export", app.base)).bearer_auth(&token);
        let res = req.header("X-Roster-Password", password).send().await.unwrap();
        assert_eq!(res.status(), 200, "{:?}", app.backend);
        let wrong = reqwest::header::HeaderValue::from_bytes("Pässw0rd1e".as_bytes()).unwrap();
        let req = app.client.get(format!("{}/api/v1/me/export", app.base)).bearer_auth(&token);
        let res = TestApp::read(req.header("X-Roster-Password", wrong).send().await.unwrap()).await;
        res.assert_problem(403, "wrong_password");
    }
}
