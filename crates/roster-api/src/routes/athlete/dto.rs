//! Bodies and answers of the athlete-data routes.

use chrono::{DateTime, NaiveDate, Utc};
use roster_domain::athlete::{
    Activity, ActivityInput, ActivitySource, ConnectInput, HeartRateZones, Integration, IntegrationStatus, PaceZones,
    Provider, RaceGoal, RaceGoalInput, StoredZones, WeekTotal, ZoneSettings,
};
use roster_domain::{ActivityId, ApiKeyId, RaceGoalId, Sport, UserId};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `Some(None)` for an explicit `null`, `None` for an absent field.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A new activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBody {
    /// `run`, `bike`, `swim`, `strength` or `other`.
    #[schema(value_type = roster_domain::Sport, example = "run")]
    pub sport: String,
    /// When it started; not more than 5 minutes in the future.
    pub start_time: DateTime<Utc>,
    /// Metres, 0–1 000 000.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub distance_m: f64,
    /// Seconds, 1–604 800 (7 days).
    #[schema(minimum = 1, maximum = 604_800)]
    pub duration_s: i64,
    /// Metres climbed, 0–20 000.
    #[schema(minimum = 0, maximum = 20_000)]
    pub elevation_gain_m: Option<f64>,
    /// Average heart rate, 20–250 bpm.
    #[schema(minimum = 20, maximum = 250)]
    pub avg_hr: Option<i64>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// `manual` (default), `strava`, `garmin` or `apple_health`.
    #[schema(example = "strava")]
    pub source: Option<String>,
    /// The source's id, up to 200 characters; required unless `source` is
    /// `manual`. With `source`, the idempotency key: a resend answers `200`
    /// with the stored activity.
    #[schema(max_length = 200)]
    pub external_id: Option<String>,
}

impl From<ActivityBody> for ActivityInput {
    fn from(b: ActivityBody) -> Self {
        ActivityInput {
            sport: b.sport,
            start_time: b.start_time,
            distance_m: b.distance_m,
            duration_s: b.duration_s,
            elevation_gain_m: b.elevation_gain_m,
            avg_hr: b.avg_hr,
            title: b.title,
            source: b.source.unwrap_or_else(|| ActivitySource::Manual.as_str().to_owned()),
            external_id: b.external_id,
        }
    }
}

/// An activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    /// Id.
    pub activity_id: ActivityId,
    /// The athlete.
    pub user_id: UserId,
    /// Sport.
    pub sport: Sport,
    /// Start.
    pub start_time: DateTime<Utc>,
    /// Metres.
    pub distance_m: f64,
    /// Seconds.
    pub duration_s: i64,
    /// Metres climbed.
    pub elevation_gain_m: Option<f64>,
    /// Average heart rate.
    pub avg_hr: Option<i32>,
    /// Title.
    pub title: Option<String>,
    /// Source.
    pub source: ActivitySource,
    /// The source's id.
    pub external_id: Option<String>,
    /// Who recorded it; null when an organization API key did (see `created_by_key_id`).
    pub created_by: Option<UserId>,
    /// The organization API key that recorded it, if one did (then `created_by` is null).
    pub created_by_key_id: Option<ApiKeyId>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

impl From<Activity> for ActivityDto {
    fn from(a: Activity) -> Self {
        Self {
            activity_id: a.activity_id,
            user_id: a.user_id,
            sport: a.sport,
            start_time: a.start_time,
            distance_m: a.distance_m,
            duration_s: a.duration_s,
            elevation_gain_m: a.elevation_gain_m,
            avg_hr: a.avg_hr,
            title: a.title,
            source: a.source,
            external_id: a.external_id,
            created_by: a.created_by_key.is_none().then_some(a.created_by),
            created_by_key_id: a.created_by_key,
            created_at: a.created_at,
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityPageDto {
    /// Newest first (start time, then id).
    pub data: Vec<ActivityDto>,
    /// Pass as `before` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// Feed paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// An opaque keyset cursor: the `next_cursor` of the previous page
    /// (activities strictly older than the last one shown).
    pub before: Option<String>,
    /// The same as `before`, for clients that follow the list convention.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A new race goal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaceGoalBody {
    /// 1–120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub race_name: String,
    /// Race day.
    pub race_date: NaiveDate,
    /// Metres, more than 0 (at most 1 000 000).
    #[schema(exclusive_minimum = 0, maximum = 1_000_000)]
    pub distance_m: f64,
    /// Goal time, seconds (1–864 000).
    #[schema(minimum = 1, maximum = 864_000)]
    pub goal_time_s: Option<i64>,
}

impl From<RaceGoalBody> for RaceGoalInput {
    fn from(b: RaceGoalBody) -> Self {
        RaceGoalInput {
            race_name: b.race_name,
            race_date: b.race_date,
            distance_m: b.distance_m,
            goal_time_s: b.goal_time_s,
        }
    }
}

/// A change to a race goal: absent fields stay; `goal_time_s: null` clears
/// the goal time; `null` for another field is `422 required`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaceGoalPatchBody {
    /// 1–120 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String, min_length = 1, max_length = 120)]
    pub race_name: Option<Option<String>>,
    /// Race day.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = NaiveDate)]
    pub race_date: Option<Option<NaiveDate>>,
    /// Metres, more than 0 (at most 1 000 000).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = f64, exclusive_minimum = 0, maximum = 1_000_000)]
    pub distance_m: Option<Option<f64>>,
    /// Seconds, or null to clear.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 864_000)]
    pub goal_time_s: Option<Option<i64>>,
}

/// A race goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct RaceGoalDto {
    /// Id.
    pub race_goal_id: RaceGoalId,
    /// The athlete.
    pub user_id: UserId,
    /// Name.
    pub race_name: String,
    /// Race day.
    pub race_date: NaiveDate,
    /// Metres.
    pub distance_m: f64,
    /// Goal time, seconds.
    pub goal_time_s: Option<i64>,
    /// `goal_time_s / (distance_m / 1000)`, rounded to 0.1 s; null without a goal time.
    pub target_pace_s_per_km: Option<f64>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Version (also the `ETag`).
    pub version: i64,
}

impl From<RaceGoal> for RaceGoalDto {
    fn from(g: RaceGoal) -> Self {
        Self {
            target_pace_s_per_km: g.fields.target_pace_s_per_km(),
            race_goal_id: g.race_goal_id,
            user_id: g.user_id,
            race_name: g.fields.race_name,
            race_date: g.fields.race_date,
            distance_m: g.fields.distance_m,
            goal_time_s: g.fields.goal_time_s,
            created_at: g.created_at,
            updated_at: g.updated_at,
            version: g.version,
        }
    }
}

/// The athlete's race goals.
#[derive(Debug, Serialize, ToSchema)]
pub struct RaceGoalListDto {
    /// By race date, past ones included.
    pub data: Vec<RaceGoalDto>,
    /// Always null: every goal is on the one page.
    pub next_cursor: Option<String>,
}

/// The athlete's zones.
#[derive(Debug, Serialize, ToSchema)]
pub struct ZonesDto {
    // Not a flattened `ZoneSettings`: that schema refuses unknown fields,
    // so an `allOf` of it and `version` could never validate.
    /// Heart rate.
    pub heart_rate: HeartRateZones,
    /// Pace.
    pub pace: PaceZones,
    /// Last changed; null if never set.
    pub updated_at: Option<DateTime<Utc>>,
    /// Version (also the `ETag`); 0 if never set.
    pub version: i64,
}

impl From<Option<StoredZones>> for ZonesDto {
    fn from(z: Option<StoredZones>) -> Self {
        match z {
            Some(z) => {
                let ZoneSettings { heart_rate, pace } = z.zones.settings().clone();
                Self { heart_rate, pace, updated_at: Some(z.updated_at), version: z.version }
            }
            None => {
                Self { heart_rate: HeartRateZones::default(), pace: PaceZones::default(), updated_at: None, version: 0 }
            }
        }
    }
}

/// An integration.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationDto {
    /// Provider.
    pub provider: Provider,
    /// State.
    pub status: IntegrationStatus,
    /// When it was (last) connected.
    pub connected_at: Option<DateTime<Utc>>,
    /// When the provider last synced.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The athlete's id at the provider.
    pub external_athlete_id: Option<String>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Integration> for IntegrationDto {
    fn from(i: Integration) -> Self {
        Self {
            provider: i.provider,
            status: i.status,
            connected_at: i.connected_at,
            last_sync_at: i.last_sync_at,
            external_athlete_id: i.external_athlete_id,
            updated_at: i.updated_at,
        }
    }
}

/// The athlete's integrations.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationListDto {
    /// Recorded connections, in provider order (never-connected providers are absent).
    pub data: Vec<IntegrationDto>,
    /// Always null.
    pub next_cursor: Option<String>,
}

/// Recording a connection.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectBody {
    /// `connected` (default) or `error` (the last sync failed).
    pub status: Option<String>,
    /// The athlete's id at the provider, up to 200 characters; kept when absent.
    pub external_athlete_id: Option<String>,
    /// When the provider last synced; not in the future; kept when absent.
    pub last_sync_at: Option<DateTime<Utc>>,
}

impl From<ConnectBody> for ConnectInput {
    fn from(b: ConnectBody) -> Self {
        ConnectInput { status: b.status, external_athlete_id: b.external_athlete_id, last_sync_at: b.last_sync_at }
    }
}

/// `?weeks=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeeksQuery {
    /// 1–104, default 12.
    #[param(minimum = 1, maximum = 104)]
    pub weeks: Option<u32>,
}

/// One week.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekDto {
    /// The Monday that starts the week, in the organization's time zone.
    pub week_start: NaiveDate,
    /// Metres.
    #[schema(minimum = 0)]
    pub distance_m: f64,
    /// Seconds.
    #[schema(minimum = 0)]
    pub duration_s: i64,
    /// Activities.
    #[schema(minimum = 0)]
    pub activity_count: i64,
}

impl From<WeekTotal> for WeekDto {
    fn from(w: WeekTotal) -> Self {
        Self {
            week_start: w.week_start,
            distance_m: w.totals.distance_m,
            duration_s: w.totals.duration_s,
            activity_count: w.totals.activity_count,
        }
    }
}

/// The weekly trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeeklyDistanceDto {
    /// Oldest first; the last is the current (partial) week; empty weeks included.
    pub data: Vec<WeekDto>,
}
