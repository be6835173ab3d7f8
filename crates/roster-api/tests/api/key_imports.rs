//! API keys on the CSV import and its result: `members:write`, and for a
//! file that names a group `groups:write`, for one that invites
//! `invitations:write` too, else the whole import is `403
//! insufficient_scope` naming it and nothing is written. Another
//! organization's key is `404`; the audit trail names the key.

use crate::api_keys::create_key;
use crate::key_bulk::actor_of;
use crate::key_routes::{audit_events, names_scope};
use crate::roster_csv::{group, member, outcomes, upload, upload_with};
use crate::support::{apps, unique_email};
use serde_json::{Value, json};

#[tokio::test]
async fn a_members_write_key_imports_and_reads_the_result_of_its_import() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (other_head, other_org) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let account = app.signup("newcomer").await;
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (key_id, key) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (_, elsewhere) = create_key(&app, &other_head, &other_org, &["members:write"]).await;
        let csv = format!("email,labels\n{},'@new\n{},'@a\n", account.email, athlete.email);

        names_scope(&upload(&app, &org_id, &reader, csv.as_bytes(), &[]).await, "members:write");
        upload(&app, &other_org, &key, csv.as_bytes(), &[]).await.assert_problem(404, "not_found");
        upload(&app, &org_id, &elsewhere, csv.as_bytes(), &[]).await.assert_problem(404, "not_found");

        let dry = upload(&app, &org_id, &key, csv.as_bytes(), &[("dry_run", "true")]).await;
        assert_eq!(outcomes(dry.assert_status(200)), ["create", "update"], "{backend:?}");
        let idempotent = [("Idempotency-Key", "key-import-1")];
        let run = upload_with(&app, &org_id, &key, csv.as_bytes(), &[], &idempotent).await;
        let report = run.assert_status(201).clone();
        assert_eq!(outcomes(&report), ["create", "update"], "{backend:?}");
        let location = run.header("location").unwrap().to_owned();
        let again = upload_with(&app, &org_id, &key, csv.as_bytes(), &[], &idempotent).await;
        assert_eq!(again.assert_status(201)["import_id"], report["import_id"], "the key's repeat answers its import");
        assert_eq!(member(&app, &org_id, &head.token, &account).await["labels"], json!(["@new"]));
        assert_eq!(member(&app, &org_id, &head.token, &athlete).await["labels"], json!(["@a"]));

        let events = audit_events(&app, &org_id, &head.token).await;
        assert_eq!(actor_of(&events, "member.added", &account.user_id), key_id.as_str(), "{backend:?}");
        assert_eq!(actor_of(&events, "member.updated", &athlete.user_id), key_id.as_str());
        let imported = events.iter().find(|e| e["action"] == "members.imported").expect("the import is audited");
        assert_eq!(imported["actor_user_id"], key_id.as_str());

        // The result: the key reads it, as the head coach does; another organization's key does not.
        let path = location.trim_start_matches(&app.base);
        let read = app.get(path, &key).await;
        assert_eq!(read.status, 200, "{backend:?}: {}", read.text);
        assert!(read.text.starts_with("line,email,outcome,user_id,invitation_id,errors\r\n"), "{}", read.text);
        assert_eq!(app.get(path, &head.token).await.status, 200);
        app.get(path, &elsewhere).await.assert_problem(404, "not_found");
        names_scope(&app.get(path, &reader).await, "members:write");
    }
}

/// A file that invites needs `invitations:write`, one that names a group
/// `groups:write`: refused whole, dry run or not, nothing written.
#[tokio::test]
async fn a_keys_import_that_invites_or_names_groups_takes_those_scopes() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let squad = group(&app, &head, &org_id, "Squad").await;
        let (_, writer) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (inviter_id, inviter) = create_key(&app, &head, &org_id, &["members:write", "invitations:write"]).await;
        let (grouper_id, grouper) = create_key(&app, &head, &org_id, &["members:write", "groups:write"]).await;
        let stranger = unique_email("stranger");
        let invites = format!("email,first_name,labels\n{},,'@x\n{stranger},Sam,\n", athlete.email);
        let grouped = format!("email,labels,groups\n{},'@y,squad\n", athlete.email);
        let invitations = format!("/api/v1/organizations/{org_id}/invitations");
        let outbox = app.store.outbox_records().unwrap().len();

        for dry_run in ["true", "false"] {
            let res = upload(&app, &org_id, &writer, invites.as_bytes(), &[("dry_run", dry_run)]).await;
            names_scope(&res, "invitations:write");
            let res = upload(&app, &org_id, &writer, grouped.as_bytes(), &[("dry_run", dry_run)]).await;
            names_scope(&res, "groups:write");
            names_scope(&upload(&app, &org_id, &inviter, grouped.as_bytes(), &[]).await, "groups:write");
        }
        // Nothing written: the athlete's labels stay, no invitation, no mail.
        assert_eq!(member(&app, &org_id, &head.token, &athlete).await["labels"], json!([]), "{backend:?}");
        assert_eq!(app.get(&invitations, &head.token).await.assert_status(200)["data"], json!([]));
        assert_eq!(app.store.outbox_records().unwrap().len(), outbox);
        // update_only invites nobody: its stranger is the row's error, not the key's.
        let res =
            upload(&app, &org_id, &writer, invites.as_bytes(), &[("mode", "update_only"), ("dry_run", "true")]).await;
        assert_eq!(outcomes(res.assert_status(200)), ["update", "error"], "{backend:?}: {}", res.text);

        let res = upload(&app, &org_id, &inviter, invites.as_bytes(), &[]).await;
        assert_eq!(outcomes(res.assert_status(201)), ["update", "create"], "{backend:?}: {}", res.text);
        let listed = app.get(&invitations, &head.token).await.assert_status(200)["data"][0].clone();
        assert_eq!((&listed["email"], &listed["created_by"]), (&json!(stranger), &Value::Null), "{listed}");
        assert_eq!(listed["created_by_key_id"], inviter_id.as_str());

        let res = upload(&app, &org_id, &grouper, grouped.as_bytes(), &[]).await;
        assert_eq!(outcomes(res.assert_status(201)), ["update"], "{backend:?}: {}", res.text);
        assert_eq!(member(&app, &org_id, &head.token, &athlete).await["group_ids"], json!([squad]));
        let events = audit_events(&app, &org_id, &head.token).await;
        assert_eq!(actor_of(&events, "group.member_added", &athlete.user_id), grouper_id.as_str());
        let invited = events.iter().find(|e| e["action"] == "invitation.created").expect("the invitation is audited");
        assert_eq!(invited["actor_user_id"], inviter_id.as_str());
    }
}
