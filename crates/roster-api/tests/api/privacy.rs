//! Privacy over HTTP, on both backends: the export, account deletion, club
//! closure and retention. Deletion is proven by scanning every column of
//! every table of the database for what the person left.

mod closure;
mod deletion;
mod export;
mod scan;

use crate::plans::create_plan;
use crate::support::{PASSWORD, Session, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// A person whose every stored value is unique to them, to scan for.
pub struct Person {
    pub session: Session,
    pub refresh_token: String,
    /// Every value of theirs the database held: none may survive deletion.
    pub traces: Vec<String>,
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", &roster_domain::UserId::new().to_string()[24..])
}

/// Signs up an account with unique names.
pub async fn person(app: &TestApp) -> Person {
    let (first, last) = (unique("Quorra"), unique("Vexley"));
    let email = format!("{}@example.com", unique("q.v.")).to_lowercase();
    let res = app
        .call(
            Method::POST,
            "/api/v1/auth/signup",
            None,
            Some(json!({"email": email, "password": PASSWORD, "first_name": first, "last_name": last})),
        )
        .await;
    let body = res.assert_status(201).clone();
    Person {
        session: Session {
            token: body["access_token"].as_str().unwrap().to_owned(),
            user_id: body["user"]["user_id"].as_str().unwrap().to_owned(),
            email: email.clone(),
        },
        refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        traces: vec![email, first, last],
    }
}

fn member(org_id: &str, p: &Session, rest: &str) -> String {
    format!("/api/v1/organizations/{org_id}/members/{}/{rest}", p.user_id)
}

/// Makes `p` an athlete of `org_id` (added by `coach`, assigned to them)
/// with organization attributes, an activity, a race goal, zones, an
/// integration and a plan assignment; their values join `p.traces`.
pub async fn athlete_with_data(app: &TestApp, coach: &Session, org_id: &str, p: &mut Person) {
    let (display, level, notes, label) =
        (unique("Qdawg"), unique("elite"), unique("sore-knee"), format!("@{}", unique("lbl")).to_lowercase());
    app.post(
        &format!("/api/v1/organizations/{org_id}/members"),
        &coach.token,
        json!({"user_id": p.session.user_id, "display_name": display, "member_level": level,
            "private_notes": notes, "labels": [label], "assigned_to_coach_id": coach.user_id}),
    )
    .await
    .assert_status(201);
    let (title, external, race, integration) =
        (unique("Dawnrun"), unique("ext-"), unique("Riverrace"), unique("garmin-"));
    let start = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
    app.post(
        &member(org_id, &p.session, "activities"),
        &p.session.token,
        json!({"sport": "run", "start_time": start, "distance_m": 12345.678, "duration_s": 3777,
            "title": title, "source": "garmin", "external_id": external}),
    )
    .await
    .assert_status(201);
    app.post(
        &member(org_id, &p.session, "race-goals"),
        &p.session.token,
        json!({"race_name": race, "race_date": "2027-09-26", "distance_m": 42195, "goal_time_s": 11111}),
    )
    .await
    .assert_status(201);
    let zones = json!({"heart_rate": {"max_bpm": 197, "resting_bpm": 41, "zones": [
        {"name": "Zq1", "min_bpm": 101, "max_bpm": 133}]}});
    app.call(Method::PUT, &member(org_id, &p.session, "zones"), Some(&p.session.token), Some(zones))
        .await
        .assert_status(200);
    let garmin = json!({"status": "connected", "external_athlete_id": integration});
    app.call(Method::PUT, "/api/v1/me/integrations/garmin", Some(&p.session.token), Some(garmin))
        .await
        .assert_status(200);
    let plan_id = create_plan(app, coach, org_id, "Base", 4).await;
    let today = chrono::Utc::now().date_naive();
    app.post(
        &member(org_id, &p.session, "plan-assignments"),
        &coach.token,
        json!({"plan_id": plan_id, "start_date": today}),
    )
    .await
    .assert_status(201);
    p.traces.extend([display, level, notes, label, title, external, race, integration, "12345.678".into()]);
}

/// The problem's `code`, for quick assertions.
pub fn code(body: &Value) -> &str {
    body["code"].as_str().unwrap_or_default()
}
