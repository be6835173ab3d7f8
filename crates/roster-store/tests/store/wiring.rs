//! The roster's profile status and attention order cost a fixed number of
//! queries, whatever the page size: counted with diesel's instrumentation.

use crate::fixtures::{now, stored_user};
use roster_domain::entities::{AuditEvent, JoinExtras, Membership, Organization};
use roster_domain::member::{MemberRepo, RosterQuery, RosterSort};
use roster_domain::ports::OrganizationRepo;
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{OrgId, Role, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

fn org(store: &Store) -> (OrgId, UserId) {
    let head = stored_user(store, "Hana", None, None).user_id;
    let t = now();
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::parse("").unwrap(),
        timezone: Timezone::parse("Europe/Berlin").unwrap(),
        created_at: t,
        updated_at: t,
        version: 1,
    };
    let m = Membership::start(org.org_id, head, Role::HeadCoach, t);
    store
        .create_organization(&org, &m, &AuditEvent::new(org.org_id, head, "organization.created", None, json!({}), t))
        .unwrap();
    (org.org_id, head)
}

fn add_athletes(store: &Store, org: OrgId, head: UserId, n: usize) {
    for i in 0..n {
        let athlete = stored_user(store, &format!("Ath{i:03}"), None, None).user_id;
        let m = Membership::start(org, athlete, Role::Athlete, now());
        let e = AuditEvent::new(org, head, "member.added", Some(athlete), json!({}), now());
        store.add_member(&m, &JoinExtras::default(), (head, None), &e, &crate::added_mail(org, athlete)).unwrap();
    }
}

/// The queries one `roster` call runs on a one-connection store.
fn queries(store: &Store, org: OrgId, q: &RosterQuery, counter: &AtomicUsize) -> (usize, usize) {
    counter.store(0, Ordering::SeqCst);
    let page = store.roster(org, q).unwrap();
    (counter.load(Ordering::SeqCst), page.members.len())
}

#[test]
fn profile_status_and_attention_order_cost_the_same_queries_for_any_page_size() {
    for db in TestDb::all() {
        let (store, counter) = crate::counting_store(&db);
        let (org, head) = org(&store);
        for sort in [RosterSort::Name, RosterSort::Attention] {
            let q = RosterQuery { limit: 200, include_profile_status: true, sort, ..Default::default() };
            add_athletes(&store, org, head, 2);
            let small = queries(&store, org, &q, &counter);
            add_athletes(&store, org, head, 30);
            let large = queries(&store, org, &q, &counter);
            assert!(small.1 < large.1, "{sort:?}");
            assert_eq!(small.0, large.0, "{sort:?} on {:?}: queries grow with the page", db.backend);
            assert!(small.0 > 5, "the counter sees the queries");
        }
    }
}
