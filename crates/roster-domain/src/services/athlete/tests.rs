use super::*;
use crate::athlete::ports::MockAthleteRepo;
use crate::athlete::{ActivitySource, BucketTotal, IntegrationStatus};
use crate::context::{Context, Mocks};
use crate::entities::NamedMembership;
use crate::policy::Caller;
use crate::ports::{MockAccountRepo, MockOrganizationRepo};
use crate::services::organizations::tests::{clock, membership};
use crate::values::Timezone;
use crate::{ActivityId, Sport};
use std::collections::HashMap;

/// The organization and athlete ports as the use cases' store.
fn store<'a>(orgs: &'a MockOrganizationRepo, athletes: &'a MockAthleteRepo) -> Mocks<'a> {
    Mocks { orgs, athletes, ..Mocks::none() }
}

struct Org {
    id: OrgId,
    head: UserId,
    coach: UserId,
    athlete: UserId,
    other_athlete: UserId,
}

/// An organization with a head coach, an assistant coach, an athlete
/// assigned to nobody and another athlete assigned to the assistant.
fn org() -> (Org, MockOrganizationRepo) {
    let o = Org {
        id: OrgId::new(),
        head: UserId::new(),
        coach: UserId::new(),
        athlete: UserId::new(),
        other_athlete: UserId::new(),
    };
    let now = clock().now();
    let mut members: HashMap<UserId, Membership> = HashMap::new();
    for (user, role) in [
        (o.head, Role::HeadCoach),
        (o.coach, Role::AssistantCoach),
        (o.athlete, Role::Athlete),
        (o.other_athlete, Role::Athlete),
    ] {
        members.insert(user, Membership::start(o.id, user, role, now));
    }
    if let Some(m) = members.get_mut(&o.other_athlete) {
        m.assigned_to_coach_id = Some(o.coach);
    }
    let org_id = o.id;
    let mut repo = MockOrganizationRepo::new();
    repo.expect_live_membership().returning(move |org, user| Ok(members.get(&user).filter(|_| org == org_id).cloned()));
    (o, repo)
}

fn run_input() -> ActivityInput {
    ActivityInput {
        sport: "run".into(),
        start_time: clock().now() - chrono::Duration::hours(3),
        distance_m: 8000.0,
        duration_s: 2400,
        elevation_gain_m: None,
        avg_hr: None,
        title: None,
        source: "strava".into(),
        external_id: Some("st-1".into()),
    }
}

fn stored(user: UserId, input: &ActivityInput) -> Activity {
    NewActivity::parse(input, clock().now()).unwrap().into_activity(user, user, clock().now())
}

#[test]
fn athlete_records_their_own_activity_with_an_audit_event() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    athletes
        .expect_insert_activity()
        .withf(move |a, e| {
            a.user_id == o.athlete && a.source == ActivitySource::Strava && e.action == "activity.created"
        })
        .times(1)
        .returning(|a, _| Ok(Inserted::Created(a.clone())));
    let got = create_activity(&store(&orgs, &athletes).cx(o.athlete, &clock()), o.id, o.athlete, &run_input()).unwrap();
    assert!(got.is_created());
    assert_eq!(got.into_inner().sport, Sport::Run);
}

#[test]
fn a_resend_answers_the_stored_activity() {
    let (o, orgs) = org();
    let first = stored(o.athlete, &run_input());
    let mut athletes = MockAthleteRepo::new();
    let kept = first.clone();
    athletes.expect_insert_activity().returning(move |_, _| Ok(Inserted::Existing(kept.clone())));
    let got = create_activity(&store(&orgs, &athletes).cx(o.head, &clock()), o.id, o.athlete, &run_input()).unwrap();
    assert_eq!(got, Inserted::Existing(first));
}

#[test]
fn assistant_coach_cannot_write_for_an_athlete_not_assigned_to_them() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_insert_activity().never();
    let err =
        create_activity(&store(&orgs, &athletes).cx(o.coach, &clock()), o.id, o.athlete, &run_input()).unwrap_err();
    assert_eq!(err.code(), "not_assigned_to_you");
    athletes.expect_insert_activity().returning(|a, _| Ok(Inserted::Created(a.clone())));
    assert!(
        create_activity(&store(&orgs, &athletes).cx(o.coach, &clock()), o.id, o.other_athlete, &run_input()).is_ok()
    );
}

#[test]
fn another_athlete_and_non_members_get_not_found() {
    let (o, orgs) = org();
    let athletes = MockAthleteRepo::new();
    let err =
        activities(&Context::new(&store(&orgs, &athletes), o.other_athlete), o.id, o.athlete, None, 10).unwrap_err();
    assert_eq!(err.code(), "not_found");
    let err =
        activities(&Context::new(&store(&orgs, &athletes), UserId::new()), o.id, o.athlete, None, 10).unwrap_err();
    assert_eq!(err.code(), "not_found");
    let err = race_goals(&Context::new(&store(&orgs, &athletes), o.head), o.id, UserId::new()).unwrap_err();
    assert_eq!(err.code(), "not_found");
    let err = zones(&Context::new(&store(&orgs, &athletes), o.head), o.id, o.coach).unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn invalid_activities_are_refused_before_any_write() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_insert_activity().never();
    let input = ActivityInput { distance_m: -3.0, ..run_input() };
    let err = create_activity(&store(&orgs, &athletes).cx(o.athlete, &clock()), o.id, o.athlete, &input).unwrap_err();
    assert_eq!(err.code(), "out_of_range");
}

#[test]
fn the_feed_hands_out_a_cursor_only_when_more_follow() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    let user = o.athlete;
    athletes.expect_activities().returning(move |_, _, limit| {
        Ok((0..=limit)
            .map(|_| stored(user, &ActivityInput { source: "manual".into(), external_id: None, ..run_input() }))
            .collect())
    });
    let (page, next) = activities(&Context::new(&store(&orgs, &athletes), o.coach), o.id, o.athlete, None, 2).unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(next, Some(FeedCursor::after(&page[1])));
    let _ = ActivityId::new();
}

#[test]
fn weekly_distance_pairs_each_monday_with_its_bucket() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_org_timezone().returning(|_| Ok(Some(Timezone::parse("Europe/Berlin").unwrap())));
    athletes.expect_weekly_totals().withf(|_, b| b.len() == 4).returning(|_, b| {
        Ok((1..b.len()).map(|i| BucketTotal { distance_m: i as f64, duration_s: 1, activity_count: 1 }).collect())
    });
    let weeks = weekly_distance(&store(&orgs, &athletes).cx(o.athlete, &clock()), o.id, o.athlete, 3).unwrap();
    let starts: Vec<String> = weeks.iter().map(|w| w.week_start.to_string()).collect();
    assert_eq!(starts, ["2026-11-09", "2026-11-16", "2026-11-23"]);
    assert_eq!(weeks[2].totals.distance_m, 3.0);
    for bad in [0, 105] {
        let err = weekly_distance(&store(&orgs, &athletes).cx(o.athlete, &clock()), o.id, o.athlete, bad).unwrap_err();
        assert_eq!(err.code(), "out_of_range");
    }
}

fn goal(user: UserId) -> RaceGoal {
    let fields = RaceGoalFields::parse(&RaceGoalInput {
        race_name: "Autumn Half".into(),
        race_date: "2027-10-10".parse().unwrap(),
        distance_m: 21_097.5,
        goal_time_s: Some(5400),
    })
    .unwrap();
    RaceGoal {
        race_goal_id: RaceGoalId::new(),
        user_id: user,
        fields,
        created_at: clock().now(),
        updated_at: clock().now(),
        version: 3,
    }
}

#[test]
fn a_stale_if_match_on_a_race_goal_is_version_mismatch() {
    let (o, orgs) = org();
    let current = goal(o.athlete);
    let id = current.race_goal_id;
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_race_goal().returning(move |_, _| Ok(Some(current.clone())));
    athletes.expect_update_race_goal().never();
    let patch = RaceGoalPatch { race_name: Some("Renamed".into()), ..Default::default() };
    let err = update_race_goal(&store(&orgs, &athletes).cx(o.athlete, &clock()), o.id, o.athlete, id, &patch, Some(2))
        .unwrap_err();
    assert_eq!(err.code(), "version_mismatch");
}

#[test]
fn a_race_goal_update_records_only_what_changed() {
    let (o, orgs) = org();
    let current = goal(o.athlete);
    let id = current.race_goal_id;
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_race_goal().returning(move |_, _| Ok(Some(current.clone())));
    athletes
        .expect_update_race_goal()
        .withf(|g, expected, e| {
            g.version == 4
                && *expected == 3
                && e.action == "race_goal.updated"
                && e.changes["goal_time_s"] == json!({"old": 5400, "new": null})
                && e.changes.get("race_name").is_none()
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let patch = RaceGoalPatch { goal_time_s: Some(None), ..Default::default() };
    let updated =
        update_race_goal(&store(&orgs, &athletes).cx(o.head, &clock()), o.id, o.athlete, id, &patch, Some(3)).unwrap();
    assert_eq!(updated.fields.target_pace_s_per_km(), None);
    // The same patch again changes nothing and writes nothing.
    let unchanged = RaceGoalPatch { race_name: Some("Autumn Half".into()), ..Default::default() };
    let same =
        update_race_goal(&store(&orgs, &athletes).cx(o.head, &clock()), o.id, o.athlete, id, &unchanged, None).unwrap();
    assert_eq!(same.version, 3);
}

#[test]
fn deleting_a_missing_race_goal_is_not_found() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_race_goal().returning(|_, _| Ok(None));
    athletes.expect_delete_race_goal().never();
    let err = delete_race_goal(&store(&orgs, &athletes).cx(o.athlete, &clock()), o.id, o.athlete, RaceGoalId::new())
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn invalid_zones_write_nothing() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_put_zones().never();
    let mut settings = ZoneSettings::default();
    settings.pace.zones = vec![crate::athlete::PaceZone { name: "easy".into(), min_s_per_km: 400, max_s_per_km: 300 }];
    let err = put_zones(&store(&orgs, &athletes).cx(o.athlete, &clock()), o.id, o.athlete, settings, None).unwrap_err();
    assert_eq!(err.code(), "inverted_zone");
}

#[path = "integration_tests.rs"]
mod integrations;

#[test]
fn the_snapshot_reads_everything_once_and_finds_the_goal_race() {
    let (o, orgs) = org();
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_org_timezone().times(1).returning(|_| Ok(Some(Timezone::parse("Pacific/Kiritimati").unwrap())));
    let user = o.athlete;
    athletes.expect_activities().times(1).withf(|_, before, limit| before.is_none() && *limit == 10).returning(
        move |_, _, limit| {
            Ok((0..=limit)
                .map(|_| stored(user, &ActivityInput { source: "manual".into(), external_id: None, ..run_input() }))
                .collect())
        },
    );
    athletes.expect_weekly_totals().times(1).returning(|_, b| Ok(vec![BucketTotal::default(); b.len() - 1]));
    // 10:00 UTC on 2026-11-28 is already 29 November at UTC+14: a race on the 28th is past.
    let past = RaceGoal {
        fields: RaceGoalFields { race_date: "2026-11-28".parse().unwrap(), ..goal(user).fields },
        ..goal(user)
    };
    let next = RaceGoal {
        fields: RaceGoalFields { race_date: "2026-11-29".parse().unwrap(), ..goal(user).fields },
        ..goal(user)
    };
    let goals = vec![past, next.clone(), goal(user)];
    athletes.expect_race_goals().times(1).returning(move |_| Ok(goals.clone()));
    athletes.expect_zones().times(1).returning(|_| Ok(None));
    athletes.expect_integrations().times(1).returning(|_| Ok(Vec::new()));
    athletes.expect_activity_window().times(1).returning(|_, _| Ok(Default::default()));
    let snap = snapshot(&store(&orgs, &athletes).cx(o.coach, &clock()), o.id, o.athlete).unwrap();
    assert_eq!(snap.recent_activities.len(), 10);
    assert_eq!(snap.weekly_distance.len(), 12);
    assert_eq!(snap.goal_race(), Some(&next));
    let err =
        snapshot(&store(&orgs, &MockAthleteRepo::new()).cx(o.other_athlete, &clock()), o.id, o.athlete).unwrap_err();
    assert_eq!(err.code(), "not_found");
}

/// A key writes an athlete's goals with `activities:write` (the audit trail
/// names it) and reads with `members:read`; a coach's data is no athlete's.
#[test]
fn a_key_writes_race_goals_with_its_scope_and_is_the_audited_actor() {
    use crate::ApiKeyId;
    use crate::policy::Scope;
    let (o, orgs) = org();
    let key_id = ApiKeyId::new();
    let key = |scopes: &[Scope]| Caller::Key(Actor::ApiKey { key_id, org_id: o.id, scopes: scopes.to_vec() });
    let input = RaceGoalInput {
        race_name: "Autumn Half".into(),
        race_date: "2027-10-10".parse().unwrap(),
        distance_m: 21_097.5,
        goal_time_s: None,
    };
    let as_user = UserId::from_uuid(key_id.as_uuid());
    let mut athletes = MockAthleteRepo::new();
    athletes
        .expect_insert_race_goal()
        .withf(move |g, e| g.user_id == o.athlete && e.actor_user_id == as_user && e.action == "race_goal.created")
        .times(1)
        .returning(|_, _| Ok(()));
    let reader = key(&[Scope::MembersRead]);
    let err =
        create_race_goal(&store(&orgs, &athletes).cx(reader.clone(), &clock()), o.id, o.athlete, &input).unwrap_err();
    assert_eq!(err.code(), "insufficient_scope");
    let writer = key(&[Scope::ActivitiesWrite]);
    create_race_goal(&store(&orgs, &athletes).cx(writer.clone(), &clock()), o.id, o.athlete, &input).unwrap();
    let err = create_race_goal(&store(&orgs, &athletes).cx(writer, &clock()), o.id, o.coach, &input).unwrap_err();
    assert_eq!(err.code(), "not_found");
    athletes.expect_race_goals().times(1).returning(|_| Ok(Vec::new()));
    assert_eq!(race_goals(&Context::new(&store(&orgs, &athletes), reader), o.id, o.athlete).unwrap(), Vec::new());
}
