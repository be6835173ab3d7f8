//! `attention.raised`: a recomputed status that raises a signal writes the
//! event (the webhooks' outbox) in the transaction that stores it, once,
//! however many servers recompute it.

use crate::fixtures::{event, noon};
use crate::status_cache::org_with_athlete;
use roster_domain::entities::{AuditEvent, AuditFilter};
use roster_domain::member::{Labels, MemberRepo, RosterQuery};
use roster_domain::ports::AuditRepo;
use roster_domain::{OrgId, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;

fn raised_events(store: &Store, org: OrgId) -> Vec<AuditEvent> {
    let filter = AuditFilter { action: Some("attention.raised".into()), limit: 200, ..Default::default() };
    store.audit_events(org, &filter).unwrap()
}

fn read_page(store: &Store, org: OrgId) {
    let q = RosterQuery { include_profile_status: true, now: Some(noon()), ..Default::default() };
    store.roster(org, &q).unwrap();
}

fn watch(store: &Store, org: OrgId, athlete: UserId, membership: &mut roster_domain::entities::Membership) {
    membership.labels = Labels::parse(["@injury-watch"]).unwrap();
    membership.version += 1;
    store.update_member(membership, membership.version - 1, &event(org, athlete, "member.updated")).unwrap();
}

#[test]
fn a_raised_signal_is_announced_once_and_the_first_computation_is_a_baseline() {
    for db in TestDb::all() {
        let store = db.store();
        let backend = db.backend;
        let (org, athlete, mut membership) = org_with_athlete(&store);

        // The first computation finds four signals, but against nothing.
        read_page(&store, org);
        assert!(raised_events(&store, org).is_empty(), "{backend:?}: the first computation is a baseline");

        // A coach labels the athlete: injury_watch is raised when the status is next computed.
        watch(&store, org, athlete, &mut membership);
        read_page(&store, org);
        let events = raised_events(&store, org);
        assert_eq!(events.len(), 1, "{backend:?}: {events:?}");
        let e = &events[0];
        assert_eq!(e.subject_user_id, Some(athlete), "{backend:?}");
        assert_eq!(e.actor_user_id, roster_domain::attention::roster_itself(), "{backend:?}");
        assert_eq!(e.changes["raised"].as_array().unwrap().len(), 1, "{backend:?}: {}", e.changes);
        assert_eq!(e.changes["raised"][0]["code"], "injury_watch", "{backend:?}");
        assert_eq!(e.changes["signals"]["old"].as_array().unwrap().len(), 4, "{backend:?}");
        assert_eq!(e.changes["signals"]["new"].as_array().unwrap().len(), 5, "{backend:?}");

        // Read again, and recomputed without a change: nothing more.
        read_page(&store, org);
        store.write_back_statuses(org, &[athlete], noon()).unwrap();
        assert_eq!(raised_events(&store, org).len(), 1, "{backend:?}");

        // The label goes: a signal that vanishes is not announced.
        membership.labels = Labels::default();
        membership.version += 1;
        store.update_member(&membership, membership.version - 1, &event(org, athlete, "member.updated")).unwrap();
        read_page(&store, org);
        assert_eq!(raised_events(&store, org).len(), 1, "{backend:?}");
    }
}

#[test]
fn servers_recomputing_the_same_status_at_once_announce_it_once() {
    for db in TestDb::all() {
        let store = db.store();
        let backend = db.backend;
        for round in 0..5 {
            let (org, athlete, mut membership) = org_with_athlete(&store);
            read_page(&store, org);
            watch(&store, org, athlete, &mut membership);
            std::thread::scope(|s| {
                let writers: Vec<_> = (0..4)
                    .map(|_| {
                        let store = store.clone();
                        s.spawn(move || store.write_back_statuses(org, &[athlete], noon()))
                    })
                    .collect();
                for writer in writers {
                    writer.join().unwrap().unwrap();
                }
            });
            // A writer may have found the row locked and skipped it; a
            // reader then stores what is still stale.
            read_page(&store, org);
            let events = raised_events(&store, org);
            assert_eq!(events.len(), 1, "{backend:?}, round {round}: {events:?}");
        }
    }
}
