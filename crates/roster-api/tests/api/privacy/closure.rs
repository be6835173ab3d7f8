//! `DELETE /organizations/{org_id}`: closing a club, and the retention sweep.

use crate::plans::create_plan;
use crate::support::{Session, TestApp, apps, spawn_with};
use reqwest::Method;
use roster_store::testing::TestDb;
use serde_json::{Value, json};
use std::time::Duration;

async fn close(app: &TestApp, token: &str, org_id: &str, body: Value) -> crate::support::Resp {
    app.call(Method::DELETE, &format!("/api/v1/organizations/{org_id}"), Some(token), Some(body)).await
}

async fn export_events(app: &TestApp, who: &Session) -> Vec<Value> {
    let res = app.client.get(format!("{}/api/v1/me/export", app.base)).bearer_auth(&who.token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_ref())).unwrap();
    let file = archive.by_name("audit_events/0001.json").unwrap();
    serde_json::from_reader::<_, Vec<Value>>(file).unwrap()
}

#[tokio::test]
async fn the_head_coach_closes_a_club_and_every_member_is_told() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, Some(&coach)).await;
        let groups = format!("/api/v1/organizations/{org_id}/groups");
        app.post(&groups, &head.token, json!({"name": "Track"})).await.assert_status(201);
        let plan_id = create_plan(&app, &head, &org_id, "Base", 4).await;
        let today = chrono::Utc::now().date_naive();
        let assignments = format!("/api/v1/organizations/{org_id}/members/{}/plan-assignments", athlete.user_id);
        app.post(&assignments, &head.token, json!({"plan_id": plan_id, "start_date": today})).await.assert_status(201);
        let invite = json!({"kind": "single_use", "email": "newcomer@example.com", "first_name": "Neo"});
        let invitation = app.post(&format!("/api/v1/organizations/{org_id}/invitations"), &head.token, invite).await;
        let token = crate::invitations::token_of(invitation.assert_status(201));
        let invitation = invitation.body["invitation"]["invitation_id"].as_str().unwrap().to_owned();

        close(&app, &coach.token, &org_id, json!({"confirm_name": "Riverside Runners"}))
            .await
            .assert_problem(403, "forbidden");
        close(&app, &head.token, &org_id, json!({"confirm_name": "riverside runners"}))
            .await
            .assert_problem(409, "confirm_name_mismatch");
        close(&app, &athlete.token, &OrgIdless::other(), json!({"confirm_name": "x"}))
            .await
            .assert_problem(404, "not_found");
        close(&app, &head.token, &org_id, json!({})).await.assert_problem(400, "missing_field");
        close(&app, &head.token, &org_id, json!({"confirm_name": "Riverside Runners"})).await.assert_status(204);

        // Nobody belongs any more; the accounts stay.
        for who in [&head, &coach, &athlete] {
            app.get(&format!("/api/v1/organizations/{org_id}"), &who.token).await.assert_problem(404, "not_found");
            app.get("/api/v1/auth/me", &who.token).await.assert_status(200);
            // The closure is in each account's own trail.
            let events = export_events(&app, who).await;
            assert!(events.iter().any(|e| e["action"] == "organization.closed" && e["subject"] == "you"), "{events:?}");
        }
        // Every member is e-mailed; the revoked invitation's e-mail is not sent.
        let mails = app.store.outbox_records().unwrap();
        for who in [&head, &coach, &athlete] {
            assert!(
                mails.iter().any(|m| m.message.to == who.email && m.message.subject.contains("closed")),
                "{}",
                who.email
            );
        }
        assert!(!mails.iter().any(|m| m.message.to == "newcomer@example.com" && m.sent_at.is_none()));
        // Its link now leads nowhere.
        let preview = app.client.get(format!("{}/api/v1/invitations/{token}", app.base)).send().await.unwrap();
        crate::support::TestApp::read(preview).await.assert_problem(404, "invitation_not_found");
        // Groups, plans and assignments are gone; the invitation is revoked.
        let mut conn = app.store.conn().unwrap();
        use diesel::prelude::*;
        use roster_store::schema::{invitations, org_groups, plan_assignments, training_plans};
        let n = |c: i64| c;
        assert_eq!(
            n(org_groups::table.filter(org_groups::org_id.eq(&org_id)).count().get_result(&mut *conn).unwrap()),
            0
        );
        assert_eq!(
            n(training_plans::table.filter(training_plans::org_id.eq(&org_id)).count().get_result(&mut *conn).unwrap()),
            0
        );
        assert_eq!(
            n(plan_assignments::table
                .filter(plan_assignments::org_id.eq(&org_id))
                .count()
                .get_result(&mut *conn)
                .unwrap()),
            0
        );
        let status: String =
            invitations::table.find(&invitation).select(invitations::status).first(&mut *conn).unwrap();
        assert_eq!(status, "revoked");
        drop(conn);
        // The head coach heads nothing now: a new club is possible.
        app.post("/api/v1/organizations", &head.token, json!({"name": "Second Club"})).await.assert_status(201);
    }
}

/// An organization id nobody belongs to.
struct OrgIdless;
impl OrgIdless {
    fn other() -> String {
        roster_domain::OrgId::new().to_string()
    }
}

#[tokio::test]
async fn the_retention_worker_erases_what_removed_members_leave_behind() {
    for db in TestDb::all() {
        let app = spawn_with(db, |s| {
            s.retention.removed_member_days = Some(0);
            s.retention.sweep_interval_s = 1;
        })
        .await;
        let (head, org_id) = app.head_coach().await;
        let athlete = app.signup("leaver").await;
        let members = format!("/api/v1/organizations/{org_id}/members");
        let body = json!({"user_id": athlete.user_id, "display_name": "Zed Leaver", "member_level": "gold",
            "private_notes": "private words", "labels": ["@gone"]});
        app.post(&members, &head.token, body).await.assert_status(201);
        app.delete(&format!("{members}/{}", athlete.user_id), &head.token).await.assert_status(204);
        let traces: Vec<String> = ["zed leaver", "gold", "private words", "@gone"].map(String::from).to_vec();
        let mut left = Vec::new();
        for _ in 0..100 {
            left = super::scan::places(&app, &traces)
                .into_iter()
                .filter(|p| p.starts_with("memberships.") || p.starts_with("member_labels."))
                .collect();
            if left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(left.is_empty(), "{left:?}");
    }
}

#[tokio::test]
async fn closing_a_club_revokes_its_api_keys() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let scopes = ["members:read", "groups:write", "invitations:write", "audit:read"];
        let (key_id, key) = crate::api_keys::create_key(&app, &head, &org_id, &scopes).await;
        let members = format!("/api/v1/organizations/{org_id}/members");
        app.get(&members, &key).await.assert_status(200);
        close(&app, &head.token, &org_id, json!({"confirm_name": "Riverside Runners"})).await.assert_status(204);

        app.get(&members, &key).await.assert_problem(401, "unauthenticated");
        app.get(&format!("/api/v1/organizations/{org_id}/audit-events"), &key)
            .await
            .assert_problem(401, "unauthenticated");
        let group = json!({"name": "After"});
        app.post(&format!("/api/v1/organizations/{org_id}/groups"), &key, group)
            .await
            .assert_problem(401, "unauthenticated");
        let link = json!({"kind": "multi_use", "name": "After"});
        app.post(&format!("/api/v1/organizations/{org_id}/invitations"), &key, link)
            .await
            .assert_problem(401, "unauthenticated");
        use diesel::prelude::*;
        use roster_store::schema::api_keys;
        let revoked: Option<chrono::NaiveDateTime> =
            api_keys::table.find(&key_id).select(api_keys::revoked_at).first(&mut *app.store.conn().unwrap()).unwrap();
        assert!(revoked.is_some(), "{:?}", app.backend);
    }
}
