//! Roster pages read from a side roster's own index (a group's rows, one
//! label's rows): the rows carry their membership's sort name, status and
//! coach (kept by triggers), and the pages agree with the general roster path
//! whatever happens to the members.

use crate::groups::{add, group};
use crate::plans::{athlete, event, now, org};
use diesel::prelude::*;
use roster_domain::entities::Membership;
use roster_domain::member::{CoachFilter, DisplayName, Label, Labels, MemberRepo, RosterPage, RosterQuery, RosterSort};
use roster_domain::{GroupId, MembershipStatus, OrgId, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;

fn in_group(group_id: GroupId) -> RosterQuery {
    RosterQuery { group_id: Some(group_id), limit: 50, ..Default::default() }
}

/// Every page of `q`, walked with the cursor: the display names in order,
/// and the total each page reported.
fn walk(store: &Store, org: OrgId, q: &RosterQuery) -> (Vec<String>, Vec<i64>) {
    let (mut names, mut totals) = (Vec::new(), Vec::new());
    let mut q = q.clone();
    loop {
        let RosterPage { members, next, total, .. } = store.roster(org, &q).unwrap();
        names.extend(members.into_iter().map(|m| m.membership.display_name.map(|d| d.as_str().to_owned()).unwrap()));
        totals.push(total);
        match next {
            Some(cursor) => q.after = Some(cursor),
            None => return (names, totals),
        }
    }
}

/// Changes `user`'s membership through the repository.
fn edit(store: &Store, org: OrgId, user: UserId, change: impl FnOnce(&mut Membership)) {
    let mut m = store.member(org, user).unwrap().unwrap().membership;
    let expected = m.version;
    change(&mut m);
    m.version += 1;
    store.update_member(&m, expected, &event(org, user, "member.updated")).unwrap();
}

/// Sets `user`'s display name and status.
fn set(store: &Store, org: OrgId, user: UserId, name: &str, status: MembershipStatus) {
    edit(store, org, user, |m| {
        m.display_name = Some(DisplayName::parse(name).unwrap());
        m.status = status;
    });
}

#[test]
fn a_group_page_follows_names_statuses_and_removals_and_agrees_with_the_roster_path() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let g = group(&store, org, head, "Tuesday Track").unwrap();
        let members: Vec<UserId> = (0..5).map(|_| athlete(&store, org)).collect();
        for (user, name) in members.iter().zip(["Eve", "Dan", "Cy", "Bo", "Al"]) {
            set(&store, org, *user, name, MembershipStatus::Active);
            add(&store, &g, *user).unwrap();
        }
        let outsider = athlete(&store, org);
        set(&store, org, outsider, "Aaron", MembershipStatus::Active);

        // A coach in the group is no athlete of its roster page.
        let coach = crate::plans::user(&store);
        let m = roster_domain::entities::Membership::start(org, coach, roster_domain::Role::AssistantCoach, now());
        roster_domain::ports::OrganizationRepo::add_membership(&store, &m, &event(org, head, "coach.added")).unwrap();
        add(&store, &g, coach).unwrap();

        let two = RosterQuery { limit: 2, ..in_group(g.group_id) };
        let (names, totals) = walk(&store, org, &two);
        assert_eq!(names, ["Al", "Bo", "Cy", "Dan", "Eve"], "{:?}", db.backend);
        assert_eq!(totals, [5, 5, 5]);

        // A new name and a new status reach the group's rows.
        set(&store, org, members[4], "Zoe", MembershipStatus::Active);
        set(&store, org, members[0], "Eve", MembershipStatus::Suspended);
        assert_eq!(walk(&store, org, &two).0, ["Bo", "Cy", "Dan", "Eve", "Zoe"], "{:?}", db.backend);
        let active = RosterQuery { statuses: vec![MembershipStatus::Active], ..two.clone() };
        assert_eq!(
            walk(&store, org, &active),
            (vec!["Bo".into(), "Cy".into(), "Dan".into(), "Zoe".into()], vec![4, 4])
        );
        let either =
            RosterQuery { statuses: vec![MembershipStatus::Active, MembershipStatus::Suspended], ..two.clone() };
        assert_eq!(walk(&store, org, &either).0.len(), 5);
        let suspended = RosterQuery { statuses: vec![MembershipStatus::Suspended], ..in_group(g.group_id) };
        assert_eq!(walk(&store, org, &suspended), (vec!["Eve".into()], vec![1]));

        // A removed member leaves the group's page and its total.
        store.remove_member(org, members[2], head, now(), &event(org, head, "member.removed")).unwrap();
        let (names, totals) = walk(&store, org, &two);
        assert_eq!(names, ["Bo", "Dan", "Eve", "Zoe"], "{:?}", db.backend);
        assert_eq!(totals, [4, 4]);

        // The roster path (another sort) finds the same members.
        let by_join = RosterQuery { sort: RosterSort::JoinedAt, ..in_group(g.group_id) };
        let mut joined = walk(&store, org, &by_join).0;
        joined.sort();
        assert_eq!(joined, names);
        // Another organization's group matches nobody here.
        let (other_org, other_head) = crate::plans::org(&store);
        let other = group(&store, other_org, other_head, "Elsewhere").unwrap();
        assert_eq!(walk(&store, org, &in_group(other.group_id)), (vec![], vec![0]));
    }
}

#[test]
fn a_group_row_needs_a_live_membership() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let g = group(&store, org, head, "Sprinters").unwrap();
        // Straight to SQL, bypassing the repository's checks: an account
        // with no membership here has nothing for the trigger to copy.
        let stranger = crate::plans::user(&store);
        let mut conn = store.conn().unwrap();
        let r = diesel::sql_query(format!(
            "INSERT INTO org_group_members (group_id, user_id, org_id, added_at) \
             VALUES ('{}', '{stranger}', '{org}', '2026-01-01 00:00:00')",
            g.group_id
        ))
        .execute(&mut *conn);
        assert!(r.is_err(), "{:?}", db.backend);
        let rows: i64 =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM org_group_members WHERE group_id = '{}'", g.group_id))
                .get_result::<Count>(&mut *conn)
                .unwrap()
                .n;
        assert_eq!(rows, 0);
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Sets `user`'s labels and coach.
fn label(store: &Store, org: OrgId, user: UserId, labels: &[&str], coach: Option<UserId>) {
    edit(store, org, user, |m| {
        m.labels = Labels::parse(labels.iter().copied()).unwrap();
        m.assigned_to_coach_id = coach;
    });
}

#[test]
fn a_label_page_follows_labels_statuses_coaches_and_removals_and_agrees_with_the_roster_path() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let members: Vec<UserId> = (0..5).map(|_| athlete(&store, org)).collect();
        for (user, name) in members.iter().zip(["Eve", "Dan", "Cy", "Bo", "Al"]) {
            set(&store, org, *user, name, MembershipStatus::Active);
            label(&store, org, *user, &["@marathon"], Some(head));
        }
        label(&store, org, members[1], &["@trail"], Some(head));
        label(&store, org, members[2], &["@marathon", "@trail"], None);
        let marathon = Label::parse("@marathon").unwrap();
        let q = |coach: CoachFilter, statuses: Vec<MembershipStatus>| RosterQuery {
            labels: vec![marathon.clone()],
            coach,
            statuses,
            limit: 2,
            ..Default::default()
        };
        let active = || vec![MembershipStatus::Active];
        let (names, totals) = walk(&store, org, &q(CoachFilter::Any, active()));
        assert_eq!(names, ["Al", "Bo", "Cy", "Eve"], "{:?}", db.backend);
        assert_eq!(totals, [4, 4]);
        assert_eq!(walk(&store, org, &q(CoachFilter::Coach(head), active())).0, ["Al", "Bo", "Eve"]);
        assert_eq!(walk(&store, org, &q(CoachFilter::Unassigned, active())), (vec!["Cy".into()], vec![1]));
        assert_eq!(walk(&store, org, &q(CoachFilter::Any, vec![])).0.len(), 4);

        // A new name, status and coach reach the label's rows.
        set(&store, org, members[4], "Zoe", MembershipStatus::Active);
        set(&store, org, members[0], "Eve", MembershipStatus::Suspended);
        label(&store, org, members[3], &["@marathon"], None);
        assert_eq!(walk(&store, org, &q(CoachFilter::Any, active())).0, ["Bo", "Cy", "Zoe"], "{:?}", db.backend);
        assert_eq!(walk(&store, org, &q(CoachFilter::Coach(head), active())).0, ["Zoe"]);
        assert_eq!(walk(&store, org, &q(CoachFilter::Unassigned, active())).0, ["Bo", "Cy"]);
        let suspended = q(CoachFilter::Any, vec![MembershipStatus::Suspended]);
        assert_eq!(walk(&store, org, &suspended), (vec!["Eve".into()], vec![1]));

        // A removed member leaves the label's page; the roster path agrees.
        store.remove_member(org, members[2], head, now(), &event(org, head, "member.removed")).unwrap();
        let (names, totals) = walk(&store, org, &q(CoachFilter::Any, vec![]));
        assert_eq!(names, ["Bo", "Eve", "Zoe"], "{:?}", db.backend);
        assert_eq!(totals, [3, 3]);
        let by_join = RosterQuery { sort: RosterSort::JoinedAt, ..q(CoachFilter::Any, vec![]) };
        let mut joined = walk(&store, org, &by_join).0;
        joined.sort();
        assert_eq!(joined, names);
        // Another organization's label rows stay there.
        let (other_org, other_head) = crate::plans::org(&store);
        let elsewhere = athlete(&store, other_org);
        set(&store, other_org, elsewhere, "Al", MembershipStatus::Active);
        label(&store, other_org, elsewhere, &["@marathon"], Some(other_head));
        assert_eq!(walk(&store, org, &q(CoachFilter::Any, vec![])).1, [3, 3]);
    }
}
