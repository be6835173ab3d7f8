//! The snapshots' club: every name, e-mail, label, group, plan and
//! invitation fixed, so two runs (and two backends) render the same pages
//! once what must vary (ids, dates, tokens) is blanked.

use crate::client::Browser;
use crate::pages::api_session;
use crate::support::{PASSWORD, Session, TestApp, days_from_today};
use chrono::{TimeZone, Utc};
use reqwest::Method;
use roster_domain::entities::{AuditEvent, Membership};
use roster_domain::ports::OrganizationRepo;
use roster_domain::{Clock, Role, SystemClock};
use serde_json::json;

pub struct Club {
    pub ann: Session,
    pub group_path: String,
    pub plan_path: String,
}

/// An account made through the API with a fixed e-mail (the fixtures'
/// `signup` makes the address unique, which would show in the pages).
async fn account(app: &TestApp, first: &str, last: &str, email: &str) -> Session {
    let body = json!({"email": email, "password": PASSWORD, "first_name": first, "last_name": last});
    let res = app.call(Method::POST, "/api/v1/auth/signup", None, Some(body)).await;
    let body = res.assert_status(201);
    Session {
        token: body["access_token"].as_str().unwrap().to_owned(),
        user_id: body["user"]["user_id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
    }
}

/// `who` joins the club as an athlete, assigned to `coach` if any.
fn join(app: &TestApp, org_id: &str, who: &Session, coach: Option<&Session>) {
    let org = org_id.parse().unwrap();
    let now = SystemClock.now();
    let mut m = Membership::start(org, who.id(), Role::Athlete, now);
    m.assigned_to_coach_id = coach.map(Session::id);
    let event = AuditEvent::new(org, who.id(), "member.added", Some(who.id()), json!({}), now);
    app.store.add_membership(&m, &event).unwrap();
}

/// Riverside Runners: Hana (head coach, signed in on `b`), Cy (assistant
/// coach), Ann (gold, `@marathon`, in **Track squad**, on the **Base**
/// plan from next week, one run today) and Bob (Cy's athlete); an e-mail
/// invitation to Jo and a link named **Spring flyer**.
pub async fn riverside(app: &TestApp) -> (Browser<'_>, Club) {
    let mut b = Browser::new(app);
    b.create_account("Hana", "hana@example.com").await;
    let club = [("name", "Riverside Runners"), ("description", "Early runs by the river."), ("timezone", "UTC")];
    b.submit("/club/new", "/club/new", &club).await.assert_redirect("/athletes");
    let (head, org_id) = api_session(app, "hana@example.com").await;
    let api = format!("/api/v1/organizations/{org_id}");

    let cy = account(app, "Cy", "Coach", "cy@example.com").await;
    app.post(&format!("{api}/coaches"), &head.token, json!({"user_id": cy.user_id})).await.assert_status(201);
    let ann = account(app, "Ann", "Athlete", "ann@example.com").await;
    let bob = account(app, "Bob", "Baker", "bob@example.com").await;
    join(app, &org_id, &ann, None);
    join(app, &org_id, &bob, Some(&cy));
    let edit = json!({"member_level": "gold", "labels": ["@marathon"], "private_notes": "Left knee."});
    app.patch(&format!("{api}/members/{}", ann.user_id), &head.token, edit).await.assert_status(200);

    let plan = json!({"name": "Base", "sport": "run", "duration_weeks": 2, "description": "Easy miles.", "workouts": [
        {"week": 1, "day": 1, "title": "Easy 5k", "distance_m": 5000},
        {"week": 1, "day": 3, "title": "Tempo", "duration_s": 2400},
        {"week": 2, "day": 6, "title": "Long run", "distance_m": 16000},
    ]});
    let plan_id = app.post(&format!("{api}/training-plans"), &head.token, plan).await.assert_status(201)["plan_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // From a week ahead: nothing is due yet, whatever day the tests run.
    let start = days_from_today(7).to_string();
    let assign = json!({"plan_id": plan_id, "start_date": start});
    app.post(&format!("{api}/members/{}/plan-assignments", ann.user_id), &head.token, assign).await.assert_status(201);

    let made = b.submit("/groups", "/groups", &[("name", "Track squad"), ("description", "Tuesday track.")]).await;
    let group_path = made.location().to_owned();
    b.submit(&group_path, &format!("{group_path}/members"), &[("email", "ann@example.com")]).await.assert(303);

    let jo = json!({"kind": "single_use", "email": "jo@example.com", "first_name": "Jo"});
    app.post(&format!("{api}/invitations"), &head.token, jo).await.assert_status(201);
    let link = json!({"kind": "multi_use", "name": "Spring flyer", "max_uses": 20});
    app.post(&format!("{api}/invitations"), &head.token, link).await.assert_status(201);

    // At the very start of today (UTC): in this week's bar of the chart and
    // never in the future, whatever the hour.
    let today = Utc.from_utc_datetime(&days_from_today(0).and_hms_opt(0, 0, 0).unwrap());
    let run = json!({"sport": "run", "title": "River loop", "start_time": today.to_rfc3339(), "distance_m": 8000.0, "duration_s": 2700});
    app.post(&format!("{api}/members/{}/activities", ann.user_id), &ann.token, run).await.assert_status(201);

    let club = Club { ann, group_path, plan_path: format!("/plans/{plan_id}") };
    (b, club)
}
