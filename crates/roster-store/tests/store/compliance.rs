//! Compliance, last activity and the attention queue on the read model:
//! the roster's new sorts and filter page through their stored keys, `roster
//! check` finds and repairs drift in them, and an acknowledged signal leaves
//! the queue until the data behind it changes, on both backends.

use crate::fixtures::execute;
use crate::plans::{assign, athlete, event, now, org, plan, today};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use roster_domain::athlete::{Activity, ActivityInput, AthleteRepo, NewActivity};
use roster_domain::attention::{Acknowledgement, AttentionRepo, AttentionThresholds, QueueQuery};
use roster_domain::member::{MemberRepo, RosterCursor, RosterQuery, RosterSort};
use roster_domain::{OrgId, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;

fn run(user: UserId, start_time: DateTime<Utc>, metres: f64) -> Activity {
    let input = ActivityInput {
        sport: "run".into(),
        start_time,
        distance_m: metres,
        duration_s: 1800,
        elevation_gain_m: None,
        avg_hr: None,
        title: None,
        source: "manual".into(),
        external_id: None,
    };
    NewActivity::parse(&input, now()).unwrap().into_activity(user, user, now())
}

fn at_eight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(8, 0, 0).unwrap().and_utc()
}

/// Every page of the roster in `sort` (one member a page), as user ids.
fn walk(store: &Store, org: OrgId, sort: RosterSort, below: Option<u32>) -> (Vec<UserId>, i64) {
    let (mut seen, mut after, mut total) = (Vec::new(), None::<RosterCursor>, 0);
    loop {
        let q = RosterQuery { sort, compliance_below: below, limit: 1, after, now: Some(now()), ..Default::default() };
        let page = store.roster(org, &q).unwrap();
        total = page.total.max(total);
        seen.extend(page.members.iter().map(|m| m.membership.user_id));
        match page.next {
            Some(next) => after = Some(next),
            None => return (seen, total),
        }
    }
}

/// An organization with a four-week plan (one 5 km run on its first day)
/// that ann and bob both started two weeks ago.
fn ann_and_bob_on_a_plan(store: &Store) -> (OrgId, UserId, UserId, NaiveDate) {
    let (org, head) = org(store);
    let p = plan(store, org, head, 4);
    let (ann, bob) = (athlete(store, org), athlete(store, org));
    let start = today() - Duration::days(14);
    assign(store, &p, ann, start).unwrap();
    assign(store, &p, bob, start).unwrap();
    (org, ann, bob, start)
}

#[test]
fn compliance_and_last_activity_order_the_roster_and_check_repairs_their_copies() {
    for db in TestDb::all() {
        let store = db.store();
        let backend = db.backend;
        let (org, ann, bob, start) = ann_and_bob_on_a_plan(&store);
        let cat = athlete(&store, org);
        store.insert_activity(&run(bob, at_eight(start), 5000.0), &event(org, bob, "activity.created")).unwrap();
        let yesterday = at_eight(today() - Duration::days(1));
        store.insert_activity(&run(cat, yesterday, 3000.0), &event(org, cat, "activity.created")).unwrap();

        // The background refresher brings the organization's stale statuses up to date, once.
        let thresholds = AttentionThresholds::default();
        assert_eq!(store.refresh_stale_statuses(now(), &thresholds).unwrap(), 1, "{backend:?}");
        assert_eq!(store.refresh_stale_statuses(now(), &thresholds).unwrap(), 0, "{backend:?}");

        // ann missed her one workout (0 %), bob did his (100 %), cat has no plan (last).
        assert_eq!(walk(&store, org, RosterSort::Compliance, None).0, [ann, bob, cat], "{backend:?}");
        assert_eq!(walk(&store, org, RosterSort::Compliance, Some(50)), (vec![ann], 1), "{backend:?}");
        assert_eq!(walk(&store, org, RosterSort::Compliance, Some(0)), (vec![], 0), "{backend:?}");
        // Never any activity comes first, then the longest ago.
        assert_eq!(walk(&store, org, RosterSort::LastActivity, None).0, [ann, bob, cat], "{backend:?}");
        assert_eq!(walk(&store, org, RosterSort::LastActivityDesc, None).0, [cat, bob, ann], "{backend:?}");
        let cat_view = store.member(org, cat).unwrap().unwrap();
        assert_eq!(cat_view.last_activity_at, Some(yesterday), "{backend:?}");
        let q = RosterQuery { include_profile_status: true, now: Some(now()), limit: 10, ..Default::default() };
        let statuses = store.roster(org, &q).unwrap().profile_status.unwrap();
        let ann_28 = statuses[&ann].parse().unwrap().compliance.unwrap().last_28_days;
        assert_eq!((ann_28.planned_sessions, ann_28.sessions_pct), (1, Some(0)), "{backend:?}");
        assert_eq!(statuses[&bob].parse().unwrap().compliance.unwrap().sessions_pct(), Some(100), "{backend:?}");
        assert_eq!(statuses[&cat].parse().unwrap().compliance, None, "{backend:?}");

        let clean = store.check_read_model(now(), &thresholds, false).unwrap();
        assert_eq!(clean.drifted_rows(), 0, "{backend:?}: {clean:?}");
        execute(&store, &format!("UPDATE memberships SET last_activity_at = NULL WHERE user_id = '{cat}'"));
        execute(&store, &format!("UPDATE member_statuses SET compliance_order = 7 WHERE org_id = '{org}'"));
        let found = store.check_read_model(now(), &thresholds, false).unwrap();
        let drifted: Vec<(&str, u64)> = found.copies.iter().filter(|d| d.rows > 0).map(|d| (d.copy, d.rows)).collect();
        assert_eq!(
            drifted,
            [("memberships.last_activity_at", 1), ("member_statuses (stored statuses)", 3)],
            "{backend:?}"
        );
        store.check_read_model(now(), &thresholds, true).unwrap();
        assert_eq!(store.check_read_model(now(), &thresholds, false).unwrap().drifted_rows(), 0, "{backend:?}");
        assert_eq!(walk(&store, org, RosterSort::Compliance, None).0, [ann, bob, cat], "{backend:?}: repaired");

        // Deleting the only activity (no route does yet; the trigger covers it) leaves none.
        execute(&store, &format!("DELETE FROM activities WHERE user_id = '{cat}'"));
        assert_eq!(store.member(org, cat).unwrap().unwrap().last_activity_at, None, "{backend:?}");
    }
}

/// The page's own statement finds stored compliance that a write outdated,
/// whether the outdated values put a member on the page or kept every member
/// off it: the answer is always the current one.
#[test]
fn a_compliance_filter_never_answers_from_outdated_statuses() {
    for db in TestDb::all() {
        let store = db.store();
        let backend = db.backend;
        let (org, ann, bob, start) = ann_and_bob_on_a_plan(&store);
        store.insert_activity(&run(ann, at_eight(start), 5000.0), &event(org, ann, "activity.created")).unwrap();
        let thresholds = AttentionThresholds::default();
        assert_eq!(store.refresh_stale_statuses(now(), &thresholds).unwrap(), 1, "{backend:?}");
        assert_eq!(walk(&store, org, RosterSort::Compliance, Some(50)), (vec![bob], 1), "{backend:?}");

        // Bob runs his workout: his stored 0 % would keep him on the page.
        store.insert_activity(&run(bob, at_eight(start), 5000.0), &event(org, bob, "activity.created")).unwrap();
        assert_eq!(walk(&store, org, RosterSort::Compliance, Some(50)), (vec![], 0), "{backend:?}: bob ran");
        // Ann's run goes: her stored 100 % would leave the page empty.
        execute(&store, &format!("DELETE FROM activities WHERE user_id = '{ann}'"));
        assert_eq!(walk(&store, org, RosterSort::Compliance, Some(50)), (vec![ann], 1), "{backend:?}: ann's run went");
        assert_eq!(walk(&store, org, RosterSort::Name, Some(50)), (vec![ann], 1), "{backend:?}: in name order");
    }
}

fn queue(store: &Store, org: OrgId) -> Vec<UserId> {
    let q = QueueQuery { coach: None, limit: 50, after: None, thresholds: AttentionThresholds::default(), now: now() };
    store.attention_queue(org, &q).unwrap().entries.iter().map(|e| e.member.membership.user_id).collect()
}

#[test]
fn an_acknowledged_signal_leaves_the_queue_until_the_data_behind_it_changes() {
    for db in TestDb::all() {
        let store = db.store();
        let backend = db.backend;
        let (org, head) = org(&store);
        let ann = athlete(&store, org);
        assert_eq!(queue(&store, org), [ann], "{backend:?}: never any activity, no zones, …");
        let thresholds = AttentionThresholds::default();
        let current = store.current_signals(org, ann, &thresholds, now()).unwrap().unwrap();
        for signal in &current.signals {
            let ack = Acknowledgement {
                code: signal.code,
                severity: signal.severity,
                data_version: current.data_version,
                note: Some("spoke to her".into()),
                by: head,
                by_key: None,
                at: now(),
            };
            store.acknowledge(org, ann, &ack, &event(org, head, "attention.acknowledged")).unwrap();
        }
        assert_eq!(queue(&store, org), Vec::<UserId>::new(), "{backend:?}: every signal acknowledged");
        assert_eq!(store.current_signals(org, head, &thresholds, now()).unwrap(), None, "{backend:?}: a coach");
        let recent = now() - Duration::days(1);
        store.insert_activity(&run(ann, recent, 5000.0), &event(org, ann, "activity.created")).unwrap();
        assert_eq!(queue(&store, org), [ann], "{backend:?}: new data opens her signals again");
    }
}
