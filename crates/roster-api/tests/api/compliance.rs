//! Compliance over the last 7 and 28 days (profile, roster, sorts and
//! filter), the signals it raises, and the attention queue with its
//! acknowledgements; both backends.

use crate::athlete::{audit_count, member_path};
use crate::support::{Session, TestApp, apps};
use crate::support::{activity, days_from_today, noon, plan_from};
use serde_json::{Value, json};

fn wire(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn roster_path(org_id: &str, query: &str) -> String {
    format!("/api/v1/organizations/{org_id}/members?{query}")
}

/// The user ids of every page of the roster for `query`, one member a page.
async fn walk(app: &TestApp, head: &Session, org_id: &str, query: &str) -> Vec<String> {
    let (mut seen, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let res = app.get(&roster_path(org_id, &format!("{query}&limit=1{after}")), &head.token).await;
        let page = res.assert_status(200);
        seen.extend(page["data"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
}

fn member<'a>(page: &'a Value, who: &Session) -> &'a Value {
    page["data"].as_array().unwrap().iter().find(|m| m["user_id"] == who.user_id.as_str()).unwrap()
}

/// `ann` with the calendar test's plan from a week ago (Easy 84 %, Tempo 55 %, Long missed),
/// `bob` without a plan who ran yesterday, `cat` with nothing.
async fn three_athletes(app: &TestApp, head: &Session, org_id: &str) -> (Session, Session, Session) {
    let ann = app.athlete(org_id, None).await;
    let bob = app.athlete(org_id, None).await;
    let cat = app.athlete(org_id, None).await;
    let start = days_from_today(-7);
    plan_from(app, head, org_id, &ann, start).await;
    activity(app, org_id, &ann, "run", noon(start), 4_200.0, 1_500).await;
    activity(app, org_id, &ann, "run", noon(days_from_today(-6)), 1_000.0, 1_100).await;
    activity(app, org_id, &bob, "run", noon(days_from_today(-1)), 3_000.0, 900).await;
    (ann, bob, cat)
}

#[tokio::test]
async fn compliance_is_in_the_profile_the_roster_and_its_sorts_and_filter() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (ann, bob, cat) = three_athletes(&app, &head, &org_id).await;
        let expected = json!({
            "last_7_days": {"planned_sessions": 2, "completed_sessions": 0, "sessions_pct": 0, "volume_pct": 27},
            "last_28_days": {"planned_sessions": 3, "completed_sessions": 1, "sessions_pct": 33, "volume_pct": 46},
            "missed_in_a_row": 1,
        });
        let res = app.get(&roster_path(&org_id, "include_profile_status=true"), &head.token).await;
        let page = res.assert_status(200);
        assert_eq!(member(page, &ann)["profile_status"]["compliance"], expected, "{backend:?}");
        assert_eq!(member(page, &bob)["profile_status"]["compliance"], Value::Null, "{backend:?}");
        assert_eq!(member(page, &ann)["last_activity_at"], wire(noon(days_from_today(-6))), "{backend:?}");
        assert_eq!(member(page, &cat)["last_activity_at"], Value::Null, "{backend:?}");
        let profile = app.get(&member_path(&org_id, &ann, "profile"), &head.token).await;
        assert_eq!(profile.assert_status(200)["compliance"], expected, "{backend:?}");
        let profile = app.get(&member_path(&org_id, &bob, "profile"), &bob.token).await;
        assert_eq!(profile.assert_status(200)["compliance"], Value::Null, "{backend:?}");
        let own = app.get(&format!("/api/v1/organizations/{org_id}/members/{}", ann.user_id), &head.token).await;
        assert_eq!(own.assert_status(200)["last_activity_at"], wire(noon(days_from_today(-6))));

        let ids = |list: &[&Session]| list.iter().map(|s| s.user_id.clone()).collect::<Vec<_>>();
        // Lowest compliance first; without one, last (by membership: bob joined before cat).
        assert_eq!(walk(&app, &head, &org_id, "sort=compliance").await, ids(&[&ann, &bob, &cat]), "{backend:?}");
        assert_eq!(walk(&app, &head, &org_id, "compliance_below=34").await, ids(&[&ann]), "{backend:?}");
        let none = app.get(&roster_path(&org_id, "compliance_below=33"), &head.token).await;
        assert_eq!(none.assert_status(200)["total"], 0, "{backend:?}");
        // Never any activity first, then the longest ago; and the other way round.
        assert_eq!(walk(&app, &head, &org_id, "sort=last_activity").await, ids(&[&cat, &ann, &bob]), "{backend:?}");
        assert_eq!(walk(&app, &head, &org_id, "sort=-last_activity").await, ids(&[&bob, &ann, &cat]), "{backend:?}");

        for bad in ["compliance_below=101", "compliance_below=-1", "compliance_below=x", "sort=-compliance"] {
            let res = app.get(&roster_path(&org_id, bad), &head.token).await;
            res.assert_problem(400, "invalid_parameter");
        }
        let res = app.get(&roster_path(&org_id, "sort=compliance&limit=1"), &head.token).await;
        let cursor = res.assert_status(200)["next_cursor"].as_str().unwrap().to_owned();
        let res = app.get(&roster_path(&org_id, &format!("sort=last_activity&cursor={cursor}")), &head.token).await;
        res.assert_problem(400, "invalid_parameter");
    }
}

/// An athlete whose four due workouts of the last 28 days were all missed.
async fn missing_everything(app: &TestApp, head: &Session, org_id: &str, coach: Option<&Session>) -> Session {
    let athlete = app.athlete(org_id, coach).await;
    // Week 1 days 1–3 (8 to 6 days ago) and week 2 day 1 (yesterday) are due; today's is not yet.
    plan_from(app, head, org_id, &athlete, days_from_today(-8)).await;
    athlete
}

fn queue_path(org_id: &str, query: &str) -> String {
    format!("/api/v1/organizations/{org_id}/attention?{query}")
}

fn codes(entry: &Value) -> Vec<&str> {
    entry["signals"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect()
}

fn entry<'a>(queue: &'a Value, who: &Session) -> Option<&'a Value> {
    queue["data"].as_array().unwrap().iter().find(|e| e["member"]["user_id"] == who.user_id.as_str())
}

#[tokio::test]
async fn low_compliance_and_missed_workouts_fire_and_the_queue_orders_by_severity() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let ann = missing_everything(&app, &head, &org_id, None).await;
        let res = app.get(&member_path(&org_id, &ann, "profile"), &head.token).await;
        let signals: Vec<&str> = res.assert_status(200)["attention_signals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["code"].as_str().unwrap())
            .collect();
        assert!(signals.contains(&"low_compliance") && signals.contains(&"missed_workouts"), "{signals:?}");

        // A calm athlete with only info signals comes after one with an urgent signal.
        let bob = app.athlete(&org_id, None).await;
        activity(&app, &org_id, &bob, "run", noon(days_from_today(-1)), 3_000.0, 900).await;
        let res = app.get(&queue_path(&org_id, ""), &head.token).await;
        let queue = res.assert_status(200);
        let order: Vec<&str> =
            queue["data"].as_array().unwrap().iter().map(|e| e["member"]["user_id"].as_str().unwrap()).collect();
        assert_eq!(order, [ann.user_id.as_str(), bob.user_id.as_str()], "{backend:?}");
        let first = entry(queue, &ann).unwrap();
        assert_eq!(first["max_severity"], "urgent", "{backend:?}");
        assert!(codes(first).contains(&"missed_workouts"), "{backend:?}");
        assert_eq!(first["signals"][0]["severity"], "urgent", "{backend:?}: most severe first");
        // One a page.
        let res = app.get(&queue_path(&org_id, "limit=1"), &head.token).await;
        let cursor = res.assert_status(200)["next_cursor"].as_str().unwrap().to_owned();
        let res = app.get(&queue_path(&org_id, &format!("limit=1&cursor={cursor}")), &head.token).await;
        let second = res.assert_status(200);
        assert_eq!(second["data"][0]["member"]["user_id"], bob.user_id.as_str(), "{backend:?}");
        assert_eq!(second["next_cursor"], Value::Null, "{backend:?}");
    }
}

#[tokio::test]
async fn the_queue_is_for_coaches_and_an_assistant_sees_their_own_athletes() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let mine = missing_everything(&app, &head, &org_id, Some(&coach)).await;
        let other = missing_everything(&app, &head, &org_id, None).await;
        let res = app.get(&queue_path(&org_id, ""), &coach.token).await;
        let queue = res.assert_status(200);
        assert!(entry(queue, &mine).is_some() && entry(queue, &other).is_none(), "{:?}", app.backend);
        let res = app.get(&queue_path(&org_id, ""), &head.token).await;
        assert_eq!(res.assert_status(200)["data"].as_array().unwrap().len(), 2);
        app.get(&queue_path(&org_id, ""), &mine.token).await.assert_problem(403, "forbidden");
        let stranger = app.signup("stranger").await;
        app.get(&queue_path(&org_id, ""), &stranger.token).await.assert_problem(404, "not_found");
        for bad in ["limit=0", "limit=201", "cursor=nope", "bogus=1"] {
            let res = app.get(&queue_path(&org_id, bad), &head.token).await;
            assert_eq!(res.status, 400, "{bad}: {:?}", res.body);
        }
    }
}

fn ack_path(org_id: &str, who: &Session, code: &str) -> String {
    member_path(org_id, who, &format!("attention/{code}/acknowledge"))
}

#[tokio::test]
async fn an_acknowledged_signal_leaves_the_queue_until_the_data_behind_it_changes() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let ann = missing_everything(&app, &head, &org_id, None).await;
        let res = app
            .post(&ack_path(&org_id, &ann, "missed_workouts"), &head.token, json!({"note": "Flu, back Monday"}))
            .await;
        let ack = res.assert_status(200);
        assert_eq!((ack["code"].as_str(), ack["severity"].as_str()), (Some("missed_workouts"), Some("warning")));
        assert_eq!(ack["note"], "Flu, back Monday");
        assert_eq!(ack["acknowledged_by"], head.user_id.as_str());
        assert_eq!(audit_count(&app, &head, &org_id, "attention.acknowledged").await, 1, "{backend:?}");
        let res = app.get(&queue_path(&org_id, ""), &head.token).await;
        let queue = res.assert_status(200);
        let open = codes(entry(queue, &ann).unwrap());
        assert!(!open.contains(&"missed_workouts") && open.contains(&"low_compliance"), "{backend:?}: {open:?}");

        // Again, without a note: still fine (the earlier one is replaced).
        let res = app.post(&ack_path(&org_id, &ann, "missed_workouts"), &head.token, json!({})).await;
        assert_eq!(res.assert_status(200)["note"], Value::Null);

        // New data: the signal is open again.
        activity(&app, &org_id, &ann, "bike", noon(days_from_today(-2)), 20_000.0, 3_600).await;
        let res = app.get(&queue_path(&org_id, ""), &head.token).await;
        assert!(codes(entry(res.assert_status(200), &ann).unwrap()).contains(&"missed_workouts"), "{backend:?}");

        // What is refused.
        let bob = app.athlete(&org_id, None).await;
        activity(&app, &org_id, &bob, "run", noon(days_from_today(-1)), 3_000.0, 900).await;
        let post = |path: String, token: String, body: Value| {
            let app = &app;
            async move { app.post(&path, &token, body).await }
        };
        post(ack_path(&org_id, &bob, "missed_workouts"), head.token.clone(), json!({}))
            .await
            .assert_problem(404, "not_found");
        post(ack_path(&org_id, &ann, "no_such_signal"), head.token.clone(), json!({}))
            .await
            .assert_problem(404, "not_found");
        let long = "x".repeat(1001);
        post(ack_path(&org_id, &ann, "low_compliance"), head.token.clone(), json!({"note": long}))
            .await
            .assert_problem(422, "invalid_note");
        post(ack_path(&org_id, &ann, "low_compliance"), head.token.clone(), json!({"note": "a\u{7}b"}))
            .await
            .assert_problem(422, "invalid_text");
        post(ack_path(&org_id, &ann, "low_compliance"), head.token.clone(), json!({"notes": "x"}))
            .await
            .assert_problem(400, "unknown_field");
        post(ack_path(&org_id, &ann, "low_compliance"), ann.token.clone(), json!({}))
            .await
            .assert_problem(403, "forbidden");
        post(ack_path(&org_id, &ann, "low_compliance"), coach.token.clone(), json!({}))
            .await
            .assert_problem(403, "not_assigned_to_you");
        post(ack_path(&org_id, &ann, "low_compliance"), bob.token.clone(), json!({}))
            .await
            .assert_problem(404, "not_found");
        let stranger = app.signup("stranger").await;
        post(ack_path(&org_id, &ann, "low_compliance"), stranger.token.clone(), json!({}))
            .await
            .assert_problem(404, "not_found");
        assert_eq!(audit_count(&app, &head, &org_id, "attention.acknowledged").await, 2, "{backend:?}");
    }
}
