//! Athletes in bulk from the console, on both backends: **Export CSV** with
//! the page's filters, the bulk action bar (checked athletes, all matching
//! after a count, an assistant coach's skips) and **Import CSV** (preview,
//! confirm, a second confirm that imports nothing more).

use crate::client::{Browser, Page, field_value};
use crate::pages::api_session;
use crate::support::{Session, TestApp, apps};
use serde_json::{Value, json};

/// Sets an athlete's attributes through the API.
async fn patch(app: &TestApp, head: &Session, org_id: &str, who: &Session, body: Value) {
    app.patch(&format!("/api/v1/organizations/{org_id}/members/{}", who.user_id), &head.token, body)
        .await
        .assert_status(200);
}

async fn member(app: &TestApp, head: &Session, org_id: &str, who: &Session) -> Value {
    app.get(&format!("/api/v1/organizations/{org_id}/members/{}", who.user_id), &head.token).await.body
}

/// Posts the bulk bar's form from the Athletes page with its CSRF token.
async fn bulk(b: &mut Browser<'_>, fields: &[(&str, &str)]) -> Page {
    let csrf = b.get("/athletes").await.assert(200).csrf();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post("/athletes/bulk", &form).await
}

#[tokio::test]
async fn export_csv_carries_the_filters_and_serves_the_apis_file_with_formulas_neutralised() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let ann = app.athlete(&org_id, None).await;
        let bob = app.athlete(&org_id, None).await;
        patch(&app, &head, &org_id, &ann, json!({"display_name": "=HYPERLINK(\"x\")", "labels": ["@marathon"]})).await;
        let page = b.get("/athletes?labels=marathon&sort=joined").await;
        assert!(page.body.contains("href=\"/athletes.csv?labels=marathon&#38;sort=joined\""), "{}", page.body);
        let csv = b.get("/athletes.csv?labels=marathon&sort=joined").await;
        csv.assert(200);
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(csv.headers["content-disposition"], "attachment; filename=\"members.csv\"");
        let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2, "{}", csv.body);
        assert!(lines[0].starts_with("email,first_name,last_name,") && lines[0].ends_with(",private_notes"));
        assert!(lines[1].starts_with(&format!("{},", ann.email)) && !csv.body.contains(&bob.email));
        assert!(lines[1].contains("\"'=HYPERLINK(\"\"x\"\")\"") && lines[1].contains(",'@marathon,"), "{}", lines[1]);
        // The same bytes as the API's export with the same filter.
        let api = app
            .client
            .get(format!("{}/api/v1/organizations/{org_id}/members.csv?label=@marathon&sort=-joined_at", app.base))
            .bearer_auth(&head.token)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status().as_u16(), 200);
        assert_eq!(api.bytes().await.unwrap().to_vec(), csv.bytes);
        let bom = b.get("/athletes.csv?bom=true").await;
        assert!(bom.bytes.starts_with(b"\xEF\xBB\xBFemail,"));
        // A bad filter is a page, not a broken download.
        b.get("/athletes.csv?level=%20%20bad%20level%20with%20spaces%20and%20more%20than%20enough").await.assert(422);
    }
}

#[tokio::test]
async fn the_bulk_bar_adds_a_label_to_the_two_checked_athletes() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let [ann, bob, cat] =
            [app.athlete(&org_id, None).await, app.athlete(&org_id, None).await, app.athlete(&org_id, None).await];
        let roster = b.get("/athletes").await;
        for who in [&ann, &bob, &cat] {
            assert!(roster.body.contains(&format!("name=\"ids\" value=\"{}\"", who.user_id)), "{}", roster.body);
        }
        assert!(roster.body.contains("<option value=\"assign_coach\">Assign coach</option>"));
        let done = bulk(
            &mut b,
            &[
                ("action", "add_labels"),
                ("bulk_labels", "spring"),
                ("scope", "checked"),
                ("ids", ann.user_id.as_str()),
                ("ids", bob.user_id.as_str()),
            ],
        )
        .await;
        done.assert(200);
        assert!(done.body.contains("2 done, 0 skipped, 0 with an error."), "{}", done.body);
        for (who, labelled) in [(&ann, true), (&bob, true), (&cat, false)] {
            let labels = member(&app, &head, &org_id, who).await["labels"].clone();
            assert_eq!(labels == json!(["@spring"]), labelled, "{labels}");
        }
        // Nothing ticked: the whole request is refused with a way back.
        let none = bulk(&mut b, &[("action", "add_labels"), ("bulk_labels", "x"), ("scope", "checked")]).await;
        none.assert(422);
        assert!(none.body.contains("Tick at least one athlete") && none.body.contains("href=\"/athletes\""));
        let bad = bulk(&mut b, &[("action", "set_status"), ("bulk_status", "gone"), ("scope", "checked")]).await;
        bad.assert(422);
        b.post("/athletes/bulk", &[("csrf", "forged"), ("action", "remove"), ("ids", ann.user_id.as_str())])
            .await
            .assert(403);
        // Removing is asked twice, then done.
        let remove = [("action", "remove"), ("scope", "checked"), ("ids", cat.user_id.as_str())];
        let asked = bulk(&mut b, &remove).await;
        assert!(
            asked.assert(200).body.contains("<strong>1 athlete</strong>: the athletes you ticked"),
            "{}",
            asked.body
        );
        assert!(asked.body.contains(&format!("name=\"ids\" value=\"{}\"", cat.user_id)));
        assert_eq!(member(&app, &head, &org_id, &cat).await["status"], "active");
        let mut confirmed = remove.to_vec();
        confirmed.push(("confirmed", "yes"));
        assert!(bulk(&mut b, &confirmed).await.assert(200).body.contains("1 done, 0 skipped"));
        let gone = app.get(&format!("/api/v1/organizations/{org_id}/members/{}", cat.user_id), &head.token).await;
        assert_eq!(gone.status, 404);
    }
}

#[tokio::test]
async fn select_all_matching_shows_the_count_first_then_acts_on_the_filter() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let mut tagged = Vec::new();
        for _ in 0..3 {
            let who = app.athlete(&org_id, None).await;
            patch(&app, &head, &org_id, &who, json!({"labels": ["@relay"]})).await;
            tagged.push(who);
        }
        let other = app.athlete(&org_id, None).await;
        let roster = b.get("/athletes?labels=relay").await;
        assert!(roster.body.contains("name=\"filter_labels\" value=\"relay\""), "{}", roster.body);
        assert!(roster.body.contains("Apply to all 3 matching"));
        let all = [("action", "set_status"), ("bulk_status", "inactive"), ("scope", "all"), ("filter_labels", "relay")];
        let confirm = bulk(&mut b, &all).await;
        confirm.assert(200);
        assert!(confirm.body.contains("<strong>3 athletes</strong>"), "{}", confirm.body);
        assert!(confirm.body.contains("name=\"confirmed\" value=\"yes\""));
        assert_eq!(member(&app, &head, &org_id, &tagged[0]).await["status"], "active", "nothing changed yet");
        let mut confirmed = all.to_vec();
        confirmed.push(("confirmed", "yes"));
        let done = bulk(&mut b, &confirmed).await;
        assert!(done.assert(200).body.contains("3 done, 0 skipped"), "{}", done.body);
        for who in &tagged {
            assert_eq!(member(&app, &head, &org_id, who).await["status"], "inactive");
        }
        assert_eq!(member(&app, &head, &org_id, &other).await["status"], "active");
    }
}

#[tokio::test]
async fn an_assistant_coachs_bulk_action_skips_the_athlete_not_assigned_to_them() {
    for app in apps().await {
        let (_, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let mine = app.athlete(&org_id, Some(&coach)).await;
        let theirs = app.athlete(&org_id, None).await;
        let mut b = Browser::new(&app);
        b.sign_in(&coach.email).await;
        let roster = b.get("/athletes").await;
        assert!(roster.body.contains("Bulk action") && !roster.body.contains("value=\"assign_coach\""));
        let fields = [
            ("action", "add_labels"),
            ("bulk_labels", "@tempo"),
            ("scope", "checked"),
            ("ids", mine.user_id.as_str()),
            ("ids", theirs.user_id.as_str()),
        ];
        let done = bulk(&mut b, &fields).await;
        done.assert(200);
        assert!(done.body.contains("1 done, 1 skipped, 0 with an error.") && done.body.contains("Not assigned to you"));
        assert_eq!(member(&app, &head, &org_id, &mine).await["labels"], json!(["@tempo"]));
        assert_eq!(member(&app, &head, &org_id, &theirs).await["labels"], json!([]));
        // Assigning coaches is the head coach's: a forged post is refused whole.
        let forged =
            [("action", "assign_coach"), ("bulk_coach", ""), ("scope", "checked"), ("ids", mine.user_id.as_str())];
        bulk(&mut b, &forged).await.assert(403);
    }
}

/// The hidden field's value, with the HTML escapes a template may add undone.
fn hidden(page: &Page, name: &str) -> String {
    field_value(&page.body, name).unwrap_or_else(|| panic!("no {name} in {}", page.body)).replace("&#43;", "+")
}

#[tokio::test]
async fn an_import_is_previewed_then_confirmed_once_even_when_confirmed_twice() {
    for app in apps().await {
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let ann = app.athlete(&org_id, None).await;
        let outsider = app.signup("outsider").await;
        let invited = crate::support::unique_email("newbie");
        let csv = format!(
            "email,first_name,display_name,status\r\n{},,Annie,\r\n{},,,\r\n{invited},Nia,,\r\nbad@example.com,Bo,,retired\r\n",
            ann.email, outsider.email
        );
        let page = b.get("/athletes/import").await;
        page.assert(200);
        let csrf = page.csrf();
        let fields = [("csrf", csrf.as_str()), ("mode", "upsert")];
        let preview = b.upload("/athletes/import", &fields, ("members.csv", csv.as_bytes())).await;
        preview.assert(200);
        for outcome in ["update", "create", "error"] {
            assert!(preview.body.contains(&format!("<span class=\"outcome {outcome}\">{outcome}</span>")), "{outcome}");
        }
        assert!(preview.body.contains("status: "), "the error names its column: {}", preview.body);
        assert!(preview.body.contains("Confirm import") && preview.body.contains("3 other rows are imported"));
        assert_eq!(member(&app, &head, &org_id, &ann).await["display_name"], Value::Null, "a preview changes nothing");
        let confirm = [
            ("csrf", csrf.clone()),
            ("file_b64", hidden(&preview, "file_b64")),
            ("mode", hidden(&preview, "mode")),
            ("key", hidden(&preview, "key")),
            ("skip_invalid", hidden(&preview, "skip_invalid")),
        ];
        let confirm: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let first = b.post("/athletes/import/confirm", &confirm).await;
        first.assert(200);
        assert!(
            first.body.contains("Import done.") && first.body.contains("Download the result CSV"),
            "{}",
            first.body
        );
        assert_eq!(member(&app, &head, &org_id, &ann).await["display_name"], "Annie");
        assert_eq!(member(&app, &head, &org_id, &outsider).await["status"], "active");
        let second = b.post("/athletes/import/confirm", &confirm).await;
        second.assert(200);
        let link = |p: &Page| {
            let at = p.body.find("/athletes/import/").unwrap();
            p.body[at..at + p.body[at..].find('"').unwrap()].to_owned()
        };
        assert_eq!(link(&first), link(&second), "the second confirm answers the same import");
        let mails = app.store.outbox_records().unwrap().into_iter().filter(|r| r.message.to == invited).count();
        assert_eq!(mails, 1, "one invitation, not two");
        let result = b.get(&link(&first)).await;
        result.assert(200);
        assert!(result.body.starts_with("line,email,outcome,user_id,invitation_id,errors\r\n"), "{}", result.body);
        assert!(result.body.contains(",error,") && result.body.contains(&format!("{},update,", ann.email)));
        // A file that cannot be read is shown beside the file field.
        let ragged = b.upload("/athletes/import", &fields, ("members.csv", b"email,status\r\na@b.c\r\n")).await;
        ragged.assert(422);
        assert!(ragged.body.contains("id=\"file-error\"") && ragged.body.contains("Line 2 has 1 cells"));
        b.upload("/athletes/import", &[("csrf", "forged")], ("members.csv", csv.as_bytes())).await.assert(403);
    }
}
