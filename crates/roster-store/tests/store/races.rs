//! Concurrent writers at the store level, and the checks inside a write's
//! transaction that make the outcome of a race one a sequence could have had.

use roster_domain::entities::{AuditEvent, JoinExtras, Membership, Organization};
use roster_domain::member::MemberRepo;
use roster_domain::ports::OrganizationRepo;
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{DomainError, OrgId, RepoError, Role, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;
use serde_json::json;

use crate::fixtures::noon;
use crate::plans::user;

/// An organization with `n` athletes, and its head coach.
fn org_with_athletes(store: &Store, n: usize) -> (OrgId, Vec<UserId>, UserId) {
    let head = user(store);
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::default(),
        timezone: Timezone::parse("UTC").unwrap(),
        created_at: noon(),
        updated_at: noon(),
        version: 1,
    };
    let event = |action: &str| AuditEvent::new(org.org_id, head, action, None, json!({}), noon());
    let head_membership = Membership::start(org.org_id, head, Role::HeadCoach, noon());
    store.create_organization(&org, &head_membership, &event("organization.created")).unwrap();
    let athletes: Vec<UserId> = (0..n).map(|_| user(store)).collect();
    for athlete in &athletes {
        let m = Membership::start(org.org_id, *athlete, Role::Athlete, noon());
        store.add_membership(&m, &event("member.added")).unwrap();
    }
    (org.org_id, athletes, head)
}

fn code<T: std::fmt::Debug>(r: Result<T, RepoError>) -> String {
    DomainError::from(r.unwrap_err()).code().to_owned()
}

/// The invariant "an athlete's coach is a live coach of the organization" is
/// kept where the write happens, whatever the caller checked before: a coach
/// removed after the check is refused inside the write's transaction.
#[test]
fn writes_naming_a_coach_removed_since_the_check_are_refused() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, athletes, head) = org_with_athletes(&store, 1);
        let event = |action: &str| AuditEvent::new(org, head, action, None, json!({}), noon());
        let coach = user(&store);
        let coach_membership = Membership::start(org, coach, Role::AssistantCoach, noon());
        store.add_membership(&coach_membership, &event("coach.added")).unwrap();
        store.end_coach_membership(org, coach, noon(), &event("coach.removed")).unwrap();

        let mut athlete = store.member(org, athletes[0]).unwrap().unwrap().membership;
        let version = athlete.version;
        (athlete.assigned_to_coach_id, athlete.version) = (Some(coach), version + 1);
        assert_eq!(code(store.update_member(&athlete, version, &event("coach.assigned"))), "not_a_coach");

        let mut added = Membership::start(org, user(&store), Role::Athlete, noon());
        added.assigned_to_coach_id = Some(coach);
        let extras = JoinExtras::default();
        let mail = crate::added_mail(org, added.user_id);
        assert_eq!(code(store.add_member(&added, &extras, (head, None), &event("member.added"), &mail)), "not_a_coach");
        // The removed assistant coach adding their own athlete is no longer a member here.
        assert_eq!(code(store.add_member(&added, &extras, (coach, None), &event("member.added"), &mail)), "not_found");
        let unassigned = store.member(org, athletes[0]).unwrap().unwrap().membership;
        assert_eq!((unassigned.assigned_to_coach_id, unassigned.version), (None, version), "{:?}", db.backend);
        assert!(store.member(org, added.user_id).unwrap().is_none());
    }
}

/// Pages of the roster store the statuses they computed back, each in its
/// own order: two pages sorted differently over the same athletes write the
/// same rows in opposite orders. However they interleave, neither may fail
/// (on PostgreSQL: a deadlock, which stalled both for the detection timeout).
#[test]
fn concurrent_status_write_backs_in_opposite_orders_never_deadlock() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, athletes, _) = org_with_athletes(&store, 300);
        let reversed: Vec<UserId> = athletes.iter().rev().copied().collect();
        // Overlapping, not equal: the middle third is written by every writer.
        let orders = [&athletes[..200], &reversed[..200], &athletes[100..], &reversed[100..]];
        std::thread::scope(|s| {
            let writers: Vec<_> = orders
                .iter()
                .map(|order| {
                    let store = store.clone();
                    s.spawn(move || {
                        (0..15).map(|_| store.write_back_statuses(org, order, noon())).find_map(Result::err)
                    })
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
