//! API keys on the roster's bulk action: `members:write`, and for a plan
//! action `plans:write`, for a group action `groups:write` too, else the
//! whole request is `403 insufficient_scope` naming it and nothing is
//! written. Another organization's key is `404`; the audit trail names the
//! key.

use crate::api_keys::create_key;
use crate::key_routes::{audit_events, names_scope};
use crate::roster_csv::{group, member};
use crate::support::{Resp, TestApp, apps, days_from_today};
use serde_json::{Value, json};

async fn bulk(app: &TestApp, org_id: &str, token: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/organizations/{org_id}/members/bulk"), token, body).await
}

fn outcomes_of(res: &Resp) -> Vec<(String, String, Option<String>)> {
    crate::groups::results(res.assert_status(200))
}

/// The actor of the event `action` about `subject`.
pub fn actor_of(events: &[Value], action: &str, subject: &str) -> Value {
    let event = events.iter().find(|e| e["action"] == action && e["subject_user_id"] == subject);
    event.unwrap_or_else(|| panic!("{action} about {subject} audited")).get("actor_user_id").cloned().unwrap()
}

#[tokio::test]
async fn a_members_write_key_runs_bulk_actions_and_the_audit_trail_names_it() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let (a, b) = (app.athlete(&org_id, None).await, app.athlete(&org_id, None).await);
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (_, both) = create_key(&app, &head, &org_id, &["members:read", "members:write"]).await;
        let ids = json!([a.user_id, b.user_id]);
        let run = |action: &str, params: Value| json!({"user_ids": ids, "action": action, "params": params});
        let label = run("add_labels", json!({"labels": ["@marathon"]}));

        names_scope(&bulk(&app, &org_id, &reader, label.clone()).await, "members:write");
        bulk(&app, &other_org, &key, label.clone()).await.assert_problem(404, "not_found");

        let res = bulk(&app, &org_id, &key, label).await;
        let done = |who: &crate::support::Session| (who.user_id.clone(), "done".to_owned(), None);
        assert_eq!(outcomes_of(&res), [done(&a), done(&b)], "{backend:?}");
        assert_eq!(member(&app, &org_id, &head.token, &a).await["labels"], json!(["@marathon"]));
        // A filter reads the roster: it takes members:read too.
        let dry = json!({"filter": {"label": ["@marathon"]}, "action": "remove", "dry_run": true});
        names_scope(&bulk(&app, &org_id, &key, dry.clone()).await, "members:read");
        assert_eq!(bulk(&app, &org_id, &both, dry).await.assert_status(200)["count"], 2);
        let res = bulk(&app, &org_id, &key, run("set_status", json!({"status": "inactive"}))).await;
        assert_eq!(outcomes_of(&res), [done(&a), done(&b)]);
        // Assigning coaches is the head coach's, and a key acts as the head coach would.
        let res = bulk(&app, &org_id, &key, run("assign_coach", json!({"coach_id": coach.user_id}))).await;
        assert_eq!(outcomes_of(&res), [done(&a), done(&b)]);
        assert_eq!(member(&app, &org_id, &head.token, &b).await["assigned_to_coach_id"], coach.user_id.as_str());

        let events = audit_events(&app, &org_id, &head.token).await;
        for who in [&a, &b] {
            for action in ["member.updated", "coach.assigned"] {
                assert_eq!(actor_of(&events, action, &who.user_id), key_id.as_str(), "{backend:?} {action}");
            }
        }

        let res = bulk(&app, &org_id, &key, run("remove", json!({}))).await;
        assert_eq!(outcomes_of(&res), [done(&a), done(&b)]);
        let events = audit_events(&app, &org_id, &head.token).await;
        assert_eq!(actor_of(&events, "member.removed", &a.user_id), key_id.as_str());
    }
}

/// A plan or group action takes its own scope besides `members:write`; without
/// it the whole request is refused before anything is read or written.
#[tokio::test]
async fn a_keys_bulk_plan_and_group_actions_take_their_own_scopes() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (a, b) = (app.athlete(&org_id, None).await, app.athlete(&org_id, None).await);
        let (_, writer) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (planner_id, planner) = create_key(&app, &head, &org_id, &["members:write", "plans:write"]).await;
        let (key_id, full) = create_key(&app, &head, &org_id, &["members:write", "plans:write", "groups:write"]).await;
        let plan = crate::plans::create_plan(&app, &head, &org_id, "Base", 2).await;
        let squad = group(&app, &head, &org_id, "Squad").await;
        let start = days_from_today(7).to_string();
        let ids = json!([a.user_id, b.user_id]);
        let assign =
            json!({"user_ids": ids, "action": "assign_plan", "params": {"plan_id": plan, "start_date": start}});
        let join = json!({"user_ids": ids, "action": "add_to_group", "params": {"group_id": squad}});
        let leave = json!({"user_ids": ids, "action": "remove_from_group", "params": {"group_id": squad}});
        let before = audit_events(&app, &org_id, &head.token).await.len();

        names_scope(&bulk(&app, &org_id, &writer, assign.clone()).await, "plans:write");
        let mut dry = assign.clone();
        dry["dry_run"] = json!(true);
        names_scope(&bulk(&app, &org_id, &writer, dry).await, "plans:write");
        names_scope(&bulk(&app, &org_id, &writer, join.clone()).await, "groups:write");
        names_scope(&bulk(&app, &org_id, &planner, join.clone()).await, "groups:write");
        names_scope(&bulk(&app, &org_id, &planner, leave.clone()).await, "groups:write");
        // Nothing was written: no assignment, no group member, no event.
        for who in [&a, &b] {
            let url = format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", who.user_id);
            assert_eq!(app.get(&url, &head.token).await.assert_status(200)["data"], json!([]), "{backend:?}");
            assert_eq!(member(&app, &org_id, &head.token, who).await["group_ids"], json!([]));
        }
        assert_eq!(audit_events(&app, &org_id, &head.token).await.len(), before, "{backend:?}: nothing audited");

        let res = bulk(&app, &org_id, &planner, assign).await;
        assert!(outcomes_of(&res).iter().all(|(_, outcome, _)| outcome == "done"), "{backend:?}: {}", res.text);
        let url = format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", a.user_id);
        let got = app.get(&url, &head.token).await.assert_status(200)["data"][0].clone();
        assert_eq!((&got["plan_id"], &got["assigned_by"]), (&json!(plan), &Value::Null), "{got}");
        assert_eq!(got["assigned_by_key_id"], planner_id.as_str(), "the assignment names the key");

        let res = bulk(&app, &org_id, &full, join).await;
        assert!(outcomes_of(&res).iter().all(|(_, outcome, _)| outcome == "done"), "{}", res.text);
        assert_eq!(member(&app, &org_id, &head.token, &b).await["group_ids"], json!([squad]));
        let events = audit_events(&app, &org_id, &head.token).await;
        assert_eq!(actor_of(&events, "group.member_added", &b.user_id), key_id.as_str());
        assert_eq!(actor_of(&events, "plan.assigned", &a.user_id), planner_id.as_str());
        let res = bulk(&app, &org_id, &full, leave).await;
        assert!(outcomes_of(&res).iter().all(|(_, outcome, _)| outcome == "done"), "{}", res.text);
        let events = audit_events(&app, &org_id, &head.token).await;
        assert_eq!(actor_of(&events, "group.member_removed", &a.user_id), key_id.as_str());
    }
}
