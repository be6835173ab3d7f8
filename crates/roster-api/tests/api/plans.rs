//! API tests for training plans and plan assignments, on every backend.

use crate::support::{Session, TestApp, apps};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

pub fn plan_body(name: &str, weeks: i64) -> Value {
    json!({
        "name": name, "description": "Build the base", "sport": "run", "level": "beginner",
        "duration_weeks": weeks,
        "workouts": [{"week": 1, "day": 2, "title": "Easy 5k", "kind": "easy", "distance_m": 5000},
                     {"week": 1, "day": 6, "title": "Long run", "duration_s": 3600, "notes": "conversational"}]
    })
}

/// Creates a plan and returns its id.
pub async fn create_plan(app: &TestApp, coach: &Session, org_id: &str, name: &str, weeks: i64) -> String {
    let res =
        app.post(&format!("/api/v1/organizations/{org_id}/training-plans"), &coach.token, plan_body(name, weeks)).await;
    res.assert_status(201)["plan_id"].as_str().unwrap().to_owned()
}

fn assignments(org_id: &str, user: &Session) -> String {
    format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", user.user_id)
}

async fn actions(app: &TestApp, head: &Session, org_id: &str) -> Vec<String> {
    let res = app.get(&format!("/api/v1/organizations/{org_id}/audit-events?limit=200"), &head.token).await;
    res.assert_status(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_plan_library_creates_lists_reads_patches_and_archives() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let plans = format!("/api/v1/organizations/{org_id}/training-plans");
        let res = app.post(&plans, &head.token, plan_body("Marathon Base", 12)).await;
        let plan = res.assert_status(201).clone();
        assert_eq!(res.header("etag"), Some("\"1\""));
        assert_eq!(plan["workouts"].as_array().unwrap().len(), 2);
        assert_eq!((plan["sport"].as_str(), plan["level"].as_str()), (Some("run"), Some("beginner")));
        assert!(plan["archived_at"].is_null());
        let plan_url = format!("{plans}/{}", plan["plan_id"].as_str().unwrap());
        create_plan(&app, &head, &org_id, "Sprint Sharpener", 4).await;

        let names = |r: &crate::support::Resp| -> Vec<String> {
            r.body["data"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(names(&app.get(&plans, &head.token).await).len(), 2);
        assert_eq!(names(&app.get(&format!("{plans}?q=MARATHON"), &head.token).await), ["Marathon Base"]);
        assert!(names(&app.get(&format!("{plans}?sport=swim"), &head.token).await).is_empty());
        let page = app.get(&format!("{plans}?limit=1"), &head.token).await;
        let cursor = page.assert_status(200)["next_cursor"].as_str().unwrap().to_owned();
        assert_eq!(names(&app.get(&format!("{plans}?limit=1&cursor={cursor}"), &head.token).await).len(), 1);
        app.get(&format!("{plans}?sport=rowing"), &head.token).await.assert_problem(400, "invalid_parameter");

        let read = app.get(&plan_url, &head.token).await;
        assert_eq!(read.assert_status(200)["name"], "Marathon Base");

        // PATCH: If-Match, level null clears, workouts must fit the weeks.
        let stale = app
            .client
            .request(Method::PATCH, format!("{}{plan_url}", app.base))
            .bearer_auth(&head.token)
            .header("If-Match", "\"7\"")
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        TestApp::read(stale).await.assert_problem(412, "version_mismatch");
        let res = app.patch(&plan_url, &head.token, json!({"name": "Marathon Base II", "level": null})).await;
        let patched = res.assert_status(200);
        assert_eq!((patched["version"].as_i64(), patched["level"].is_null()), (Some(2), true));
        let res = app.patch(&plan_url, &head.token, json!({"duration_weeks": 0})).await;
        res.assert_problem(422, "out_of_range");
        assert_eq!(res.body["errors"][0]["field"], "duration_weeks");
        let res = app
            .patch(&plan_url, &head.token, json!({"workouts": [{"week": 1, "day": 1, "title": "ok"}, {"week": 13, "day": 1, "title": "too late"}]}))
            .await;
        res.assert_problem(422, "out_of_range");
        assert_eq!(res.body["errors"][0]["field"], "workouts[1].week");
        app.patch(&plan_url, &head.token, json!({"sport": "rowing"})).await.assert_problem(422, "invalid_sport");
        app.patch(&plan_url, &head.token, json!({"level": "pro"})).await.assert_problem(422, "invalid_level");
        app.patch(&plan_url, &head.token, json!({"owner": "me"})).await.assert_problem(400, "unknown_field");

        // Create refusals.
        let mut bad = plan_body("Bad", 1);
        bad["workouts"][0]["day"] = json!(8);
        bad["workouts"][1]["week"] = json!(2);
        let res = app.post(&plans, &head.token, bad).await;
        res.assert_problem(422, "out_of_range");
        let fields: Vec<&str> =
            res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["workouts[0].day", "workouts[1].week"]);
        let mut long = plan_body("Too long", 105);
        long["workouts"] = json!([]);
        app.post(&plans, &head.token, long).await.assert_problem(422, "out_of_range");
        app.post(&plans, &head.token, json!({"name": "", "sport": "run", "duration_weeks": 1}))
            .await
            .assert_problem(422, "invalid_name");

        // Who may: an assistant coach creates and edits their own, not others'.
        let coach = app.assistant_coach(&head, &org_id).await;
        app.patch(&plan_url, &coach.token, json!({"name": "mine"})).await.assert_problem(403, "forbidden");
        app.delete(&plan_url, &coach.token).await.assert_problem(403, "forbidden");
        let own = create_plan(&app, &coach, &org_id, "Coach Plan", 2).await;
        app.patch(&format!("{plans}/{own}"), &coach.token, json!({"description": "edited"})).await.assert_status(200);
        let athlete = app.athlete(&org_id, None).await;
        app.post(&plans, &athlete.token, plan_body("Athlete Plan", 1)).await.assert_problem(403, "forbidden");
        let outsider = app.signup("outsider").await;
        app.get(&plans, &outsider.token).await.assert_problem(404, "not_found");

        // Archive: 204, hidden by default, new assignments refused.
        let res = app.delete(&plan_url, &head.token).await;
        assert_eq!(res.status, 204, "{}", res.text);
        assert!(res.text.is_empty());
        assert_eq!(names(&app.get(&plans, &head.token).await).len(), 2);
        assert_eq!(names(&app.get(&format!("{plans}?include_archived=true"), &head.token).await).len(), 3);
        assert!(app.get(&plan_url, &head.token).await.body["archived_at"].is_string());
        let res = app
            .post(
                &assignments(&org_id, &athlete),
                &head.token,
                json!({"plan_id": plan["plan_id"], "start_date": today()}),
            )
            .await;
        res.assert_problem(422, "plan_archived");

        let seen = actions(&app, &head, &org_id).await;
        for action in ["plan.created", "plan.updated", "plan.archived"] {
            assert!(seen.iter().any(|a| a == action), "{action} missing from {seen:?}");
        }
    }
}

#[tokio::test]
async fn assignments_follow_the_date_rules_and_who_may_assign() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let mine = app.athlete(&org_id, Some(&coach)).await;
        let other = app.athlete(&org_id, None).await;
        let plan_id = create_plan(&app, &head, &org_id, "Base", 2).await;
        let unseen = create_plan(&app, &head, &org_id, "Unseen", 1).await;
        let url = assignments(&org_id, &mine);

        let res = app.post(&url, &coach.token, json!({"plan_id": plan_id, "start_date": today()})).await;
        let a = res.assert_status(201).clone();
        assert_eq!(a["status"], "active");
        assert_eq!(a["current_week"], 1);
        assert_eq!(a["total_weeks"], 2);
        assert_eq!(a["plan_name"], "Base");
        assert_eq!(a["end_date"], (today() + Duration::days(13)).to_string());
        assert_eq!(a["assigned_by"], coach.user_id.as_str());

        let yesterday = today() - Duration::days(1);
        app.post(&url, &head.token, json!({"plan_id": plan_id, "start_date": yesterday}))
            .await
            .assert_problem(422, "start_date_in_past");
        app.post(&url, &head.token, json!({"plan_id": plan_id, "start_date": today() + Duration::days(13)}))
            .await
            .assert_problem(409, "plan_assignment_overlap");
        let later =
            app.post(&url, &head.token, json!({"plan_id": plan_id, "start_date": today() + Duration::days(14)})).await;
        assert_eq!(later.assert_status(201)["status"], "upcoming");
        assert!(later.body["current_week"].is_null());
        app.post(&assignments(&org_id, &other), &coach.token, json!({"plan_id": plan_id, "start_date": today()}))
            .await
            .assert_problem(403, "not_assigned_to_you");
        app.post(&url, &mine.token, json!({"plan_id": plan_id, "start_date": today()}))
            .await
            .assert_problem(403, "forbidden");
        app.post(&url, &head.token, json!({"plan_id": uuid::Uuid::now_v7(), "start_date": today()}))
            .await
            .assert_problem(422, "unknown_plan");
        app.post(&url, &head.token, json!({"plan_id": plan_id, "start_date": "next week"}))
            .await
            .assert_problem(400, "invalid_type");
        app.post(&assignments(&org_id, &coach), &head.token, json!({"plan_id": plan_id, "start_date": today()}))
            .await
            .assert_problem(404, "not_found");

        // The athlete sees their own assignments and only the plans assigned to them.
        let list = app.get(&url, &mine.token).await;
        let data = list.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data.len(), 2);
        assert_eq!(data[0]["status"], "upcoming", "newest first");
        assert!(list.body["next_cursor"].is_null());
        let plans = app.get(&format!("/api/v1/organizations/{org_id}/training-plans"), &mine.token).await;
        let ids: Vec<&str> =
            plans.body["data"].as_array().unwrap().iter().map(|p| p["plan_id"].as_str().unwrap()).collect();
        assert_eq!(ids, [plan_id.as_str()]);
        app.get(&format!("/api/v1/organizations/{org_id}/training-plans/{unseen}"), &mine.token)
            .await
            .assert_problem(404, "not_found");
        app.get(&format!("/api/v1/organizations/{org_id}/training-plans/{plan_id}"), &mine.token)
            .await
            .assert_status(200);
        app.get(&assignments(&org_id, &other), &mine.token).await.assert_problem(404, "not_found");

        // Cancel keeps it as history; the dates free up.
        let cancel_url = format!("{url}/{}", a["assignment_id"].as_str().unwrap());
        let other_plan = assignments(&org_id, &other);
        app.delete(&format!("{other_plan}/{}", a["assignment_id"].as_str().unwrap()), &coach.token)
            .await
            .assert_problem(403, "not_assigned_to_you");
        app.delete(&cancel_url, &mine.token).await.assert_problem(403, "forbidden");
        let res = app.delete(&cancel_url, &coach.token).await;
        assert_eq!(res.status, 204, "{}", res.text);
        assert_eq!(app.delete(&cancel_url, &coach.token).await.status, 204, "cancelling twice changes nothing");
        app.delete(&format!("{url}/{}", uuid::Uuid::now_v7()), &head.token).await.assert_problem(404, "not_found");
        let list = app.get(&url, &head.token).await;
        let data = list.body["data"].as_array().unwrap();
        let cancelled = data.iter().find(|x| x["assignment_id"] == a["assignment_id"]).unwrap();
        assert_eq!(cancelled["status"], "cancelled");
        assert!(cancelled["current_week"].is_null());
        app.post(&url, &head.token, json!({"plan_id": plan_id, "start_date": today()})).await.assert_status(201);

        let seen = actions(&app, &head, &org_id).await;
        for action in ["plan.assigned", "plan.cancelled"] {
            assert!(seen.iter().any(|x| x == action), "{action} missing from {seen:?}");
        }
    }
}

#[tokio::test]
async fn dates_are_read_in_the_organizations_time_zone() {
    use roster_domain::values::Timezone;
    for app in apps().await {
        for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            let head = app.signup("tz").await;
            let org =
                app.post("/api/v1/organizations", &head.token, json!({"name": "Far Away", "timezone": zone})).await;
            let org_id = org.assert_status(201)["org_id"].as_str().unwrap().to_owned();
            let athlete = app.athlete(&org_id, None).await;
            let plan_id = create_plan(&app, &head, &org_id, "Local", 1).await;
            let local_today = Timezone::parse(zone).unwrap().today(Utc::now());
            let url = assignments(&org_id, &athlete);
            app.post(&url, &head.token, json!({"plan_id": plan_id, "start_date": local_today - Duration::days(1)}))
                .await
                .assert_problem(422, "start_date_in_past");
            let res = app.post(&url, &head.token, json!({"plan_id": plan_id, "start_date": local_today})).await;
            assert_eq!(res.assert_status(201)["status"], "active", "{zone}");
            assert_eq!(res.body["current_week"], 1);
        }
    }
}
