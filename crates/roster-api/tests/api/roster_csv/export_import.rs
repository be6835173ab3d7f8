use super::{error_codes, export, group, member, outcomes, upload, upload_with};
use crate::support::{apps, unique_email};
use reqwest::Method;
use roster_domain::entities::{AuditEvent, Membership, User};
use roster_domain::ports::{AccountRepo, OrganizationRepo};
use roster_domain::values::{Email, PersonName};
use roster_domain::{Clock, OrgId, Role, SystemClock, UserId};
use serde_json::json;

#[tokio::test]
async fn an_export_imports_back_unchanged() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let squad = group(&app, &head, &org_id, "Marathon Squad").await;
        let first = app.athlete(&org_id, Some(&coach)).await;
        let second = app.athlete(&org_id, None).await;
        let members = format!("/api/v1/organizations/{org_id}/members");
        app.patch(
            &format!("{members}/{}", first.user_id),
            &head.token,
            json!({"display_name": "=HYPERLINK(\"x\")", "member_level": "-elite", "labels": ["@marathon", "@track"],
                   "status": "inactive", "private_notes": "Said \"no\" to speedwork,\nthen +1 to hills"}),
        )
        .await
        .assert_status(200);
        let path = format!("/api/v1/organizations/{org_id}/groups/{squad}/members/{}", first.user_id);
        app.call(Method::PUT, &path, Some(&head.token), None).await;

        let bytes = export(&app, &org_id, &head.token, "?bom=true&sort=joined_at").await;
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{:?}", app.backend);
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.split("\r\n");
        assert_eq!(
            lines.next(),
            Some(
                "email,first_name,last_name,display_name,member_level,labels,status,assigned_coach_email,groups,\
                 joined_at,private_notes"
            )
        );
        let row = lines.next().unwrap();
        assert!(
            row.starts_with(&format!(
                "{},athlete,Tester,\"'=HYPERLINK(\"\"x\"\")\",'-elite,'@marathon;@track,inactive,{},Marathon Squad,",
                first.email, coach.email
            )),
            "{row}"
        );
        // Quoted notes keep their line break: the record goes on to the next line.
        assert!(text.contains("\"Said \"\"no\"\" to speedwork,\nthen +1 to hills\""), "{text}");
        assert!(text.contains(&format!("{},athlete,Tester,,,,active,,,", second.email)), "{text}");

        // The file as exported, then read again: nothing to change.
        let dry = upload(&app, &org_id, &head.token, &bytes, &[("dry_run", "true")]).await;
        assert_eq!(outcomes(dry.assert_status(200)), ["unchanged", "unchanged"], "{}", dry.text);
        let real = upload(&app, &org_id, &head.token, &bytes, &[("mode", "update_only")]).await;
        let report = real.assert_status(201);
        assert_eq!(outcomes(report), ["unchanged", "unchanged"]);
        assert_eq!(report["totals"], json!({"create": 0, "update": 0, "unchanged": 2, "error": 0}));
        let view = member(&app, &org_id, &head.token, &first).await;
        assert_eq!(view["display_name"], "=HYPERLINK(\"x\")");
        assert_eq!(view["version"], 2, "an unchanged row writes nothing");

        // Filters apply: the assistant coach's own athletes only.
        let mine = export(&app, &org_id, &coach.token, "?assigned_to_coach_id=me").await;
        assert_eq!(std::str::from_utf8(&mine).unwrap().matches("\r\n").count(), 2, "the header and one record");
        let other = format!("/api/v1/organizations/{org_id}/members.csv?assigned_to_coach_id={}", head.user_id);
        app.get(&other, &coach.token).await.assert_problem(403, "forbidden");
        let csv = format!("/api/v1/organizations/{org_id}/members.csv");
        app.get(&csv, &first.token).await.assert_problem(403, "forbidden");
        app.get(&format!("{csv}?bom=maybe"), &head.token).await.assert_problem(400, "invalid_parameter");
        let outsider = app.signup("outsider").await;
        app.get(&csv, &outsider.token).await.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn an_export_streams_every_page() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let org: OrgId = org_id.parse().unwrap();
        let now = SystemClock.now();
        for n in 0..205 {
            let user = User {
                user_id: UserId::new(),
                email: Email::parse(&unique_email(&format!("page{n}"))).unwrap(),
                first_name: PersonName::parse("Paged").unwrap(),
                last_name: None,
                email_verified: false,
                created_at: now,
            };
            app.store.insert_user(&user, "not-a-hash").unwrap();
            let m = Membership::start(org, user.user_id, Role::Athlete, now);
            let event = AuditEvent::new(org, head.id(), "member.added", Some(user.user_id), json!({}), now);
            app.store.add_membership(&m, &event).unwrap();
        }
        let bytes = export(&app, &org_id, &head.token, "").await;
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.matches("\r\n").count(), 206, "{:?}", app.backend);
    }
}

#[tokio::test]
async fn an_import_creates_updates_invites_and_keeps_all_or_nothing() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let squad = group(&app, &head, &org_id, "Squad").await;
        let athlete = app.athlete(&org_id, None).await;
        let account = app.signup("newcomer").await;
        let stranger = unique_email("stranger");
        let shouting = athlete.email.to_uppercase();
        let csv = format!(
            "email,first_name,labels,member_level,status,assigned_coach_email,groups\n\
             {},Nat,'@new,,inactive,{},squad\n\
             {stranger},Sam,,,,,Squad\n\
             {shouting},,'@a;@b,pro,,,\n\
             bad@example.com,Bo,nolabel,,,,\n",
            account.email, coach.email
        );
        let members = format!("/api/v1/organizations/{org_id}/members");
        let outbox = app.store.outbox_records().unwrap().len();

        // A dry run decides every row and keeps nothing, sends nothing.
        let dry = upload(&app, &org_id, &head.token, csv.as_bytes(), &[("dry_run", "true")]).await;
        let report = dry.assert_status(200);
        assert_eq!(outcomes(report), ["create", "create", "update", "error"], "{:?}", app.backend);
        assert_eq!(
            report["rows"][3]["errors"],
            json!([{"column": "labels", "code": "invalid_label",
            "message": "a label is @ then 1-40 of a-z, 0-9, - and _"}])
        );
        assert_eq!((report["committed"].as_bool(), report["import_id"].is_null()), (Some(false), true));
        assert_eq!(app.get(&members, &head.token).await.assert_status(200)["total"], 1);
        assert_eq!(app.store.outbox_records().unwrap().len(), outbox);

        // A real run with a bad row keeps nothing.
        let refused = upload(&app, &org_id, &head.token, csv.as_bytes(), &[]).await;
        refused.assert_problem(422, "import_rejected");
        assert_eq!(refused.body["committed"], false);
        assert_eq!(
            refused.body["errors"][0],
            json!({"field": "line 5: labels", "code": "invalid_label",
            "message": "a label is @ then 1-40 of a-z, 0-9, - and _"})
        );
        assert_eq!(app.get(&members, &head.token).await.assert_status(200)["total"], 1);
        assert_eq!(member(&app, &org_id, &head.token, &athlete).await["labels"], json!([]));

        // skip_invalid keeps the good rows, once per Idempotency-Key.
        let key = [("Idempotency-Key", "import-1")];
        let fields = [("skip_invalid", "true")];
        let run = upload_with(&app, &org_id, &head.token, csv.as_bytes(), &fields, &key).await;
        let report = run.assert_status(201).clone();
        assert_eq!(outcomes(&report), ["create", "create", "update", "error"]);
        assert!(report["rows"][1]["invitation_id"].is_string());
        let location = run.header("location").unwrap().to_owned();
        let added = member(&app, &org_id, &head.token, &account).await;
        assert_eq!((added["status"].as_str(), added["labels"].clone()), (Some("inactive"), json!(["@new"])));
        assert_eq!(added["assigned_to_coach_id"], coach.user_id.as_str());
        assert_eq!(added["group_ids"], json!([squad]));
        let updated = member(&app, &org_id, &head.token, &athlete).await;
        assert_eq!((updated["labels"].clone(), updated["member_level"].as_str()), (json!(["@a", "@b"]), Some("pro")));
        let recipients: Vec<_> = app.store.outbox_records().unwrap().into_iter().map(|r| r.message.to).collect();
        assert!(recipients.contains(&account.email) && recipients.contains(&stranger), "{recipients:?}");

        let again = upload_with(&app, &org_id, &head.token, csv.as_bytes(), &fields, &key).await;
        assert_eq!(again.assert_status(201)["import_id"], report["import_id"]);
        let other = upload_with(&app, &org_id, &head.token, b"email\nx@example.com\n", &fields, &key).await;
        other.assert_problem(422, "idempotency_key_reused");

        // The result as CSV, and the audit trail: one import event plus each member's own.
        let result = app.client.get(format!("{}{location}", app.base)).bearer_auth(&head.token).send().await.unwrap();
        let text = result.text().await.unwrap();
        assert!(text.starts_with("line,email,outcome,user_id,invitation_id,errors\r\n2,newcomer."), "{text}");
        assert!(text.contains("5,bad@example.com,error,,,\"labels: invalid_label ("), "{text}");
        let audit = app.get(&format!("/api/v1/organizations/{org_id}/audit-events?limit=50"), &head.token).await;
        let actions: Vec<_> = audit.assert_status(200)["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions.iter().filter(|a| **a == "members.imported").count(), 1, "{actions:?}");
        for action in ["member.added", "invitation.created", "member.updated", "group.member_added"] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }

        // Modes: create_only refuses members, update_only strangers; assistants need their own athletes.
        let create_only =
            upload(&app, &org_id, &head.token, csv.as_bytes(), &[("mode", "create_only"), ("dry_run", "true")]).await;
        assert_eq!(
            error_codes(create_only.assert_status(200))[..3],
            ["already_member", "invitation_pending", "already_member"]
        );
        let lone = format!("email\n{}\n", unique_email("lone"));
        let update_only = upload(&app, &org_id, &head.token, lone.as_bytes(), &[("mode", "update_only")]).await;
        update_only.assert_problem(422, "import_rejected");
        assert_eq!(error_codes(&update_only.body), ["not_a_member"]);
        let by_assistant = format!("email,labels\n{},'@x\n", athlete.email);
        let res = upload(&app, &org_id, &coach.token, by_assistant.as_bytes(), &[]).await;
        res.assert_problem(422, "import_rejected");
        assert_eq!(error_codes(&res.body), ["not_assigned_to_you"]);
        // A row that would change nothing is refused to them as well: it is not theirs to vouch for.
        let unchanged_by_assistant = format!("email\n{}\n", athlete.email);
        let res = upload(&app, &org_id, &coach.token, unchanged_by_assistant.as_bytes(), &[("dry_run", "true")]).await;
        assert_eq!(error_codes(res.assert_status(200)), ["not_assigned_to_you"]);
        upload(&app, &org_id, &athlete.token, lone.as_bytes(), &[]).await.assert_problem(403, "forbidden");
        upload(&app, &org_id, &head.token, lone.as_bytes(), &[("mode", "merge")])
            .await
            .assert_problem(400, "invalid_mode");
    }
}
