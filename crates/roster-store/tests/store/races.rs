//! Concurrent writers at the store level.

use chrono::{DateTime, Utc};
use roster_domain::entities::{AuditEvent, Membership, Organization, User};
use roster_domain::ports::{AccountRepo, OrganizationRepo};
use roster_domain::values::{Description, Email, OrgName, PersonName, Timezone};
use roster_domain::{OrgId, Role, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

fn user(store: &Store) -> UserId {
    let id = UserId::new();
    let user = User {
        user_id: id,
        email: Email::parse(&format!("{id}@example.com")).unwrap(),
        first_name: PersonName::parse("Ada").unwrap(),
        last_name: None,
        email_verified: false,
        created_at: now(),
    };
    store.insert_user(&user, "$argon2id$fake").unwrap();
    id
}

/// An organization with `n` athletes.
fn org_with_athletes(store: &Store, n: usize) -> (OrgId, Vec<UserId>) {
    let head = user(store);
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::default(),
        timezone: Timezone::parse("UTC").unwrap(),
        created_at: now(),
        updated_at: now(),
        version: 1,
    };
    let event = |action: &str| AuditEvent::new(org.org_id, head, action, None, json!({}), now());
    let head_membership = Membership::start(org.org_id, head, Role::HeadCoach, now());
    store.create_organization(&org, &head_membership, &event("organization.created")).unwrap();
    let athletes: Vec<UserId> = (0..n).map(|_| user(store)).collect();
    for athlete in &athletes {
        let m = Membership::start(org.org_id, *athlete, Role::Athlete, now());
        store.add_membership(&m, &event("member.added")).unwrap();
    }
    (org.org_id, athletes)
}

/// Pages of the roster store the statuses they computed back, each in its
/// own order: two pages sorted differently over the same athletes write the
/// same rows in opposite orders. However they interleave, neither may fail
/// (on PostgreSQL: a deadlock, which stalled both for the detection timeout).
#[test]
fn concurrent_status_write_backs_in_opposite_orders_never_deadlock() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, athletes) = org_with_athletes(&store, 300);
        let reversed: Vec<UserId> = athletes.iter().rev().copied().collect();
        // Overlapping, not equal: the middle third is written by every writer.
        let orders = [&athletes[..200], &reversed[..200], &athletes[100..], &reversed[100..]];
        std::thread::scope(|s| {
            let writers: Vec<_> = orders
                .iter()
                .map(|order| {
                    let store = store.clone();
                    s.spawn(move || (0..15).map(|_| store.write_back_statuses(org, order, now())).find_map(Result::err))
                })
                .collect();
            for writer in writers {
                if let Some(e) = writer.join().unwrap() {
                    panic!("{:?}: a write-back failed: {e}", db.backend);
                }
            }
        });
    }
}
