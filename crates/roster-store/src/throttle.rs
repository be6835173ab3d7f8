//! Counters behind the per-account user-lookup limit and the failed-login
//! slowdown. They are rows, not process memory, so every server on one
//! database sees the same counts; each count is one upsert, whose row lock
//! (PostgreSQL) or write lock (SQLite) makes concurrent requests count
//! exactly. Stale rows are deleted as new windows start.

use crate::Store;
use crate::error::StoreError;
use crate::rows::{from_db, to_db};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

// These tables are read and written only here, so they are declared here
// rather than in the shared schema.
mod tables {
    diesel::table! {
        rate_windows (key) {
            key -> Text,
            window_start -> Timestamp,
            hits -> Integer,
        }
    }

    diesel::table! {
        login_failures (key) {
            key -> Text,
            failures -> Integer,
            last_failure_at -> Timestamp,
            blocked_until -> Nullable<Timestamp>,
        }
    }

    diesel::table! {
        login_known_addresses (account, address) {
            account -> Text,
            address -> Text,
            last_login_at -> Timestamp,
        }
    }
}

use tables::{login_failures, login_known_addresses, rate_windows};

/// A key's fixed window after counting one more request in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateWindow {
    /// Requests in the window, the one just counted included.
    pub hits: i32,
    /// When the window began.
    pub started: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct WindowRow {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Timestamp)]
    window_start: NaiveDateTime,
}

#[derive(QueryableByName)]
struct FailuresRow {
    #[diesel(sql_type = Integer)]
    failures: i32,
}

// Each `$n` appears once and in order: SQLite numbers parameters by first
// appearance.
const HIT_WINDOW: &str = "INSERT INTO rate_windows (key, window_start, hits) VALUES ($1, $2, 1) \
     ON CONFLICT (key) DO UPDATE SET \
       hits = CASE WHEN rate_windows.window_start <= $3 THEN 1 ELSE rate_windows.hits + 1 END, \
       window_start = CASE WHEN rate_windows.window_start <= $4 THEN $5 ELSE rate_windows.window_start END \
     RETURNING hits, window_start";

// A run of failures is forgotten after `window` without any, counted from the
// end of its delay, so a delay longer than the window still grows.
const FAIL: &str = "INSERT INTO login_failures (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, $2, NULL) \
     ON CONFLICT (key) DO UPDATE SET \
       failures = CASE WHEN login_failures.last_failure_at <= $3 \
           AND (login_failures.blocked_until IS NULL OR login_failures.blocked_until <= $4) \
         THEN 1 ELSE login_failures.failures + 1 END, \
       last_failure_at = $5 \
     RETURNING failures";

const KNOWN: &str = "INSERT INTO login_known_addresses (account, address, last_login_at) VALUES ($1, $2, $3) \
     ON CONFLICT (account, address) DO UPDATE SET last_login_at = $4";

impl Store {
    /// Counts one request against `key` in fixed windows of `window`.
    pub fn hit_rate_window(&self, key: &str, now: DateTime<Utc>, window: Duration) -> Result<RateWindow, StoreError> {
        let (now, cutoff) = (to_db(now), to_db(now - window));
        self.on_conn(|conn| {
            let row: WindowRow = diesel::sql_query(HIT_WINDOW)
                .bind::<Text, _>(key)
                .bind::<Timestamp, _>(now)
                .bind::<Timestamp, _>(cutoff)
                .bind::<Timestamp, _>(cutoff)
                .bind::<Timestamp, _>(now)
                .get_result(conn)?;
            if row.hits == 1 {
                diesel::delete(rate_windows::table.filter(rate_windows::window_start.le(cutoff))).execute(conn)?;
            }
            Ok(RateWindow { hits: row.hits, started: from_db(row.window_start) })
        })
    }

    /// Until when each of `keys` is refused logins, for those refused at `now`.
    pub fn login_blocks(&self, keys: &[&str], now: DateTime<Utc>) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        self.on_conn(|conn| {
            let rows: Vec<(String, Option<NaiveDateTime>)> = login_failures::table
                .filter(login_failures::key.eq_any(keys))
                .filter(login_failures::blocked_until.gt(to_db(now)))
                .select((login_failures::key, login_failures::blocked_until))
                .load(conn)?;
            Ok(rows.into_iter().filter_map(|(key, until)| until.map(|u| (key, from_db(u)))).collect())
        })
    }

    /// Counts a failed login against `key` and answers the failures in its
    /// current run; a run ends after `forget_after` without failures (counted
    /// from the end of its delay).
    pub fn record_login_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        forget_after: Duration,
    ) -> Result<i32, StoreError> {
        let cutoff = to_db(now - forget_after);
        self.on_conn(|conn| {
            let row: FailuresRow = diesel::sql_query(FAIL)
                .bind::<Text, _>(key)
                .bind::<Timestamp, _>(to_db(now))
                .bind::<Timestamp, _>(cutoff)
                .bind::<Timestamp, _>(cutoff)
                .bind::<Timestamp, _>(to_db(now))
                .get_result(conn)?;
            if row.failures == 1 {
                diesel::delete(
                    login_failures::table
                        .filter(login_failures::last_failure_at.le(cutoff))
                        .filter(login_failures::blocked_until.is_null().or(login_failures::blocked_until.le(cutoff))),
                )
                .execute(conn)?;
            }
            Ok(row.failures)
        })
    }

    /// Refuses logins for `key` until `until`, unless it is already refused longer.
    pub fn block_login(&self, key: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        let until = to_db(until);
        self.on_conn(|conn| {
            diesel::update(
                login_failures::table
                    .filter(login_failures::key.eq(key))
                    .filter(login_failures::blocked_until.is_null().or(login_failures::blocked_until.lt(until))),
            )
            .set(login_failures::blocked_until.eq(until))
            .execute(conn)?;
            Ok(())
        })
    }

    /// Records a successful login of `account` from `address`, and forgets
    /// addresses not used since `forget_before`.
    pub fn record_login_success(
        &self,
        account: &str,
        address: &str,
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.on_conn(|conn| {
            diesel::sql_query(KNOWN)
                .bind::<Text, _>(account)
                .bind::<Text, _>(address)
                .bind::<Timestamp, _>(to_db(now))
                .bind::<Timestamp, _>(to_db(now))
                .execute(conn)?;
            diesel::delete(
                login_known_addresses::table.filter(login_known_addresses::last_login_at.lt(to_db(forget_before))),
            )
            .execute(conn)?;
            Ok(())
        })
    }

    /// Whether `account` signed in from `address` since `since`.
    pub fn is_known_login_address(
        &self,
        account: &str,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.on_conn(|conn| {
            let found: i64 = login_known_addresses::table
                .filter(login_known_addresses::account.eq(account))
                .filter(login_known_addresses::address.eq(address))
                .filter(login_known_addresses::last_login_at.ge(to_db(since)))
                .count()
                .get_result(conn)?;
            Ok(found > 0)
        })
    }
}
