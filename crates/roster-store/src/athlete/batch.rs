//! Reads for a whole page of athletes, each ONE query (`WHERE user_id IN
//! (page)`), never one per athlete: what the roster's `profile_status` and
//! the attention signals need. Every requested id gets an entry.

use crate::DbConn;
use crate::error::{StoreError, parse};
use crate::prepared_sql::PreparedSql;
use crate::rows::{from_db, to_db};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Double, Nullable, Text, Timestamp};
use roster_domain::UserId;
use roster_domain::athlete::{ActivityWindow, IntegrationStatus, Provider};
use std::collections::HashMap;

fn user_id(text: &str) -> Result<UserId, StoreError> {
    parse("user_id", text.parse())
}

/// Each provider's status; `None` is never connected (`not_connected`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntegrationStatuses {
    /// Strava.
    pub strava: Option<IntegrationStatus>,
    /// Garmin.
    pub garmin: Option<IntegrationStatus>,
    /// Apple Health.
    pub apple_health: Option<IntegrationStatus>,
}

#[derive(Debug, QueryableByName)]
struct IntegrationStatusRow {
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Text)]
    provider: String,
    #[diesel(sql_type = Text)]
    status: String,
}

/// The integration statuses of each athlete in `user_ids`.
pub fn integration_statuses(
    conn: &mut DbConn,
    user_ids: &[UserId],
) -> Result<HashMap<UserId, IntegrationStatuses>, StoreError> {
    let mut out: HashMap<_, _> = user_ids.iter().map(|u| (*u, IntegrationStatuses::default())).collect();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<IntegrationStatusRow> =
        PreparedSql::new("SELECT user_id, provider, status FROM integrations WHERE user_id IN (")
            .ids(user_ids)
            .sql(")")
            .load(conn)?;
    for row in rows {
        let status = parse("integrations.status", row.status.parse())?;
        let entry = out.entry(user_id(&row.user_id)?).or_default();
        match parse("integrations.provider", row.provider.parse::<Provider>())? {
            Provider::Strava => entry.strava = Some(status),
            Provider::Garmin => entry.garmin = Some(status),
            Provider::AppleHealth => entry.apple_health = Some(status),
        }
    }
    Ok(out)
}

#[derive(Debug, QueryableByName)]
struct ZonesPresenceRow {
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Bool)]
    has_heart_rate: bool,
    #[diesel(sql_type = Bool)]
    has_pace: bool,
}

/// Whether each athlete has heart-rate zones and pace zones: `(heart_rate, pace)`.
pub fn zones_presence(conn: &mut DbConn, user_ids: &[UserId]) -> Result<HashMap<UserId, (bool, bool)>, StoreError> {
    let mut out: HashMap<_, _> = user_ids.iter().map(|u| (*u, (false, false))).collect();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<ZonesPresenceRow> =
        PreparedSql::new("SELECT user_id, has_heart_rate, has_pace FROM athlete_zones WHERE user_id IN (")
            .ids(user_ids)
            .sql(")")
            .load(conn)?;
    for row in rows {
        out.insert(user_id(&row.user_id)?, (row.has_heart_rate, row.has_pace));
    }
    Ok(out)
}

/// How many race goals are upcoming, and the next one `(race_name, race_date)`.
pub type RaceGoalSummary = (i64, Option<(String, NaiveDate)>);

#[derive(Debug, QueryableByName)]
struct UpcomingGoalRow {
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Text)]
    race_name: String,
    #[diesel(sql_type = Date)]
    race_date: NaiveDate,
}

/// For each athlete: how many race goals are upcoming (race date `today` or
/// later) and the next one `(race_name, race_date)`.
pub fn race_goal_summaries(
    conn: &mut DbConn,
    user_ids: &[UserId],
    today: NaiveDate,
) -> Result<HashMap<UserId, RaceGoalSummary>, StoreError> {
    let mut out: HashMap<_, _> = user_ids.iter().map(|u| (*u, (0, None))).collect();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<UpcomingGoalRow> =
        PreparedSql::new("SELECT user_id, race_name, race_date FROM race_goals WHERE race_date >= ")
            .date(today)
            .sql(" AND user_id IN (")
            .ids(user_ids)
            .sql(") ORDER BY user_id, race_date, race_goal_id")
            .load(conn)?;
    for row in rows {
        let entry = out.entry(user_id(&row.user_id)?).or_insert((0, None));
        entry.0 += 1;
        if entry.1.is_none() {
            entry.1 = Some((row.race_name, row.race_date));
        }
    }
    Ok(out)
}

#[derive(Debug, QueryableByName)]
struct WindowRow {
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    last_activity_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Double>)]
    distance_last_7d: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    distance_days_8_to_35: Option<f64>,
    #[diesel(sql_type = BigInt)]
    activities_last_7d: i64,
    #[diesel(sql_type = BigInt)]
    activities_days_8_to_35: i64,
    #[diesel(sql_type = Nullable<Timestamp>)]
    oldest_last_7d: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    oldest_days_8_to_35: Option<NaiveDateTime>,
}

/// The activity windows of each athlete at `now`.
pub fn activity_windows(
    conn: &mut DbConn,
    user_ids: &[UserId],
    now: DateTime<Utc>,
) -> Result<HashMap<UserId, ActivityWindow>, StoreError> {
    let mut out: HashMap<_, _> = user_ids.iter().map(|u| (*u, ActivityWindow::default())).collect();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let (d7, d35) = (to_db(now - Duration::days(7)), to_db(now - Duration::days(35)));
    let rows: Vec<WindowRow> = PreparedSql::new("SELECT user_id, MAX(start_time) AS last_activity_at, ")
        .sql("SUM(CASE WHEN start_time >= ")
        .timestamp(d7)
        .sql(" THEN distance_m ELSE 0.0 END) AS distance_last_7d, SUM(CASE WHEN start_time >= ")
        .timestamp(d35)
        .sql(" AND start_time < ")
        .timestamp(d7)
        .sql(" THEN distance_m ELSE 0.0 END) AS distance_days_8_to_35, COUNT(CASE WHEN start_time >= ")
        .timestamp(d7)
        .sql(" THEN 1 END) AS activities_last_7d, COUNT(CASE WHEN start_time >= ")
        .timestamp(d35)
        .sql(" AND start_time < ")
        .timestamp(d7)
        .sql(" THEN 1 END) AS activities_days_8_to_35, MIN(CASE WHEN start_time >= ")
        .timestamp(d7)
        .sql(" THEN start_time END) AS oldest_last_7d, MIN(CASE WHEN start_time >= ")
        .timestamp(d35)
        .sql(" AND start_time < ")
        .timestamp(d7)
        .sql(" THEN start_time END) AS oldest_days_8_to_35 FROM activities WHERE user_id IN (")
        .ids(user_ids)
        .sql(") GROUP BY user_id")
        .load(conn)?;
    for row in rows {
        out.insert(
            user_id(&row.user_id)?,
            ActivityWindow {
                last_activity_at: row.last_activity_at.map(from_db),
                distance_last_7d: row.distance_last_7d.unwrap_or(0.0),
                distance_days_8_to_35: row.distance_days_8_to_35.unwrap_or(0.0),
                activities_last_7d: row.activities_last_7d,
                activities_days_8_to_35: row.activities_days_8_to_35,
                oldest_last_7d: row.oldest_last_7d.map(from_db),
                oldest_days_8_to_35: row.oldest_days_8_to_35.map(from_db),
            },
        );
    }
    Ok(out)
}
