//! Activities, race goals, zones, integrations and the page-wide reads, on
//! both backends.

use crate::fixtures::{event, noon, user};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use roster_domain::athlete::weekly::{boundaries, week_starts};
use roster_domain::athlete::{
    Activity, ActivityInput, AthleteRepo, ConnectInput, FeedCursor, Inserted, Integration, IntegrationStatus,
    NewActivity, PaceZone, Provider, RaceGoal, RaceGoalFields, RaceGoalInput, ZoneSettings, Zones,
};
use roster_domain::entities::{AuditEvent, AuditFilter, Membership, Organization};
use roster_domain::ports::{AuditRepo, OrganizationRepo};
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{Conflict, OrgId, RaceGoalId, RepoError, Role, UserId};
use roster_store::Store;
use roster_store::athlete::{activity_windows, integration_statuses, race_goal_summaries, zones_presence};
use roster_store::testing::TestDb;
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// An organization in `tz` with a head coach, and one athlete in it.
fn org_with_athlete(store: &Store, tz: &str) -> (OrgId, UserId) {
    let head = user(store);
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::default(),
        timezone: Timezone::parse(tz).unwrap(),
        created_at: noon(),
        updated_at: noon(),
        version: 1,
    };
    let e = AuditEvent::new(org.org_id, head, "organization.created", None, json!({}), noon());
    store.create_organization(&org, &Membership::start(org.org_id, head, Role::HeadCoach, noon()), &e).unwrap();
    let athlete = user(store);
    let m = Membership::start(org.org_id, athlete, Role::Athlete, noon());
    store
        .add_membership(&m, &AuditEvent::new(org.org_id, head, "member.added", Some(athlete), json!({}), noon()))
        .unwrap();
    (org.org_id, athlete)
}

fn activity(user: UserId, start: &str, distance_m: f64, source: &str, external_id: Option<&str>) -> Activity {
    let input = ActivityInput {
        sport: "run".into(),
        start_time: at(start),
        distance_m,
        duration_s: 1800,
        elevation_gain_m: Some(12.5),
        avg_hr: Some(140),
        title: Some("Easy".into()),
        source: source.into(),
        external_id: external_id.map(str::to_owned),
    };
    NewActivity::parse(&input, noon()).unwrap().into_activity(user, user, noon())
}

fn count_events(store: &Store, org: OrgId, action: &str) -> usize {
    let filter = AuditFilter { action: Some(action.into()), limit: 200, ..Default::default() };
    store.audit_events(org, &filter).unwrap().len()
}

#[test]
fn an_activity_resend_returns_the_stored_one_and_writes_nothing() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, me) = org_with_athlete(&store, "UTC");
        let first = activity(me, "2026-11-27T07:00:00.123456Z", 10_000.0, "strava", Some("st-42"));
        let created = store.insert_activity(&first, &event(org, me, "activity.created")).unwrap();
        assert_eq!(created, Inserted::Created(first.clone()), "{:?}", db.backend);
        let resend = activity(me, "2026-11-27T07:00:00Z", 99.0, "strava", Some("st-42"));
        let again = store.insert_activity(&resend, &event(org, me, "activity.created")).unwrap();
        assert_eq!(again, Inserted::Existing(first.clone()), "{:?}", db.backend);
        // Same external id from another source is another activity.
        let garmin = activity(me, "2026-11-27T07:00:00Z", 99.0, "garmin", Some("st-42"));
        assert!(store.insert_activity(&garmin, &event(org, me, "activity.created")).unwrap().is_created());
        // Manual activities without an external id never collide.
        for _ in 0..2 {
            let manual = activity(me, "2026-11-27T08:00:00Z", 5.0, "manual", None);
            assert!(store.insert_activity(&manual, &event(org, me, "activity.created")).unwrap().is_created());
        }
        assert_eq!(count_events(&store, org, "activity.created"), 4);
    }
}

#[test]
fn the_feed_is_newest_first_and_keyset_paged_through_equal_start_times() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, me) = org_with_athlete(&store, "UTC");
        let starts = ["2026-11-20T07:00:00Z", "2026-11-21T07:00:00Z", "2026-11-21T07:00:00Z", "2026-11-22T07:00:00Z"];
        let mut all: Vec<Activity> = starts.iter().map(|s| activity(me, s, 1000.0, "manual", None)).collect();
        for a in &all {
            store.insert_activity(a, &event(org, me, "activity.created")).unwrap();
        }
        all.sort_by_key(|a| std::cmp::Reverse((a.start_time, a.activity_id)));
        let page1 = store.activities(me, None, 2).unwrap();
        assert_eq!(page1.len(), 3, "limit + 1 tells a next page exists");
        assert_eq!(page1[..2], all[..2], "{:?}", db.backend);
        let page2 = store.activities(me, Some(FeedCursor::after(&page1[1])), 2).unwrap();
        assert_eq!(page2, all[2..], "{:?}", db.backend);
        assert!(store.activities(user(&store), None, 2).unwrap().is_empty());
    }
}

#[test]
fn weekly_totals_bucket_by_local_mondays_with_empty_weeks() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, me) = org_with_athlete(&store, "Europe/Berlin");
        let tz = store.org_timezone(org).unwrap().unwrap().tz();
        // now = Saturday 2026-11-28; weeks start Mondays 11-02, 11-09, 11-16, 11-23 (Berlin).
        let mondays = week_starts(tz, noon(), 4);
        assert_eq!(mondays[0], NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        for (start, d) in [
            ("2026-11-01T22:59:59Z", 1.0),    // Sunday 23:59:59 Berlin: before the range
            ("2026-11-01T23:00:00Z", 1000.0), // Monday 00:00 Berlin: first week
            ("2026-11-15T22:30:00Z", 2000.0), // Sunday 23:30 Berlin: still the week of 11-09
            ("2026-11-15T23:30:00Z", 4000.0), // Monday 00:30 Berlin: the week of 11-16
            ("2026-11-16T06:00:00Z", 500.0),  // same week
            ("2026-11-28T11:00:00Z", 8000.0), // this week
        ] {
            store
                .insert_activity(&activity(me, start, d, "manual", None), &event(org, me, "activity.created"))
                .unwrap();
        }
        let totals = store.weekly_totals(me, &boundaries(tz, &mondays)).unwrap();
        let distances: Vec<f64> = totals.iter().map(|t| t.distance_m).collect();
        assert_eq!(distances, [1000.0, 2000.0, 4500.0, 8000.0], "{:?}", db.backend);
        let counts: Vec<i64> = totals.iter().map(|t| t.activity_count).collect();
        assert_eq!(counts, [1, 1, 2, 1]);
        assert_eq!(totals[2].duration_s, 3600);
        // One week alone (no CASE to choose from), and the longest trend.
        let one = store.weekly_totals(me, &boundaries(tz, &mondays[3..])).unwrap();
        assert_eq!(one.iter().map(|t| t.distance_m).collect::<Vec<_>>(), [8000.0], "{:?}", db.backend);
        let long = week_starts(tz, noon(), 104);
        let totals_104 = store.weekly_totals(me, &boundaries(tz, &long)).unwrap();
        assert_eq!(totals_104.len(), 104);
        assert_eq!(totals_104[100..].iter().map(|t| t.distance_m).collect::<Vec<_>>(), distances);
        // An athlete with nothing gets zeros in every week.
        let empty = store.weekly_totals(user(&store), &boundaries(tz, &mondays)).unwrap();
        assert_eq!(empty.len(), 4);
        assert!(empty.iter().all(|t| t.activity_count == 0 && t.distance_m == 0.0));
    }
}

fn goal(user: UserId, name: &str, date: &str) -> RaceGoal {
    let fields = RaceGoalFields::parse(&RaceGoalInput {
        race_name: name.into(),
        race_date: date.parse().unwrap(),
        distance_m: 42_195.0,
        goal_time_s: Some(12_600),
    })
    .unwrap();
    RaceGoal {
        race_goal_id: RaceGoalId::new(),
        user_id: user,
        fields,
        created_at: noon(),
        updated_at: noon(),
        version: 1,
    }
}

#[test]
fn race_goals_are_created_updated_with_versions_and_deleted() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, me) = org_with_athlete(&store, "UTC");
        let later = goal(me, "Berlin", "2027-09-26");
        let sooner = goal(me, "Valencia", "2026-12-06");
        store.insert_race_goal(&later, &event(org, me, "race_goal.created")).unwrap();
        store.insert_race_goal(&sooner, &event(org, me, "race_goal.created")).unwrap();
        assert_eq!(store.race_goals(me).unwrap(), [sooner.clone(), later.clone()], "{:?}", db.backend);

        let mut changed = later.clone();
        changed.fields.goal_time_s = None;
        changed.version = 2;
        store.update_race_goal(&changed, 1, &event(org, me, "race_goal.updated")).unwrap();
        assert_eq!(store.race_goal(me, later.race_goal_id).unwrap(), Some(changed.clone()));
        let stale = store.update_race_goal(&changed, 1, &event(org, me, "race_goal.updated"));
        assert!(matches!(stale, Err(RepoError::Conflict(Conflict::VersionMismatch))));

        // Another athlete cannot reach it by id.
        let other = user(&store);
        assert_eq!(store.race_goal(other, later.race_goal_id).unwrap(), None);
        let r = store.delete_race_goal(other, later.race_goal_id, &event(org, me, "race_goal.deleted"));
        assert!(matches!(r, Err(RepoError::Refused(_))));
        store.delete_race_goal(me, later.race_goal_id, &event(org, me, "race_goal.deleted")).unwrap();
        assert_eq!(store.race_goals(me).unwrap(), [sooner]);
        assert_eq!(count_events(&store, org, "race_goal.deleted"), 1, "a refused delete writes no event");
    }
}

#[test]
fn zones_are_replaced_whole_with_a_version() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, me) = org_with_athlete(&store, "UTC");
        assert_eq!(store.zones(me).unwrap(), None);
        let mut settings = ZoneSettings::default();
        settings.heart_rate.max_bpm = Some(190);
        settings.pace.zones = vec![PaceZone { name: "easy".into(), min_s_per_km: 300, max_s_per_km: 360 }];
        let zones = Zones::parse(settings).unwrap();
        let first = store.put_zones(me, &zones, None, noon(), &event(org, me, "zones.updated")).unwrap();
        assert_eq!(first.version, 1);
        assert_eq!(store.zones(me).unwrap(), Some(first.clone()), "{:?}", db.backend);
        let stale = store.put_zones(me, &Zones::default(), Some(7), noon(), &event(org, me, "zones.updated"));
        assert!(matches!(stale, Err(RepoError::Conflict(Conflict::VersionMismatch))));
        let second = store.put_zones(me, &Zones::default(), Some(1), noon(), &event(org, me, "zones.updated")).unwrap();
        assert_eq!(second.version, 2);
        assert_eq!(store.zones(me).unwrap().unwrap().zones, Zones::default());
        assert_eq!(count_events(&store, org, "zones.updated"), 2);
    }
}

#[test]
fn integrations_are_inserted_then_replaced() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, me) = org_with_athlete(&store, "UTC");
        let input = ConnectInput { external_athlete_id: Some("a-1".into()), ..Default::default() };
        let garmin = Integration::connect(None, me, Provider::Garmin, &input, noon()).unwrap();
        let strava = Integration::connect(None, me, Provider::Strava, &ConnectInput::default(), noon()).unwrap();
        store.put_integration(&garmin, &event(org, me, "integration.connected")).unwrap();
        store.put_integration(&strava, &event(org, me, "integration.connected")).unwrap();
        assert_eq!(store.integrations(me).unwrap(), [strava.clone(), garmin.clone()], "{:?}", db.backend);
        let down = garmin.disconnect(noon() + Duration::hours(1));
        store.put_integration(&down, &event(org, me, "integration.disconnected")).unwrap();
        assert_eq!(store.integrations(me).unwrap()[1], down);
    }
}

#[test]
fn page_wide_reads_answer_every_athlete_in_one_query_each() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, busy) = org_with_athlete(&store, "UTC");
        let idle = user(&store);
        let page = [busy, idle];
        let error = Integration::connect(
            None,
            busy,
            Provider::Strava,
            &ConnectInput { status: Some("error".into()), ..Default::default() },
            noon(),
        )
        .unwrap();
        store.put_integration(&error, &event(org, busy, "integration.connected")).unwrap();
        let mut settings = ZoneSettings::default();
        settings.pace.zones = vec![PaceZone { name: "easy".into(), min_s_per_km: 300, max_s_per_km: 360 }];
        store
            .put_zones(busy, &Zones::parse(settings).unwrap(), None, noon(), &event(org, busy, "zones.updated"))
            .unwrap();
        for g in [goal(busy, "Past", "2026-01-01"), goal(busy, "Later", "2027-05-01"), goal(busy, "Next", "2026-11-28")]
        {
            store.insert_race_goal(&g, &event(org, busy, "race_goal.created")).unwrap();
        }
        for (start, d) in [
            ("2026-11-27T07:00:00Z", 10_000.0), // last 7 days
            ("2026-11-21T12:00:00Z", 5_000.0),  // exactly 7 days ago: last 7 days
            ("2026-11-20T07:00:00Z", 3_000.0),  // days 8–35
            ("2026-10-24T12:00:00Z", 2_000.0),  // exactly 35 days ago: days 8–35
            ("2026-10-01T07:00:00Z", 9_000.0),  // older: neither
        ] {
            store
                .insert_activity(&activity(busy, start, d, "manual", None), &event(org, busy, "activity.created"))
                .unwrap();
        }

        let mut conn = store.conn().unwrap();
        let statuses = integration_statuses(&mut conn, &page).unwrap();
        assert_eq!(statuses[&busy].strava, Some(IntegrationStatus::Error), "{:?}", db.backend);
        assert_eq!(statuses[&busy].garmin, None);
        assert_eq!(statuses[&idle], Default::default());

        let zones = zones_presence(&mut conn, &page).unwrap();
        assert_eq!((zones[&busy], zones[&idle]), ((false, true), (false, false)));

        let goals = race_goal_summaries(&mut conn, &page, "2026-11-28".parse().unwrap()).unwrap();
        assert_eq!(goals[&busy], (2, Some(("Next".to_owned(), "2026-11-28".parse().unwrap()))));
        assert_eq!(goals[&idle], (0, None));

        let windows = activity_windows(&mut conn, &page, noon()).unwrap();
        let w = windows[&busy];
        assert_eq!(w.last_activity_at, Some(at("2026-11-27T07:00:00Z")), "{:?}", db.backend);
        assert_eq!((w.distance_last_7d, w.activities_last_7d), (15_000.0, 2));
        assert_eq!((w.distance_days_8_to_35, w.activities_days_8_to_35), (5_000.0, 2));
        assert_eq!(windows[&idle], Default::default());
        assert_eq!(store.activity_window(busy, noon()).unwrap(), w);
        assert_eq!(store.activity_window(idle, noon()).unwrap(), Default::default());
        assert!(activity_windows(&mut conn, &[], noon()).unwrap().is_empty());
    }
}

#[test]
fn concurrent_resends_store_one_activity_and_one_event() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, me) = org_with_athlete(&store, "UTC");
        let winners: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let store = store.clone();
                    s.spawn(move || {
                        let a = activity(me, "2026-11-27T07:00:00Z", 10_000.0, "garmin", Some("g-1"));
                        store.insert_activity(&a, &event(org, me, "activity.created")).unwrap().is_created()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(winners.iter().filter(|w| **w).count(), 1, "{:?}", db.backend);
        assert_eq!(store.activities(me, None, 10).unwrap().len(), 1);
        assert_eq!(count_events(&store, org, "activity.created"), 1);
    }
}

#[test]
fn a_bulk_load_writes_every_activity_in_one_transaction() {
    for db in TestDb::all() {
        let store = db.store();
        let (_, me) = org_with_athlete(&store, "UTC");
        let list: Vec<Activity> = (0..1203)
            .map(|i| {
                activity(me, &format!("2026-{:02}-{:02}T07:00:00Z", 1 + i % 10, 1 + i % 28), 1000.0, "manual", None)
            })
            .collect();
        let mut conn = store.conn().unwrap();
        assert_eq!(roster_store::athlete::insert_activities_bulk(&mut conn, &list).unwrap(), 1203, "{:?}", db.backend);
        assert_eq!(store.activities(me, None, 200).unwrap().len(), 201);
        let mut dup = activity(me, "2026-11-01T07:00:00Z", 1.0, "strava", Some("x"));
        let again = Activity { activity_id: roster_domain::ActivityId::new(), ..dup.clone() };
        dup.title = None;
        assert!(roster_store::athlete::insert_activities_bulk(&mut conn, &[dup, again]).is_err());
        assert!(
            store.activities(me, None, 2000).unwrap().iter().all(|a| a.source.as_str() == "manual"),
            "all or nothing"
        );
    }
}
