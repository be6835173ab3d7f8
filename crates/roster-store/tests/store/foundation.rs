//! Accounts, organizations, memberships, audit events and migrations.

use crate::fixtures::{now, stored_user};
use chrono::{DateTime, Utc};
use roster_domain::entities::{AuditEvent, AuditFilter, Membership, Organization};
use roster_domain::ports::{AccountRepo, AuditRepo, OrganizationRepo};
use roster_domain::values::{Description, Email, OrgName, Timezone};
use roster_domain::{Conflict, OrgId, RepoError, Role, UserId};
use roster_store::testing::TestDb;
use roster_store::{DatabaseUrl, Store};
use serde_json::json;
use std::collections::BTreeSet;

/// An event with one change, so the trail's `changes` round-trip is checked.
fn event(org: OrgId, actor: UserId, action: &str) -> AuditEvent {
    AuditEvent::new(org, actor, action, Some(actor), json!({"k": {"old": null, "new": 1}}), now())
}

fn org_headed_by(store: &Store, head: UserId) -> Organization {
    let t = now();
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::parse("Tuesdays").unwrap(),
        timezone: Timezone::parse("Europe/Berlin").unwrap(),
        created_at: t,
        updated_at: t,
        version: 1,
    };
    let membership = Membership::start(org.org_id, head, Role::HeadCoach, t);
    store.create_organization(&org, &membership, &event(org.org_id, head, "organization.created")).unwrap();
    org
}

fn conflict<T: std::fmt::Debug>(r: Result<T, RepoError>) -> Conflict {
    match r {
        Err(RepoError::Conflict(c)) => c,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[test]
fn migration_folders_have_identical_names() {
    let names = |backend: &str| -> BTreeSet<String> {
        let dir = format!("{}/../../migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

#[test]
fn database_url_errors_are_specific() {
    assert!(DatabaseUrl::parse("").is_err());
    assert!(DatabaseUrl::parse("mysql://x").unwrap_err().to_string().contains("mysql"));
    assert_eq!(DatabaseUrl::parse("data/x.db").unwrap(), DatabaseUrl::Sqlite("data/x.db".into()));
}

#[test]
fn fresh_database_migrates_and_round_trips_every_row_type() {
    for db in TestDb::all() {
        let store = db.store();
        assert!(store.ready(std::time::Duration::from_secs(1)).unwrap(), "{:?}", db.backend);
        let head = stored_user(&store, "Kim", Some("Lee"), Some("Head@Example.com"));
        let loaded = store.user_by_email(&Email::parse("head@example.com").unwrap()).unwrap().unwrap();
        assert_eq!(loaded.user, head);
        assert_eq!(loaded.password_hash, "$argon2id$fake");
        assert_eq!(store.user_by_id(head.user_id).unwrap(), Some(head.clone()));

        let org = org_headed_by(&store, head.user_id);
        let view = store.organization(org.org_id).unwrap().unwrap();
        assert_eq!(view.org, org, "{:?}", db.backend);
        assert_eq!(view.head_coach_user_id, head.user_id);
        assert_eq!((view.counts.coaches, view.counts.athletes), (1, 0));

        let m = store.live_membership(org.org_id, head.user_id).unwrap().unwrap();
        assert_eq!(m.role, Role::HeadCoach);
        let memberships = store.memberships_of(head.user_id).unwrap();
        assert_eq!(memberships[0].org_name, "Riverside Runners");
        assert_eq!(memberships[0].summary().role, Role::HeadCoach);

        let events = store.audit_events(org.org_id, &AuditFilter { limit: 10, ..Default::default() }).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].changes, json!({"k": {"old": null, "new": 1}}));
        assert_eq!(events[0].action, "organization.created");
    }
}

#[test]
fn taken_email_is_a_typed_conflict() {
    for db in TestDb::all() {
        let store = db.store();
        let first = stored_user(&store, "Kim", Some("Lee"), Some("same@example.com"));
        let mut second = first.clone();
        second.user_id = UserId::new();
        assert_eq!(conflict(store.insert_user(&second, "h")), Conflict::EmailTaken, "{:?}", db.backend);
    }
}

#[test]
fn an_account_heads_at_most_one_organization() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Kim", Some("Lee"), Some("h@example.com"));
        org_headed_by(&store, head.user_id);
        let t = now();
        let org = Organization { org_id: OrgId::new(), ..org_headed_by_template(t) };
        let m = Membership::start(org.org_id, head.user_id, Role::HeadCoach, t);
        let r = store.create_organization(&org, &m, &event(org.org_id, head.user_id, "organization.created"));
        assert_eq!(conflict(r), Conflict::AlreadyHeadCoach, "{:?}", db.backend);
        assert!(store.organization(org.org_id).unwrap().is_none(), "nothing half-written");
    }
}

fn org_headed_by_template(t: DateTime<Utc>) -> Organization {
    Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Second").unwrap(),
        description: Description::default(),
        timezone: Timezone::utc(),
        created_at: t,
        updated_at: t,
        version: 1,
    }
}

#[test]
fn concurrent_organization_creation_by_one_account_has_one_winner() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Kim", Some("Lee"), Some("racer@example.com"));
        let results: Vec<Result<(), RepoError>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let store = store.clone();
                    s.spawn(move || {
                        let t = now();
                        let org = org_headed_by_template(t);
                        let m = Membership::start(org.org_id, head.user_id, Role::HeadCoach, t);
                        store.create_organization(&org, &m, &event(org.org_id, head.user_id, "organization.created"))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{:?}: {results:?}", db.backend);
        for r in results.into_iter().filter(Result::is_err) {
            assert_eq!(conflict(r), Conflict::AlreadyHeadCoach);
        }
    }
}

#[test]
fn memberships_keep_their_uniqueness_rules() {
    for db in TestDb::all() {
        let store = db.store();
        let (h1, h2, athlete) = (
            stored_user(&store, "Kim", Some("Lee"), Some("h1@x.io")),
            stored_user(&store, "Kim", Some("Lee"), Some("h2@x.io")),
            stored_user(&store, "Kim", Some("Lee"), Some("a@x.io")),
        );
        let (o1, o2) = (org_headed_by(&store, h1.user_id), org_headed_by(&store, h2.user_id));
        let t = now();
        let join = |org: OrgId, role: Role| {
            store.add_membership(
                &Membership::start(org, athlete.user_id, role, t),
                &event(org, h1.user_id, "member.added"),
            )
        };
        join(o1.org_id, Role::Athlete).unwrap();
        assert_eq!(conflict(join(o1.org_id, Role::Athlete)), Conflict::AlreadyMember, "{:?}", db.backend);
        assert_eq!(conflict(join(o2.org_id, Role::Athlete)), Conflict::MemberOfAnotherOrganization);
        // A coach in one organization may be an athlete in another.
        join(o2.org_id, Role::AssistantCoach).unwrap();
        assert_eq!(store.memberships_of(athlete.user_id).unwrap().len(), 2);
        for n in &store.memberships_of(athlete.user_id).unwrap() {
            assert_eq!(
                Some(&n.membership),
                store.live_membership(n.membership.org_id, athlete.user_id).unwrap().as_ref()
            );
        }
    }
}

#[test]
fn removing_a_coach_keeps_history_and_unassigns_their_athletes() {
    for db in TestDb::all() {
        let store = db.store();
        let (head, coach, athlete) = (
            stored_user(&store, "Kim", Some("Lee"), Some("h@x.io")),
            stored_user(&store, "Kim", Some("Lee"), Some("c@x.io")),
            stored_user(&store, "Kim", Some("Lee"), Some("a@x.io")),
        );
        let org = org_headed_by(&store, head.user_id).org_id;
        let t = now();
        store
            .add_membership(
                &Membership::start(org, coach.user_id, Role::AssistantCoach, t),
                &event(org, head.user_id, "coach.added"),
            )
            .unwrap();
        let mut m = Membership::start(org, athlete.user_id, Role::Athlete, t);
        m.assigned_to_coach_id = Some(coach.user_id);
        store.add_membership(&m, &event(org, head.user_id, "member.added")).unwrap();
        assert_eq!(
            store.coaches(org).unwrap().iter().find(|c| c.user_id == coach.user_id).unwrap().assigned_athletes,
            1
        );

        store.end_coach_membership(org, coach.user_id, now(), &event(org, head.user_id, "coach.removed")).unwrap();
        assert!(store.live_membership(org, coach.user_id).unwrap().is_none(), "{:?}", db.backend);
        let athlete_now = store.live_membership(org, athlete.user_id).unwrap().unwrap();
        assert_eq!(athlete_now.assigned_to_coach_id, None);
        assert_eq!(athlete_now.version, 2);
        // The ended membership is history: re-adding starts a new one.
        store
            .add_membership(
                &Membership::start(org, coach.user_id, Role::AssistantCoach, now()),
                &event(org, head.user_id, "coach.added"),
            )
            .unwrap();
        assert_eq!(store.coaches(org).unwrap().len(), 2);
    }
}

#[test]
fn head_coach_swap_keeps_one_head_per_organization() {
    for db in TestDb::all() {
        let store = db.store();
        let (head, coach) = (
            stored_user(&store, "Kim", Some("Lee"), Some("h@x.io")),
            stored_user(&store, "Kim", Some("Lee"), Some("c@x.io")),
        );
        let org = org_headed_by(&store, head.user_id).org_id;
        store
            .add_membership(
                &Membership::start(org, coach.user_id, Role::AssistantCoach, now()),
                &event(org, head.user_id, "coach.added"),
            )
            .unwrap();
        store
            .swap_head_coach(
                org,
                head.user_id,
                coach.user_id,
                now(),
                &event(org, head.user_id, "coach.head_transferred"),
            )
            .unwrap();
        let view = store.organization(org).unwrap().unwrap();
        assert_eq!(view.head_coach_user_id, coach.user_id, "{:?}", db.backend);
        assert_eq!(store.live_membership(org, head.user_id).unwrap().unwrap().role, Role::AssistantCoach);
        assert_eq!(store.headed_by(head.user_id).unwrap(), None);
        assert_eq!(store.headed_by(coach.user_id).unwrap(), Some(org));
    }
}

#[test]
fn stale_version_changes_nothing() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Kim", Some("Lee"), Some("h@x.io"));
        let mut org = org_headed_by(&store, head.user_id);
        org.name = OrgName::parse("Renamed").unwrap();
        org.version = 2;
        store.update_organization(&org, 1, &event(org.org_id, head.user_id, "organization.updated")).unwrap();
        let mut stale = org.clone();
        stale.name = OrgName::parse("Lost").unwrap();
        stale.version = 2;
        let r = store.update_organization(&stale, 1, &event(org.org_id, head.user_id, "organization.updated"));
        assert_eq!(conflict(r), Conflict::VersionMismatch, "{:?}", db.backend);
        let view = store.organization(org.org_id).unwrap().unwrap();
        assert_eq!((view.org.name.as_str(), view.org.version), ("Renamed", 2));
        let events = store.audit_events(org.org_id, &AuditFilter { limit: 10, ..Default::default() }).unwrap();
        assert_eq!(events.len(), 2, "the refused write left no audit event");
    }
}

#[test]
fn audit_events_filter_and_page_newest_first() {
    for db in TestDb::all() {
        let store = db.store();
        let (head, other) = (
            stored_user(&store, "Kim", Some("Lee"), Some("h@x.io")),
            stored_user(&store, "Kim", Some("Lee"), Some("o@x.io")),
        );
        let org = org_headed_by(&store, head.user_id).org_id;
        for i in 0..5 {
            let mut e = event(org, head.user_id, if i % 2 == 0 { "member.added" } else { "member.updated" });
            e.subject_user_id = Some(if i < 3 { head.user_id } else { other.user_id });
            let athlete = stored_user(&store, "Kim", Some("Lee"), Some(&format!("a{i}@x.io")));
            store.add_membership(&Membership::start(org, athlete.user_id, Role::Athlete, now()), &e).unwrap();
        }
        let all = |f: AuditFilter| store.audit_events(org, &AuditFilter { limit: 50, ..f }).unwrap();
        let first_page = store.audit_events(org, &AuditFilter { limit: 2, ..Default::default() }).unwrap();
        assert_eq!(first_page.len(), 3, "limit + 1 tells a next page exists");
        let before = Some(first_page[1].event_id);
        let rest = all(AuditFilter { before, ..Default::default() });
        assert!(rest.iter().all(|e| e.event_id < first_page[1].event_id), "{:?}", db.backend);
        assert_eq!(all(AuditFilter { action: Some("organization.created".into()), ..Default::default() }).len(), 1);
        assert_eq!(all(AuditFilter { actor_id: Some(other.user_id), ..Default::default() }).len(), 0);
        assert_eq!(all(AuditFilter { subject_user_id: Some(other.user_id), ..Default::default() }).len(), 2);
        assert_eq!(all(AuditFilter { action: Some("member.added".into()), ..Default::default() }).len(), 3);
    }
}
