//! Synthetic athlete data for `roster seed`: weeks of activities, race
//! goals, zones and integrations for every live athlete of an organization.
//! Bulk inserts, no audit events: for synthetic data only.

use super::plans::PlannedSession;
use super::{BATCH, DbConn, Rng};
use crate::Store;
use crate::athlete::insert_activities_bulk;
use crate::athlete::rows::{IntegrationRow, RaceGoalRow, ZonesRow};
use crate::conn::write_tx;
use crate::dialect::{insert_batches, without_triggers};
use crate::error::StoreError;
use crate::rows::to_db;
use crate::schema::{athlete_zones, integrations, member_statuses, memberships, race_goals};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use roster_domain::athlete::{
    Activity, ActivitySource, HeartRateZone, HeartRateZones, Integration, IntegrationStatus, PaceZone, PaceZones,
    Provider, RaceGoal, RaceGoalFields, ZoneSettings, Zones,
};
use roster_domain::{ActivityId, OrgId, RaceGoalId, Sport, UserId};

/// What [`Store::seed_athlete_data`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeededAthleteData {
    /// The organization's live athletes, in id order.
    pub athlete_ids: Vec<UserId>,
    /// Activities written.
    pub activities: usize,
    /// Race goals written.
    pub race_goals: usize,
    /// Athletes given zones.
    pub zones: usize,
    /// Integrations written.
    pub integrations: usize,
}

const RACES: &[(&str, f64)] =
    &[("Park 5k", 5000.0), ("City 10k", 10_000.0), ("Harbour Half", 21_097.5), ("Autumn Marathon", 42_195.0)];

fn zones() -> Result<Zones, StoreError> {
    let hr =
        [("Z1 recovery", 100, 125), ("Z2 endurance", 125, 145), ("Z3 tempo", 145, 160), ("Z4 threshold", 160, 172)];
    let settings = ZoneSettings {
        heart_rate: HeartRateZones {
            max_bpm: Some(190),
            resting_bpm: Some(50),
            zones: hr
                .iter()
                .map(|(n, lo, hi)| HeartRateZone { name: (*n).into(), min_bpm: *lo, max_bpm: *hi })
                .collect(),
        },
        pace: PaceZones {
            threshold_s_per_km: Some(255),
            zones: vec![
                PaceZone { name: "threshold".into(), min_s_per_km: 240, max_s_per_km: 270 },
                PaceZone { name: "easy".into(), min_s_per_km: 300, max_s_per_km: 380 },
            ],
        },
    };
    Zones::parse(settings).map_err(|e| StoreError::Corrupt(format!("seed zones do not validate: {e:?}")))
}

fn random_time(rng: &mut Rng, now: DateTime<Utc>, days_ago: i64) -> DateTime<Utc> {
    let hour = 6 + i64::try_from(rng.below(14)).unwrap_or(0);
    let minute = i64::try_from(rng.below(60)).unwrap_or(0);
    let day = (now - Duration::days(days_ago)).date_naive().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    (day + Duration::hours(hour) + Duration::minutes(minute)).min(now - Duration::minutes(5)).trunc_subsecs(0)
}

impl Store {
    /// Gives the live athletes of `org_id` `weeks` weeks of activities (most
    /// athletes 2–5 a week; some none, some with a spike or a drop in the last
    /// week), a race goal (40 %), zones (60 %) and an integration (70 %, one
    /// in ten in error). Activities go in with [`insert_activities_bulk`], the
    /// rest with multi-row inserts, one transaction each.
    pub fn seed_athlete_data(
        &self,
        org_id: OrgId,
        weeks: u32,
        seed: u64,
        now: DateTime<Utc>,
    ) -> Result<SeededAthleteData, StoreError> {
        let mut conn = self.conn()?;
        let mut rng = Rng(seed.max(1).wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
        let ids: Vec<String> = memberships::table
            .filter(memberships::org_id.eq(org_id.to_string()))
            .filter(memberships::role.eq("athlete"))
            .filter(memberships::removed_at.is_null())
            .order(memberships::user_id)
            .select(memberships::user_id)
            .load(&mut *conn)?;
        let athlete_ids = ids
            .iter()
            .map(|id| id.parse().map_err(|_| StoreError::Corrupt(format!("memberships.user_id {id}"))))
            .collect::<Result<Vec<UserId>, _>>()?;
        let zones = zones()?;
        let zone_settings =
            serde_json::to_string(zones.settings()).map_err(|e| StoreError::Corrupt(format!("zones: {e}")))?;
        let mut activities = Vec::new();
        let (mut goals, mut zone_rows, mut integration_rows) = (Vec::new(), Vec::new(), Vec::new());
        for &user_id in &athlete_ids {
            let per_week = rng.below(6); // 0 (inactive) to 5
            let base_m = 5000.0 + rng.below(7000) as f64;
            let pace = 270 + rng.below(90) as i64; // s/km
            let last_week_factor = match rng.below(20) {
                0 => 2.5,
                1 => 0.3,
                _ => 1.0,
            };
            for week in 0..i64::from(weeks) {
                for _ in 0..per_week {
                    let days_ago = week * 7 + i64::try_from(rng.below(7)).unwrap_or(0);
                    let factor = if week == 0 { last_week_factor } else { 1.0 };
                    let distance_m = (base_m * (0.6 + rng.below(100) as f64 / 100.0) * factor).round();
                    let start_time = random_time(&mut rng, now, days_ago);
                    activities.push(Activity {
                        activity_id: ActivityId::new(),
                        user_id,
                        sport: if rng.chance(85) { Sport::Run } else { Sport::Bike },
                        start_time,
                        distance_m,
                        duration_s: ((distance_m / 1000.0) * pace as f64).round().max(60.0) as i64,
                        elevation_gain_m: Some(rng.below(200) as f64),
                        avg_hr: rng.chance(80).then(|| 130 + i32::try_from(rng.below(30)).unwrap_or(0)),
                        title: None,
                        source: ActivitySource::Manual,
                        external_id: None,
                        created_by: user_id,
                        created_by_key: None,
                        created_at: start_time,
                    });
                }
            }
            if rng.chance(40) {
                let (name, distance_m) = RACES[rng.below(RACES.len())];
                let race_date = (now + Duration::days(2 + i64::try_from(rng.below(180)).unwrap_or(0))).date_naive();
                let goal_time_s = rng.chance(75).then(|| ((distance_m / 1000.0) * (pace - 15) as f64).round() as i64);
                goals.push(RaceGoalRow::new(&RaceGoal {
                    race_goal_id: RaceGoalId::new(),
                    user_id,
                    fields: RaceGoalFields { race_name: name.to_owned(), race_date, distance_m, goal_time_s },
                    created_at: now,
                    updated_at: now,
                    version: 1,
                }));
            }
            if rng.chance(60) {
                zone_rows.push(ZonesRow {
                    user_id: user_id.to_string(),
                    settings: zone_settings.clone(),
                    has_heart_rate: true,
                    has_pace: true,
                    updated_at: to_db(now),
                    version: 1,
                });
            }
            if rng.chance(70) {
                let provider = [Provider::Strava, Provider::Garmin, Provider::AppleHealth][rng.below(3)];
                let status = if rng.chance(10) { IntegrationStatus::Error } else { IntegrationStatus::Connected };
                integration_rows.push(IntegrationRow::new(&Integration {
                    user_id,
                    provider,
                    status,
                    connected_at: Some(now - Duration::days(120)),
                    last_sync_at: Some(now - Duration::hours(i64::try_from(rng.below(72)).unwrap_or(0))),
                    external_athlete_id: Some(format!("{}-{}", provider.as_str(), rng.below(1_000_000_000))),
                    updated_at: now,
                }));
            }
        }
        let written = without_status_triggers(&mut conn, org_id, |conn| {
            let written = insert_activities_bulk(conn, &activities)?;
            write_tx(conn, |c| {
                insert_batches!(&mut *c, race_goals::table, goals, BATCH);
                insert_batches!(&mut *c, athlete_zones::table, zone_rows, BATCH);
                insert_batches!(&mut *c, integrations::table, integration_rows, BATCH);
                Ok::<_, StoreError>(())
            })?;
            Ok(written)
        })?;
        Ok(SeededAthleteData {
            activities: written,
            race_goals: goals.len(),
            zones: zone_rows.len(),
            integrations: integration_rows.len(),
            athlete_ids,
        })
    }
}

/// How many planned sessions [`Store::seed_workout_activities`] covered, by
/// how much of the planned distance a run that day brought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeededSessions {
    /// Runs written.
    pub runs: usize,
    /// Sessions given a run of at least 80 % of the plan (`completed`).
    pub full: usize,
    /// Sessions given a run of 50–79 % (`partial`).
    pub part: usize,
    /// Sessions left without a run, or with less than half (`missed`).
    pub none: usize,
}

impl Store {
    /// Gives athletes runs on the days of their past planned sessions, so
    /// that compliance is realistic: each athlete keeps to the plan closely
    /// (one in five: 90 % of sessions, 85–110 % of the distance), fairly
    /// (half: 70 %, 55–105 %) or loosely (the rest: 35 %, 40–100 %). The
    /// organization's time zone is assumed to share the UTC date between
    /// 07:00 and 19:00 (the seed's Europe/London does).
    pub fn seed_workout_activities(
        &self,
        org_id: OrgId,
        sessions: &[PlannedSession],
        seed: u64,
        now: DateTime<Utc>,
    ) -> Result<SeededSessions, StoreError> {
        let mut rng = Rng(seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut habits: std::collections::HashMap<UserId, (u64, usize, usize)> = std::collections::HashMap::new();
        let mut activities = Vec::new();
        let mut seeded = SeededSessions::default();
        for session in sessions {
            let (done_pct, low, span) = *habits.entry(session.user_id).or_insert_with(|| match rng.below(10) {
                0 | 1 => (90, 85, 25),
                2..=6 => (70, 55, 50),
                _ => (35, 40, 60),
            });
            if !rng.chance(done_pct) {
                seeded.none += 1;
                continue;
            }
            let pct = low + rng.below(span + 1);
            match pct {
                80.. => seeded.full += 1,
                50..=79 => seeded.part += 1,
                _ => seeded.none += 1,
            }
            let distance_m = (session.distance_m as f64 * pct as f64 / 100.0).round();
            let hour = 7 + i64::try_from(rng.below(12)).unwrap_or(0);
            let start_time = (session.date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::hours(hour))
                .min(now - Duration::minutes(5));
            activities.push(Activity {
                activity_id: ActivityId::new(),
                user_id: session.user_id,
                sport: Sport::Run,
                start_time,
                distance_m,
                duration_s: ((distance_m / 1000.0) * 300.0).round().max(60.0) as i64,
                elevation_gain_m: None,
                avg_hr: None,
                title: None,
                source: ActivitySource::Manual,
                external_id: None,
                created_by: session.user_id,
                created_by_key: None,
                created_at: start_time,
            });
        }
        let mut conn = self.conn()?;
        seeded.runs = without_status_triggers(&mut conn, org_id, |conn| insert_activities_bulk(conn, &activities))?;
        Ok(seeded)
    }
}

/// The PostgreSQL triggers that write another table for each row inserted:
/// the status version bumps (see the `member_status_cache` migration) and
/// the membership's `last_activity_at` (`compliance_attention`), which
/// rewrote a membership row per activity and made seeding 300 000 activities
/// take more than half an hour; the seed sets it once per membership instead.
const STATUS_TRIGGERS: [(&str, &str); 5] = [
    ("activities", "activities_last_activity"),
    ("activities", "activities_status"),
    ("race_goals", "race_goals_status"),
    ("athlete_zones", "athlete_zones_status"),
    ("integrations", "integrations_status"),
];

/// Runs the bulk inserts `f` in one transaction with the status triggers off
/// on PostgreSQL (each would update a stored status per inserted row: 300 000
/// activities took a minute longer), then bumps the organization's status
/// versions once. `ALTER TABLE` holds its lock until the commit, so no other
/// writer can slip past the disabled triggers.
fn without_status_triggers<T>(
    conn: &mut DbConn,
    org_id: OrgId,
    f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    without_triggers(conn, &STATUS_TRIGGERS, f, |conn| {
        diesel::sql_query(
            "UPDATE memberships SET last_activity_at = (SELECT MAX(a.start_time) FROM activities a \
             WHERE a.user_id = memberships.user_id) WHERE org_id = $1",
        )
        .bind::<diesel::sql_types::Text, _>(org_id.to_string())
        .execute(conn)?;
        diesel::update(member_statuses::table.filter(member_statuses::org_id.eq(org_id.to_string())))
            .set(member_statuses::version.eq(member_statuses::version + 1))
            .execute(conn)?;
        Ok(())
    })
}
