//! `Store::check_read_model` (`roster check`): no drift after any sequence of
//! roster changes, and drift put in by hand in each copy is found and
//! repaired, on both backends.

use crate::fixtures::execute;
use crate::groups::{add, group};
use crate::plans::{athlete, event, now, org, user};
use proptest::prelude::*;
use roster_domain::attention::AttentionThresholds;
use roster_domain::entities::Membership;
use roster_domain::groups::{Group, GroupRepo};
use roster_domain::member::{DisplayName, Labels, MemberRepo, RosterQuery};
use roster_domain::ports::OrganizationRepo;
use roster_domain::{MembershipStatus, OrgId, Role, UserId};
use roster_store::testing::TestDb;
use roster_store::{CheckReport, Store};

fn check(store: &Store, repair: bool) -> CheckReport {
    store.check_read_model(now(), &AttentionThresholds::default(), repair).unwrap()
}

/// The copies that drifted, with their row counts.
fn drifted(report: &CheckReport) -> Vec<(&'static str, u64)> {
    report.copies.iter().filter(|d| d.rows > 0).map(|d| (d.copy, d.rows)).collect()
}

/// Changes `user`'s live membership through the repository.
fn edit(store: &Store, org: OrgId, user: UserId, change: impl FnOnce(&mut Membership)) {
    let mut m = store.member(org, user).unwrap().unwrap().membership;
    let expected = m.version;
    change(&mut m);
    m.version += 1;
    store.update_member(&m, expected, &event(org, user, "member.updated")).unwrap();
}

/// Reads the whole roster with profile statuses, which stores them.
fn read_statuses(store: &Store, org: OrgId) {
    let q = RosterQuery { limit: 200, include_profile_status: true, now: Some(now()), ..Default::default() };
    store.roster(org, &q).unwrap();
}

#[test]
fn drift_put_in_by_hand_is_found_in_each_copy_and_repaired() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let g = group(&store, org, head, "Tuesday Track").unwrap();
        let ada = athlete(&store, org);
        edit(&store, org, ada, |m| {
            m.display_name = Some(DisplayName::parse("Ada").unwrap());
            m.labels = Labels::parse(["@marathon", "@track"]).unwrap();
        });
        add(&store, &g, ada).unwrap();
        read_statuses(&store, org);
        assert_eq!(drifted(&check(&store, false)), [], "{:?}: a fresh roster has no drift", db.backend);

        execute(
            &store,
            "UPDATE memberships SET search_text = 'nobody', labels_text = ',@other,' WHERE display_name = 'Ada'",
        );
        execute(&store, "UPDATE member_labels SET status = 'suspended' WHERE label = '@track'");
        execute(&store, "UPDATE org_group_members SET sort_name = 'zed'");
        execute(&store, "UPDATE member_statuses SET sort_name = 'zed', role = '' WHERE role = 'athlete'");
        execute(
            &store,
            "UPDATE member_statuses SET status_json = replace(status_json, '\"upcoming\":0', '\"upcoming\":7')",
        );
        execute(
            &store,
            &format!(
                "DELETE FROM member_statuses WHERE membership_id = (SELECT membership_id FROM memberships WHERE user_id = '{head}')"
            ),
        );
        execute(&store, "UPDATE org_athlete_counts SET athletes = athletes + 3");

        let found = check(&store, false);
        assert_eq!(
            drifted(&found),
            [
                ("memberships.search_text", 1),
                ("memberships.labels_text", 1),
                ("member_labels (membership columns)", 1),
                ("org_group_members (membership columns)", 1),
                ("member_statuses (one row per membership)", 1),
                ("member_statuses (membership columns)", 1),
                ("org_athlete_counts", 1),
                ("member_statuses (stored statuses)", 1),
            ],
            "{:?}",
            db.backend
        );
        assert_eq!(drifted(&check(&store, false)), drifted(&found), "a check alone repairs nothing");

        assert_eq!(drifted(&check(&store, true)), drifted(&found), "a repair reports what it repaired");
        assert_eq!(drifted(&check(&store, false)), [], "{:?}: nothing drifts after the repair", db.backend);
        let view = store.member(org, ada).unwrap().unwrap();
        assert_eq!(view.membership.labels.to_strings(), ["@marathon", "@track"]);
        let everyone = RosterQuery { limit: 50, now: Some(now()), ..Default::default() };
        assert_eq!(store.roster(org, &everyone).unwrap().total, 1, "{:?}: the repaired count", db.backend);

        // A lost count row is found too, and put back.
        execute(&store, "DELETE FROM org_athlete_counts");
        assert_eq!(drifted(&check(&store, true)), [("org_athlete_counts", 1)], "{:?}", db.backend);
        assert_eq!(store.roster(org, &everyone).unwrap().total, 1);

        // A sort name put wrong by hand reaches the mirrors through their
        // triggers, and its repair reaches them the same way.
        execute(&store, "UPDATE memberships SET sort_name = 'zzz' WHERE display_name = 'Ada'");
        assert_eq!(drifted(&check(&store, true)), [("memberships.sort_name", 1)], "{:?}", db.backend);
        assert_eq!(drifted(&check(&store, false)), []);
    }
}

/// A change to the roster, applied through the store as the use cases do.
#[derive(Debug, Clone)]
enum Change {
    AddAthlete,
    Rename(usize, Option<&'static str>),
    Label(usize, Vec<&'static str>),
    Status(usize, MembershipStatus),
    Coach(usize, bool),
    JoinGroup(usize),
    LeaveGroup(usize),
    Remove(usize),
    ReAdd(usize),
    ReadStatuses,
}

fn change() -> impl Strategy<Value = Change> {
    let names = prop::option::of(prop::sample::select(vec!["Al", "Bo", "Cy", "Zoe"]));
    let labels = prop::sample::subsequence(vec!["@a", "@b", "@injury-watch"], 0..=3);
    let status =
        prop::sample::select(vec![MembershipStatus::Active, MembershipStatus::Inactive, MembershipStatus::Suspended]);
    prop_oneof![
        Just(Change::AddAthlete),
        (any::<usize>(), names).prop_map(|(i, n)| Change::Rename(i, n)),
        (any::<usize>(), labels).prop_map(|(i, l)| Change::Label(i, l)),
        (any::<usize>(), status).prop_map(|(i, s)| Change::Status(i, s)),
        (any::<usize>(), any::<bool>()).prop_map(|(i, c)| Change::Coach(i, c)),
        any::<usize>().prop_map(Change::JoinGroup),
        any::<usize>().prop_map(Change::LeaveGroup),
        any::<usize>().prop_map(Change::Remove),
        any::<usize>().prop_map(Change::ReAdd),
        Just(Change::ReadStatuses),
    ]
}

/// One organization's people and what the test knows of them.
struct Club {
    org: OrgId,
    head: UserId,
    coach: UserId,
    group: Group,
    athletes: Vec<(UserId, bool)>,
}

impl Club {
    fn new(store: &Store) -> Self {
        let (org, head) = org(store);
        let coach = user(store);
        let m = Membership::start(org, coach, Role::AssistantCoach, now());
        store.add_membership(&m, &event(org, head, "coach.added")).unwrap();
        let group = group(store, org, head, "Group").unwrap();
        Self { org, head, coach, group, athletes: Vec::new() }
    }

    /// The `i`-th athlete (modulo), if any, and whether they are a member now.
    fn pick(&self, i: usize) -> Option<(usize, UserId, bool)> {
        if self.athletes.is_empty() {
            return None;
        }
        let k = i % self.athletes.len();
        Some((k, self.athletes[k].0, self.athletes[k].1))
    }

    fn apply(&mut self, store: &Store, change: &Change) {
        let org = self.org;
        let live = |i: usize| self.pick(i).filter(|(_, _, live)| *live).map(|(_, user, _)| user);
        match change {
            Change::AddAthlete => self.athletes.push((athlete(store, org), true)),
            Change::Rename(i, name) => {
                if let Some(user) = live(*i) {
                    edit(store, org, user, |m| m.display_name = name.map(|n| DisplayName::parse(n).unwrap()));
                }
            }
            Change::Label(i, labels) => {
                if let Some(user) = live(*i) {
                    edit(store, org, user, |m| m.labels = Labels::parse(labels.iter().copied()).unwrap());
                }
            }
            Change::Status(i, status) => {
                if let Some(user) = live(*i) {
                    edit(store, org, user, |m| m.status = *status);
                }
            }
            Change::Coach(i, assigned) => {
                if let Some(user) = live(*i) {
                    let coach = assigned.then_some(self.coach);
                    edit(store, org, user, |m| m.assigned_to_coach_id = coach);
                }
            }
            Change::JoinGroup(i) => {
                if let Some(user) = live(*i) {
                    add(store, &self.group, user).unwrap();
                }
            }
            Change::LeaveGroup(i) => {
                if let Some(user) = live(*i) {
                    store
                        .remove_group_member(
                            org,
                            self.group.group_id,
                            user,
                            &event(org, self.head, "group.member_removed"),
                        )
                        .unwrap();
                }
            }
            Change::Remove(i) => {
                if let Some((k, user, true)) = self.pick(*i) {
                    store.remove_member(org, user, self.head, now(), &event(org, self.head, "member.removed")).unwrap();
                    self.athletes[k].1 = false;
                }
            }
            Change::ReAdd(i) => {
                if let Some((k, user, false)) = self.pick(*i) {
                    let m = Membership::start(org, user, Role::Athlete, now());
                    store.add_membership(&m, &event(org, self.head, "member.added")).unwrap();
                    self.athletes[k].1 = true;
                }
            }
            Change::ReadStatuses => read_statuses(store, org),
        }
    }
}

#[test]
fn no_sequence_of_roster_changes_leaves_drift() {
    for db in TestDb::all() {
        let store = db.store();
        let config = ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() };
        proptest!(config, |(changes in prop::collection::vec(change(), 1..30))| {
            let mut club = Club::new(&store);
            for change in &changes {
                club.apply(&store, change);
            }
            let report = check(&store, false);
            prop_assert_eq!(drifted(&report), vec![], "{:?} after {:?}", db.backend, changes);
            // The unfiltered roster's total is the kept count.
            let live = club.athletes.iter().filter(|(_, live)| *live).count();
            let everyone = RosterQuery { limit: 1, now: Some(now()), ..Default::default() };
            prop_assert_eq!(store.roster(club.org, &everyone).unwrap().total, i64::try_from(live).unwrap());
        });
    }
}

/// Athletes joining and leaving one organization at the same moment each
/// move its kept count once: none lost, none counted twice.
#[test]
fn athletes_joining_and_leaving_at_once_keep_the_count() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, head) = org(&store);
        let leavers: Vec<UserId> = (0..8).map(|_| athlete(&store, org)).collect();
        std::thread::scope(|s| {
            let joins: Vec<_> = (0..8)
                .map(|_| {
                    let store = store.clone();
                    s.spawn(move || athlete(&store, org))
                })
                .collect();
            let leaves: Vec<_> = leavers
                .iter()
                .map(|&user| {
                    let store = store.clone();
                    s.spawn(move || {
                        store.remove_member(org, user, head, now(), &event(org, head, "member.removed")).unwrap()
                    })
                })
                .collect();
            for join in joins {
                join.join().unwrap();
            }
            for leave in leaves {
                leave.join().unwrap();
            }
        });
        let everyone = RosterQuery { limit: 1, now: Some(now()), ..Default::default() };
        assert_eq!(store.roster(org, &everyone).unwrap().total, 8, "{:?}", db.backend);
        assert_eq!(drifted(&check(&store, false)), [], "{:?}", db.backend);
    }
}
