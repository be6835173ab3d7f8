//! Endpoints over time: one failing for days is disabled and its head
//! coach told; two servers on one PostgreSQL database never deliver twice.

use super::receiver::Receiver;
use super::{create_hook, deliveries, hooks, quick, quick_apps, settle, wait_until_disabled};
use crate::support::spawn_with;
use roster_store::testing::{Backend, TestDb};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn an_endpoint_failing_for_days_is_disabled_and_the_head_coach_mailed() {
    for app in quick_apps().await {
        let (head, org_id) = app.head_coach().await;
        let receiver = Receiver::start(&[503]).await;
        let (hook, _) = create_hook(&app, &head, &org_id, json!({"url": receiver.url()})).await;
        {
            // Failing for six days already (a state only time makes).
            use diesel::prelude::*;
            use roster_store::schema::webhook_endpoints;
            let six_days_ago = (chrono::Utc::now() - chrono::Duration::days(6)).naive_utc();
            let mut conn = app.store.conn().unwrap();
            diesel::update(webhook_endpoints::table.find(&hook))
                .set(webhook_endpoints::failing_since.eq(Some(six_days_ago)))
                .execute(&mut *conn)
                .unwrap();
        }
        app.post(&format!("{}/{hook}/test", hooks(&org_id)), &head.token, json!({})).await;
        let e = wait_until_disabled(&app, &head, &org_id, &hook).await;
        assert_eq!(e["disabled_reason"], "failing");
        let mails = app.store.outbox_records().unwrap();
        let mail = mails.iter().find(|m| m.message.to == head.email).expect("the head coach is mailed");
        assert!(mail.message.text.contains(&receiver.url()), "{}", mail.message.text);
        // Disabled: the pending retry waits; nothing more is sent.
        assert_eq!(receiver.hits().len(), 1);
    }
}

#[tokio::test]
async fn two_servers_on_one_postgres_never_make_an_attempt_twice() {
    let Some(db) = TestDb::all().into_iter().find(|d| d.backend == Backend::Postgres) else {
        eprintln!("PostgreSQL run SKIPPED: ROSTER_TEST_POSTGRES_URL is not set");
        return;
    };
    let url = db.url.clone();
    let first = spawn_with(db, quick).await;
    let second = crate::support::spawn_on_url(&url, quick).await;
    let (head, org_id) = first.head_coach().await;
    let receiver = Receiver::start(&[]).await;
    let (hook, _) = create_hook(&first, &head, &org_id, json!({"url": receiver.url()})).await;
    let (tests, members) = (30, 10);
    for i in 0..tests {
        // Half the test events queued through each server.
        let app = if i % 2 == 0 { &first } else { &second };
        app.post(&format!("{}/{hook}/test", hooks(&org_id)), &head.token, json!({})).await.assert_status(202);
    }
    // Audit events, which both servers' dispatchers race to fan out.
    for _ in 0..members {
        first.athlete(&org_id, None).await;
    }
    let n = tests + members;
    let hits = receiver.wait_for(n).await;
    settle(&first, &head, &org_id, &hook, |l| l.len() == n && l.iter().all(|d| d["status"] == "delivered")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut ids: Vec<String> = receiver.hits().into_iter().map(|h| h.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "every delivery arrived");
    assert_eq!(receiver.hits().len(), n, "none twice: {} requests for {n} deliveries ({})", hits.len(), n);
    let list = deliveries(&first, &head, &org_id, &hook).await;
    assert!(list.iter().all(|d| d["attempts"] == 1 && d["attempt_log"].as_array().unwrap().len() == 1));
}
