//! Athlete data rows and their conversion to and from domain values.

use crate::error::{StoreError, parse};
use crate::rows::{author_from_db, author_to_db, from_db, to_db};
use crate::schema::{activities, athlete_zones, integrations, race_goals};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use roster_domain::athlete::{Activity, Integration, RaceGoal, RaceGoalFields, StoredZones, ZoneSettings, Zones};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = activities)]
pub(crate) struct ActivityRow {
    pub activity_id: String,
    pub user_id: String,
    pub sport: String,
    pub start_time: NaiveDateTime,
    pub distance_m: f64,
    pub duration_s: i64,
    pub elevation_gain_m: Option<f64>,
    pub avg_hr: Option<i32>,
    pub title: Option<String>,
    pub source: String,
    pub external_id: Option<String>,
    /// The account that recorded it; `None` when an API key did.
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    /// The API key that recorded it, if one did.
    pub created_by_key_id: Option<String>,
}

impl ActivityRow {
    pub(crate) fn new(a: &Activity) -> Self {
        let (created_by, created_by_key_id) = author_to_db(a.created_by, a.created_by_key);
        Self {
            activity_id: a.activity_id.to_string(),
            user_id: a.user_id.to_string(),
            sport: a.sport.as_str().to_owned(),
            start_time: to_db(a.start_time),
            distance_m: a.distance_m,
            duration_s: a.duration_s,
            elevation_gain_m: a.elevation_gain_m,
            avg_hr: a.avg_hr,
            title: a.title.clone(),
            source: a.source.as_str().to_owned(),
            external_id: a.external_id.clone(),
            created_by,
            created_at: to_db(a.created_at),
            created_by_key_id,
        }
    }

    pub(crate) fn into_activity(self) -> Result<Activity, StoreError> {
        let (created_by, created_by_key) =
            author_from_db("activities.created_by", self.created_by, self.created_by_key_id)?;
        Ok(Activity {
            activity_id: parse("activities.activity_id", self.activity_id.parse())?,
            user_id: parse("activities.user_id", self.user_id.parse())?,
            sport: parse("activities.sport", self.sport.parse())?,
            start_time: from_db(self.start_time),
            distance_m: self.distance_m,
            duration_s: self.duration_s,
            elevation_gain_m: self.elevation_gain_m,
            avg_hr: self.avg_hr,
            title: self.title,
            source: parse("activities.source", self.source.parse())?,
            external_id: self.external_id,
            created_by,
            created_by_key,
            created_at: from_db(self.created_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = race_goals, treat_none_as_null = true)]
pub(crate) struct RaceGoalRow {
    pub race_goal_id: String,
    pub user_id: String,
    pub race_name: String,
    pub race_date: NaiveDate,
    pub distance_m: f64,
    pub goal_time_s: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl RaceGoalRow {
    pub(crate) fn new(g: &RaceGoal) -> Self {
        Self {
            race_goal_id: g.race_goal_id.to_string(),
            user_id: g.user_id.to_string(),
            race_name: g.fields.race_name.clone(),
            race_date: g.fields.race_date,
            distance_m: g.fields.distance_m,
            goal_time_s: g.fields.goal_time_s,
            created_at: to_db(g.created_at),
            updated_at: to_db(g.updated_at),
            version: g.version,
        }
    }

    pub(crate) fn into_goal(self) -> Result<RaceGoal, StoreError> {
        Ok(RaceGoal {
            race_goal_id: parse("race_goals.race_goal_id", self.race_goal_id.parse())?,
            user_id: parse("race_goals.user_id", self.user_id.parse())?,
            fields: RaceGoalFields {
                race_name: self.race_name,
                race_date: self.race_date,
                distance_m: self.distance_m,
                goal_time_s: self.goal_time_s,
            },
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            version: self.version,
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = athlete_zones)]
pub(crate) struct ZonesRow {
    pub user_id: String,
    pub settings: String,
    pub has_heart_rate: bool,
    pub has_pace: bool,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl ZonesRow {
    pub(crate) fn into_zones(self) -> Result<StoredZones, StoreError> {
        let settings: ZoneSettings = parse("athlete_zones.settings", serde_json::from_str(&self.settings))?;
        Ok(StoredZones {
            zones: parse("athlete_zones.settings", Zones::parse(settings))?,
            updated_at: from_db(self.updated_at),
            version: self.version,
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = integrations, treat_none_as_null = true)]
pub(crate) struct IntegrationRow {
    pub user_id: String,
    pub provider: String,
    pub status: String,
    pub connected_at: Option<NaiveDateTime>,
    pub last_sync_at: Option<NaiveDateTime>,
    pub external_athlete_id: Option<String>,
    pub updated_at: NaiveDateTime,
}

impl IntegrationRow {
    pub(crate) fn new(i: &Integration) -> Self {
        Self {
            user_id: i.user_id.to_string(),
            provider: i.provider.as_str().to_owned(),
            status: i.status.as_str().to_owned(),
            connected_at: i.connected_at.map(to_db),
            last_sync_at: i.last_sync_at.map(to_db),
            external_athlete_id: i.external_athlete_id.clone(),
            updated_at: to_db(i.updated_at),
        }
    }

    pub(crate) fn into_integration(self) -> Result<Integration, StoreError> {
        Ok(Integration {
            user_id: parse("integrations.user_id", self.user_id.parse())?,
            provider: parse("integrations.provider", self.provider.parse())?,
            status: parse("integrations.status", self.status.parse())?,
            connected_at: self.connected_at.map(from_db),
            last_sync_at: self.last_sync_at.map(from_db),
            external_athlete_id: self.external_athlete_id,
            updated_at: from_db(self.updated_at),
        })
    }
}
