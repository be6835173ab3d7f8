//! The roster: adding, updating, removing members and the roster list.

use crate::fixtures::{now, stored_user};
use chrono::Duration;
use roster_domain::entities::{AuditEvent, AuditFilter, JoinExtras, Membership, Organization};
use roster_domain::member::{
    CoachFilter, DisplayName, Labels, MemberLevel, MemberRepo, PrivateNotes, RosterCursor, RosterQuery, RosterSort,
};
use roster_domain::ports::{AccountRepo, AuditRepo, OrganizationRepo};
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{Conflict, MembershipStatus, OrgId, RepoError, Role, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;
use serde_json::json;
use std::collections::HashSet;

fn new_org(store: &Store) -> (OrgId, UserId) {
    let head = stored_user(store, "Hana", Some("Head"), None).user_id;
    let t = now();
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::parse("").unwrap(),
        timezone: Timezone::parse("UTC").unwrap(),
        created_at: t,
        updated_at: t,
        version: 1,
    };
    let m = Membership::start(org.org_id, head, Role::HeadCoach, t);
    let e = AuditEvent::new(org.org_id, head, "organization.created", None, json!({}), t);
    store.create_organization(&org, &m, &e).unwrap();
    (org.org_id, head)
}

fn added(org: OrgId, actor: UserId, user: UserId) -> AuditEvent {
    AuditEvent::new(org, actor, "member.added", Some(user), json!({}), now())
}

/// Adds `user` as an athlete with the given attributes.
fn add(store: &Store, org: OrgId, actor: UserId, user: UserId, f: impl FnOnce(&mut Membership)) -> Membership {
    let mut m = Membership::start(org, user, Role::Athlete, now());
    f(&mut m);
    store
        .add_member(&m, &JoinExtras::default(), (actor, None), &added(org, actor, user), &crate::added_mail(org, user))
        .unwrap();
    m
}

fn query() -> RosterQuery {
    RosterQuery { limit: 50, ..Default::default() }
}

fn names(store: &Store, org: OrgId, q: &RosterQuery) -> Vec<String> {
    store.roster(org, q).unwrap().members.into_iter().map(|m| m.first_name).collect()
}

#[test]
fn add_member_stores_attributes_labels_and_the_audit_event_in_one_go() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let athlete = stored_user(&store, "Maya", Some("Chen"), None);
        let m = add(&store, org, head, athlete.user_id, |m| {
            m.display_name = Some(DisplayName::parse("Mayo").unwrap());
            m.member_level = Some(MemberLevel::parse("elite").unwrap());
            m.labels = Labels::parse(["@marathon", "@injury-watch"]).unwrap();
            m.private_notes = Some(PrivateNotes::parse("knee").unwrap());
            m.assigned_to_coach_id = Some(head);
        });
        let view = store.member(org, athlete.user_id).unwrap().unwrap();
        assert_eq!(view.membership, m, "{:?}", db.backend);
        assert_eq!(view.first_name, "Maya");
        let events = store.audit_events(org, &AuditFilter { limit: 10, ..Default::default() }).unwrap();
        assert_eq!(events[0].action, "member.added");
    }
}

#[test]
fn add_member_refuses_members_and_athletes_of_another_organization() {
    for db in TestDb::all() {
        let store = db.store();
        let (org_a, head_a) = new_org(&store);
        let (org_b, head_b) = new_org(&store);
        let athlete = stored_user(&store, "Tom", Some("Becker"), None);
        add(&store, org_a, head_a, athlete.user_id, |_| {});
        let again = Membership::start(org_a, athlete.user_id, Role::Athlete, now());
        let mail = crate::added_mail(org_a, athlete.user_id);
        let r = store.add_member(
            &again,
            &JoinExtras::default(),
            (head_a, None),
            &added(org_a, head_a, athlete.user_id),
            &mail,
        );
        assert!(matches!(r, Err(RepoError::Conflict(Conflict::AlreadyMember))), "{r:?}");
        let elsewhere = Membership::start(org_b, athlete.user_id, Role::Athlete, now());
        let r = store.add_member(
            &elsewhere,
            &JoinExtras::default(),
            (head_b, None),
            &added(org_b, head_b, athlete.user_id),
            &mail,
        );
        assert!(matches!(r, Err(RepoError::Conflict(Conflict::MemberOfAnotherOrganization))), "{r:?}");
        // Nothing was written for the refused adds.
        let events = store.audit_events(org_b, &AuditFilter { limit: 10, ..Default::default() }).unwrap();
        assert!(events.iter().all(|e| e.action != "member.added"));
        // Only the first add queued its e-mail; a refused add queues none.
        let queued: Vec<_> = store.outbox_records().unwrap().into_iter().map(|r| r.message.org_id).collect();
        assert_eq!(queued, vec![Some(org_a)]);
    }
}

#[test]
fn update_member_checks_the_version_and_replaces_labels() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let athlete = stored_user(&store, "Aisha", Some("Khan"), None);
        let mut m = add(&store, org, head, athlete.user_id, |m| m.labels = Labels::parse(["@a", "@b"]).unwrap());
        m.labels = Labels::parse(["@c"]).unwrap();
        m.status = MembershipStatus::Suspended;
        m.display_name = Some(DisplayName::parse("Zed").unwrap());
        m.version = 2;
        let event = AuditEvent::new(org, head, "member.updated", Some(athlete.user_id), json!({}), now());
        store.update_member(&m, 1, &event).unwrap();
        let view = store.member(org, athlete.user_id).unwrap().unwrap();
        assert_eq!(view.membership.labels.to_strings(), vec!["@c"]);
        assert_eq!(view.membership.version, 2);
        // The display name is now the sort key and is searchable.
        let found = store.roster(org, &RosterQuery { q: Some("zed".into()), ..query() }).unwrap();
        assert_eq!(found.total, 1);
        let stale = store.update_member(&m, 1, &event);
        assert!(matches!(stale, Err(RepoError::Conflict(Conflict::VersionMismatch))), "{stale:?}");
    }
}

#[test]
fn removal_ends_the_membership_clears_the_coach_and_re_adding_starts_anew() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let athlete = stored_user(&store, "Jon", Some("Silva"), None);
        let first = add(&store, org, head, athlete.user_id, |m| m.assigned_to_coach_id = Some(head));
        let event = AuditEvent::new(org, head, "member.removed", Some(athlete.user_id), json!({}), now());
        store.remove_member(org, athlete.user_id, head, now(), &event).unwrap();
        assert!(store.member(org, athlete.user_id).unwrap().is_none());
        assert!(store.user_by_id(athlete.user_id).unwrap().is_some(), "the account stays");
        assert_eq!(store.roster(org, &query()).unwrap().total, 0);
        let again = store.remove_member(org, athlete.user_id, head, now(), &event);
        assert!(matches!(again, Err(RepoError::Refused(_))), "{again:?}");
        let second = add(&store, org, head, athlete.user_id, |_| {});
        assert_ne!(first.membership_id, second.membership_id);
        assert_eq!(store.member(org, athlete.user_id).unwrap().unwrap().membership.assigned_to_coach_id, None);
    }
}

#[test]
fn roster_filters_combine_and_count_every_match() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let coach = stored_user(&store, "Luis", Some("Moreno"), None).user_id;
        let cm = Membership::start(org, coach, Role::AssistantCoach, now());
        store.add_membership(&cm, &added(org, head, coach)).unwrap();
        let specs = [
            ("Ann", "active", &["@marathon", "@trail"][..], Some("elite"), Some(coach)),
            ("Bob", "active", &["@marathon"][..], None, Some(coach)),
            ("Cid", "inactive", &["@marathon", "@trail"][..], Some("elite"), None),
            ("Dee", "suspended", &[][..], None, Some(head)),
        ];
        for (first, status, labels, level, assigned) in specs {
            let u = stored_user(&store, first, Some("Runner"), None).user_id;
            add(&store, org, head, u, |m| {
                m.status = status.parse().unwrap();
                m.labels = Labels::parse(labels.iter().copied()).unwrap();
                m.member_level = level.map(|l| MemberLevel::parse(l).unwrap());
                m.assigned_to_coach_id = assigned;
            });
        }
        // Another organization's athlete never shows.
        let (other_org, other_head) = new_org(&store);
        add(&store, other_org, other_head, stored_user(&store, "Eve", Some("Other"), None).user_id, |_| {});

        assert_eq!(names(&store, org, &query()), ["Ann", "Bob", "Cid", "Dee"], "{:?}", db.backend);
        let label = |l: &str| roster_domain::member::Label::parse(l).unwrap();
        let q = RosterQuery { labels: vec![label("@marathon"), label("@trail")], ..query() };
        assert_eq!(names(&store, org, &q), ["Ann", "Cid"]);
        let q = RosterQuery { statuses: vec![MembershipStatus::Active, MembershipStatus::Suspended], ..query() };
        assert_eq!(names(&store, org, &q), ["Ann", "Bob", "Dee"]);
        let q = RosterQuery { member_level: Some(MemberLevel::parse("elite").unwrap()), ..query() };
        assert_eq!(names(&store, org, &q), ["Ann", "Cid"]);
        let q = RosterQuery { coach: CoachFilter::Coach(coach), labels: vec![label("@marathon")], ..query() };
        assert_eq!(store.roster(org, &q).unwrap().total, 2);
        let q = RosterQuery { coach: CoachFilter::Unassigned, ..query() };
        assert_eq!(names(&store, org, &q), ["Cid"]);
        let q = RosterQuery { q: Some("bo".into()), ..query() };
        assert_eq!(names(&store, org, &q), ["Bob"]);
        let q = RosterQuery { q: Some("runner".into()), statuses: vec![MembershipStatus::Inactive], ..query() };
        assert_eq!(names(&store, org, &q), ["Cid"]);
        let q = RosterQuery { q: Some("%".into()), ..query() };
        assert_eq!(store.roster(org, &q).unwrap().total, 0, "LIKE wildcards are literal");
        let q = RosterQuery { q: Some("@example.com".into()), ..query() };
        assert_eq!(store.roster(org, &q).unwrap().total, 4, "e-mail is searched");
        let q = RosterQuery { sort: RosterSort::JoinedAtDesc, ..query() };
        assert_eq!(names(&store, org, &q), ["Dee", "Cid", "Bob", "Ann"]);
        let page = store.roster(org, &RosterQuery { limit: 3, include_profile_status: true, ..query() }).unwrap();
        assert_eq!(page.total, 4);
        assert_eq!(page.members.len(), 3);
        assert!(page.next.is_some());
        assert_eq!(page.profile_status.unwrap().len(), 3);
        // The total comes with the page: also on the last one, and past it.
        let last = store.roster(org, &RosterQuery { limit: 3, after: page.next, ..query() }).unwrap();
        assert_eq!((last.members.len(), last.total, last.next.is_none()), (1, 4, true));
        let beyond = RosterCursor::Name { key: "~".into(), user_id: head };
        let past = store.roster(org, &RosterQuery { after: Some(beyond), ..query() }).unwrap();
        assert_eq!((past.members.len(), past.total), (0, 4), "{:?}", db.backend);
        let none = RosterQuery { q: Some("nobody".into()), ..query() };
        assert_eq!(store.roster(org, &none).unwrap().total, 0);
    }
}

/// Walks every page of `sort` while inserting members between pages.
fn walk(store: &Store, org: OrgId, head: UserId, sort: RosterSort) -> (Vec<UserId>, HashSet<UserId>) {
    let mut seen = Vec::new();
    let mut inserted = HashSet::new();
    let mut after: Option<RosterCursor> = None;
    let mut round = 0;
    loop {
        let page = store.roster(org, &RosterQuery { limit: 7, sort, after: after.clone(), ..query() }).unwrap();
        seen.extend(page.members.iter().map(|m| m.membership.user_id));
        // Concurrent adds: names at both ends of the order.
        for first in ["Aaron", "Zora"] {
            let u = stored_user(store, &format!("{first}{round}"), Some("Late"), None).user_id;
            add(store, org, head, u, |_| {});
            inserted.insert(u);
        }
        round += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    (seen, inserted)
}

#[test]
fn walking_every_page_returns_every_member_exactly_once_while_members_are_added() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let mut original = HashSet::new();
        for i in 0..40 {
            let u = stored_user(&store, &format!("M{:02}", (i * 7) % 40), Some("Runner"), None).user_id;
            add(&store, org, head, u, |m| m.joined_at -= Duration::seconds(1000 - i));
            original.insert(u);
        }
        for sort in [RosterSort::Name, RosterSort::JoinedAt, RosterSort::JoinedAtDesc] {
            let (seen, inserted) = walk(&store, org, head, sort);
            let unique: HashSet<UserId> = seen.iter().copied().collect();
            assert_eq!(unique.len(), seen.len(), "no member twice ({sort:?}, {:?})", db.backend);
            assert!(original.is_subset(&unique), "every member present before the walk is seen ({sort:?})");
            assert!(unique.iter().all(|u| original.contains(u) || inserted.contains(u)));
            original.extend(inserted);
        }
    }
}

#[test]
fn seed_generates_organizations_with_realistic_rosters() {
    use roster_store::seed::SeedOptions;
    for db in TestDb::all() {
        let store = db.store();
        let opts = SeedOptions {
            orgs: 2,
            athletes_per_org: 40,
            big_org: 120,
            assistants_per_org: 2,
            password_hash: "$argon2id$fake".into(),
            seed: 7,
        };
        let report = store.seed(&opts).unwrap();
        assert_eq!(report.athletes, 200);
        let big = report.big_org.unwrap();
        let all = store.roster(big.org_id, &RosterQuery { limit: 200, ..query() }).unwrap();
        assert_eq!(all.total, 120, "{:?}", db.backend);
        let marathon =
            RosterQuery { labels: vec![roster_domain::member::Label::parse("@marathon").unwrap()], ..query() };
        let share = store.roster(big.org_id, &marathon).unwrap().total;
        assert!((5..=60).contains(&share), "about a fifth run marathons: {share}");
        let coach = RosterQuery { coach: CoachFilter::Coach(big.assistant_ids[0]), ..query() };
        assert!(store.roster(big.org_id, &coach).unwrap().total > 0);
        let head = store.live_membership(big.org_id, big.head_coach_id).unwrap().unwrap();
        assert_eq!(head.role, Role::HeadCoach);
        assert_eq!(store.roster(report.orgs[1].org_id, &query()).unwrap().total, 40);
        // Compacting keeps every row, and the label's side roster with it.
        store.compact().unwrap();
        assert_eq!(store.roster(big.org_id, &RosterQuery { limit: 200, ..query() }).unwrap().total, 120);
        assert_eq!(store.roster(big.org_id, &marathon).unwrap().total, share);
    }
}

#[test]
fn label_filters_match_whole_labels_only() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let u = stored_user(&store, "Una", Some("Under"), None).user_id;
        add(&store, org, head, u, |m| m.labels = Labels::parse(["@a_b", "@marathon-2"]).unwrap());
        let count = |l: &str| {
            let q = RosterQuery { labels: vec![roster_domain::member::Label::parse(l).unwrap()], ..query() };
            store.roster(org, &q).unwrap().total
        };
        assert_eq!(count("@a_b"), 1, "{:?}", db.backend);
        assert_eq!(count("@axb"), 0, "`_` is not a wildcard");
        assert_eq!(count("@marathon"), 0, "a prefix of a label is not the label");
        assert_eq!(count("@marathon-2"), 1);
    }
}

#[test]
fn retention_erases_what_ended_before_the_cutoff_and_the_read_model_stays_true() {
    use roster_domain::privacy::PrivacyRepo;
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let athlete = stored_user(&store, "Ana", Some("Lopez"), None);
        add(&store, org, head, athlete.user_id, |m| {
            m.display_name = Some(DisplayName::parse("Zed").unwrap());
            m.member_level = Some(MemberLevel::parse("gold").unwrap());
            m.labels = Labels::parse(["@gone"]).unwrap();
            m.private_notes = Some(PrivateNotes::parse("knee").unwrap());
        });
        let ended = now();
        let event = AuditEvent::new(org, head, "member.removed", Some(athlete.user_id), json!({}), ended);
        store.remove_member(org, athlete.user_id, head, ended, &event).unwrap();
        assert_eq!(store.erase_lapsed_memberships(ended - Duration::seconds(1)).unwrap(), 0);
        assert_eq!(store.erase_lapsed_memberships(ended + Duration::seconds(1)).unwrap(), 1);
        assert_eq!(store.erase_lapsed_memberships(ended + Duration::seconds(1)).unwrap(), 0, "nothing left to erase");
        let thresholds = roster_domain::attention::AttentionThresholds::default();
        assert_eq!(store.check_read_model(now(), &thresholds, false).unwrap().drifted_rows(), 0);
    }
}

#[test]
fn an_erased_account_is_refused_further_writes_and_the_read_model_stays_true() {
    use roster_domain::athlete::{Activity, ActivitySource, AthleteRepo};
    use roster_domain::privacy::{AccountErasure, PrivacyRepo, mail};
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = new_org(&store);
        let athlete = stored_user(&store, "Eve", Some("Gone"), None);
        add(&store, org, head, athlete.user_id, |m| m.display_name = Some(DisplayName::parse("Evie").unwrap()));
        let erasure = AccountErasure {
            user_id: athlete.user_id,
            email: athlete.email.as_str().to_owned(),
            at: now(),
            confirmation: mail::account_deleted(athlete.email.as_str(), now()),
        };
        store.erase_account(&erasure).unwrap();
        let again = store.erase_account(&erasure);
        assert!(matches!(again, Err(RepoError::Refused(_))), "{again:?}");
        let heading = AccountErasure { user_id: head, ..erasure.clone() };
        let refused = store.erase_account(&heading);
        assert!(matches!(refused, Err(RepoError::Conflict(Conflict::HeadCoachMustTransfer))), "{refused:?}");
        let activity = Activity {
            activity_id: roster_domain::ActivityId::new(),
            user_id: athlete.user_id,
            sport: roster_domain::Sport::Run,
            start_time: now(),
            distance_m: 1.0,
            duration_s: 1,
            elevation_gain_m: None,
            avg_hr: None,
            title: None,
            source: ActivitySource::Manual,
            external_id: None,
            created_by: athlete.user_id,
            created_by_key: None,
            created_at: now(),
        };
        let event = AuditEvent::new(org, athlete.user_id, "activity.created", Some(athlete.user_id), json!({}), now());
        assert!(matches!(store.insert_activity(&activity, &event), Err(RepoError::Refused(_))));
        let gone = store.user_by_id(athlete.user_id).unwrap().unwrap();
        assert_eq!(gone.first_name.as_str(), "Deleted account");
        let thresholds = roster_domain::attention::AttentionThresholds::default();
        let report = store.check_read_model(now(), &thresholds, false).unwrap();
        assert_eq!(report.drifted_rows(), 0, "{report:?}");
    }
}
