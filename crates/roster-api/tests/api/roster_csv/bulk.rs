use super::{group, member};
use crate::plans::create_plan;
use crate::support::{Resp, Session, TestApp, apps};
use roster_domain::UserId;
use serde_json::{Value, json};

async fn bulk(app: &TestApp, org_id: &str, who: &Session, body: Value) -> Resp {
    app.post(&format!("/api/v1/organizations/{org_id}/members/bulk"), &who.token, body).await
}

fn results(res: &Resp) -> Vec<(String, String, Option<String>)> {
    crate::groups::results(res.assert_status(200))
}

fn done(who: &Session) -> (String, String, Option<String>) {
    (who.user_id.clone(), "done".into(), None)
}

fn skipped(who: &Session, code: &str) -> (String, String, Option<String>) {
    (who.user_id.clone(), "skipped".into(), Some(code.into()))
}

#[tokio::test]
async fn every_bulk_action_changes_each_member_with_its_own_event() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let a = app.athlete(&org_id, None).await;
        let b = app.athlete(&org_id, None).await;
        let ids = json!([a.user_id, b.user_id]);
        let run = |action: &str, params: Value| json!({"user_ids": ids, "action": action, "params": params});

        let res = bulk(&app, &org_id, &head, run("add_labels", json!({"labels": ["@marathon", "@Track"]}))).await;
        assert_eq!(results(&res), [done(&a), done(&b)], "{:?}", app.backend);
        assert_eq!(member(&app, &org_id, &head.token, &a).await["labels"], json!(["@marathon", "@track"]));
        let res = bulk(&app, &org_id, &head, run("add_labels", json!({"labels": ["@marathon"]}))).await;
        assert_eq!(results(&res), [skipped(&a, "unchanged"), skipped(&b, "unchanged")]);
        let res = bulk(&app, &org_id, &head, run("remove_labels", json!({"labels": ["@track"]}))).await;
        assert_eq!(results(&res), [done(&a), done(&b)]);
        assert_eq!(member(&app, &org_id, &head.token, &b).await["labels"], json!(["@marathon"]));

        bulk(&app, &org_id, &head, run("set_status", json!({"status": "inactive"}))).await.assert_status(200);
        bulk(&app, &org_id, &head, run("set_member_level", json!({"member_level": "elite"}))).await.assert_status(200);
        let view = member(&app, &org_id, &head.token, &a).await;
        assert_eq!((view["status"].as_str(), view["member_level"].as_str()), (Some("inactive"), Some("elite")));
        bulk(&app, &org_id, &head, run("set_member_level", json!({"member_level": null}))).await.assert_status(200);
        assert!(member(&app, &org_id, &head.token, &a).await["member_level"].is_null());

        let res = bulk(&app, &org_id, &head, run("assign_coach", json!({"coach_id": coach.user_id}))).await;
        assert_eq!(results(&res), [done(&a), done(&b)]);
        assert_eq!(member(&app, &org_id, &head.token, &b).await["assigned_to_coach_id"], coach.user_id.as_str());

        let squad = group(&app, &head, &org_id, "Squad").await;
        let res = bulk(&app, &org_id, &head, run("add_to_group", json!({"group_id": squad}))).await;
        assert_eq!(results(&res), [done(&a), done(&b)]);
        assert_eq!(member(&app, &org_id, &head.token, &a).await["group_ids"], json!([squad]));
        let res = bulk(&app, &org_id, &head, run("remove_from_group", json!({"group_id": squad}))).await;
        assert_eq!(results(&res), [done(&a), done(&b)]);
        let res = bulk(&app, &org_id, &head, run("remove_from_group", json!({"group_id": squad}))).await;
        assert_eq!(results(&res), [skipped(&a, "unchanged"), skipped(&b, "unchanged")]);

        let plan = create_plan(&app, &head, &org_id, "Base", 4).await;
        let start = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
        let params = json!({"plan_id": plan, "start_date": start});
        let res = bulk(&app, &org_id, &head, run("assign_plan", params.clone())).await;
        assert_eq!(results(&res), [done(&a), done(&b)]);
        let res = bulk(&app, &org_id, &head, run("assign_plan", params)).await;
        let codes: Vec<_> = results(&res).into_iter().map(|(_, outcome, code)| (outcome, code)).collect();
        assert_eq!(codes[0], ("error".to_owned(), Some("plan_assignment_overlap".to_owned())));

        // Each member has its own audit event.
        let audit = app.get(&format!("/api/v1/organizations/{org_id}/audit-events?limit=100"), &head.token).await;
        let events = audit.assert_status(200)["data"].as_array().unwrap().clone();
        let count = |action: &str| events.iter().filter(|e| e["action"] == action).count();
        assert_eq!((count("coach.assigned"), count("plan.assigned"), count("group.member_added")), (2, 2, 2));

        let res = bulk(&app, &org_id, &head, run("remove", json!({}))).await;
        assert_eq!(results(&res), [done(&a), done(&b)]);
        let res = bulk(&app, &org_id, &head, run("remove", json!({}))).await;
        let codes: Vec<_> = results(&res).into_iter().map(|(_, outcome, code)| (outcome, code)).collect();
        assert_eq!(codes[1], ("error".to_owned(), Some("not_found".to_owned())));
    }
}

#[tokio::test]
async fn a_filter_names_the_roster_list_s_matches_and_a_dry_run_counts_them() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let a = app.athlete(&org_id, None).await;
        let b = app.athlete(&org_id, None).await;
        let _c = app.athlete(&org_id, None).await;
        let ids = json!([a.user_id, b.user_id]);
        let label = json!({"user_ids": ids, "action": "add_labels", "params": {"labels": ["@spring"]}});
        bulk(&app, &org_id, &head, label).await.assert_status(200);

        let by_label = json!({"filter": {"label": ["@spring"]}, "action": "set_status",
                              "params": {"status": "suspended"}, "dry_run": true});
        let res = bulk(&app, &org_id, &head, by_label.clone()).await;
        assert_eq!(res.assert_status(200)["count"], 2, "{:?}", app.backend);
        assert_eq!(res.body["results"], json!([]));
        assert_eq!(member(&app, &org_id, &head.token, &a).await["status"], "active");
        let mut real = by_label;
        real["dry_run"] = json!(false);
        let res = bulk(&app, &org_id, &head, real).await;
        assert_eq!(res.assert_status(200)["count"], 2);
        assert_eq!(member(&app, &org_id, &head.token, &b).await["status"], "suspended");

        let bad = json!({"filter": {"label": ["spring"]}, "action": "remove"});
        bulk(&app, &org_id, &head, bad).await.assert_problem(400, "invalid_parameter");
        let unknown = json!({"filter": {"colour": "red"}, "action": "remove"});
        bulk(&app, &org_id, &head, unknown).await.assert_problem(400, "unknown_field");
    }
}

#[tokio::test]
async fn bulk_refusals() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let mine = app.athlete(&org_id, Some(&coach)).await;
        let theirs = app.athlete(&org_id, None).await;
        let ids = json!([mine.user_id, theirs.user_id]);

        // An assistant coach's request skips athletes not assigned to them; coaches are not athletes.
        let label = json!({"user_ids": ids, "action": "add_labels", "params": {"labels": ["@x"]}});
        let res = bulk(&app, &org_id, &coach, label.clone()).await;
        assert_eq!(results(&res), [done(&mine), skipped(&theirs, "not_assigned_to_you")], "{:?}", app.backend);
        assert_eq!(member(&app, &org_id, &head.token, &theirs).await["labels"], json!([]));
        // A refused member leaves no trace; the members beside it keep their change.
        let nobody = UserId::new().to_string();
        let mixed = json!({"user_ids": [mine.user_id, nobody, theirs.user_id], "action": "add_labels",
                           "params": {"labels": ["@y"]}});
        let res = bulk(&app, &org_id, &head, mixed).await;
        let nobody_failed = (nobody.clone(), "error".to_owned(), Some("not_found".to_owned()));
        assert_eq!(results(&res), [done(&mine), nobody_failed, done(&theirs)], "{:?}", app.backend);
        assert_eq!(member(&app, &org_id, &head.token, &theirs).await["labels"], json!(["@y"]));
        let on_coach = json!({"user_ids": [coach.user_id], "action": "remove"});
        assert_eq!(results(&bulk(&app, &org_id, &head, on_coach).await), [skipped(&coach, "not_an_athlete")]);
        let assign = json!({"user_ids": ids, "action": "assign_coach", "params": {"coach_id": null}});
        bulk(&app, &org_id, &coach, assign).await.assert_problem(403, "forbidden");
        let to_athlete =
            json!({"user_ids": [mine.user_id], "action": "assign_coach", "params": {"coach_id": theirs.user_id}});
        let res = bulk(&app, &org_id, &head, to_athlete).await;
        assert_eq!(results(&res)[0].2.as_deref(), Some("not_a_coach"));

        // Callers: athletes and strangers.
        bulk(&app, &org_id, &mine, label.clone()).await.assert_problem(403, "forbidden");
        let stranger = app.signup("stranger").await;
        bulk(&app, &org_id, &stranger, label).await.assert_problem(404, "not_found");

        // Bodies.
        let many: Vec<String> = (0..501).map(|_| UserId::new().to_string()).collect();
        let res = bulk(&app, &org_id, &head, json!({"user_ids": many, "action": "remove"})).await;
        res.assert_problem(422, "too_many_members");
        let both = json!({"user_ids": ids, "filter": {}, "action": "remove"});
        bulk(&app, &org_id, &head, both).await.assert_problem(400, "invalid_target");
        bulk(&app, &org_id, &head, json!({"action": "remove"})).await.assert_problem(400, "invalid_target");
        let unknown = json!({"user_ids": ids, "action": "promote"});
        bulk(&app, &org_id, &head, unknown).await.assert_problem(400, "invalid_action");
        for action in ["add_labels", "set_status", "set_member_level", "assign_coach", "add_to_group", "assign_plan"] {
            let body = json!({"user_ids": ids, "action": action});
            bulk(&app, &org_id, &head, body).await.assert_problem(400, "missing_field");
        }
        let bad_label = json!({"user_ids": ids, "action": "add_labels", "params": {"labels": ["x"]}});
        bulk(&app, &org_id, &head, bad_label).await.assert_problem(422, "invalid_label");
        let bad_status = json!({"user_ids": ids, "action": "set_status", "params": {"status": "gone"}});
        bulk(&app, &org_id, &head, bad_status).await.assert_problem(400, "invalid_value");
        let extra = json!({"user_ids": ids, "action": "remove", "params": {"color": "red"}});
        bulk(&app, &org_id, &head, extra).await.assert_problem(400, "unknown_field");
        let nobody = json!({"user_ids": [UserId::new()], "action": "remove"});
        assert_eq!(results(&bulk(&app, &org_id, &head, nobody).await)[0].2.as_deref(), Some("not_found"));
        let past = json!({"user_ids": [mine.user_id], "action": "assign_plan",
                          "params": {"plan_id": UserId::new(), "start_date": "2020-01-01"}});
        assert_eq!(results(&bulk(&app, &org_id, &head, past).await)[0].2.as_deref(), Some("unknown_plan"));
    }
}
