//! API keys on the organization's own reads: the organization, its coaches
//! and the roster as CSV take `members:read` (the policy's
//! `ReadOrganization`, `ListCoaches`, `ExportRoster`); without it
//! `403 insufficient_scope` naming it, another organization's key `404`.

use crate::api_keys::create_key;
use crate::key_routes::names_scope;
use crate::support::apps;
use serde_json::json;

#[tokio::test]
async fn a_members_read_key_reads_the_organization_its_coaches_and_the_roster_csv() {
    for app in apps().await {
        let backend = app.backend;
        let (head, org_id) = app.head_coach().await;
        let (other_head, other_org) = app.head_coach().await;
        let assistant = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, Some(&assistant)).await;
        let member = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        app.patch(&member, &head.token, json!({"private_notes": "left knee"})).await.assert_status(200);
        let (_, reader) = create_key(&app, &head, &org_id, &["members:read"]).await;
        let (_, writer) = create_key(&app, &head, &org_id, &["members:write"]).await;
        let (_, foreign) = create_key(&app, &other_head, &other_org, &["members:read"]).await;

        let org = format!("/api/v1/organizations/{org_id}");
        let coaches = format!("{org}/coaches");
        let csv = format!("{org}/members.csv");
        let read = app.get(&org, &reader).await.assert_status(200).clone();
        assert_eq!((&read["org_id"], &read["counts"]["athletes"]), (&json!(org_id), &json!(1)), "{backend:?}");
        let listed = app.get(&coaches, &reader).await.assert_status(200)["data"].clone();
        let ids: Vec<_> = listed.as_array().unwrap().iter().map(|c| c["user_id"].clone()).collect();
        assert_eq!(ids, [json!(head.user_id), json!(assistant.user_id)], "{backend:?}: head coach first");
        // The export is a coach's: the whole roster, private notes included.
        let exported = app.get(&csv, &reader).await;
        exported.assert_status(200);
        let mut lines = exported.text.lines();
        assert!(lines.next().is_some_and(|h| h.ends_with("private_notes")), "{}", exported.text);
        assert!(exported.text.contains(&athlete.email) && exported.text.contains("left knee"), "{}", exported.text);

        for url in [&org, &coaches, &csv] {
            names_scope(&app.get(url, &writer).await, "members:read");
            app.get(url, &foreign).await.assert_problem(404, "not_found");
        }
        let elsewhere = format!("/api/v1/organizations/{other_org}");
        for url in [elsewhere.clone(), format!("{elsewhere}/coaches"), format!("{elsewhere}/members.csv")] {
            app.get(&url, &reader).await.assert_problem(404, "not_found");
        }
        // What no scope allows stays with accounts: the key is no JWT there.
        let settings = app.patch(&org, &reader, json!({"name": "Renamed"})).await;
        settings.assert_problem(401, "unauthenticated");
    }
}
