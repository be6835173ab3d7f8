//! The delivery worker's side of the store: fanning marked audit events out
//! to deliveries, claiming due deliveries, recording attempts, forgetting
//! old ones. Several servers may share one PostgreSQL database: fan-out and
//! claims lock with `FOR UPDATE SKIP LOCKED`, and a claim pushes the next
//! attempt past a lease, so no attempt is made twice.

use super::{EndpointRow, insert_delivery};
use crate::conn::write_tx;
use crate::dialect::{load_skip_locked, skip_locked};
use crate::error::{StoreError, parse};
use crate::invitations::{enqueue, open_with};
use crate::rows::{AuditEventRow, from_db, to_db};
use crate::schema::{audit_events, memberships, users, webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::{DbConn, Store};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use roster_domain::webhooks::{DeliveryAttempt, DeliveryStatus, disabled_mail, event_type_for, payload};
use roster_domain::{DeliveryId, OrgId, Role, WebhookId};
use std::collections::HashMap;

/// A claimed delivery with what it takes to send it.
#[derive(Debug, Clone)]
pub struct WebhookWork {
    /// The `webhook-id`.
    pub delivery_id: DeliveryId,
    /// The endpoint.
    pub endpoint_id: WebhookId,
    /// Its organization.
    pub org_id: OrgId,
    /// Where to post.
    pub url: String,
    /// The body, exactly as signed.
    pub payload: String,
    /// Attempts so far, counting this one.
    pub attempts: i32,
    /// The secrets to sign with: the current one, then a rotated-out one still in its grace period.
    pub secrets: Vec<String>,
}

/// What an attempt's answer means for its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// `2xx`: done.
    Delivered,
    /// A failure worth retrying, at this time.
    RetryAt(DateTime<Utc>),
    /// A final failure (another `4xx`, a redirect, retries exhausted).
    Failed,
    /// `410 Gone`: the delivery fails and the endpoint is disabled.
    Gone,
}

#[derive(Debug, QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = Text)]
    delivery_id: String,
    #[diesel(sql_type = Text)]
    endpoint_id: String,
    #[diesel(sql_type = Text)]
    org_id: String,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

const CLAIM: &str = "UPDATE webhook_deliveries SET next_attempt_at = $1, attempts = attempts + 1, updated_at = $2 \
     WHERE delivery_id IN (SELECT d.delivery_id FROM webhook_deliveries d \
        JOIN webhook_endpoints e ON e.endpoint_id = d.endpoint_id \
        WHERE d.status = 'pending' AND d.next_attempt_at <= $2 AND (e.enabled = TRUE OR d.event_type = 'webhook.test') \
        ORDER BY d.next_attempt_at LIMIT $3";
const CLAIMED: &str = "RETURNING delivery_id, endpoint_id, org_id, payload, attempts";

/// Failures of an endpoint for this long disable it.
#[derive(Debug, Clone, Copy)]
pub struct FailingLimit(pub chrono::Duration);

impl Store {
    /// Fans up to `limit` marked audit events out to the deliveries of the
    /// enabled endpoints that want them, and clears their marks, in one
    /// transaction. Returns how many events it took.
    pub fn dispatch_webhook_events(&self, now: DateTime<Utc>, limit: i64) -> Result<usize, StoreError> {
        self.on_conn(|conn| {
            // A plain read first: an idle worker never takes the (SQLite) write lock.
            let any: Option<String> = audit_events::table
                .filter(audit_events::webhooks_pending.eq(true))
                .select(audit_events::event_id)
                .first(conn)
                .optional()?;
            if any.is_none() {
                return Ok(0);
            }
            write_tx(conn, |conn| fan_out(conn, now, limit))
        })
    }

    /// Claims up to `limit` due deliveries of enabled endpoints for `lease`.
    pub fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<WebhookWork>, StoreError> {
        let key = self.webhook_key.clone();
        self.on_conn(|conn| {
            let due: i64 = webhook_deliveries::table
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(webhook_deliveries::next_attempt_at.le(to_db(now)))
                .count()
                .get_result(conn)?;
            if due == 0 {
                return Ok(Vec::new());
            }
            write_tx(conn, |conn| {
                let sql = format!("{CLAIM}{}) {CLAIMED}", skip_locked(conn, Some("d")));
                let rows: Vec<ClaimedRow> = diesel::sql_query(sql)
                    .bind::<Timestamp, _>(to_db(now + lease))
                    .bind::<Timestamp, _>(to_db(now))
                    .bind::<BigInt, _>(limit)
                    .load(conn)?;
                let mut endpoints: HashMap<String, (String, Vec<String>)> = HashMap::new();
                let mut work = Vec::with_capacity(rows.len());
                for row in rows {
                    if !endpoints.contains_key(&row.endpoint_id) {
                        let found = endpoint_secrets(conn, key.as_deref(), &row.endpoint_id, now)?;
                        endpoints.insert(row.endpoint_id.clone(), found);
                    }
                    let (url, secrets) = endpoints[&row.endpoint_id].clone();
                    work.push(WebhookWork {
                        delivery_id: parse("webhook_deliveries.delivery_id", row.delivery_id.parse())?,
                        endpoint_id: parse("webhook_deliveries.endpoint_id", row.endpoint_id.parse())?,
                        org_id: parse("webhook_deliveries.org_id", row.org_id.parse())?,
                        url,
                        payload: row.payload,
                        attempts: row.attempts,
                        secrets,
                    });
                }
                Ok(work)
            })
        })
    }

    /// Records an attempt and what follows from it, in one transaction: the
    /// delivery's new state; the endpoint's failure clock; disabling the
    /// endpoint on `410` or once it has failed for `failing` (the head coach
    /// is then e-mailed).
    pub fn record_webhook_attempt(
        &self,
        work: &WebhookWork,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
        failing: FailingLimit,
    ) -> Result<(), StoreError> {
        let mail_key = self.mail_key.clone();
        let now = attempt.attempted_at;
        self.on_conn(|conn| {
            write_tx(conn, |conn| {
                let delivery = work.delivery_id.to_string();
                let exists: i64 = webhook_deliveries::table.find(&delivery).count().get_result(conn)?;
                if exists == 0 {
                    return Ok(()); // its endpoint was deleted meanwhile
                }
                diesel::insert_into(webhook_attempts::table)
                    .values((
                        webhook_attempts::attempt_id.eq(DeliveryId::new().to_string()),
                        webhook_attempts::delivery_id.eq(&delivery),
                        webhook_attempts::attempted_at.eq(to_db(now)),
                        webhook_attempts::status_code.eq(attempt.status_code),
                        webhook_attempts::latency_ms.eq(attempt.latency_ms),
                        webhook_attempts::response_body.eq(&attempt.response_body),
                        webhook_attempts::error.eq(&attempt.error),
                    ))
                    .execute(conn)?;
                let (status, next) = match outcome {
                    AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None),
                    AttemptOutcome::RetryAt(at) => (DeliveryStatus::Pending, Some(to_db(at))),
                    AttemptOutcome::Failed | AttemptOutcome::Gone => (DeliveryStatus::Failed, None),
                };
                diesel::update(webhook_deliveries::table.find(&delivery))
                    .set((
                        webhook_deliveries::status.eq(status.as_str()),
                        webhook_deliveries::next_attempt_at.eq(next),
                        webhook_deliveries::updated_at.eq(to_db(now)),
                    ))
                    .execute(conn)?;
                let endpoint = webhook_endpoints::table.find(work.endpoint_id.to_string());
                match outcome {
                    AttemptOutcome::Delivered => {
                        diesel::update(endpoint)
                            .set(webhook_endpoints::failing_since.eq(None::<NaiveDateTime>))
                            .execute(conn)?;
                    }
                    AttemptOutcome::Gone => {
                        diesel::update(endpoint)
                            .set((
                                webhook_endpoints::enabled.eq(false),
                                webhook_endpoints::disabled_reason.eq(Some("gone")),
                                webhook_endpoints::updated_at.eq(to_db(now)),
                            ))
                            .execute(conn)?;
                    }
                    AttemptOutcome::RetryAt(_) | AttemptOutcome::Failed => {
                        let since: Option<Option<NaiveDateTime>> =
                            endpoint.clone().select(webhook_endpoints::failing_since).first(conn).optional()?;
                        let Some(since) = since else { return Ok(()) };
                        let since = since.map_or(now, from_db);
                        diesel::update(endpoint)
                            .set(webhook_endpoints::failing_since.eq(Some(to_db(since))))
                            .execute(conn)?;
                        if now - since >= failing.0 {
                            disable_failing(conn, mail_key.as_deref(), work, now)?;
                        }
                    }
                }
                Ok(())
            })
        })
    }

    /// Forgets deliveries settled before `before` and attempts made before it.
    pub fn purge_webhook_log(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.on_conn(|conn| {
            write_tx(conn, |conn| {
                let old = webhook_deliveries::table
                    .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending.as_str()))
                    .filter(webhook_deliveries::updated_at.lt(to_db(before)));
                let mut n = diesel::delete(
                    webhook_attempts::table.filter(
                        webhook_attempts::attempted_at
                            .lt(to_db(before))
                            .or(webhook_attempts::delivery_id.eq_any(old.select(webhook_deliveries::delivery_id))),
                    ),
                )
                .execute(conn)?;
                n += diesel::delete(old).execute(conn)?;
                Ok(n)
            })
        })
    }
}

fn endpoint_secrets(
    conn: &mut DbConn,
    key: Option<&crate::invitations::MailKey>,
    endpoint_id: &str,
    now: DateTime<Utc>,
) -> Result<(String, Vec<String>), StoreError> {
    let (url, secret, previous, until): (String, String, Option<String>, Option<NaiveDateTime>) =
        webhook_endpoints::table
            .find(endpoint_id)
            .select((
                webhook_endpoints::url,
                webhook_endpoints::secret,
                webhook_endpoints::previous_secret,
                webhook_endpoints::previous_secret_until,
            ))
            .first(conn)?;
    let mut secrets = vec![open_with(key, &secret, endpoint_id)?];
    if let (Some(previous), Some(until)) = (previous, until)
        && from_db(until) > now
    {
        secrets.push(open_with(key, &previous, endpoint_id)?);
    }
    Ok((url, secrets))
}

fn fan_out(conn: &mut DbConn, now: DateTime<Utc>, limit: i64) -> Result<usize, StoreError> {
    let pending = audit_events::table
        .filter(audit_events::webhooks_pending.eq(true))
        .order(audit_events::event_id.asc())
        .limit(limit);
    let rows: Vec<AuditEventRow> = load_skip_locked!(conn, pending.select(AuditEventRow::as_select()))?;
    if rows.is_empty() {
        return Ok(0);
    }
    let events = rows.into_iter().map(AuditEventRow::into_event).collect::<Result<Vec<_>, _>>()?;
    let orgs: Vec<String> = events.iter().map(|e| e.org_id.to_string()).collect();
    let endpoints = webhook_endpoints::table
        .filter(webhook_endpoints::org_id.eq_any(&orgs))
        .filter(webhook_endpoints::enabled.eq(true))
        .select(EndpointRow::as_select())
        .load::<EndpointRow>(conn)?
        .into_iter()
        .map(EndpointRow::into_endpoint)
        .collect::<Result<Vec<_>, _>>()?;
    for event in &events {
        let Some(event_type) = event_type_for(&event.action) else { continue };
        let body = payload(event_type, event).to_string();
        let (event_id, org) = (event.event_id.to_string(), event.org_id.to_string());
        for endpoint in endpoints.iter().filter(|e| e.org_id == event.org_id && e.wants(event_type)) {
            let (delivery, endpoint_id) = (DeliveryId::new().to_string(), endpoint.endpoint_id.to_string());
            insert_delivery(conn, (&delivery, &endpoint_id, &org), (Some(&event_id), event_type), &body, now)?;
        }
    }
    let ids: Vec<String> = events.iter().map(|e| e.event_id.to_string()).collect();
    diesel::update(audit_events::table.filter(audit_events::event_id.eq_any(&ids)))
        .set(audit_events::webhooks_pending.eq(false))
        .execute(conn)?;
    Ok(events.len())
}

/// Disables an endpoint that has failed too long and queues the head coach's e-mail.
fn disable_failing(
    conn: &mut DbConn,
    mail_key: Option<&crate::invitations::MailKey>,
    work: &WebhookWork,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let disabled = diesel::update(
        webhook_endpoints::table.find(work.endpoint_id.to_string()).filter(webhook_endpoints::enabled.eq(true)),
    )
    .set((
        webhook_endpoints::enabled.eq(false),
        webhook_endpoints::disabled_reason.eq(Some("failing")),
        webhook_endpoints::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    if disabled == 0 {
        return Ok(()); // someone else disabled it (and mailed) first
    }
    let head: Option<String> = memberships::table
        .inner_join(users::table.on(users::user_id.eq(memberships::user_id)))
        .filter(memberships::org_id.eq(work.org_id.to_string()))
        .filter(memberships::role.eq(Role::HeadCoach.as_str()))
        .filter(memberships::removed_at.is_null())
        .select(users::email)
        .first(conn)
        .optional()?;
    if let Some(to) = head {
        let url = roster_domain::webhooks::WebhookUrl::parse(&work.url)
            .map_err(|e| StoreError::Corrupt(format!("webhook_endpoints.url: {}", e.message)))?;
        let mail = disabled_mail(&to, work.org_id, &url, "its deliveries kept failing", now);
        enqueue(conn, &mail, mail_key)?;
    }
    Ok(())
}
