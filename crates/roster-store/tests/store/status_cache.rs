//! The roster's stored profile statuses: a page answers from them while they
//! are current, and never shows one that a write or the clock has outdated.

use crate::fixtures::{event, execute, noon, stored_user};
use chrono::{DateTime, Duration, Utc};
use roster_domain::athlete::{
    Activity, ActivityInput, AthleteRepo, Integration, IntegrationStatus, NewActivity, Provider,
};
use roster_domain::entities::{Membership, Organization};
use roster_domain::member::{Labels, MemberRepo, ProfileStatus, RosterQuery, RosterSort};
use roster_domain::ports::OrganizationRepo;
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{OrgId, Role, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An organization in UTC (its midnight is 12 hours after `noon()`) with one athlete.
pub(crate) fn org_with_athlete(store: &Store) -> (OrgId, UserId, Membership) {
    let head = stored_user(store, "Hana", None, None).user_id;
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::default(),
        timezone: Timezone::parse("UTC").unwrap(),
        created_at: noon(),
        updated_at: noon(),
        version: 1,
    };
    let created = event(org.org_id, head, "organization.created");
    store.create_organization(&org, &Membership::start(org.org_id, head, Role::HeadCoach, noon()), &created).unwrap();
    let athlete = stored_user(store, "Ada", None, None).user_id;
    let m = Membership::start(org.org_id, athlete, Role::Athlete, noon());
    store.add_membership(&m, &event(org.org_id, head, "member.added")).unwrap();
    (org.org_id, athlete, m)
}

fn activity(user: UserId, start_time: DateTime<Utc>) -> Activity {
    let input = ActivityInput {
        sport: "run".into(),
        start_time,
        distance_m: 8000.0,
        duration_s: 2400,
        elevation_gain_m: None,
        avg_hr: None,
        title: None,
        source: "manual".into(),
        external_id: None,
    };
    NewActivity::parse(&input, noon()).unwrap().into_activity(user, user, noon())
}

/// The athlete's profile status on the roster at `at`, and the queries it took.
fn status_at(
    store: &Store,
    org: OrgId,
    user: UserId,
    at: DateTime<Utc>,
    counter: &AtomicUsize,
) -> (ProfileStatus, usize) {
    counter.store(0, Ordering::SeqCst);
    let q = RosterQuery { include_profile_status: true, now: Some(at), ..Default::default() };
    let page = store.roster(org, &q).unwrap();
    let queries = counter.load(Ordering::SeqCst);
    (page.profile_status.unwrap().remove(&user).unwrap().parse().unwrap(), queries)
}

fn severity(s: &ProfileStatus) -> (i64, Option<&str>) {
    (s.attention.count, s.attention.max_severity.as_deref())
}

#[test]
fn stored_statuses_follow_every_write_and_the_clock() {
    for db in TestDb::all() {
        let (store, counter) = crate::counting_store(&db);
        let backend = db.backend;
        let (org, athlete, mut membership) = org_with_athlete(&store);

        // Nothing at all: no activity ever (urgent), no integration, no plan, no zones.
        let (first, computed) = status_at(&store, org, athlete, noon(), &counter);
        assert_eq!(severity(&first), (4, Some("urgent")), "{backend:?}");
        // Read again: the stored status answers, with fewer queries.
        let (again, cached) = status_at(&store, org, athlete, noon(), &counter);
        assert_eq!(again, first, "{backend:?}");
        assert!(cached < computed, "{backend:?}: {cached} queries from the store vs {computed} computed");

        // A run 6 days and 22 hours ago: no_recent_activity is gone ...
        let run = activity(athlete, noon() - Duration::days(7) + Duration::hours(2));
        store.insert_activity(&run, &event(org, athlete, "activity.created")).unwrap();
        let (after_run, _) = status_at(&store, org, athlete, noon(), &counter);
        assert_eq!(severity(&after_run), (3, Some("info")), "{backend:?}: the new activity counts");
        // ... and comes back as a warning once 7 days have passed, with no write.
        let (week_later, _) = status_at(&store, org, athlete, noon() + Duration::hours(2), &counter);
        assert_eq!(severity(&week_later), (4, Some("warning")), "{backend:?}: the clock outdates it");

        // An integration connects.
        let strava = Integration {
            user_id: athlete,
            provider: Provider::Strava,
            status: IntegrationStatus::Connected,
            connected_at: Some(noon()),
            last_sync_at: None,
            external_athlete_id: Some("987".into()),
            updated_at: noon(),
        };
        store.put_integration(&strava, &event(org, athlete, "integration.connected")).unwrap();
        let (connected, _) = status_at(&store, org, athlete, noon(), &counter);
        assert_eq!(connected.integrations.strava, roster_domain::member::IntegrationState::Connected, "{backend:?}");
        assert_eq!(severity(&connected), (2, Some("info")), "{backend:?}: no_integration is gone");

        // A coach-only label raises injury_watch.
        membership.labels = Labels::parse(["@injury-watch"]).unwrap();
        membership.version = 2;
        store.update_member(&membership, 1, &event(org, athlete, "member.updated")).unwrap();
        let (watched, _) = status_at(&store, org, athlete, noon(), &counter);
        assert_eq!(severity(&watched), (3, Some("warning")), "{backend:?}: the label counts");

        // Other attention settings make every stored status stale.
        let strict =
            roster_domain::attention::AttentionThresholds { injury_watch_label: "@other".into(), ..Default::default() };
        let q =
            RosterQuery { include_profile_status: true, now: Some(noon()), attention: strict, ..Default::default() };
        let page = store.roster(org, &q).unwrap();
        assert_eq!(
            severity(&page.profile_status.unwrap()[&athlete].parse().unwrap()),
            (2, Some("info")),
            "{backend:?}"
        );
    }
}

#[test]
fn sort_attention_pages_through_stored_summaries_most_severe_first() {
    for db in TestDb::all() {
        let store = db.store();
        let (org, first, _) = org_with_athlete(&store);
        let mut athletes = vec![first];
        for name in ["Bo", "Cy", "Di", "Ed"] {
            let id = stored_user(&store, name, None, None).user_id;
            let m = Membership::start(org, id, Role::Athlete, noon());
            store.add_membership(&m, &event(org, id, "member.added")).unwrap();
            athletes.push(id);
        }
        // Bo and Di ran yesterday: fewer and milder signals than the others.
        for id in [athletes[1], athletes[3]] {
            store
                .insert_activity(&activity(id, noon() - Duration::days(1)), &event(org, id, "activity.created"))
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut q = RosterQuery { sort: RosterSort::Attention, limit: 2, now: Some(noon()), ..Default::default() };
        loop {
            let page = store.roster(org, &q).unwrap();
            assert_eq!(page.total, 5);
            seen.extend(page.members.iter().map(|m| m.first_name.clone()));
            match page.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, ["Ada", "Cy", "Ed", "Bo", "Di"], "{:?}", db.backend);
        // Ada runs now: the next walk moves her after the urgent ones.
        store
            .insert_activity(&activity(first, noon() - Duration::hours(3)), &event(org, first, "activity.created"))
            .unwrap();
        let q = RosterQuery { sort: RosterSort::Attention, limit: 10, now: Some(noon()), ..Default::default() };
        let names: Vec<String> = store.roster(org, &q).unwrap().members.into_iter().map(|m| m.first_name).collect();
        assert_eq!(names, ["Cy", "Ed", "Ada", "Bo", "Di"], "{:?}", db.backend);
        // Without a filter the walk reads the status rows alone: Cy's ends
        // with her membership.
        store.remove_member(org, athletes[2], first, noon(), &event(org, first, "member.removed")).unwrap();
        let page = store.roster(org, &q).unwrap();
        let names: Vec<String> = page.members.into_iter().map(|m| m.first_name).collect();
        assert_eq!(
            (names, page.total),
            (vec!["Ed".into(), "Ada".into(), "Bo".into(), "Di".into()], 4),
            "{:?}",
            db.backend
        );
    }
}

/// What `member_statuses` keeps of a membership's stored status: its JSON,
/// the cache, the data version and the instant it was current for, and the
/// settings key.
type Kept = (Option<String>, Option<String>, Option<i64>, Option<chrono::NaiveDateTime>, Option<String>);

fn kept(store: &Store, membership: &Membership) -> Kept {
    use diesel::prelude::*;
    use roster_store::schema::member_statuses;
    member_statuses::table
        .find(membership.membership_id.to_string())
        .select((
            member_statuses::status_json,
            member_statuses::cache,
            member_statuses::cached_version,
            member_statuses::valid_until,
            member_statuses::settings_key,
        ))
        .first(&mut *store.conn().unwrap())
        .unwrap()
}

#[test]
fn an_erased_account_keeps_no_stored_status() {
    for db in TestDb::all() {
        let (store, counter) = crate::counting_store(&db);
        let (org, athlete, membership) = org_with_athlete(&store);
        status_at(&store, org, athlete, noon(), &counter);
        let (json, cache, version, until, key) = kept(&store, &membership);
        let all_kept = json.is_some() && cache.is_some() && version.is_some() && until.is_some() && key.is_some();
        assert!(all_kept, "{:?}: a read stores the status", db.backend);

        crate::fixtures::erase(&store, athlete, noon());
        assert_eq!(kept(&store, &membership), (None, None, None, None, None), "{:?}", db.backend);
    }
}

#[test]
fn a_status_stored_in_another_shape_is_recomputed_not_served() {
    for db in TestDb::all() {
        let (store, counter) = crate::counting_store(&db);
        let (org, athlete, membership) = org_with_athlete(&store);
        let (first, _) = status_at(&store, org, athlete, noon(), &counter);
        let (_, _, _, _, key) = kept(&store, &membership);
        // What an older binary stored: its own shape under its own settings
        // key, at the current data version and still in its validity.
        execute(
            &store,
            &format!(
                "UPDATE member_statuses SET status_json = '{{\"shape\":\"old\"}}', \
                 settings_key = '0123456789abcdef' WHERE membership_id = '{}'",
                membership.membership_id
            ),
        );
        let (again, _) = status_at(&store, org, athlete, noon(), &counter);
        assert_eq!(again, first, "{:?}", db.backend);
        let (json, _, _, _, rewritten) = kept(&store, &membership);
        assert_eq!(rewritten, key, "{:?}: stored again under the current key", db.backend);
        assert!(json.is_some_and(|j| !j.contains("shape")), "{:?}", db.backend);
    }
}
