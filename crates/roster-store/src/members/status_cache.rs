//! Stored profile statuses: each membership keeps its profile status
//! (`member_statuses.status_json`, which a page serves as it is) and its
//! attention summary and signals (`cache`) as last computed, and a page
//! uses them while they are current. A stored status is current while
//!
//! - `cached_version = version`: the database's triggers bump `version` on
//!   every write to what the status reads (activities,
//!   integrations, race goals, zones, plan assignments, labels, a plan's name
//!   or length, the organization's time zone), so no write path can forget;
//! - `valid_until > now`: the instant
//!   ([`attention::unchanged_until`]) at which time alone changes it (an
//!   activity leaving a load window, a days-without-activity threshold, the
//!   next local midnight for every date rule);
//! - `settings_key` names the attention settings in force.
//!
//! Anything else is recomputed in the fixed number of batch queries of
//! [`statuses`] and written back on the condition that `version` is still the
//! one read *before* the data was: a write that lands in between leaves the
//! row stale for the next reader instead of storing old data as new. The
//! summary's order key (`attention_order`) is what `sort=attention` sorts
//! by. The state lives in the database, so any number of servers share it.

mod acks;
mod write_back;

pub(crate) use acks::{AckRow, acknowledgements};

use super::profile_status::{CHUNK, Computed, StatusContext, statuses};
use super::roster_sql::{NotCurrentIn, StatusAthlete};
use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::rows::to_db;
use crate::schema::member_statuses;
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamp};
use roster_domain::attention::{
    Acknowledgement, AttentionSignal, AttentionSummary, AttentionThresholds, SignalCode, attention_order, open_signals,
};
use roster_domain::member::ProfileStatusJson;
use roster_domain::{OrgId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// A membership's stored status, as `member_statuses` keeps it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = member_statuses)]
pub(crate) struct StoredStatus {
    pub membership_id: String,
    pub version: i64,
    pub cached_version: Option<i64>,
    /// The profile status's JSON: what a page serves.
    pub status_json: Option<String>,
    pub valid_until: Option<NaiveDateTime>,
    pub settings_key: Option<String>,
    /// The marks of the signals it was computed with ([`write_back`]).
    pub signal_marks: Option<String>,
}

/// An athlete of a page with what the store keeps of their status.
#[derive(Debug, Clone)]
pub(crate) struct StatusRow {
    /// The account.
    pub user_id: String,
    /// The membership.
    pub membership_id: String,
    /// `None` only if the row is missing (the migration and a trigger create
    /// one per membership): computed then, never stored.
    pub stored: Option<StoredStatus>,
}

/// The JSON kept in `member_statuses.cache` (the profile status is kept
/// apart, in `status_json`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Cached {
    pub attention: AttentionSummary,
    /// Every signal, most severe first.
    #[serde(default)]
    pub signals: Vec<AttentionSignal>,
    /// Those a coach's acknowledgement hides.
    #[serde(default)]
    pub acknowledged: Vec<SignalCode>,
}

impl Cached {
    /// The signals no acknowledgement hides.
    pub(crate) fn open_signals(&self) -> Vec<AttentionSignal> {
        self.signals.iter().filter(|s| !self.acknowledged.contains(&s.code)).cloned().collect()
    }
}

/// The order keys a stored status is written with, and the signals that
/// acknowledgements hide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Orders {
    /// `sort=attention`'s key, over every signal.
    pub attention: i32,
    /// `sort=compliance`'s key: the 28-day share of sessions, 1000 without one.
    pub compliance: i32,
    /// The queue's key, over the open signals only (3999: none open).
    pub queue: i32,
    /// The signals hidden by an acknowledgement.
    pub acknowledged: Vec<SignalCode>,
}

/// The order keys of `c`, computed at data `version`, given the membership's acknowledgements.
pub(crate) fn orders(c: &Computed, acks: &[Acknowledgement], version: i64) -> Orders {
    let open: Vec<AttentionSignal> = open_signals(&c.signals, acks, version).cloned().collect();
    let acknowledged = c.signals.iter().filter(|s| !open.contains(s)).map(|s| s.code).collect();
    let queue = AttentionSummary::of(&open);
    Orders {
        attention: attention_order(c.summary.rank(), c.summary.count),
        compliance: c
            .status
            .compliance
            .and_then(|r| r.sessions_pct())
            .map_or(NO_COMPLIANCE, |p| i32::try_from(p).unwrap_or(NO_COMPLIANCE)),
        queue: attention_order(queue.rank(), queue.count),
        acknowledged,
    }
}

/// `compliance_order` without a compliance: after every share.
pub(crate) const NO_COMPLIANCE: i32 = 1000;

/// Names the attention settings a status was computed with and the shape
/// of its JSON (the first 16 hex digits of the SHA-256 of [`CACHE_FORMAT`]
/// and the settings' JSON).
pub(crate) fn settings_key(thresholds: &AttentionThresholds) -> String {
    key_of(CACHE_FORMAT, thresholds)
}

/// The settings key of `thresholds` for statuses stored in `format`.
fn key_of(format: u32, thresholds: &AttentionThresholds) -> String {
    let json = serde_json::to_string(thresholds).unwrap_or_default();
    let digest = ring::digest::digest(&ring::digest::SHA256, format!("{format}:{json}").as_bytes());
    digest.as_ref().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl StoredStatus {
    /// The stored status's JSON, taken out, if it is current (checked to be
    /// whole JSON, not built: a page serves it as it is).
    fn take_current(&mut self, now: NaiveDateTime, key: &str) -> Option<ProfileStatusJson> {
        let current = self.cached_version == Some(self.version)
            && self.valid_until.is_some_and(|until| until > now)
            && self.settings_key.as_deref() == Some(key);
        if !current {
            return None;
        }
        let json = RawValue::from_string(self.status_json.take()?).ok()?;
        Some(ProfileStatusJson::from_json(json))
    }
}

/// The profile status of each row's athlete: the stored one where it is
/// current, else computed (a fixed number of queries for all of them) and
/// stored back.
pub(crate) fn resolve(
    conn: &mut DbConn,
    org_id: OrgId,
    rows: Vec<StatusRow>,
    ctx: &StatusContext<'_>,
) -> Result<HashMap<UserId, ProfileStatusJson>, StoreError> {
    let key = settings_key(ctx.thresholds);
    let now = to_db(ctx.now);
    let mut out = HashMap::with_capacity(rows.len());
    let mut stale: Vec<(UserId, StatusRow)> = Vec::new();
    for mut row in rows {
        let user: UserId = parse("memberships.user_id", row.user_id.parse())?;
        match row.stored.as_mut().and_then(|s| s.take_current(now, &key)) {
            Some(status) => {
                out.insert(user, status);
            }
            None => stale.push((user, row)),
        }
    }
    recompute(conn, org_id, &stale, ctx, &key, |computed| {
        out.extend(computed.iter().map(|(user, c)| (*user, ProfileStatusJson::of(&c.status))));
    })?;
    Ok(out)
}

/// Computes the statuses of `stale`'s athletes ([`CHUNK`] at a time, a fixed
/// number of queries each) under the settings `key`, stores them back, and
/// hands each chunk's to `each`.
fn recompute(
    conn: &mut DbConn,
    org_id: OrgId,
    stale: &[(UserId, StatusRow)],
    ctx: &StatusContext<'_>,
    key: &str,
    mut each: impl FnMut(&HashMap<UserId, Computed>),
) -> Result<(), StoreError> {
    for chunk in stale.chunks(CHUNK) {
        let ids: Vec<UserId> = chunk.iter().map(|(user, _)| *user).collect();
        let computed = statuses(conn, org_id, &ids, ctx)?;
        let memberships: Vec<&str> = chunk.iter().map(|(_, row)| row.membership_id.as_str()).collect();
        let acks = acknowledgements(conn, &memberships)?;
        // The answer stands without storing back; a failed store keeps the
        // old marks, so the next one still announces what was raised.
        if let Err(e) = write_back::store_back(conn, org_id, chunk, &computed, &acks, key, ctx.now) {
            tracing::warn!(error = %e, "could not store computed profile statuses");
        }
        each(&computed);
    }
    Ok(())
}

/// A stored status is not current at `$ctx` (see the module's comment);
/// NULLs count as not current.
macro_rules! not_current {
    ($ctx:expr) => {
        sql::<Bool>(
            "NOT COALESCE(member_statuses.cached_version = member_statuses.version \
             AND member_statuses.valid_until > ",
        )
        .bind::<Timestamp, _>(to_db($ctx.now))
        .sql(" AND member_statuses.settings_key = ")
        .bind::<Text, _>(settings_key($ctx.thresholds))
        .sql(", FALSE)")
    };
}

/// Brings every stored status of the organization's live athletes up to date
/// (what `sort=attention` orders by): one query, reading only the statuses
/// that are not current ([`NotCurrentIn`]), when all are current. Answers
/// whether any was not.
pub(crate) fn refresh(conn: &mut DbConn, org_id: OrgId, ctx: &StatusContext<'_>) -> Result<bool, StoreError> {
    let stale: Vec<(String, StoredStatus)> = member_statuses::table
        .filter(StatusAthlete)
        .filter(not_current(org_id, ctx))
        .select((member_statuses::user_id, StoredStatus::as_select()))
        .load(conn)?;
    let stale: Vec<(UserId, StatusRow)> = stale
        .into_iter()
        .map(|(user_id, mut stored)| {
            let user = parse("member_statuses.user_id", user_id.parse())?;
            // Stale: its old value is of no use, and it is most of the row.
            stored.status_json = None;
            Ok((user, StatusRow { user_id, membership_id: stored.membership_id.clone(), stored: Some(stored) }))
        })
        .collect::<Result<_, StoreError>>()?;
    // A chunk at a time, each one's computed statuses dropped once stored:
    // the first page after midnight recomputes a whole organization, and
    // holding all of it at once was the server's peak memory.
    let key = settings_key(ctx.thresholds);
    for chunk in stale.chunks(REFRESH_ROWS) {
        recompute(conn, org_id, chunk, ctx, &key, |_| {})?;
    }
    Ok(!stale.is_empty())
}

/// What a page's statement saw of its organization's stored statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// All current.
    Current,
    /// At least one not current.
    Stale,
    /// Nothing: the check rides on the page's rows, and there were none.
    Unknown,
}

/// A page ordered or filtered by the organization's stored statuses, read
/// by `read` once they are current. `read(conn, check)` reads the page, its
/// statement checking the statuses when `check` is set, and says what the
/// check saw. The background refresher keeps them current, so one read
/// usually answers; if one was not, or an empty page could not tell, the
/// stale ones are brought up to date and the page is read again, unchecked.
pub(crate) fn read_current<P>(
    conn: &mut DbConn,
    org_id: OrgId,
    ctx: &StatusContext<'_>,
    mut read: impl FnMut(&mut DbConn, bool) -> Result<(P, Seen), StoreError>,
) -> Result<P, StoreError> {
    let (page, seen) = read(conn, true)?;
    if seen == Seen::Current {
        return Ok(page);
    }
    let refreshed = refresh(conn, org_id, ctx)?;
    if refreshed || seen == Seen::Stale { Ok(read(conn, false)?.0) } else { Ok(page) }
}

/// The organization's stored statuses that are not current in `ctx`.
pub(crate) fn not_current(org_id: OrgId, ctx: &StatusContext<'_>) -> NotCurrentIn {
    NotCurrentIn { org_id: org_id.to_string(), now: to_db(ctx.now), key: settings_key(ctx.thresholds) }
}

impl crate::Store {
    /// Brings every stale stored status of every organization's live
    /// athletes up to date at `now` (what the server's background refresher
    /// runs, so that pages ordered by the stored keys find them current);
    /// answers how many organizations had any.
    pub fn refresh_stale_statuses(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        thresholds: &AttentionThresholds,
    ) -> Result<usize, StoreError> {
        let ctx = StatusContext { now, thresholds, known_labels: None };
        let orgs: Vec<String> = self.on_conn(|conn| {
            Ok(member_statuses::table
                .filter(StatusAthlete)
                .filter(not_current!(ctx))
                .select(member_statuses::org_id)
                .distinct()
                .load(conn)?)
        })?;
        for org in &orgs {
            let org_id: OrgId = parse("member_statuses.org_id", org.parse())?;
            // One organization a connection checkout, so requests interleave.
            self.on_conn(|conn| refresh(conn, org_id, &ctx))?;
        }
        Ok(orgs.len())
    }
}

/// The shape of a stored status (`status_json` and `cache`). A page serves
/// `status_json` as it is, so a binary that writes either in another shape
/// bumps this: every stored status is then stale once and recomputed,
/// instead of served in the old shape. 2: the profile status moved out of
/// `cache` into `status_json`.
const CACHE_FORMAT: u32 = 2;

/// Statuses one refresh step recomputes and stores.
const REFRESH_ROWS: usize = 1_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_key_follows_the_thresholds() {
        let default = AttentionThresholds::default();
        let stricter = AttentionThresholds { no_recent_activity_warning_days: 3, ..AttentionThresholds::default() };
        assert_eq!(settings_key(&default), settings_key(&AttentionThresholds::default()));
        assert_ne!(settings_key(&default), settings_key(&stricter));
        assert_eq!(settings_key(&default).len(), 16);
    }

    #[test]
    fn the_settings_key_follows_the_stored_format() {
        let default = AttentionThresholds::default();
        assert_eq!(settings_key(&default), key_of(CACHE_FORMAT, &default));
        assert_ne!(key_of(CACHE_FORMAT - 1, &default), key_of(CACHE_FORMAT, &default));
    }
}
