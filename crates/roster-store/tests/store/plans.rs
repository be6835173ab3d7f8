//! Store tests for plans: the library, assignments and their rules at commit,
//! concurrency, join and leave effects, and the roster page's batch read.

pub use crate::fixtures::{event, now, user};
use chrono::{Duration, NaiveDate};
use roster_domain::entities::{AuditFilter, JoinExtras, Membership, Organization, PlanStart};
use roster_domain::joining::JoinMode;
use roster_domain::plans::{
    AssignmentRepo, PlanAssignment, PlanContent, PlanFilter, PlanName, PlanRepo, TrainingPlan, Workout,
};
use roster_domain::ports::{AuditRepo, OrganizationRepo};
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{Conflict, DomainError, OrgId, PlanId, RepoError, Role, Sport, UserId};
use roster_store::testing::TestDb;
use roster_store::{Store, StoreError};

pub fn today() -> NaiveDate {
    now().date_naive()
}

/// A UTC organization with a head coach.
pub fn org(store: &Store) -> (OrgId, UserId) {
    let head = user(store);
    let t = now();
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside").unwrap(),
        description: Description::default(),
        timezone: Timezone::utc(),
        created_at: t,
        updated_at: t,
        version: 1,
    };
    let m = Membership::start(org.org_id, head, Role::HeadCoach, t);
    store.create_organization(&org, &m, &event(org.org_id, head, "organization.created")).unwrap();
    (org.org_id, head)
}

pub fn athlete(store: &Store, org: OrgId) -> UserId {
    let id = user(store);
    let m = Membership::start(org, id, Role::Athlete, now());
    store.add_membership(&m, &event(org, id, "member.added")).unwrap();
    id
}

pub fn plan(store: &Store, org: OrgId, author: UserId, weeks: i64) -> TrainingPlan {
    let w = Workout {
        week: 1,
        day: 1,
        title: "Easy".into(),
        kind: Some("easy".into()),
        distance_m: Some(5000),
        duration_s: None,
        notes: None,
    };
    let content = PlanContent::new(
        PlanName::parse("Marathon Base").unwrap(),
        Description::default(),
        Sport::Run,
        None,
        weeks,
        vec![w],
    )
    .unwrap();
    let t = now();
    let p = TrainingPlan {
        plan_id: PlanId::new(),
        org_id: org,
        content,
        created_by: author,
        created_by_key: None,
        created_at: t,
        updated_at: t,
        archived_at: None,
        version: 1,
    };
    store.insert_plan(&p, &event(org, author, "plan.created")).unwrap();
    p
}

pub fn assign(store: &Store, p: &TrainingPlan, athlete: UserId, start: NaiveDate) -> Result<PlanAssignment, RepoError> {
    let a = PlanAssignment::new(p, athlete, start, p.created_by, now());
    store.assign(&a, &event(p.org_id, p.created_by, "plan.assigned")).map(|()| a)
}

fn archive(store: &Store, p: &TrainingPlan) {
    let mut archived = p.clone();
    archived.archived_at = Some(now());
    archived.version += 1;
    store.update_plan(&archived, p.version, &event(p.org_id, p.created_by, "plan.archived")).unwrap();
}

fn refused_code(e: StoreError) -> String {
    match e {
        StoreError::Refused(d) => d.code().to_owned(),
        StoreError::Conflict(c) => DomainError::Conflict(c).code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn actions(store: &Store, org: OrgId) -> Vec<String> {
    let filter = AuditFilter { limit: 200, ..AuditFilter::default() };
    store.audit_events(org, &filter).unwrap().into_iter().map(|e| e.action).collect()
}

#[test]
fn plans_round_trip_filter_and_version() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let p = plan(&store, org, head, 12);
        assert_eq!(store.plan(org, p.plan_id).unwrap().unwrap(), p, "{:?}", db.backend);
        let all = |f: PlanFilter| store.plans(org, &PlanFilter { limit: 50, ..f }).unwrap();
        assert_eq!(all(PlanFilter { q: Some("BASE".into()), ..PlanFilter::default() }).len(), 1);
        assert_eq!(all(PlanFilter { q: Some("100%".into()), ..PlanFilter::default() }).len(), 0);
        assert_eq!(all(PlanFilter { sport: Some(Sport::Bike), ..PlanFilter::default() }).len(), 0);
        let a = athlete(&store, org);
        assert_eq!(all(PlanFilter { assigned_to: Some(a), ..PlanFilter::default() }).len(), 0);
        assign(&store, &p, a, today()).unwrap();
        assert_eq!(all(PlanFilter { assigned_to: Some(a), ..PlanFilter::default() }).len(), 1);
        archive(&store, &p);
        assert_eq!(all(PlanFilter::default()).len(), 0);
        assert_eq!(all(PlanFilter { include_archived: true, ..PlanFilter::default() }).len(), 1);
        let stale = store.update_plan(&p, 1, &event(org, head, "plan.updated"));
        assert!(matches!(stale, Err(RepoError::Conflict(Conflict::VersionMismatch))));
    }
}

#[test]
fn plan_names_list_what_plans_lists_by_id_and_name() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let (p, q) = (plan(&store, org, head, 12), plan(&store, org, head, 4));
        let a = athlete(&store, org);
        assign(&store, &q, a, today()).unwrap();
        for filter in [
            PlanFilter { limit: 50, ..PlanFilter::default() },
            PlanFilter { limit: 1, ..PlanFilter::default() },
            PlanFilter { limit: 50, assigned_to: Some(a), ..PlanFilter::default() },
            PlanFilter { limit: 50, q: Some("nothing like it".into()), ..PlanFilter::default() },
        ] {
            let full: Vec<(PlanId, String)> = store
                .plans(org, &filter)
                .unwrap()
                .into_iter()
                .map(|t| (t.plan_id, t.content.name.as_str().to_owned()))
                .collect();
            let named: Vec<(PlanId, String)> =
                store.plan_names(org, &filter).unwrap().into_iter().map(|n| (n.plan_id, n.name)).collect();
            assert_eq!(named, full, "{filter:?} on {:?}", db.backend);
        }
        archive(&store, &p);
        let named = store.plan_names(org, &PlanFilter { limit: 50, ..PlanFilter::default() }).unwrap();
        assert_eq!(named.iter().map(|n| n.plan_id).collect::<Vec<_>>(), vec![q.plan_id], "{:?}", db.backend);
    }
}

#[test]
fn assignments_refuse_overlap_and_archived_plans_and_cancel_keeps_history() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let p = plan(&store, org, head, 2);
        let a = athlete(&store, org);
        let first = assign(&store, &p, a, today()).unwrap();
        let overlap = assign(&store, &p, a, today() + Duration::days(13));
        assert!(matches!(overlap, Err(RepoError::Conflict(Conflict::PlanAssignmentOverlap))), "{overlap:?}");
        let next = assign(&store, &p, a, today() + Duration::days(14)).unwrap();
        assert!(
            store.cancel_assignment(org, a, first.assignment_id, now(), &event(org, head, "plan.cancelled")).unwrap()
        );
        // Cancelled no longer blocks; a cancelled one stays in the list.
        assign(&store, &p, a, today()).unwrap();
        let list = store.assignments_of(org, a).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].assignment_id, next.assignment_id, "newest start first");
        assert!(list.iter().any(|x| x.assignment_id == first.assignment_id && x.cancelled_at.is_some()));
        assert!(
            !store
                .cancel_assignment(org, a, roster_domain::AssignmentId::new(), now(), &event(org, head, "x"))
                .unwrap()
        );
        archive(&store, &p);
        let b = athlete(&store, org);
        match assign(&store, &p, b, today()) {
            Err(RepoError::Refused(e)) => assert_eq!(e.code(), "plan_archived"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn concurrent_overlapping_assigns_have_exactly_one_winner() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let p = plan(&store, org, head, 4);
        let a = athlete(&store, org);
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let (store, p) = (store.clone(), p.clone());
                std::thread::spawn(move || assign(&store, &p, a, today() + Duration::days(i)))
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{:?}: {results:?}", db.backend);
        assert!(
            results.iter().all(|r| r.is_ok() || matches!(r, Err(RepoError::Conflict(Conflict::PlanAssignmentOverlap))))
        );
    }
}

#[test]
fn strict_join_refuses_bad_extras_and_lenient_skips_them_with_an_event() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let p = plan(&store, org, head, 2);
        let a = athlete(&store, org);
        let extras = |plan_id, start| JoinExtras {
            group_id: None,
            training_plan: Some(PlanStart { plan_id, start_date: start }),
        };
        let strict = |e: &JoinExtras| store.run_join_effects(org, a, e, JoinMode::Strict, head, now());
        assert_eq!(refused_code(strict(&extras(PlanId::new(), None)).unwrap_err()), "unknown_plan");
        assert_eq!(
            refused_code(strict(&extras(p.plan_id, Some(today() - Duration::days(1)))).unwrap_err()),
            "start_date_in_past"
        );
        let unknown_group = JoinExtras { group_id: Some(roster_domain::GroupId::new()), training_plan: None };
        assert_eq!(refused_code(strict(&unknown_group).unwrap_err()), "unknown_group");
        // No start date: today in the organization's time zone.
        strict(&extras(p.plan_id, None)).unwrap();
        let list = store.assignments_of(org, a).unwrap();
        assert_eq!((list.len(), list[0].start_date), (1, today()));
        assert_eq!(
            refused_code(strict(&extras(p.plan_id, Some(today() + Duration::days(3)))).unwrap_err()),
            "plan_assignment_overlap"
        );
        archive(&store, &p);
        let b = athlete(&store, org);
        let e = extras(p.plan_id, None);
        match store.run_join_effects(org, b, &e, JoinMode::Strict, head, now()) {
            Err(err) => assert_eq!(refused_code(err), "plan_archived"),
            Ok(()) => panic!("archived plan accepted"),
        }
        store.run_join_effects(org, b, &e, JoinMode::Lenient, head, now()).unwrap();
        assert!(store.assignments_of(org, b).unwrap().is_empty());
        assert!(actions(&store, org).contains(&"member.join_extra_skipped".to_owned()));
    }
}

#[test]
fn leaving_cancels_current_and_upcoming_but_not_past_assignments() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let p = plan(&store, org, head, 1);
        let a = athlete(&store, org);
        let past = assign(&store, &p, a, today() - Duration::days(30)).unwrap();
        assign(&store, &p, a, today()).unwrap();
        assign(&store, &p, a, today() + Duration::days(30)).unwrap();
        store.run_leave_effects(org, a, head, now()).unwrap();
        let list = store.assignments_of(org, a).unwrap();
        assert_eq!(list.len(), 3);
        for x in &list {
            assert_eq!(x.cancelled_at.is_none(), x.assignment_id == past.assignment_id, "only the past one stays");
        }
        assert!(actions(&store, org).iter().filter(|x| *x == "plan.cancelled").count() >= 2);
    }
}

#[test]
fn training_plans_status_reads_a_page_at_once() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let p = plan(&store, org, head, 3);
        let (a, b, c) = (athlete(&store, org), athlete(&store, org), athlete(&store, org));
        let in_week_one = assign(&store, &p, a, today()).unwrap();
        assign(&store, &p, a, today() + Duration::days(40)).unwrap();
        assign(&store, &p, b, today() + Duration::days(1)).unwrap();
        let mut conn = store.conn().unwrap();
        let status =
            roster_store::training_plans_status(&mut conn, org, &[a, b, c], today() + Duration::days(8)).unwrap();
        let (current, upcoming) = &status[&a];
        let current = current.as_ref().unwrap();
        assert_eq!(
            (current.assignment_id, current.current_week, current.total_weeks),
            (in_week_one.assignment_id, 2, 3)
        );
        assert_eq!(current.plan_name, "Marathon Base");
        assert_eq!(*upcoming, 1);
        assert_eq!(status[&b].0.as_ref().unwrap().current_week, 2);
        assert!(!status.contains_key(&c));
    }
}

#[test]
fn seeding_adds_groups_plans_and_assignments() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let athletes: Vec<UserId> = (0..14).map(|_| athlete(&store, org)).collect();
        let seeded = store.seed_plans_and_groups(org, head, &athletes, 3, 2, now()).unwrap();
        assert_eq!((seeded.group_ids.len(), seeded.plan_ids.len(), seeded.assignments), (3, 2, 12));
        let mut conn = store.conn().unwrap();
        let groups = roster_store::group_ids_of(&mut conn, org, &athletes).unwrap();
        assert_eq!(groups.len(), 14);
        let status = roster_store::training_plans_status(&mut conn, org, &athletes, today()).unwrap();
        assert!(status.values().any(|(current, _)| current.is_some()));
        assert!(status.values().any(|(_, upcoming)| *upcoming > 0));
    }
}
