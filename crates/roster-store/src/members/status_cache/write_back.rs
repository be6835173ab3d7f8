//! Storing recomputed statuses back, and announcing the attention signals a
//! recomputation raised (`attention.raised`) in the same transaction.

use super::{Cached, StatusRow, orders};
use crate::conn::{DbConn, write_tx};
use crate::dialect::lock_status_rows;
use crate::error::{StoreError, parse};
use crate::members::profile_status::Computed;
use crate::rows::{insert_event, to_db};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use roster_domain::attention::{Acknowledgement, SignalMark, marks, raised, raised_event};
use roster_domain::{OrgId, UserId};
use std::collections::HashMap;

/// Rows one write-back statement carries (ten values each).
const WRITE_BACK_ROWS: usize = 1_000;

/// What one status's write-back stores, and compares against.
struct WriteBack<'a> {
    membership_id: &'a str,
    user: UserId,
    json: String,
    status_json: String,
    /// The data version it was computed at (and must still be).
    version: i64,
    valid_until: NaiveDateTime,
    orders: super::Orders,
    /// The marks it was compared against (and must still be stored).
    before: Option<String>,
    after: String,
    computed: &'a Computed,
}

/// Stores the computed statuses of `rows` with their order keys, each only
/// where `version` is still the one read with the row and the signal marks
/// are still the ones read with it: one `UPDATE … FROM (VALUES …) RETURNING`
/// per [`WRITE_BACK_ROWS`] (both backends name the columns `column1`…). For
/// each row it did store, signals raised against the marks before are
/// written as an `attention.raised` audit event in the same transaction;
/// a row another writer stored meanwhile is left to it, event and all.
pub(super) fn store_back(
    conn: &mut DbConn,
    org_id: OrgId,
    rows: &[(UserId, StatusRow)],
    computed: &HashMap<UserId, Computed>,
    acks: &HashMap<String, Vec<Acknowledgement>>,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut values = Vec::with_capacity(rows.len());
    for (user, row) in rows {
        let (Some(c), Some(stored)) = (computed.get(user), &row.stored) else { continue };
        let mine = acks.get(&row.membership_id).map(Vec::as_slice).unwrap_or_default();
        let orders = orders(c, mine, stored.version);
        let status_json = serde_json::to_string(&c.status).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let cached =
            Cached { attention: c.summary, signals: c.signals.clone(), acknowledged: orders.acknowledged.clone() };
        let json = serde_json::to_string(&cached).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        values.push(WriteBack {
            membership_id: &row.membership_id,
            user: *user,
            json,
            status_json,
            version: stored.version,
            valid_until: to_db(c.valid_until),
            orders,
            before: stored.signal_marks.clone(),
            after: marks_text(&marks(&c.signals)),
            computed: c,
        });
    }
    if values.is_empty() {
        return Ok(());
    }
    // Write-backs must not deadlock with each other (two pages in different
    // orders store overlapping rows, and PostgreSQL locks an `UPDATE … FROM
    // (VALUES …)`'s rows in whatever order its plan visits them). On
    // PostgreSQL each chunk first locks its rows in membership order, skipping
    // rows another transaction holds, and then writes only the rows it
    // locked: a write-back never waits for a row, so it can take part in no
    // deadlock. A skipped row is being written by someone else; the next
    // reader finds it stale and computes it again.
    values.sort_by(|a, b| a.membership_id.cmp(b.membership_id));
    write_tx(conn, |conn| {
        for chunk in values.chunks(WRITE_BACK_ROWS) {
            let locked = lock_status_rows(conn, chunk.iter().map(|v| v.membership_id))?;
            let chunk: Vec<&WriteBack<'_>> = match &locked {
                Some(locked) => chunk
                    .iter()
                    .filter(|v| locked.binary_search_by(|l| l.as_str().cmp(v.membership_id)).is_ok())
                    .collect(),
                None => chunk.iter().collect(),
            };
            if chunk.is_empty() {
                continue;
            }
            // The chunk is in membership order (sorted above).
            for stored in write_chunk(conn, &chunk, key)? {
                let Ok(at) = chunk.binary_search_by(|v| v.membership_id.cmp(stored.membership_id.as_str())) else {
                    continue;
                };
                announce_raised(conn, org_id, chunk[at], now)?;
            }
        }
        Ok(())
    })
}

/// A row a write-back stored.
#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    membership_id: String,
}

/// One `UPDATE … FROM (VALUES …) RETURNING` for `chunk`: the rows it stored.
fn write_chunk(conn: &mut DbConn, chunk: &[&WriteBack<'_>], key: &str) -> Result<Vec<Stored>, StoreError> {
    let sql = format!(
        "UPDATE member_statuses SET cache = v.column2, cached_version = v.column3, \
         valid_until = v.column4, settings_key = v.column5, attention_order = v.column6, \
         compliance_order = v.column7, queue_order = v.column8, signal_marks = v.column9, \
         status_json = v.column11 \
         FROM (VALUES {}) AS v \
         WHERE member_statuses.membership_id = v.column1 AND member_statuses.version = v.column3 \
         AND COALESCE(member_statuses.signal_marks, '-') = COALESCE(v.column10, '-') \
         RETURNING member_statuses.membership_id",
        tuples(chunk.len(), 11)
    );
    let mut query = diesel::sql_query(sql).into_boxed::<crate::athlete::Db>();
    for v in chunk {
        query = query
            .bind::<Text, _>(v.membership_id.to_owned())
            .bind::<Text, _>(v.json.clone())
            .bind::<BigInt, _>(v.version)
            .bind::<Timestamp, _>(v.valid_until)
            .bind::<Text, _>(key.to_owned())
            .bind::<Integer, _>(v.orders.attention)
            .bind::<Integer, _>(v.orders.compliance)
            .bind::<Integer, _>(v.orders.queue)
            .bind::<Text, _>(v.after.clone())
            .bind::<Nullable<Text>, _>(v.before.clone())
            .bind::<Text, _>(v.status_json.clone());
    }
    Ok(query.load(conn)?)
}

/// Writes the `attention.raised` event of `v`, if its computation raised a
/// signal against the marks it replaced.
fn announce_raised(conn: &mut DbConn, org_id: OrgId, v: &WriteBack<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    let before = v.before.as_deref().map(marks_from_text).transpose()?;
    let raised = raised(before.as_deref(), &v.computed.signals);
    if raised.is_empty() {
        return Ok(());
    }
    let before = before.unwrap_or_default();
    insert_event(conn, &raised_event(org_id, v.user, &before, &v.computed.signals, &raised, now))
}

/// `code:severity,…` (empty: no signal).
pub(super) fn marks_text(marks: &[SignalMark]) -> String {
    marks
        .iter()
        .map(|(code, severity)| format!("{}:{}", code.as_str(), severity.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The marks [`marks_text`] wrote.
pub(super) fn marks_from_text(text: &str) -> Result<Vec<SignalMark>, StoreError> {
    text.split(',')
        .filter(|m| !m.is_empty())
        .map(|m| {
            let (code, severity) = m.split_once(':').unwrap_or((m, ""));
            let code = serde_json::from_value(serde_json::Value::String(code.to_owned()));
            let severity = serde_json::from_value(serde_json::Value::String(severity.to_owned()));
            Ok((parse("member_statuses.signal_marks", code)?, parse("member_statuses.signal_marks", severity)?))
        })
        .collect()
}

#[cfg(feature = "testing")]
impl crate::Store {
    /// Computes the statuses of `users` (live athletes of `org_id`) at `now`
    /// and stores them back as a page does, in the order given, in one write
    /// transaction; the write-back's failure is returned instead of logged.
    /// For tests of concurrent write-backs.
    pub fn write_back_statuses(&self, org_id: OrgId, users: &[UserId], now: DateTime<Utc>) -> Result<(), StoreError> {
        use super::{StoredStatus, settings_key};
        use crate::members::profile_status::{StatusContext, statuses};
        use crate::schema::{member_statuses, memberships};
        use roster_domain::attention::AttentionThresholds;
        self.on_conn(|conn| {
            let ids: Vec<String> = users.iter().map(ToString::to_string).collect();
            let mut found: HashMap<String, StoredStatus> = member_statuses::table
                .inner_join(memberships::table)
                .filter(memberships::org_id.eq(org_id.to_string()))
                .filter(memberships::user_id.eq_any(&ids))
                .filter(memberships::removed_at.is_null())
                .select((memberships::user_id, StoredStatus::as_select()))
                .load::<(String, StoredStatus)>(conn)?
                .into_iter()
                .collect();
            // In the order given: the order of the write-back is what the tests vary.
            let users: Vec<(UserId, StatusRow)> = users
                .iter()
                .zip(ids)
                .filter_map(|(user, user_id)| {
                    let stored = found.remove(&user_id)?;
                    let membership_id = stored.membership_id.clone();
                    Some((*user, StatusRow { user_id, membership_id, stored: Some(stored) }))
                })
                .collect();
            let thresholds = AttentionThresholds::default();
            let ctx = StatusContext { now, thresholds: &thresholds, known_labels: None };
            let ids: Vec<UserId> = users.iter().map(|(u, _)| *u).collect();
            let computed = statuses(conn, org_id, &ids, &ctx)?;
            let memberships: Vec<&str> = users.iter().map(|(_, r)| r.membership_id.as_str()).collect();
            let acks = super::acknowledgements(conn, &memberships)?;
            store_back(conn, org_id, &users, &computed, &acks, &settings_key(&thresholds), now)
        })
    }
}

/// `($1, …, $width), ($width+1, …)` for `rows` rows.
fn tuples(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_domain::attention::{Severity, SignalCode};

    #[test]
    fn value_tuples_number_their_placeholders_in_order() {
        assert_eq!(tuples(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }

    #[test]
    fn signal_marks_read_back_as_written() {
        let marks =
            vec![(SignalCode::LowCompliance, Severity::Warning), (SignalCode::MissedWorkouts, Severity::Urgent)];
        assert_eq!(marks_text(&marks), "low_compliance:warning,missed_workouts:urgent");
        assert_eq!(marks_from_text(&marks_text(&marks)).unwrap(), marks);
        assert!(marks_from_text("").unwrap().is_empty());
        assert!(marks_from_text("no_such_code:warning").is_err());
    }
}
