//! API keys as authors: the rows a key makes (training plans, plan
//! assignments, group enrollments, activities, acknowledgements of attention
//! signals) name the key (`…_key_id`) beside a null account column. Each
//! route answers `403 insufficient_scope` naming its scope without it, `404`
//! to another organization's key, and the audit trail names the key. The
//! SQLite migrations rebuilt these tables: the tests also prove that the
//! status triggers still fire (the athlete's status version moves, and what
//! the roster shows from the status cache follows).

use crate::api_keys::create_key;
use crate::key_routes::{audit_events, names_scope};
use crate::support::{Session, TestApp, apps, days_from_today, noon};
use serde_json::{Value, json};

/// The athlete's `member_statuses.version`, which the status triggers bump.
fn status_version(app: &TestApp, user_id: &str) -> i64 {
    use diesel::prelude::*;
    use roster_store::schema::{member_statuses, memberships};
    let mut conn = app.store.conn().unwrap();
    let membership: String = memberships::table
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::removed_at.is_null())
        .select(memberships::membership_id)
        .first(&mut *conn)
        .unwrap();
    member_statuses::table.find(membership).select(member_statuses::version).first(&mut *conn).unwrap()
}

/// The athlete's `profile_status` in the roster (read from the status cache).
async fn roster_status(app: &TestApp, head: &Session, org_id: &str, who: &Session) -> Value {
    let url = format!("/api/v1/organizations/{org_id}/members?include_profile_status=true&limit=200");
    let page = app.get(&url, &head.token).await.assert_status(200).clone();
    let row = page["data"].as_array().unwrap().iter().find(|m| m["user_id"] == who.user_id.as_str()).cloned();
    row.expect("in the roster")["profile_status"].clone()
}

fn by_key(events: &[Value], action: &str, key_id: &str) -> bool {
    events.iter().any(|e| e["action"] == action && e["actor_user_id"] == key_id)
}

#[tokio::test]
async fn a_plans_write_key_writes_a_plan_and_assigns_it_and_is_named_as_author() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["plans:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let plans = format!("/api/v1/organizations/{org_id}/training-plans");
        let body = crate::plans::plan_body("Key Base", 2);

        names_scope(&app.post(&plans, &reader, body.clone()).await, "plans:write");
        let elsewhere = format!("/api/v1/organizations/{other_org}/training-plans");
        app.post(&elsewhere, &key, body.clone()).await.assert_problem(404, "not_found");
        let made = app.post(&plans, &key, body).await.assert_status(201).clone();
        assert_eq!((&made["created_by"], &made["created_by_key_id"]), (&Value::Null, &json!(key_id)), "{made}");
        let plan_id = made["plan_id"].as_str().unwrap().to_owned();
        // Read back from the store, it still names the key; the key may change its own plan.
        let plan = format!("{plans}/{plan_id}");
        assert_eq!(app.get(&plan, &reader).await.assert_status(200)["created_by_key_id"], key_id.as_str());
        app.patch(&plan, &key, json!({"description": "From the CRM"})).await.assert_status(200);
        // An account's plan still names the account.
        let head_plan = crate::plans::create_plan(&app, &head, &org_id, "Head's", 1).await;
        let head_plan = app.get(&format!("{plans}/{head_plan}"), &reader).await.assert_status(200).clone();
        assert_eq!((&head_plan["created_by"], &head_plan["created_by_key_id"]), (&json!(head.user_id), &Value::Null));

        // Assigning it: the roster's cached status follows (the rebuilt
        // table's triggers bump the status version).
        let before = roster_status(&app, &head, &org_id, &athlete).await;
        assert_eq!(before["training_plans"]["current"], Value::Null, "{backend:?}");
        let version = status_version(&app, &athlete.user_id);
        let assignments = format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", athlete.user_id);
        let assign = json!({"plan_id": plan_id, "start_date": days_from_today(0)});
        names_scope(&app.post(&assignments, &reader, assign.clone()).await, "plans:write");
        let foreign = format!("/api/v1/organizations/{other_org}/members/{}/plan-assignments", athlete.user_id);
        app.post(&foreign, &key, assign.clone()).await.assert_problem(404, "not_found");
        let assigned = app.post(&assignments, &key, assign).await.assert_status(201).clone();
        assert_eq!((&assigned["assigned_by"], &assigned["assigned_by_key_id"]), (&Value::Null, &json!(key_id)));
        assert!(status_version(&app, &athlete.user_id) > version, "{backend:?}: plan_assignments' trigger fired");
        let after = roster_status(&app, &head, &org_id, &athlete).await;
        assert_eq!(after["training_plans"]["current"]["plan_name"], "Key Base", "{backend:?}: {after}");
        let listed = app.get(&assignments, &reader).await.assert_status(200)["data"][0].clone();
        assert_eq!((&listed["assigned_by"], &listed["assigned_by_key_id"]), (&Value::Null, &json!(key_id)));

        // Changing the plan bumps its athletes' status (training_plans' trigger).
        let version = status_version(&app, &athlete.user_id);
        app.patch(&plan, &key, json!({"name": "Key Base II"})).await.assert_status(200);
        assert!(status_version(&app, &athlete.user_id) > version, "{backend:?}: training_plans' trigger fired");

        let events = audit_events(&app, &org_id, &head.token).await;
        for action in ["plan.created", "plan.assigned", "plan.updated"] {
            assert!(by_key(&events, action, &key_id), "{action}: the audit trail names the key");
        }
    }
}

#[tokio::test]
async fn a_plans_write_key_assigns_a_plan_to_a_group_and_its_late_joiners() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let first = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["plans:write"]).await;
        let (_, grouper) = create_key(&app, &head, &org_id, &["groups:write"]).await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");
        let group = app.post(&groups, &head.token, json!({"name": "Marathoners"})).await;
        let url = format!("{groups}/{}", group.assert_status(201)["group_id"].as_str().unwrap());
        let member = |who: &Session| format!("{url}/members/{}", who.user_id);
        app.call(reqwest::Method::PUT, &member(&first), Some(&head.token), None).await.assert_status(204);
        let plan_id = crate::plans::create_plan(&app, &head, &org_id, "Spring Marathon", 2).await;
        let start = days_from_today(1);
        let enroll = json!({"plan_id": plan_id, "start_date": start, "enroll_future_members": true});

        // Assigning plans takes plans:write, a group's as an athlete's.
        let assign = format!("{url}/plan-assignments");
        names_scope(&app.post(&assign, &grouper, enroll.clone()).await, "plans:write");
        let elsewhere = format!("/api/v1/organizations/{other_org}/groups/{}/plan-assignments", uuid::Uuid::new_v4());
        app.post(&elsewhere, &key, enroll.clone()).await.assert_problem(404, "not_found");
        let results = app.post(&assign, &key, enroll).await.assert_status(200)["results"].clone();
        assert_eq!(results, json!([{"user_id": first.user_id, "outcome": "assigned"}]));
        let list = |who: &Session| format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", who.user_id);
        let got = app.get(&list(&first), &head.token).await.assert_status(200)["data"][0].clone();
        assert_eq!((&got["assigned_by"], &got["assigned_by_key_id"]), (&Value::Null, &json!(key_id)));

        // A late joiner, put in the group by another key, gets the plan the
        // key enrolled: assigned by the enrolling key.
        let late = app.athlete(&org_id, None).await;
        app.call(reqwest::Method::PUT, &member(&late), Some(&grouper), None).await.assert_status(204);
        let got = app.get(&list(&late), &head.token).await.assert_status(200)["data"].clone();
        assert_eq!(got.as_array().map(Vec::len), Some(1), "{got}");
        assert_eq!((&got[0]["assigned_by"], &got[0]["assigned_by_key_id"]), (&Value::Null, &json!(key_id)));

        let events = audit_events(&app, &org_id, &head.token).await;
        assert!(by_key(&events, "group.plan_assigned", &key_id), "the audit trail names the key");
        let first_assigned =
            events.iter().find(|e| e["action"] == "plan.assigned" && e["subject_user_id"] == first.user_id.as_str());
        assert_eq!(first_assigned.expect("plan.assigned audited")["actor_user_id"], key_id.as_str());
    }
}

#[tokio::test]
async fn an_activities_write_key_records_and_imports_activities_and_is_named_as_author() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["activities:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let feed = crate::profile::member_path(&org_id, &athlete, "activities");
        let at = noon(days_from_today(-1));
        let body = json!({"sport": "run", "start_time": at.to_rfc3339(), "distance_m": 8000.0, "duration_s": 2400,
            "source": "garmin", "external_id": "g-1"});

        names_scope(&app.post(&feed, &reader, body.clone()).await, "activities:write");
        let elsewhere = format!("/api/v1/organizations/{other_org}/members/{}/activities", athlete.user_id);
        app.post(&elsewhere, &key, body.clone()).await.assert_problem(404, "not_found");

        let before = roster_status(&app, &head, &org_id, &athlete).await;
        let version = status_version(&app, &athlete.user_id);
        let made = app.post(&feed, &key, body.clone()).await.assert_status(201).clone();
        assert_eq!((&made["created_by"], &made["created_by_key_id"]), (&Value::Null, &json!(key_id)), "{made}");
        // The rebuilt table's triggers: the status version and the member's last activity.
        assert!(status_version(&app, &athlete.user_id) > version, "{backend:?}: activities' trigger fired");
        let after = roster_status(&app, &head, &org_id, &athlete).await;
        assert_ne!(before["attention"], after["attention"], "{backend:?}: no longer never active: {after}");
        let one = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        let seen = app.get(&one, &head.token).await.assert_status(200)["last_activity_at"].clone();
        let seen = chrono::DateTime::parse_from_rfc3339(seen.as_str().unwrap()).unwrap();
        assert_eq!(seen, at, "{backend:?}: last_activity_at follows");

        // A resend answers the stored activity; read back, it names the key.
        assert_eq!(app.post(&feed, &key, body).await.assert_status(200)["activity_id"], made["activity_id"]);
        let listed = app.get(&feed, &head.token).await.assert_status(200)["data"][0].clone();
        assert_eq!((&listed["created_by"], &listed["created_by_key_id"]), (&Value::Null, &json!(key_id)));

        // A file import takes the same scope, checked before the file is read.
        let gpx = crate::profile::testdata("route-5k.gpx");
        let refused = crate::profile::import(&app, &org_id, &athlete, &reader, "route.gpx", &gpx).await;
        names_scope(&refused, "activities:write");
        let imported = crate::profile::import(&app, &org_id, &athlete, &key, "route.gpx", &gpx).await;
        assert_eq!(imported.assert_status(201)["created_by_key_id"], key_id.as_str());

        let events = audit_events(&app, &org_id, &head.token).await;
        let created = events.iter().filter(|e| e["action"] == "activity.created" && e["actor_user_id"] == key_id);
        assert_eq!(created.count(), 2, "the audit trail names the key");
    }
}

#[tokio::test]
async fn a_members_write_key_acknowledges_a_signal_and_is_named_as_acknowledger() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let ack = |org: &str| {
            format!("/api/v1/organizations/{org}/members/{}/attention/no_integration/acknowledge", athlete.user_id)
        };
        let open = || async {
            let queue = app.get(&format!("/api/v1/organizations/{org_id}/attention"), &head.token).await;
            let queue = queue.assert_status(200).clone();
            let entry =
                queue["data"].as_array().unwrap().iter().find(|e| e["member"]["user_id"] == athlete.user_id.as_str());
            let signals = entry.map(|e| e["signals"].as_array().unwrap().clone()).unwrap_or_default();
            signals.iter().map(|s| s["code"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        };
        assert!(open().await.contains(&"no_integration".to_owned()), "{backend:?}");

        names_scope(&app.post(&ack(&org_id), &reader, json!({})).await, "members:write");
        app.post(&ack(&other_org), &key, json!({})).await.assert_problem(404, "not_found");
        let done = app.post(&ack(&org_id), &key, json!({"note": "Syncs from the club's CRM"})).await;
        let done = done.assert_status(200).clone();
        assert_eq!((&done["acknowledged_by"], &done["acknowledged_by_key_id"]), (&Value::Null, &json!(key_id)));
        // Stored: the signal leaves the queue.
        assert!(!open().await.contains(&"no_integration".to_owned()), "{backend:?}");
        // An account's acknowledgement still names the account.
        let missing =
            format!("/api/v1/organizations/{org_id}/members/{}/attention/missing_zones/acknowledge", athlete.user_id);
        let by_head = app.post(&missing, &head.token, json!({})).await.assert_status(200).clone();
        assert_eq!(
            (&by_head["acknowledged_by"], &by_head["acknowledged_by_key_id"]),
            (&json!(head.user_id), &Value::Null)
        );

        let events = audit_events(&app, &org_id, &head.token).await;
        assert!(by_key(&events, "attention.acknowledged", &key_id), "the audit trail names the key");
    }
}
