//! The outbox that carries invitation e-mails: exclusive claims, retries,
//! failures, and bodies sealed against a copy of the database.

use crate::fixtures::{now, stored_user};
use crate::invitations::{org, single};
use chrono::Duration;
use roster_store::testing::TestDb;
use std::collections::HashSet;

#[test]
fn outbox_claims_are_exclusive_and_failures_are_recorded() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        for i in 0..20 {
            single(&store, org_id, head.user_id, &format!("p{i}@example.com"));
        }
        let t = now() + Duration::seconds(1);
        let claimed: Vec<Vec<roster_store::OutboxWork>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let store = store.clone();
                    s.spawn(move || store.claim_outbox(t, Duration::minutes(5), 20).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ids: Vec<_> = claimed.iter().flatten().map(|w| w.message.message_id).collect();
        assert_eq!(ids.len(), 20, "{:?}", db.backend);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 20, "no message claimed twice");
        assert!(store.claim_outbox(t, Duration::minutes(5), 20).unwrap().is_empty(), "leased");
        let first = ids[0];
        store.outbox_failed(first, "connection refused", Some(t + Duration::seconds(1)), t).unwrap();
        let retried = store.claim_outbox(t + Duration::seconds(2), Duration::minutes(5), 20).unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(retried[0].attempts, 2);
        store.outbox_delivered(first, t).unwrap();
        let rec = store.outbox_records().unwrap().into_iter().find(|r| r.message.message_id == first).unwrap();
        assert!(rec.sent_at.is_some() && rec.attempts == 2);
        store.outbox_failed(ids[1], "550 no such user", None, t).unwrap();
        let rec = store.outbox_records().unwrap().into_iter().find(|r| r.message.message_id == ids[1]).unwrap();
        assert_eq!((rec.last_error.as_deref(), rec.failed_at.is_some()), (Some("550 no such user"), true));
        assert!(
            store
                .claim_outbox(t + Duration::hours(1), Duration::minutes(5), 50)
                .unwrap()
                .iter()
                .all(|w| w.message.message_id != ids[1])
        );
    }
}

#[test]
fn sealed_outbox_bodies_do_not_reveal_the_link_in_the_database() {
    use diesel::prelude::*;
    for db in TestDb::all() {
        let store = db.store().with_mail_key([7; 32]);
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        single(&store, org_id, head.user_id, "jo@example.com");
        let raw: Vec<(String, String)> = roster_store::schema::outbox::table
            .select((roster_store::schema::outbox::body_text, roster_store::schema::outbox::body_html))
            .load(&mut *store.conn().unwrap())
            .unwrap();
        assert!(raw.iter().all(|(t, h)| !t.contains("/join/") && !h.contains("/join/")), "{:?}", db.backend);
        let claimed = store.claim_outbox(now() + Duration::seconds(1), Duration::minutes(5), 10).unwrap();
        assert!(claimed[0].message.text.contains("http://x/join/t"));
        // Without the key (or with another) the bodies do not open.
        assert!(db.store().outbox_records().is_err());
        assert!(db.store().with_mail_key([8; 32]).outbox_records().is_err());
        // A message that no longer opens (the key changed) is given up, not retried forever.
        single(&store, org_id, head.user_id, "kim@example.com");
        let other = db.store().with_mail_key([8; 32]);
        assert!(other.claim_outbox(now() + Duration::seconds(1), Duration::minutes(5), 10).unwrap().is_empty());
        let records = store.outbox_records().unwrap();
        let given_up = records.iter().find(|r| r.failed_at.is_some()).expect("the unreadable message is given up");
        assert!(given_up.last_error.as_deref().unwrap().contains("mail key"));
    }
}
