//! Store tests for groups: names unique ignoring case, membership,
//! group plan assignment with enrollments, and the roster page's batch reads.

use crate::plans::{athlete, event, now, org, plan, today};
use chrono::Duration;
use diesel::prelude::*;
use roster_domain::entities::{AuditEvent, JoinExtras};
use roster_domain::groups::{Group, GroupName, GroupPlanRequest, GroupRepo, Outcome};
use roster_domain::joining::JoinMode;
use roster_domain::plans::AssignmentRepo;
use roster_domain::values::Description;
use roster_domain::{Conflict, DomainError, GroupId, OrgId, RepoError, UserId};
use roster_store::Store;
use roster_store::schema::memberships;
use roster_store::testing::TestDb;

pub fn group(store: &Store, org: OrgId, actor: UserId, name: &str) -> Result<Group, RepoError> {
    let t = now();
    let g = Group {
        group_id: GroupId::new(),
        org_id: org,
        name: GroupName::parse(name).unwrap(),
        description: Description::default(),
        created_at: t,
        updated_at: t,
        version: 1,
    };
    store.insert_group(&g, &event(org, actor, "group.created")).map(|()| g)
}

pub fn add(store: &Store, g: &Group, user: UserId) -> Result<bool, RepoError> {
    store.add_group_member(
        g.org_id,
        g.group_id,
        user,
        &AuditEvent::new(g.org_id, user, "group.member_added", Some(user), serde_json::json!({}), now()),
    )
}

#[test]
fn group_names_are_unique_ignoring_case_per_organization() {
    for db in TestDb::all() {
        let store = db.store();
        let (org_a, head_a) = org(&store);
        let (org_b, head_b) = org(&store);
        let g = group(&store, org_a, head_a, "Track Tuesday").unwrap();
        let taken = group(&store, org_a, head_a, "track TUESDAY");
        assert!(matches!(taken, Err(RepoError::Conflict(Conflict::GroupNameTaken))), "{taken:?}");
        group(&store, org_b, head_b, "Track Tuesday").unwrap();
        let other = group(&store, org_a, head_a, "Long Run").unwrap();
        let mut renamed = other.clone();
        renamed.name = GroupName::parse("TRACK tuesday").unwrap();
        renamed.version = 2;
        let r = store.update_group(&renamed, 1, &event(org_a, head_a, "group.updated"));
        assert!(matches!(r, Err(RepoError::Conflict(Conflict::GroupNameTaken))), "{r:?}");
        let _ = g;
    }
}

#[test]
fn the_unique_index_backs_up_the_check() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let g = group(&store, org, head, "Sprinters").unwrap();
        // Straight to SQL, bypassing the in-transaction check.
        let mut conn = store.conn().unwrap();
        let r = diesel::sql_query(format!(
            "INSERT INTO org_groups (group_id, org_id, name, description, created_at, updated_at, version) \
             VALUES ('{}', '{}', 'SPRINTERS', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)",
            GroupId::new(),
            g.org_id
        ))
        .execute(&mut *conn);
        let err = roster_store::StoreError::from(r.unwrap_err());
        assert!(matches!(err, roster_store::StoreError::Conflict(Conflict::GroupNameTaken)), "{err:?}");
    }
}

#[test]
fn membership_is_idempotent_and_deleting_a_group_keeps_members() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let g = group(&store, org, head, "A").unwrap();
        let a = athlete(&store, org);
        assert!(add(&store, &g, a).unwrap());
        assert!(!add(&store, &g, a).unwrap());
        assert_eq!(store.group(org, g.group_id).unwrap().unwrap().member_count, 1);
        let outsider = UserId::new();
        match add(&store, &g, outsider) {
            Err(RepoError::Refused(e)) => assert_eq!(e.code(), "not_found"),
            other => panic!("{other:?}"),
        }
        let mut conn = store.conn().unwrap();
        let ids = roster_store::group_ids_of(&mut conn, org, &[a, head]).unwrap();
        assert_eq!(ids[&a], vec![g.group_id]);
        assert!(!ids.contains_key(&head));
        drop(conn);
        // The roster page reads the same group ids in the same (id) order.
        let second = group(&store, org, head, "B").unwrap();
        add(&store, &second, a).unwrap();
        let mut conn = store.conn().unwrap();
        let mut expected = vec![g.group_id, second.group_id];
        expected.sort_by_key(|id| id.to_string());
        assert_eq!(roster_store::group_ids_of(&mut conn, org, &[a]).unwrap()[&a], expected);
        use roster_domain::member::{MemberRepo, RosterQuery};
        let page = store.roster(org, &RosterQuery { limit: 50, ..Default::default() }).unwrap();
        assert_eq!(page.group_ids[&a], expected, "{:?}", db.backend);
        // The roster's group filter.
        let filtered: Vec<String> = memberships::table
            .filter(memberships::org_id.eq(org.to_string()))
            .filter(memberships::removed_at.is_null())
            .filter(roster_store::member_in_group(g.group_id))
            .select(memberships::user_id)
            .load(&mut *conn)
            .unwrap();
        assert_eq!(filtered, vec![a.to_string()]);
        drop(conn);
        let removed = |s: &Store| s.remove_group_member(org, g.group_id, a, &event(org, head, "group.member_removed"));
        assert!(removed(&store).unwrap());
        assert!(!removed(&store).unwrap());
        add(&store, &g, a).unwrap();
        store.delete_group(org, g.group_id, &event(org, head, "group.deleted")).unwrap();
        assert!(store.group(org, g.group_id).unwrap().is_none());
        use roster_domain::ports::OrganizationRepo;
        assert!(store.live_membership(org, a).unwrap().is_some());
    }
}

#[test]
fn group_assignment_is_idempotent_skips_overlaps_and_enrolls_late_joiners() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let g = group(&store, org, head, "Marathoners").unwrap();
        let p = plan(&store, org, head, 2);
        let other = plan(&store, org, head, 1);
        let (a, b) = (athlete(&store, org), athlete(&store, org));
        add(&store, &g, a).unwrap();
        add(&store, &g, b).unwrap();
        crate::plans::assign(&store, &other, b, today() + Duration::days(3)).unwrap();
        let start = today() + Duration::days(1);
        let request = GroupPlanRequest {
            org_id: org,
            group_id: g.group_id,
            plan_id: p.plan_id,
            start_date: start,
            today: today(),
            enroll_future_members: true,
            assigned_by: head,
            assigned_by_key: None,
            at: now(),
        };
        let run = || store.assign_plan_to_group(&request, &[a, b], &event(org, head, "group.plan_assigned")).unwrap();
        let first = run();
        let of = |r: &[roster_domain::groups::MemberOutcome], u| r.iter().find(|x| x.user_id == u).cloned().unwrap();
        assert_eq!((of(&first, a).outcome, of(&first, a).code), (Outcome::Assigned, None));
        assert_eq!((of(&first, b).outcome, of(&first, b).code), (Outcome::Skipped, Some("plan_assignment_overlap")));
        let again = run();
        assert_eq!((of(&again, a).outcome, of(&again, a).code), (Outcome::Skipped, Some("already_assigned")));
        assert_eq!(store.assignments_of(org, a).unwrap().len(), 1);
        // A late joiner through the group PUT, and one through join effects.
        let late = athlete(&store, org);
        add(&store, &g, late).unwrap();
        let got = store.assignments_of(org, late).unwrap();
        assert_eq!((got.len(), got[0].start_date), (1, start));
        let invited = athlete(&store, org);
        let extras = JoinExtras { group_id: Some(g.group_id), training_plan: None };
        store.run_join_effects(org, invited, &extras, JoinMode::Strict, invited, now()).unwrap();
        assert_eq!(store.assignments_of(org, invited).unwrap().len(), 1);
        // A coach in the group gets no plan.
        let coach = crate::fixtures::user(&store);
        let m = roster_domain::entities::Membership::start(org, coach, roster_domain::Role::AssistantCoach, now());
        roster_domain::ports::OrganizationRepo::add_membership(&store, &m, &event(org, head, "coach.added")).unwrap();
        add(&store, &g, coach).unwrap();
        assert!(store.assignments_of(org, coach).unwrap().is_empty());
        // Leaving ends the group membership too.
        store.run_leave_effects(org, invited, invited, now()).unwrap();
        let mut conn = store.conn().unwrap();
        assert!(roster_store::group_ids_of(&mut conn, org, &[invited]).unwrap().is_empty());
    }
}

/// The names the console's pages read are the groups and coaches of the
/// full lists, in their order, without the counts.
#[test]
fn group_and_coach_names_match_the_full_lists() {
    use roster_domain::entities::Membership;
    use roster_domain::ports::OrganizationRepo;
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let coach = crate::fixtures::user(&store);
        let m = Membership::start(org, coach, roster_domain::Role::AssistantCoach, now());
        store.add_membership(&m, &event(org, head, "coach.added")).unwrap();
        let made: Vec<Group> =
            ["Track", "Trail", "Road"].iter().map(|n| group(&store, org, head, n).unwrap()).collect();
        add(&store, &made[0], athlete(&store, org)).unwrap();

        let full: Vec<Group> = store.groups(org, None, 2).unwrap().into_iter().map(|v| v.group).take(2).collect();
        assert_eq!(store.group_names(org, 2).unwrap(), full, "{:?}", db.backend);
        assert_eq!(store.group_names(org, 200).unwrap().len(), 3);

        let coaches = store.coaches(org).unwrap();
        let names = store.coach_names(org).unwrap();
        assert_eq!(names.len(), 2, "{:?}", db.backend);
        for (n, c) in names.iter().zip(&coaches) {
            assert_eq!(
                (n.user_id, &n.first_name, &n.last_name, n.role),
                (c.user_id, &c.first_name, &c.last_name, c.role)
            );
        }
    }
}

/// A member removed while a coach adds them to a group never stays in it:
/// the group join looks the member up again once it holds their lock.
#[test]
fn a_removal_racing_a_group_join_leaves_the_removed_member_in_no_group() {
    use roster_domain::member::MemberRepo;
    use roster_store::schema::org_group_members;
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let g = group(&store, org, head, "Track").unwrap();
        for _ in 0..15 {
            let a = athlete(&store, org);
            let (removed, added) = std::thread::scope(|s| {
                let remover = s.spawn(|| store.remove_member(org, a, head, now(), &event(org, head, "member.removed")));
                let adder = s.spawn(|| add(&store, &g, a));
                (remover.join().unwrap(), adder.join().unwrap())
            });
            removed.unwrap();
            // Either the join came first (and the removal ended it) or it
            // found nobody to add.
            let gone =
                |e: &RepoError| matches!(e, RepoError::Refused(d) if matches!(**d, DomainError::NotFound("member")));
            assert!(matches!(&added, Ok(true)) || added.as_ref().is_err_and(gone), "{added:?} {:?}", db.backend);
            let left: i64 = org_group_members::table
                .filter(org_group_members::user_id.eq(a.to_string()))
                .count()
                .get_result(&mut *store.conn().unwrap())
                .unwrap();
            assert_eq!(left, 0, "a removed member stays in no group ({:?})", db.backend);
        }
    }
}

/// Adding to a group refuses someone who is not a live member and a group
/// of another organization, writing nothing.
#[test]
fn a_group_join_refuses_a_non_member_and_another_organizations_group() {
    use roster_store::schema::org_group_members;
    for db in TestDb::all() {
        let store = db.store();
        let (other_org, other_head) = org(&store);
        let (org, head) = org(&store);
        let g = group(&store, org, head, "Track").unwrap();
        let elsewhere = group(&store, other_org, other_head, "Track").unwrap();
        let not_found = |r: Result<bool, RepoError>| match r {
            Err(RepoError::Refused(d)) => match *d {
                DomainError::NotFound(what) => what,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        let stranger = crate::fixtures::user(&store);
        assert_eq!(not_found(add(&store, &g, stranger)), "member", "{:?}", db.backend);
        let a = athlete(&store, org);
        let wrong = Group { org_id: org, ..elsewhere };
        assert_eq!(not_found(add(&store, &wrong, a)), "group", "{:?}", db.backend);
        let rows: i64 = org_group_members::table.count().get_result(&mut *store.conn().unwrap()).unwrap();
        assert_eq!(rows, 0);
    }
}
