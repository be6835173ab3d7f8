//! The features joined up, over HTTP on both backends: the roster's groups,
//! profile status and attention order; invitations and additions that name a
//! group and a plan; removal; the audit trail of the new actions.

use crate::invitations::{accept_anonymously, invite, token_of};
use crate::plans::create_plan;
use crate::support::{PASSWORD, Session, TestApp, apps, unique_email};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::HashSet;

pub(crate) fn org_path(org_id: &str, rest: &str) -> String {
    format!("/api/v1/organizations/{org_id}/{rest}")
}

/// Creates a group and returns its id.
pub async fn create_group(app: &TestApp, head: &Session, org_id: &str, name: &str) -> String {
    let res = app.post(&org_path(org_id, "groups"), &head.token, json!({"name": name})).await;
    res.assert_status(201)["group_id"].as_str().unwrap().to_owned()
}

/// A new account added as an athlete through the API with `extra` in the body.
pub(crate) async fn add(app: &TestApp, head: &Session, org_id: &str, first_name: &str, extra: Value) -> Session {
    let athlete = app.signup(first_name).await;
    let mut body = json!({"user_id": athlete.user_id});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    app.post(&org_path(org_id, "members"), &head.token, body).await.assert_status(201);
    athlete
}

pub(crate) fn ago(d: Duration) -> String {
    (Utc::now() - d).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn actions_for(app: &TestApp, head: &Session, org_id: &str, action: &str, subject: &str) -> Vec<Value> {
    let path = org_path(org_id, &format!("audit-events?action={action}&subject_user_id={subject}"));
    app.get(&path, &head.token).await.assert_status(200)["data"].as_array().unwrap().clone()
}

pub(crate) fn ids(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn group_filter_and_group_ids_in_every_member_response() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let group = create_group(&app, &head, &org_id, "Trail squad").await;
        let inside = add(&app, &head, &org_id, "ina", json!({"group_id": group})).await;
        let outside = add(&app, &head, &org_id, "otto", json!({})).await;
        // The foundation path (`add_membership`) also gets search and sort keys.
        let direct = app.athlete(&org_id, None).await;

        let res = app.get(&org_path(&org_id, &format!("members?group_id={group}")), &head.token).await;
        let body = res.assert_status(200);
        assert_eq!(ids(body), vec![inside.user_id.clone()], "{:?}", app.backend);
        assert_eq!(body["total"], 1);
        assert_eq!(body["data"][0]["group_ids"], json!([group]));

        let all = app.get(&org_path(&org_id, "members"), &head.token).await;
        let all = all.assert_status(200);
        for m in all["data"].as_array().unwrap() {
            let expected = if m["user_id"] == inside.user_id.as_str() { json!([group]) } else { json!([]) };
            assert_eq!(m["group_ids"], expected);
        }
        let one = app.get(&org_path(&org_id, &format!("members/{}", inside.user_id)), &head.token).await;
        assert_eq!(one.assert_status(200)["group_ids"], json!([group]));
        let own = app.get(&org_path(&org_id, &format!("members/{}", inside.user_id)), &inside.token).await;
        assert_eq!(own.assert_status(200)["group_ids"], json!([group]));
        let patched =
            app.patch(&org_path(&org_id, &format!("members/{}", inside.user_id)), &head.token, json!({})).await;
        assert_eq!(patched.assert_status(200)["group_ids"], json!([group]));
        let other = app.get(&org_path(&org_id, &format!("members/{}", outside.user_id)), &head.token).await;
        assert_eq!(other.assert_status(200)["group_ids"], json!([]));

        let found = app.get(&org_path(&org_id, &format!("members?q={}", &direct.email[..12])), &head.token).await;
        assert_eq!(ids(found.assert_status(200)), vec![direct.user_id.clone()], "search keys of add_membership");

        // A group of another organization matches nobody here (200, empty): no existence oracle.
        let (other_head, other_org) = app.head_coach().await;
        let foreign = create_group(&app, &other_head, &other_org, "Elsewhere").await;
        let res = app.get(&org_path(&org_id, &format!("members?group_id={foreign}")), &head.token).await;
        assert_eq!(res.assert_status(200)["total"], 0);
        assert_eq!(res.body["data"], json!([]));
        app.get(&org_path(&org_id, "members?group_id=nope"), &head.token)
            .await
            .assert_problem(400, "invalid_parameter");
    }
}

#[tokio::test]
async fn invitations_check_their_group_and_plan_when_made() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let (other_head, other_org) = app.head_coach().await;
        let foreign_group = create_group(&app, &other_head, &other_org, "Theirs").await;
        let foreign_plan = create_plan(&app, &other_head, &other_org, "Theirs", 2).await;
        let archived = create_plan(&app, &head, &org_id, "Old", 2).await;
        app.delete(&org_path(&org_id, &format!("training-plans/{archived}")), &head.token).await.assert_status(204);
        let plan = create_plan(&app, &head, &org_id, "Fresh", 2).await;
        let path = org_path(&org_id, "invitations");
        let cases = [
            (json!({"group_id": foreign_group}), "unknown_group", "group_id"),
            (json!({"training_plan": {"plan_id": foreign_plan}}), "unknown_plan", "training_plan.plan_id"),
            (json!({"training_plan": {"plan_id": archived}}), "plan_archived", "training_plan.plan_id"),
            (
                json!({"training_plan": {"plan_id": plan, "start_date": "2000-01-03"}}),
                "start_date_in_past",
                "training_plan.start_date",
            ),
        ];
        for (extra, code, field) in cases {
            for kind in ["single_use", "multi_use"] {
                let mut body = if kind == "single_use" {
                    json!({"kind": kind, "email": unique_email("inv"), "first_name": "Jo"})
                } else {
                    json!({"kind": kind})
                };
                body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
                let res = app.post(&path, &head.token, body).await;
                res.assert_problem(422, code);
                assert_eq!(res.body["errors"][0]["field"], field, "{code} {kind} {:?}", app.backend);
            }
        }
        let list = app.get(&path, &head.token).await;
        assert_eq!(list.assert_status(200)["data"], json!([]), "nothing was written");
    }
}

#[tokio::test]
async fn accepting_invitations_joins_the_group_and_starts_the_plan_leniently() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let group = create_group(&app, &head, &org_id, "Newcomers").await;
        let plan = create_plan(&app, &head, &org_id, "Intro", 4).await;
        let short = create_plan(&app, &head, &org_id, "Short", 2).await;

        // Single use, with a start date.
        let email = unique_email("single");
        let issued = invite(
            &app,
            &head,
            &org_id,
            json!({"kind": "single_use", "email": email, "first_name": "Quinn", "group_id": group,
                "training_plan": {"plan_id": plan, "start_date": "2099-02-02"}}),
        )
        .await;
        let res =
            accept_anonymously(&app, &token_of(&issued), json!({"password": PASSWORD, "last_name": "Quuxley"})).await;
        let body = res.assert_status(201).clone();
        let single_id = body["member"]["user_id"].as_str().unwrap().to_owned();
        assert_eq!(body["member"]["group_ids"], json!([group]), "{:?}", app.backend);
        assert!(body["member"].get("private_notes").is_none());
        assert_eq!(body["member"]["labels"], json!([]));
        let assigned = app.get(&org_path(&org_id, &format!("members/{single_id}/plan-assignments")), &head.token).await;
        let assigned = assigned.assert_status(200).clone();
        let list = assigned.as_array().or_else(|| assigned["data"].as_array()).unwrap().clone();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0]["plan_id"].as_str(), list[0]["start_date"].as_str()),
            (Some(plan.as_str()), Some("2099-02-02"))
        );

        // Multi use, no start date: starts on the acceptance date.
        let link = invite(
            &app,
            &head,
            &org_id,
            json!({"kind": "multi_use", "group_id": group,
            "training_plan": {"plan_id": short}}),
        )
        .await;
        let token = token_of(&link);
        let first = accept_anonymously(
            &app,
            &token,
            json!({"email": unique_email("multi"), "password": PASSWORD, "first_name": "Abel", "last_name": "Aardvark"}),
        )
        .await;
        let first_id = first.assert_status(201)["member"]["user_id"].as_str().unwrap().to_owned();
        assert_eq!(first.body["member"]["group_ids"], json!([group]));
        let assigned = app.get(&org_path(&org_id, &format!("members/{first_id}/plan-assignments")), &head.token).await;
        let assigned = assigned.assert_status(200).clone();
        let list = assigned.as_array().or_else(|| assigned["data"].as_array()).unwrap().clone();
        assert_eq!(
            (list.len(), list[0]["status"].as_str(), list[0]["current_week"].as_i64()),
            (1, Some("active"), Some(1))
        );

        // Archived after the link was made: the accept still works, the plan is skipped and audited.
        app.delete(&org_path(&org_id, &format!("training-plans/{short}")), &head.token).await.assert_status(204);
        let second = accept_anonymously(
            &app,
            &token,
            json!({"email": unique_email("late"), "password": PASSWORD, "first_name": "Mia", "last_name": "Middleton"}),
        )
        .await;
        let second_id = second.assert_status(201)["member"]["user_id"].as_str().unwrap().to_owned();
        assert_eq!(second.body["member"]["group_ids"], json!([group]));
        let assigned = app.get(&org_path(&org_id, &format!("members/{second_id}/plan-assignments")), &head.token).await;
        let assigned = assigned.assert_status(200).clone();
        assert_eq!(assigned.as_array().or_else(|| assigned["data"].as_array()).unwrap().len(), 0);
        let skipped = actions_for(&app, &head, &org_id, "member.join_extra_skipped", &second_id).await;
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0]["changes"]["code"], "plan_archived");

        // Accepted athletes have search and sort keys: found by `q`, ordered by name.
        let found = app.get(&org_path(&org_id, "members?q=quuxley"), &head.token).await;
        assert_eq!(ids(found.assert_status(200)), vec![single_id.clone()]);
        let roster = app.get(&org_path(&org_id, "members"), &head.token).await;
        assert_eq!(ids(roster.assert_status(200)), vec![first_id, second_id, single_id], "Abel, Mia, Quinn");
    }
}

#[tokio::test]
async fn adding_with_group_and_plan_is_one_transaction_and_removal_ends_both() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let group = create_group(&app, &head, &org_id, "Road").await;
        let plan = create_plan(&app, &head, &org_id, "Road plan", 3).await;
        let upcoming = create_plan(&app, &head, &org_id, "Next", 2).await;
        let archived = create_plan(&app, &head, &org_id, "Gone", 2).await;
        app.delete(&org_path(&org_id, &format!("training-plans/{archived}")), &head.token).await.assert_status(204);

        let athlete = app.signup("ada").await;
        let res = app
            .post(
                &org_path(&org_id, "members"),
                &head.token,
                json!({"user_id": athlete.user_id, "group_id": group, "training_plan": {"plan_id": plan}}),
            )
            .await;
        assert_eq!(res.assert_status(201)["group_ids"], json!([group]), "{:?}", app.backend);
        let assignments = org_path(&org_id, &format!("members/{}/plan-assignments", athlete.user_id));
        app.post(&assignments, &head.token, json!({"plan_id": upcoming, "start_date": "2099-03-02"}))
            .await
            .assert_status(201);

        // A bad plan refuses the whole add: no membership, no group membership.
        let refused = app.signup("bob").await;
        let res = app
            .post(
                &org_path(&org_id, "members"),
                &head.token,
                json!({"user_id": refused.user_id, "group_id": group, "training_plan": {"plan_id": archived}}),
            )
            .await;
        res.assert_problem(422, "plan_archived");
        app.get(&org_path(&org_id, &format!("members/{}", refused.user_id)), &head.token).await.assert_status(404);
        let g = app.get(&org_path(&org_id, &format!("groups/{group}")), &head.token).await;
        assert_eq!(g.assert_status(200)["member_count"], 1);
        let roster = app.get(&org_path(&org_id, "members"), &head.token).await;
        assert_eq!(roster.assert_status(200)["total"], 1);

        // Removal cancels the current and the upcoming plan and ends the group membership.
        app.delete(&org_path(&org_id, &format!("members/{}", athlete.user_id)), &head.token).await.assert_status(204);
        let g = app.get(&org_path(&org_id, &format!("groups/{group}")), &head.token).await;
        assert_eq!(g.assert_status(200)["member_count"], 0);
        let cancelled = actions_for(&app, &head, &org_id, "plan.cancelled", &athlete.user_id).await;
        assert_eq!(cancelled.len(), 2);
        let left = actions_for(&app, &head, &org_id, "group.member_removed", &athlete.user_id).await;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["changes"]["group_id"], group.as_str());
        let ids: HashSet<String> = actions_for(&app, &head, &org_id, "plan.assigned", &athlete.user_id)
            .await
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids, HashSet::from(["plan.assigned".to_owned()]), "the action filter returns only that action");
    }
}

#[tokio::test]
async fn audit_events_filter_the_new_actions_and_never_show_note_text() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let group = create_group(&app, &head, &org_id, "Track").await;
        let athlete =
            add(&app, &head, &org_id, "nora", json!({"group_id": group, "private_notes": "old secret"})).await;
        let path = org_path(&org_id, &format!("members/{}", athlete.user_id));
        app.patch(&path, &head.token, json!({"private_notes": "sore left knee", "member_level": "elite"}))
            .await
            .assert_status(200);
        for action in ["member.added", "member.updated", "group.member_added"] {
            let res = app.get(&org_path(&org_id, &format!("audit-events?action={action}")), &head.token).await;
            let data = res.assert_status(200)["data"].as_array().unwrap().clone();
            assert_eq!(data.len(), 1, "{action} {:?}", app.backend);
            assert_eq!(data[0]["action"], action);
            assert_eq!(data[0]["subject_user_id"], athlete.user_id.as_str());
            assert!(!res.text.contains("secret") && !res.text.contains("knee"), "no note text in {action}");
        }
        let updated = actions_for(&app, &head, &org_id, "member.updated", &athlete.user_id).await;
        assert_eq!(updated[0]["changes"]["member_level"], json!({"old": null, "new": "elite"}));
        assert!(updated[0]["changes"].get("private_notes").is_some(), "the change is recorded, not its text");
    }
}

#[tokio::test]
async fn attention_thresholds_come_from_the_settings() {
    for db in roster_store::testing::TestDb::all() {
        let app = crate::support::spawn_with(db, |s| s.attention.injury_watch_label = "@hurt".into()).await;
        let (head, org_id) = app.head_coach().await;
        let hurt = add(&app, &head, &org_id, "hal", json!({"labels": ["@hurt"]})).await;
        let watched = add(&app, &head, &org_id, "wes", json!({"labels": ["@injury-watch"]})).await;
        let res = app.get(&org_path(&org_id, "members?include_profile_status=true"), &head.token).await;
        let body = res.assert_status(200);
        let count = |who: &Session| {
            body["data"].as_array().unwrap().iter().find(|m| m["user_id"] == who.user_id.as_str()).unwrap()
                ["profile_status"]["attention"]["count"]
                .as_i64()
        };
        // Both: never active, no integration, no plan, no zones; only the configured label adds one.
        assert_eq!((count(&hurt), count(&watched)), (Some(5), Some(4)), "{:?}", app.backend);
    }
}
