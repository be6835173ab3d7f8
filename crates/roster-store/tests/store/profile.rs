//! The athlete profile reads a fixed number of queries, however much data
//! the athlete has, on both backends. Counted with diesel's instrumentation
//! (every statement a connection starts on this thread, the pool's
//! `SELECT 1` liveness checks left out).

use crate::fixtures::{noon, user};
use chrono::{Duration, Utc};
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use roster_domain::Context;
use roster_domain::athlete::{Activity, ActivityInput, NewActivity};
use roster_domain::attention::AttentionThresholds;
use roster_domain::entities::{AuditEvent, Membership, Organization};
use roster_domain::insights::DefaultInsights;
use roster_domain::ports::OrganizationRepo;
use roster_domain::services::profile::profile;
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{FixedClock, OrgId, Role, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;
use serde_json::json;
use std::cell::RefCell;

thread_local! {
    static QUERIES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn counting() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(|event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let text = query.to_string();
            if !text.split(" -- binds").next().unwrap_or_default().trim().eq_ignore_ascii_case("select 1") {
                QUERIES.with(|q| q.borrow_mut().push(text));
            }
        }
    }))
}

/// The statements `f` runs on this thread.
fn queries_of<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    QUERIES.with(|q| q.borrow_mut().clear());
    let out = f();
    (out, QUERIES.with(|q| std::mem::take(&mut *q.borrow_mut())))
}

fn org_with_athlete(store: &Store) -> (OrgId, UserId, UserId) {
    let head = user(store);
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::default(),
        timezone: Timezone::parse("Europe/Paris").unwrap(),
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
    (org.org_id, head, athlete)
}

fn activity(user: UserId, days_ago: i64) -> Activity {
    let input = ActivityInput {
        sport: "run".into(),
        start_time: noon() - Duration::days(days_ago) - Duration::hours(1),
        distance_m: 5000.0 + days_ago as f64,
        duration_s: 1800,
        elevation_gain_m: None,
        avg_hr: None,
        title: None,
        source: "manual".into(),
        external_id: None,
    };
    NewActivity::parse(&input, noon()).unwrap().into_activity(user, user, noon())
}

#[test]
fn the_profile_reads_twelve_queries_for_a_coach_and_eleven_for_the_athlete_whatever_the_data() {
    set_default_instrumentation(counting).unwrap();
    for db in TestDb::all() {
        let store = db.store();
        let (org, head, athlete) = org_with_athlete(&store);
        let clock = FixedClock::at("2026-11-28T12:00:00Z");
        let read = |caller: UserId| {
            queries_of(|| {
                profile(
                    &Context::new(&store, caller).with_clock(&clock),
                    &DefaultInsights::default(),
                    &AttentionThresholds::default(),
                    org,
                    athlete,
                )
                .unwrap()
            })
        };
        let (empty, queries) = read(head);
        assert!(empty.data.recent_activities.is_empty());
        assert_eq!(queries.len(), 12, "{:?}: {queries:#?}", db.backend);
        let list: Vec<Activity> = (0..80).map(|d| activity(athlete, d)).collect();
        roster_store::athlete::insert_activities_bulk(&mut store.conn().unwrap(), &list).unwrap();
        let (full, queries) = read(head);
        assert_eq!(full.data.recent_activities.len(), 10);
        assert_eq!(queries.len(), 12, "{:?}: {queries:#?}", db.backend);
        let (_, queries) = read(athlete);
        assert_eq!(queries.len(), 11, "{:?}: {queries:#?}", db.backend);
    }
}

/// On PostgreSQL every statement of an athlete's profile and of a roster
/// page with profile status stays prepared: after two reads on a pool of one
/// connection, the connection's `pg_prepared_statements` holds each of the
/// statements they ran (diesel runs a statement it does not cache unnamed,
/// and PostgreSQL parses and plans it anew every time). The connection plans
/// generically.
#[test]
fn on_postgresql_the_profile_and_the_roster_page_run_prepared_statements() {
    use diesel::prelude::*;
    use roster_domain::member::{MemberRepo, RosterQuery};
    set_default_instrumentation(counting).unwrap();
    let Some(db) = TestDb::postgres() else { return };
    let url = roster_store::DatabaseUrl::parse(&db.url).unwrap();
    let store = Store::open(&url, 1).unwrap();
    let (org, head, athlete) = org_with_athlete(&store);
    let list: Vec<Activity> = (0..20).map(|d| activity(athlete, d)).collect();
    roster_store::athlete::insert_activities_bulk(&mut store.conn().unwrap(), &list).unwrap();
    let clock = FixedClock::at("2026-11-28T12:00:00Z");
    let page = RosterQuery { limit: 50, include_profile_status: true, now: Some(noon()), ..RosterQuery::default() };
    let read = || {
        profile(
            &Context::new(&store, head).with_clock(&clock),
            &DefaultInsights::default(),
            &AttentionThresholds::default(),
            org,
            athlete,
        )
        .unwrap();
        store.roster(org, &page).unwrap();
    };
    read();
    let ((), ran) = queries_of(read);
    #[derive(QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    let mut conn = store.conn().unwrap();
    let prepared: Vec<String> = diesel::sql_query("SELECT statement FROM pg_prepared_statements")
        .load::<Prepared>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|p| p.statement)
        .collect();
    let sql_of = |q: &String| q.split(" -- binds").next().unwrap_or_default().trim().to_owned();
    let unprepared: Vec<String> = ran.iter().map(sql_of).filter(|sql| !prepared.contains(sql)).collect();
    assert!(ran.len() > 10, "{ran:#?}");
    assert!(unprepared.is_empty(), "statements run without being prepared: {unprepared:#?}");
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        plan_cache_mode: String,
    }
    let mode: Mode = diesel::sql_query("SHOW plan_cache_mode").get_result(&mut *conn).unwrap();
    assert_eq!(mode.plan_cache_mode, "force_generic_plan");
}

#[test]
fn seeded_athlete_data_reads_back_through_the_profile() {
    use roster_domain::athlete::AthleteRepo;
    use roster_store::seed::SeedOptions;
    for db in TestDb::all() {
        let store = db.store();
        let opts = SeedOptions {
            orgs: 1,
            athletes_per_org: 60,
            big_org: 0,
            assistants_per_org: 1,
            password_hash: "$argon2id$fake".into(),
            seed: 11,
        };
        let report = store.seed(&opts).unwrap();
        let org = &report.orgs[0];
        let now = Utc::now();
        let data = store.seed_athlete_data(org.org_id, 6, 11, now).unwrap();
        assert_eq!(data.athlete_ids.len(), 60);
        assert!(data.activities > 60, "{data:?}");
        assert!(data.race_goals > 5 && data.zones > 10 && data.integrations > 10, "{data:?}");
        let plans = store.seed_plans_and_groups(org.org_id, org.head_coach_id, &data.athlete_ids, 3, 2, now).unwrap();
        assert!(plans.assignments > 0);
        let clock = FixedClock::at(&now.to_rfc3339());
        let mut seen_activity = false;
        for &athlete in &data.athlete_ids {
            let p = profile(
                &Context::new(&store, org.head_coach_id).with_clock(&clock),
                &DefaultInsights::default(),
                &AttentionThresholds::default(),
                org.org_id,
                athlete,
            )
            .unwrap();
            assert_eq!(p.data.weekly_distance.len(), 12);
            seen_activity |= !p.data.recent_activities.is_empty();
            assert!(p.data.recent_activities.iter().all(|a| a.start_time <= now));
        }
        assert!(seen_activity);
        let total: usize = data.athlete_ids.iter().map(|&a| store.activities(a, None, 1000).unwrap().len()).sum();
        assert_eq!(total, data.activities, "{:?}", db.backend);
    }
}
