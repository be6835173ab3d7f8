//! The attention queue and acknowledgements. The queue pages through
//! `member_statuses_queue` (the organization's stored statuses by the order
//! of their open signals), after the stale statuses of the organization are
//! brought up to date (none, when the background refresher keeps up).

use crate::Store;
use crate::conn::DbConn;
use crate::conn::MultiBackend;
use crate::conn::write_tx;
use crate::error::StoreError;
use crate::error::parse;
use crate::fixed_sql::fixed;
use crate::members::profile_status::{StatusContext, statuses};
use crate::members::roster_sql::{AnyNotCurrent, LiveAthlete};
use crate::members::status_cache::{self, AckRow, Cached, Seen};
use crate::members::{into_view, labels_from_text};
use crate::rows::{MembershipRow, insert_event, to_db};
use crate::schema::{attention_acknowledgements, member_statuses, memberships, users};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text};
use roster_domain::attention::{
    Acknowledgement, AttentionRepo, AttentionThresholds, CurrentSignals, QueueCursor, QueueEntry, QueuePage,
    QueueQuery, attention_order,
};
use roster_domain::entities::AuditEvent;
use roster_domain::{OrgId, RepoError, UserId};

/// A queue row: the membership, the account, the labels mirror, the last
/// activity, the stored status, its queue order, and whether a stored status
/// of the organization is not current.
type QueueRow =
    ((MembershipRow, (String, Option<String>, String), String, Option<NaiveDateTime>, Option<String>, i32), bool);

/// `queue_order` below this: at least one open signal.
fn with_open_signals() -> i32 {
    attention_order(0, 0)
}

/// Up to `limit + 1` queue rows after the cursor, each saying whether a
/// stored status of the organization is not current ([`AnyNotCurrent`]).
fn queue_rows(
    conn: &mut DbConn,
    org_id: OrgId,
    query: &QueueQuery,
    limit: i64,
    ctx: &StatusContext<'_>,
) -> Result<Vec<QueueRow>, StoreError> {
    let org = org_id.to_string();
    let mut page = member_statuses::table
        .inner_join(memberships::table.inner_join(users::table))
        .filter(member_statuses::org_id.eq(org.clone()))
        .filter(memberships::org_id.eq(org))
        .filter(LiveAthlete)
        .filter(member_statuses::queue_order.lt(with_open_signals()))
        .into_boxed();
    if let Some(coach) = query.coach {
        page = page.filter(memberships::assigned_to_coach_id.eq(coach.to_string()));
    }
    if let Some(QueueCursor { order, membership_id }) = query.after {
        page = page.filter(
            sql::<Bool>("(member_statuses.queue_order, member_statuses.membership_id) > (")
                .bind::<Integer, _>(order)
                .sql(", ")
                .bind::<Text, _>(membership_id.to_string())
                .sql(")"),
        );
    }
    Ok(page
        .order((member_statuses::queue_order.asc(), member_statuses::membership_id.asc()))
        .select((
            fixed!((
                <MembershipRow as Selectable<MultiBackend>>::construct_selection(),
                (users::first_name, users::last_name, users::email),
                memberships::labels_text,
                memberships::last_activity_at,
                member_statuses::cache,
                member_statuses::queue_order,
            )),
            AnyNotCurrent(status_cache::not_current(org_id, ctx)),
        ))
        .limit(limit + 1)
        .load(conn)?)
}

impl AttentionRepo for Store {
    fn attention_queue(&self, org_id: OrgId, query: &QueueQuery) -> Result<QueuePage, RepoError> {
        self.with(|conn| {
            let ctx = StatusContext { now: query.now, thresholds: &query.thresholds, known_labels: None };
            let limit = i64::from(query.limit.clamp(1, 200));
            // The queue's order is the stored statuses': read once they are
            // current. Its statement always checks (a column of its rows).
            let rows = status_cache::read_current(conn, org_id, &ctx, |conn, _| {
                let rows = queue_rows(conn, org_id, query, limit, &ctx)?;
                let seen = match rows.first() {
                    Some((_, true)) => Seen::Stale,
                    Some(_) => Seen::Current,
                    None => Seen::Unknown,
                };
                Ok((rows, seen))
            })?;
            let more = rows.len() > usize::try_from(limit).unwrap_or(200);
            let mut entries = Vec::with_capacity(rows.len());
            let mut next = None;
            for ((row, account, labels_text, last_activity_at, cache, order), _) in
                rows.into_iter().take(usize::try_from(limit).unwrap_or(200))
            {
                let membership_id = parse("memberships.membership_id", row.membership_id.parse())?;
                next = Some(QueueCursor { order, membership_id });
                let cached: Option<Cached> = cache.as_deref().and_then(|c| serde_json::from_str(c).ok());
                let signals = cached.map(|c| c.open_signals()).unwrap_or_default();
                let member = into_view(row, account, labels_from_text(&labels_text)?, last_activity_at)?;
                entries.push(QueueEntry { member, signals });
            }
            Ok(QueuePage { entries, next: if more { next } else { None } })
        })
    }

    fn current_signals(
        &self,
        org_id: OrgId,
        user_id: UserId,
        thresholds: &AttentionThresholds,
        now: DateTime<Utc>,
    ) -> Result<Option<CurrentSignals>, RepoError> {
        self.with(|conn| {
            // The version first: a write after it makes the acknowledgement's
            // version older than the data, so it hides nothing.
            let found: Option<i64> = member_statuses::table
                .inner_join(memberships::table)
                .filter(memberships::org_id.eq(org_id.to_string()))
                .filter(memberships::user_id.eq(user_id.to_string()))
                .filter(LiveAthlete)
                .select(member_statuses::version)
                .first(conn)
                .optional()?;
            let Some(data_version) = found else { return Ok(None) };
            let ctx = StatusContext { now, thresholds, known_labels: None };
            let mut computed = statuses(conn, org_id, &[user_id], &ctx)?;
            let signals = computed.remove(&user_id).map(|c| c.signals).unwrap_or_default();
            Ok(Some(CurrentSignals { signals, data_version }))
        })
    }

    fn acknowledge(
        &self,
        org_id: OrgId,
        user_id: UserId,
        ack: &Acknowledgement,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.with(|conn| {
            write_tx(conn, |conn| {
                let membership_id: String = memberships::table
                    .filter(memberships::org_id.eq(org_id.to_string()))
                    .filter(memberships::user_id.eq(user_id.to_string()))
                    .filter(LiveAthlete)
                    .select(memberships::membership_id)
                    .first(conn)
                    .optional()?
                    .ok_or(roster_domain::DomainError::NotFound("member"))?;
                let code = ack.code.as_str().to_owned();
                let (acknowledged_by, acknowledged_by_key_id) = crate::rows::author_to_db(ack.by, ack.by_key);
                diesel::delete(
                    attention_acknowledgements::table
                        .filter(attention_acknowledgements::membership_id.eq(&membership_id))
                        .filter(attention_acknowledgements::code.eq(&code)),
                )
                .execute(conn)?;
                diesel::insert_into(attention_acknowledgements::table)
                    .values(AckRow {
                        membership_id: membership_id.clone(),
                        code,
                        org_id: org_id.to_string(),
                        severity: ack.severity.as_str().to_owned(),
                        data_version: ack.data_version,
                        note: ack.note.clone(),
                        acknowledged_by,
                        acknowledged_at: to_db(ack.at),
                        acknowledged_by_key_id,
                    })
                    .execute(conn)?;
                // Stale, so that the next reader stores the queue order
                // without the acknowledged signal (the version stays: it is
                // what the acknowledgement holds on to).
                diesel::update(member_statuses::table.find(&membership_id))
                    .set(member_statuses::cached_version.eq(None::<i64>))
                    .execute(conn)?;
                insert_event(conn, event)
            })
        })
    }
}
