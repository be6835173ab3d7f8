//! Activities, race goals, zones and integrations: `AthleteRepo` over the
//! store, and the batch reads (one query for a whole page of athletes) that
//! the roster's `profile_status` and the attention signals use.

mod batch;
pub(crate) mod rows;

pub use batch::{
    IntegrationStatuses, RaceGoalSummary, activity_windows, integration_statuses, race_goal_summaries, zones_presence,
};
pub use roster_domain::athlete::ActivityWindow;

use crate::conn::write_tx;
use crate::dialect::insert_rows;
use crate::error::{StoreError, parse};
use crate::prepared_sql::PreparedSql;
use crate::privacy::ensure_account_live;
use crate::rows::{insert_event, to_db};
use crate::schema::{activities, athlete_zones, integrations, organizations, race_goals};
use crate::{DbConn, Store};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Double, Integer, Nullable};
use roster_domain::athlete::{
    Activity, AthleteRepo, BucketTotal, FeedCursor, Inserted, Integration, RaceGoal, StoredZones, Zones,
};
use roster_domain::entities::AuditEvent;
use roster_domain::values::Timezone;
use roster_domain::{Conflict, DomainError, OrgId, RaceGoalId, RepoError, UserId};
use rows::{ActivityRow, IntegrationRow, RaceGoalRow, ZonesRow};

/// The backend type of [`DbConn`], for boxed raw queries.
pub(crate) type Db = <DbConn as diesel::Connection>::Backend;

/// The athlete's activity with this `(source, external_id)`, if any.
fn activity_by_key(conn: &mut DbConn, a: &Activity) -> Result<Option<Activity>, StoreError> {
    let Some(external_id) = &a.external_id else { return Ok(None) };
    activities::table
        .filter(activities::user_id.eq(a.user_id.to_string()))
        .filter(activities::source.eq(a.source.as_str()))
        .filter(activities::external_id.eq(external_id))
        .select(ActivityRow::as_select())
        .first(conn)
        .optional()?
        .map(ActivityRow::into_activity)
        .transpose()
}

/// Stores an activity in one transaction with its audit event, unless the
/// athlete already has one with the same `(source, external_id)`: then that
/// one is returned and nothing is written. Usable from other writes (the file
/// import) with a pooled connection.
pub fn insert_activity(
    conn: &mut DbConn,
    activity: &Activity,
    event: &AuditEvent,
) -> Result<Inserted<Activity>, StoreError> {
    let written = write_tx(conn, |conn| {
        ensure_account_live(conn, &activity.user_id.to_string())?;
        if let Some(existing) = activity_by_key(conn, activity)? {
            return Ok(Inserted::Existing(existing));
        }
        diesel::insert_into(activities::table).values(ActivityRow::new(activity)).execute(conn)?;
        insert_event(conn, event)?;
        Ok(Inserted::Created(activity.clone()))
    });
    match written {
        // A concurrent resend won the unique index: answer its row.
        Err(StoreError::Database(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))) => {
            activity_by_key(conn, activity)?
                .map(Inserted::Existing)
                .ok_or_else(|| StoreError::Corrupt("activity key collided but no row has it".into()))
        }
        other => other,
    }
}

/// Stores many activities in one transaction, many rows per statement on
/// PostgreSQL; for bulk loads such as `roster seed` (no audit events, no
/// idempotency check: a duplicate `(source, external_id)` fails the whole
/// load). Returns how many rows were written.
pub fn insert_activities_bulk(conn: &mut DbConn, list: &[Activity]) -> Result<usize, StoreError> {
    write_tx(conn, |conn| {
        let mut written = 0;
        for chunk in list.chunks(500) {
            let rows: Vec<ActivityRow> = chunk.iter().map(ActivityRow::new).collect();
            written += insert_rows!(conn, activities::table, &rows)?;
        }
        Ok(written)
    })
}

#[derive(Debug, QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = Integer)]
    bucket: i32,
    #[diesel(sql_type = Nullable<Double>)]
    distance_m: Option<f64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    duration_s: Option<i64>,
    #[diesel(sql_type = BigInt)]
    activity_count: i64,
}

/// Sums per bucket `[boundaries[i], boundaries[i + 1])` in ONE query: a CASE
/// over the bound boundaries names each activity's bucket, and the rows of
/// the range are grouped by it (the `(user_id, start_time)` index bounds the
/// scan). Buckets without activities come back as zeros.
pub fn weekly_totals(
    conn: &mut DbConn,
    user_id: UserId,
    boundaries: &[DateTime<Utc>],
) -> Result<Vec<BucketTotal>, StoreError> {
    let buckets = boundaries.len().saturating_sub(1);
    let mut totals = vec![BucketTotal::default(); buckets];
    if buckets == 0 {
        return Ok(totals);
    }
    // `CASE WHEN start_time < b1 THEN 0 WHEN start_time < b2 THEN 1 … ELSE n-1 END`
    let mut query = PreparedSql::new("SELECT ");
    if buckets == 1 {
        query = query.sql("0");
    } else {
        query = query.sql("CASE");
        for (i, b) in boundaries[1..buckets].iter().enumerate() {
            query = query.sql(" WHEN start_time < ").timestamp(to_db(*b)).sql(format!(" THEN {i}"));
        }
        query = query.sql(format!(" ELSE {} END", buckets - 1));
    }
    let query = query
        .sql(
            " AS bucket, SUM(distance_m) AS distance_m, CAST(SUM(duration_s) AS BIGINT) AS duration_s, \
             COUNT(*) AS activity_count FROM activities WHERE user_id = ",
        )
        .text(user_id.to_string())
        .sql(" AND start_time >= ")
        .timestamp(to_db(boundaries[0]))
        .sql(" AND start_time < ")
        .timestamp(to_db(boundaries[buckets]))
        .sql(" GROUP BY 1");
    for row in query.load::<BucketRow>(conn)? {
        let slot = usize::try_from(row.bucket)
            .ok()
            .and_then(|i| totals.get_mut(i))
            .ok_or_else(|| StoreError::Corrupt(format!("weekly bucket {} out of range", row.bucket)))?;
        *slot = BucketTotal {
            distance_m: row.distance_m.unwrap_or(0.0),
            duration_s: row.duration_s.unwrap_or(0),
            activity_count: row.activity_count,
        };
    }
    Ok(totals)
}

fn race_goal_row(conn: &mut DbConn, user_id: UserId, goal_id: RaceGoalId) -> Result<Option<RaceGoal>, StoreError> {
    race_goals::table
        .filter(race_goals::race_goal_id.eq(goal_id.to_string()))
        .filter(race_goals::user_id.eq(user_id.to_string()))
        .select(RaceGoalRow::as_select())
        .first(conn)
        .optional()?
        .map(RaceGoalRow::into_goal)
        .transpose()
}

fn zones_row(conn: &mut DbConn, user_id: &str) -> Result<Option<ZonesRow>, StoreError> {
    Ok(athlete_zones::table.find(user_id).select(ZonesRow::as_select()).first(conn).optional()?)
}

impl AthleteRepo for Store {
    fn org_timezone(&self, org_id: OrgId) -> Result<Option<Timezone>, RepoError> {
        self.with(|conn| {
            organizations::table
                .find(org_id.to_string())
                .select(organizations::timezone)
                .first::<String>(conn)
                .optional()?
                .map(|tz| parse("organizations.timezone", Timezone::parse(&tz)))
                .transpose()
        })
    }

    fn insert_activity(&self, activity: &Activity, event: &AuditEvent) -> Result<Inserted<Activity>, RepoError> {
        self.with(|conn| insert_activity(conn, activity, event))
    }

    fn activities(&self, user_id: UserId, before: Option<FeedCursor>, limit: u32) -> Result<Vec<Activity>, RepoError> {
        self.with(|conn| {
            let mut query = activities::table
                .filter(activities::user_id.eq(user_id.to_string()))
                .order((activities::start_time.desc(), activities::activity_id.desc()))
                .limit(i64::from(limit) + 1)
                .select(ActivityRow::as_select())
                .into_boxed();
            if let Some(c) = before {
                let (t, id) = (to_db(c.start_time), c.activity_id.to_string());
                query = query.filter(
                    activities::start_time.lt(t).or(activities::start_time.eq(t).and(activities::activity_id.lt(id))),
                );
            }
            query.load::<ActivityRow>(conn)?.into_iter().map(ActivityRow::into_activity).collect()
        })
    }

    fn weekly_totals(&self, user_id: UserId, boundaries: &[DateTime<Utc>]) -> Result<Vec<BucketTotal>, RepoError> {
        self.with(|conn| weekly_totals(conn, user_id, boundaries))
    }

    fn activity_window(&self, user_id: UserId, now: DateTime<Utc>) -> Result<ActivityWindow, RepoError> {
        self.with(|conn| Ok(activity_windows(conn, &[user_id], now)?.remove(&user_id).unwrap_or_default()))
    }

    fn race_goals(&self, user_id: UserId) -> Result<Vec<RaceGoal>, RepoError> {
        self.with(|conn| {
            race_goals::table
                .filter(race_goals::user_id.eq(user_id.to_string()))
                .order((race_goals::race_date.asc(), race_goals::race_goal_id.asc()))
                .select(RaceGoalRow::as_select())
                .load(conn)?
                .into_iter()
                .map(RaceGoalRow::into_goal)
                .collect()
        })
    }

    fn race_goal(&self, user_id: UserId, race_goal_id: RaceGoalId) -> Result<Option<RaceGoal>, RepoError> {
        self.with(|conn| race_goal_row(conn, user_id, race_goal_id))
    }

    fn insert_race_goal(&self, goal: &RaceGoal, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            ensure_account_live(conn, &goal.user_id.to_string())?;
            diesel::insert_into(race_goals::table).values(RaceGoalRow::new(goal)).execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn update_race_goal(&self, goal: &RaceGoal, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            let updated = diesel::update(
                race_goals::table
                    .filter(race_goals::race_goal_id.eq(goal.race_goal_id.to_string()))
                    .filter(race_goals::user_id.eq(goal.user_id.to_string()))
                    .filter(race_goals::version.eq(expected_version)),
            )
            .set(RaceGoalRow::new(goal))
            .execute(conn)?;
            if updated == 0 {
                return Err(Conflict::VersionMismatch.into());
            }
            insert_event(conn, event)
        })
    }

    fn delete_race_goal(&self, user_id: UserId, race_goal_id: RaceGoalId, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            let deleted = diesel::delete(
                race_goals::table
                    .filter(race_goals::race_goal_id.eq(race_goal_id.to_string()))
                    .filter(race_goals::user_id.eq(user_id.to_string())),
            )
            .execute(conn)?;
            if deleted == 0 {
                return Err(DomainError::NotFound("race goal").into());
            }
            insert_event(conn, event)
        })
    }

    fn zones(&self, user_id: UserId) -> Result<Option<StoredZones>, RepoError> {
        self.with(|conn| zones_row(conn, &user_id.to_string())?.map(ZonesRow::into_zones).transpose())
    }

    fn put_zones(
        &self,
        user_id: UserId,
        zones: &Zones,
        expected_version: Option<i64>,
        now: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<StoredZones, RepoError> {
        self.tx(|conn| {
            let user = user_id.to_string();
            ensure_account_live(conn, &user)?;
            let current = zones_row(conn, &user)?.map(|r| r.version);
            if expected_version.is_some_and(|v| v != current.unwrap_or(0)) {
                return Err(Conflict::VersionMismatch.into());
            }
            let settings = serde_json::to_string(zones.settings())
                .map_err(|e| StoreError::Corrupt(format!("zones do not serialize: {e}")))?;
            let version = current.map_or(1, |v| v + 1);
            let row = ZonesRow {
                user_id: user.clone(),
                settings,
                has_heart_rate: zones.has_heart_rate(),
                has_pace: zones.has_pace(),
                updated_at: to_db(now),
                version,
            };
            match current {
                Some(v) => {
                    diesel::update(
                        athlete_zones::table
                            .filter(athlete_zones::user_id.eq(&user))
                            .filter(athlete_zones::version.eq(v)),
                    )
                    .set((
                        athlete_zones::settings.eq(&row.settings),
                        athlete_zones::has_heart_rate.eq(row.has_heart_rate),
                        athlete_zones::has_pace.eq(row.has_pace),
                        athlete_zones::updated_at.eq(row.updated_at),
                        athlete_zones::version.eq(version),
                    ))
                    .execute(conn)?;
                }
                None => {
                    diesel::insert_into(athlete_zones::table).values(&row).execute(conn)?;
                }
            }
            insert_event(conn, event)?;
            Ok(StoredZones { zones: zones.clone(), updated_at: now, version })
        })
    }

    fn integrations(&self, user_id: UserId) -> Result<Vec<Integration>, RepoError> {
        self.with(|conn| {
            let mut rows: Vec<Integration> = integrations::table
                .filter(integrations::user_id.eq(user_id.to_string()))
                .select(IntegrationRow::as_select())
                .load(conn)?
                .into_iter()
                .map(IntegrationRow::into_integration)
                .collect::<Result<_, _>>()?;
            rows.sort_by_key(|i| i.provider as u8);
            Ok(rows)
        })
    }

    fn put_integration(&self, integration: &Integration, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            let row = IntegrationRow::new(integration);
            ensure_account_live(conn, &row.user_id)?;
            let updated = diesel::update(
                integrations::table
                    .filter(integrations::user_id.eq(&row.user_id))
                    .filter(integrations::provider.eq(&row.provider)),
            )
            .set(&row)
            .execute(conn)?;
            if updated == 0 {
                diesel::insert_into(integrations::table).values(&row).execute(conn)?;
            }
            insert_event(conn, event)
        })
    }
}
