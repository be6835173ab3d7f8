//! API keys on the routes beyond members, audit and webhooks: each accepts a
//! key with its scope, answers `403 insufficient_scope` naming the scope
//! without it, `404` to another organization's key, and the audit trail
//! names the key.

use crate::api_keys::create_key;
use crate::support::{Resp, TestApp, apps};
use serde_json::{Value, json};

pub async fn audit_events(app: &TestApp, org_id: &str, token: &str) -> Vec<Value> {
    let url = format!("/api/v1/organizations/{org_id}/audit-events?limit=100");
    app.get(&url, token).await.assert_status(200)["data"].as_array().unwrap().clone()
}

pub fn names_scope(res: &Resp, scope: &str) {
    res.assert_problem(403, "insufficient_scope");
    assert!(res.text.contains(scope), "the refusal names {scope}: {}", res.text);
}

#[tokio::test]
async fn a_groups_write_key_manages_groups_and_their_members() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (writer_id, writer) = create_key(&app, &head, &org_id, &["groups:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");

        names_scope(&app.post(&groups, &reader, json!({"name": "Juniors"})).await, "groups:write");
        let created = app.post(&groups, &writer, json!({"name": "Juniors"})).await;
        let group_id = created.assert_status(201)["group_id"].as_str().unwrap().to_owned();
        let one = format!("{groups}/{group_id}");
        let member = format!("{one}/members/{}", athlete.user_id);

        // Reads take members:read, as the policy's ReadGroups says.
        assert_eq!(app.get(&groups, &reader).await.assert_status(200)["data"][0]["group_id"], group_id.as_str());
        app.get(&one, &reader).await.assert_status(200);
        names_scope(&app.get(&groups, &writer).await, "members:read");

        names_scope(&app.patch(&one, &reader, json!({"name": "Seniors"})).await, "groups:write");
        assert_eq!(app.patch(&one, &writer, json!({"name": "Seniors"})).await.assert_status(200)["name"], "Seniors");
        names_scope(&app.call(reqwest::Method::PUT, &member, Some(&reader), None).await, "groups:write");
        app.call(reqwest::Method::PUT, &member, Some(&writer), None).await.assert_status(204);
        assert_eq!(app.get(&one, &reader).await.body["member_count"], 1);
        names_scope(&app.delete(&member, &reader).await, "groups:write");
        app.delete(&member, &writer).await.assert_status(204);
        names_scope(&app.delete(&one, &reader).await, "groups:write");

        // Another organization's key is an outsider there.
        let elsewhere = format!("/api/v1/organizations/{other_org}/groups");
        app.post(&elsewhere, &writer, json!({"name": "Intruders"})).await.assert_problem(404, "not_found");
        app.get(&elsewhere, &reader).await.assert_problem(404, "not_found");

        app.delete(&one, &writer).await.assert_status(204);
        let events = audit_events(&app, &org_id, &head.token).await;
        for action in ["group.created", "group.updated", "group.member_added", "group.member_removed", "group.deleted"]
        {
            let event = events.iter().find(|e| e["action"] == action).unwrap_or_else(|| panic!("{action} audited"));
            assert_eq!(event["actor_user_id"], writer_id.as_str(), "the audit trail names the key: {event}");
        }
    }
}

/// A late joiner added to a group by a key gets the group's enrolled plan,
/// recorded as assigned by the account that enrolled the group (the column
/// references accounts); the audit trail names the key.
#[tokio::test]
async fn a_key_adding_a_member_to_an_enrolled_group_gives_them_the_plan() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["groups:write"]).await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");
        let group = app.post(&groups, &head.token, json!({"name": "Marathoners"})).await;
        let url = format!("{groups}/{}", group.assert_status(201)["group_id"].as_str().unwrap());
        let plan_id = crate::plans::create_plan(&app, &head, &org_id, "Spring Marathon", 2).await;
        let start = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
        let enroll = json!({"plan_id": plan_id, "start_date": start, "enroll_future_members": true});
        app.post(&format!("{url}/plan-assignments"), &head.token, enroll).await.assert_status(200);

        let late = app.athlete(&org_id, None).await;
        let joined = format!("{url}/members/{}", late.user_id);
        app.call(reqwest::Method::PUT, &joined, Some(&key), None).await.assert_status(204);
        let list = format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", late.user_id);
        let data = app.get(&list, &head.token).await.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data.len(), 1, "{data:?}");
        assert_eq!(data[0]["plan_id"], plan_id.as_str());
        assert_eq!(data[0]["assigned_by"], head.user_id.as_str(), "the enrolling account");
        let events = audit_events(&app, &org_id, &head.token).await;
        let assigned =
            events.iter().find(|e| e["action"] == "plan.assigned" && e["subject_user_id"] == late.user_id.as_str());
        assert_eq!(assigned.expect("plan.assigned audited")["actor_user_id"], key_id.as_str());
    }
}

#[tokio::test]
async fn a_members_write_key_adds_an_existing_account_and_the_email_names_the_club() {
    for db in roster_store::testing::TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let app = crate::added::app_with_mail(db, dir.path()).await;
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let athlete = app.signup("athlete").await;
        let members = format!("/api/v1/organizations/{org_id}/members");
        let body = json!({"email": athlete.email});

        names_scope(&app.post(&members, &reader, body.clone()).await, "members:write");
        let elsewhere = format!("/api/v1/organizations/{other_org}/members");
        app.post(&elsewhere, &key, body.clone()).await.assert_problem(404, "not_found");
        // The extras take their own scopes (see the next test).
        let plan = json!({"email": athlete.email, "training_plan": {"plan_id": uuid::Uuid::new_v4()}});
        names_scope(&app.post(&members, &key, plan).await, "plans:write");

        let added = app.post(&members, &key, body).await;
        assert_eq!(added.assert_status(201)["assigned_to_coach_id"], Value::Null, "a key coaches nobody");
        let message = crate::added::mail_to(dir.path(), &athlete.email).await;
        assert!(message.contains("Subject: Riverside Runners added you on roster"), "{message}");
        assert!(message.contains("Riverside Runners added you, through one of its integrations"), "{message}");
        assert!(message.contains("ask the coaches of Riverside Runners to remove you"), "{message}");

        let events = audit_events(&app, &org_id, &head.token).await;
        let event =
            events.iter().find(|e| e["action"] == "member.added" && e["subject_user_id"] == athlete.user_id.as_str());
        assert_eq!(event.expect("member.added audited")["actor_user_id"], key_id.as_str());
    }
}

/// `POST …/members` with a key: `training_plan` takes `plans:write` and
/// `group_id` `groups:write` besides `members:write` (what the plan and group
/// routes take); the assignment names the key, as the audit trail does.
#[tokio::test]
async fn a_key_adds_a_member_with_a_plan_and_a_group_given_their_scopes() {
    use serde_json::Value;
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let (_, adder) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["members:write", "plans:write", "groups:write"]).await;
        let plan_id = crate::plans::create_plan(&app, &head, &org_id, "Base", 2).await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");
        let group = app.post(&groups, &head.token, json!({"name": "Juniors"})).await;
        let group_id = group.assert_status(201)["group_id"].as_str().unwrap().to_owned();
        let members = format!("/api/v1/organizations/{org_id}/members");
        let athlete = app.signup("athlete").await;
        let start = crate::support::days_from_today(1);
        let with_plan = json!({"user_id": athlete.user_id, "training_plan": {"plan_id": plan_id, "start_date": start}});
        let with_group = json!({"user_id": athlete.user_id, "group_id": group_id});

        names_scope(&app.post(&members, &adder, with_plan.clone()).await, "plans:write");
        names_scope(&app.post(&members, &adder, with_group.clone()).await, "groups:write");
        let elsewhere = format!("/api/v1/organizations/{other_org}/members");
        app.post(&elsewhere, &key, with_plan.clone()).await.assert_problem(404, "not_found");
        // A plan of no organization's is refused as for an account, nothing written.
        let unknown = json!({"user_id": athlete.user_id, "training_plan": {"plan_id": uuid::Uuid::new_v4()}});
        let refused = app.post(&members, &key, unknown).await;
        refused.assert_problem(422, "unknown_plan");
        assert_eq!(refused.body["errors"][0]["field"], "training_plan.plan_id", "{}", refused.text);
        let one = format!("{members}/{}", athlete.user_id);
        app.get(&one, &head.token).await.assert_problem(404, "not_found");

        let mut both = with_plan.clone();
        both["group_id"] = json!(group_id);
        let added = app.post(&members, &key, both).await;
        assert_eq!(added.assert_status(201)["group_ids"], json!([group_id]), "{backend:?}: {}", added.text);
        let assignments = format!("{one}/plan-assignments");
        let got = app.get(&assignments, &head.token).await.assert_status(200)["data"].clone();
        assert_eq!(got.as_array().map(Vec::len), Some(1), "{backend:?}: {got}");
        assert_eq!((&got[0]["plan_id"], &got[0]["start_date"]), (&json!(plan_id), &json!(start)));
        assert_eq!((&got[0]["assigned_by"], &got[0]["assigned_by_key_id"]), (&Value::Null, &json!(key_id)));

        let events = audit_events(&app, &org_id, &head.token).await;
        for action in ["member.added", "plan.assigned", "group.member_added"] {
            let event =
                events.iter().find(|e| e["action"] == action && e["subject_user_id"] == athlete.user_id.as_str());
            let event = event.unwrap_or_else(|| panic!("{action} audited"));
            assert_eq!(event["actor_user_id"], key_id.as_str(), "{action}: the audit trail names the key");
        }
    }
}

#[tokio::test]
async fn an_invitations_write_key_invites_resends_and_revokes_and_is_named_as_author() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["invitations:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let invitations = format!("/api/v1/organizations/{org_id}/invitations");
        let email = crate::support::unique_email("invitee");
        let single = json!({"kind": "single_use", "email": email, "first_name": "Jo"});

        names_scope(&app.post(&invitations, &reader, single.clone()).await, "invitations:write");
        names_scope(&app.get(&invitations, &reader).await, "invitations:write");
        let elsewhere = format!("/api/v1/organizations/{other_org}/invitations");
        app.post(&elsewhere, &key, single.clone()).await.assert_problem(404, "not_found");

        let made = app.post(&invitations, &key, single).await.assert_status(201).clone();
        let inv = &made["invitation"];
        assert_eq!((&inv["created_by"], &inv["created_by_key_id"]), (&Value::Null, &json!(key_id)), "{inv}");
        let id = inv["invitation_id"].as_str().unwrap().to_owned();
        let link = app.post(&invitations, &key, json!({"kind": "multi_use", "name": "Open day"})).await;
        assert_eq!(link.assert_status(201)["invitation"]["created_by_key_id"], key_id.as_str());

        // The account's invitations still name the account, not a key.
        let by_head = app.post(&invitations, &head.token, json!({"kind": "multi_use"})).await;
        let by_head = by_head.assert_status(201)["invitation"].clone();
        assert_eq!((&by_head["created_by"], &by_head["created_by_key_id"]), (&json!(head.user_id), &Value::Null));

        let listed = app.get(&invitations, &key).await.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(listed.len(), 3);
        let one = format!("{invitations}/{id}");
        assert_eq!(app.get(&one, &key).await.assert_status(200)["created_by_key_id"], key_id.as_str());
        names_scope(&app.post(&format!("{one}/resend"), &reader, json!({})).await, "invitations:write");
        let resent = app.post(&format!("{one}/resend"), &key, json!({})).await.assert_status(200).clone();

        // Accepting a key's invitation: the athlete joins, assigned to no coach.
        let token = crate::invitations::token_of(&resent);
        let body = json!({"password": crate::support::PASSWORD});
        let joined = crate::invitations::accept_anonymously(&app, &token, body).await;
        assert_eq!(joined.assert_status(201)["member"]["assigned_to_coach_id"], Value::Null, "{}", joined.text);

        let link_id = link.body["invitation"]["invitation_id"].as_str().unwrap().to_owned();
        names_scope(&app.delete(&format!("{invitations}/{link_id}"), &reader).await, "invitations:write");
        app.delete(&format!("{invitations}/{link_id}"), &key).await.assert_status(204);

        let events = audit_events(&app, &org_id, &head.token).await;
        for action in ["invitation.created", "invitation.resent", "invitation.revoked"] {
            let by_key = events.iter().any(|e| e["action"] == action && e["actor_user_id"] == key_id.as_str());
            assert!(by_key, "{action}: the audit trail names the key");
        }
    }
}

#[tokio::test]
async fn a_plans_write_key_changes_archives_and_cancels() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["plans:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let plans = format!("/api/v1/organizations/{org_id}/training-plans");
        let plan_id = crate::plans::create_plan(&app, &head, &org_id, "Base", 2).await;
        let plan = format!("{plans}/{plan_id}");
        let assignments = format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", athlete.user_id);
        let start = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
        let made = app.post(&assignments, &head.token, json!({"plan_id": plan_id, "start_date": start})).await;
        let assignment_id = made.assert_status(201)["assignment_id"].as_str().unwrap().to_owned();

        // Reads take members:read.
        assert_eq!(app.get(&plans, &reader).await.assert_status(200)["data"][0]["plan_id"], plan_id.as_str());
        app.get(&plan, &reader).await.assert_status(200);
        app.get(&assignments, &reader).await.assert_status(200);
        names_scope(&app.get(&plans, &key).await, "members:read");

        names_scope(&app.patch(&plan, &reader, json!({"name": "Base II"})).await, "plans:write");
        assert_eq!(app.patch(&plan, &key, json!({"name": "Base II"})).await.assert_status(200)["name"], "Base II");
        let cancel = format!("{assignments}/{assignment_id}");
        names_scope(&app.delete(&cancel, &reader).await, "plans:write");
        app.delete(&cancel, &key).await.assert_status(204);
        names_scope(&app.delete(&plan, &reader).await, "plans:write");
        app.delete(&plan, &key).await.assert_status(204);
        let elsewhere = format!("/api/v1/organizations/{other_org}/training-plans");
        app.get(&elsewhere, &reader).await.assert_problem(404, "not_found");
        app.delete(&format!("{elsewhere}/{plan_id}"), &key).await.assert_problem(404, "not_found");

        let events = audit_events(&app, &org_id, &head.token).await;
        for action in ["plan.updated", "plan.cancelled", "plan.archived"] {
            let by_key = events.iter().any(|e| e["action"] == action && e["actor_user_id"] == key_id.as_str());
            assert!(by_key, "{action}: the audit trail names the key");
        }
    }
}

#[tokio::test]
async fn a_plans_write_key_moves_and_excuses_workouts_and_is_named_as_excuser() {
    use crate::calendar::workout;
    use crate::support::{days_from_today, plan_from};
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (_, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["plans:write"]).await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let start = days_from_today(-7);
        plan_from(&app, &head, &org_id, &athlete, start).await;
        let member = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        let calendar = format!("{member}/calendar?from={start}");

        let cal = app.get(&calendar, &reader).await.assert_status(200).clone();
        names_scope(&app.get(&calendar, &key).await, "members:read");
        let long = workout(&cal, "Long")["workout_id"].as_str().unwrap().to_owned();
        let tempo = workout(&cal, "Tempo")["workout_id"].as_str().unwrap().to_owned();
        let excuse = format!("{member}/planned-workouts/{long}/excuse");
        names_scope(&app.post(&excuse, &reader, json!({"reason": "Sick"})).await, "plans:write");
        let excused = app.post(&excuse, &key, json!({"reason": "Sick"})).await;
        let by = &excused.assert_status(200)["excuse"];
        assert_eq!((&by["excused_by"], &by["excused_by_key_id"]), (&Value::Null, &json!(key_id)), "{by}");
        // Read back from the store, it still names the key.
        let again = app.get(&calendar, &reader).await.assert_status(200).clone();
        assert_eq!(workout(&again, "Long")["excuse"]["excused_by_key_id"], key_id.as_str());

        let moved = format!("{member}/planned-workouts/{tempo}/move");
        let to = days_from_today(3);
        assert_eq!(app.post(&moved, &key, json!({"date": to})).await.assert_status(200)["date"], to.to_string());
        let elsewhere = format!("/api/v1/organizations/{other_org}/members/{}/calendar", athlete.user_id);
        app.get(&elsewhere, &reader).await.assert_problem(404, "not_found");

        // An account's excuse still names the account.
        let easy = workout(&cal, "Easy 5k")["workout_id"].as_str().unwrap().to_owned();
        let excuse_easy = format!("{member}/planned-workouts/{easy}/excuse");
        let by_head = app.post(&excuse_easy, &head.token, json!({"reason": "Ill"})).await;
        let by_head = by_head.assert_status(200)["excuse"].clone();
        assert_eq!((&by_head["excused_by"], &by_head["excused_by_key_id"]), (&json!(head.user_id), &Value::Null));

        let events = audit_events(&app, &org_id, &head.token).await;
        for action in ["workout.excused", "workout.moved"] {
            let by_key = events.iter().any(|e| e["action"] == action && e["actor_user_id"] == key_id.as_str());
            assert!(by_key, "{action}: the audit trail names the key");
        }
    }
}
