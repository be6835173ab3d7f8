//! Stored profile statuses: each live membership keeps its profile status and
//! attention summary as last computed (`status_cache`), and uses it while it
//! is current. A stored status is current while
//!
//! - `status_cached_version = status_version`: the database's triggers bump
//!   `status_version` on every write to what the status reads (activities,
//!   integrations, race goals, zones, plan assignments, labels, a plan's name
//!   or length, the organization's time zone), so no write path can forget;
//! - `status_valid_until > now`: the instant
//!   ([`attention::unchanged_until`]) at which time alone changes it (an
//!   activity leaving a load window, a days-without-activity threshold, the
//!   next local midnight for every date rule);
//! - `status_key` names the attention settings in force.
//!
//! Anything else is recomputed in the fixed number of batch queries of
//! [`statuses`] and written back on the condition that `status_version` is
//! still the one read *before* the data was: a write that lands in between
//! leaves the row stale for the next reader instead of storing old data as
//! new. The state lives in the database, so any number of servers share it.

use super::profile_status::{CHUNK, Computed, StatusContext, statuses};
use crate::conn::{DbConn, write_tx};
use crate::error::{StoreError, parse};
use crate::rows::to_db;
use crate::schema::memberships;
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamp};
use roster_domain::attention::{AttentionSummary, AttentionThresholds};
use roster_domain::member::ProfileStatus;
use roster_domain::{OrgId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What a membership row carries of its stored status.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = memberships)]
pub(crate) struct StoredStatus {
    pub membership_id: String,
    pub user_id: String,
    pub status_version: i64,
    pub status_cache: Option<String>,
    pub status_cached_version: Option<i64>,
    pub status_valid_until: Option<NaiveDateTime>,
    pub status_key: Option<String>,
}

/// The JSON kept in `status_cache`.
#[derive(Debug, Serialize, Deserialize)]
struct Cached {
    status: ProfileStatus,
    attention: AttentionSummary,
}

/// Names the attention settings a status was computed with (the first 16
/// hex digits of the SHA-256 of their JSON).
pub(crate) fn settings_key(thresholds: &AttentionThresholds) -> String {
    let json = serde_json::to_string(thresholds).unwrap_or_default();
    let digest = ring::digest::digest(&ring::digest::SHA256, json.as_bytes());
    digest.as_ref().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The `attention_order` of a summary: ascending is `sort=attention`'s order
/// (most severe first, then most signals).
pub(crate) fn attention_order(rank: u8, count: u32) -> i32 {
    (3 - i32::from(rank.min(3))) * 1000 + (999 - i32::try_from(count.min(999)).unwrap_or(999))
}

/// The `(rank, count)` an `attention_order` was made from.
pub(crate) fn rank_and_count(order: i32) -> (u8, u32) {
    let rank = u8::try_from(3 - order.clamp(0, 3999) / 1000).unwrap_or(0);
    let count = u32::try_from(999 - order.rem_euclid(1000)).unwrap_or(0);
    (rank, count)
}

impl StoredStatus {
    fn current(&self, now: NaiveDateTime, key: &str) -> Option<Cached> {
        let current = self.status_cached_version == Some(self.status_version)
            && self.status_valid_until.is_some_and(|until| until > now)
            && self.status_key.as_deref() == Some(key);
        if !current {
            return None;
        }
        serde_json::from_str(self.status_cache.as_deref()?).ok()
    }
}

/// The profile status and attention summary of each row's athlete: the
/// stored one where it is current, else computed (a fixed number of queries
/// for all of them) and stored back.
pub(crate) fn resolve(
    conn: &mut DbConn,
    org_id: OrgId,
    rows: &[StoredStatus],
    ctx: &StatusContext<'_>,
) -> Result<HashMap<UserId, (ProfileStatus, AttentionSummary)>, StoreError> {
    let key = settings_key(ctx.thresholds);
    let now = to_db(ctx.now);
    let mut out = HashMap::with_capacity(rows.len());
    let mut stale: Vec<(UserId, &StoredStatus)> = Vec::new();
    for row in rows {
        let user: UserId = parse("memberships.user_id", row.user_id.parse())?;
        match row.current(now, &key) {
            Some(cached) => {
                out.insert(user, (cached.status, cached.attention));
            }
            None => stale.push((user, row)),
        }
    }
    for chunk in stale.chunks(CHUNK) {
        let ids: Vec<UserId> = chunk.iter().map(|(user, _)| *user).collect();
        let computed = statuses(conn, org_id, &ids, ctx)?;
        // Storing back is an optimisation: the answer stands without it.
        if let Err(e) = store_back(conn, chunk, &computed, &key) {
            tracing::warn!(error = %e, "could not store computed profile statuses");
        }
        out.extend(computed.into_iter().map(|(user, c)| (user, (c.status, c.summary))));
    }
    Ok(out)
}

/// Brings every stored status of the live athletes matching `filtered` up to
/// date (what `sort=attention` orders by). One query when all are current.
pub(crate) fn refresh(
    conn: &mut DbConn,
    org_id: OrgId,
    filtered: super::roster::Filtered,
    ctx: &StatusContext<'_>,
) -> Result<(), StoreError> {
    let key = settings_key(ctx.thresholds);
    // Not current (see the module's comment); NULLs count as not current.
    let not_current = sql::<Bool>(
        "NOT COALESCE(memberships.status_cached_version = memberships.status_version \
         AND memberships.status_valid_until > ",
    )
    .bind::<Timestamp, _>(to_db(ctx.now))
    .sql(" AND memberships.status_key = ")
    .bind::<Text, _>(key.clone())
    .sql(", FALSE)");
    let stale: Vec<StoredStatus> = filtered.filter(not_current).select(StoredStatus::as_select()).load(conn)?;
    resolve(conn, org_id, &stale, ctx).map(|_| ())
}

/// Rows one write-back statement carries (six values each).
const WRITE_BACK_ROWS: usize = 1_000;

/// Stores the computed statuses of `rows`, each only where `status_version`
/// is still the one read with the row: one `UPDATE … FROM (VALUES …)` per
/// [`WRITE_BACK_ROWS`] (both backends name the columns `column1`…).
fn store_back(
    conn: &mut DbConn,
    rows: &[(UserId, &StoredStatus)],
    computed: &HashMap<UserId, Computed>,
    key: &str,
) -> Result<(), StoreError> {
    let mut values = Vec::with_capacity(rows.len());
    for (user, row) in rows {
        let Some(c) = computed.get(user) else { continue };
        let cached = Cached { status: c.status.clone(), attention: c.summary };
        let json = serde_json::to_string(&cached).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let order = attention_order(c.summary.rank(), c.summary.count);
        values.push((row.membership_id.clone(), json, row.status_version, to_db(c.valid_until), order));
    }
    write_tx(conn, |conn| {
        for chunk in values.chunks(WRITE_BACK_ROWS) {
            let tuples: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 6;
                    format!("(${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6)
                })
                .collect();
            let sql = format!(
                "UPDATE memberships SET status_cache = v.column2, status_cached_version = v.column3, \
                 status_valid_until = v.column4, status_key = v.column5, attention_order = v.column6 \
                 FROM (VALUES {}) AS v \
                 WHERE memberships.membership_id = v.column1 AND memberships.status_version = v.column3",
                tuples.join(", ")
            );
            let mut query = diesel::sql_query(sql).into_boxed::<crate::athlete::Db>();
            for (membership_id, json, version, valid_until, order) in chunk {
                query = query
                    .bind::<Text, _>(membership_id.clone())
                    .bind::<Text, _>(json.clone())
                    .bind::<BigInt, _>(*version)
                    .bind::<Timestamp, _>(*valid_until)
                    .bind::<Text, _>(key.to_owned())
                    .bind::<Integer, _>(*order);
            }
            query.execute(conn)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attention_order_sorts_most_severe_then_most_signals_first() {
        let mut keys = vec![(0u8, 0u32), (3, 1), (2, 4), (3, 3), (1, 2), (2, 5)];
        keys.sort_by_key(|(rank, count)| attention_order(*rank, *count));
        assert_eq!(keys, vec![(3, 3), (3, 1), (2, 5), (2, 4), (1, 2), (0, 0)]);
        for (rank, count) in keys {
            assert_eq!(rank_and_count(attention_order(rank, count)), (rank, count));
        }
    }

    #[test]
    fn the_settings_key_follows_the_thresholds() {
        let default = AttentionThresholds::default();
        let stricter = AttentionThresholds { no_recent_activity_warning_days: 3, ..AttentionThresholds::default() };
        assert_eq!(settings_key(&default), settings_key(&AttentionThresholds::default()));
        assert_ne!(settings_key(&default), settings_key(&stricter));
        assert_eq!(settings_key(&default).len(), 16);
    }
}
