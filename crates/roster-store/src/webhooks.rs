//! `WebhookRepo` over the store: endpoints (secrets sealed with the webhook
//! key) and their deliveries. The worker's side (fan-out, claims, attempts)
//! is in `webhooks/delivery.rs`.

mod delivery;

pub use delivery::{AttemptOutcome, FailingLimit, WebhookWork};

use crate::error::{StoreError, parse};
use crate::invitations::MailKey;
use crate::rows::{from_db, insert_event, to_db};
use crate::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::{DbConn, Store};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roster_domain::entities::AuditEvent;
use roster_domain::webhooks::{Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint, WebhookRepo, WebhookUrl};
use roster_domain::{DeliveryId, OrgId, RepoError, WebhookId};
use serde_json::Value;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub(crate) struct EndpointRow {
    endpoint_id: String,
    org_id: String,
    url: String,
    event_types: String,
    description: String,
    enabled: bool,
    disabled_reason: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl EndpointRow {
    pub(crate) fn into_endpoint(self) -> Result<WebhookEndpoint, StoreError> {
        let url = WebhookUrl::parse(&self.url)
            .map_err(|e| StoreError::Corrupt(format!("webhook_endpoints.url: {}", e.message)))?;
        Ok(WebhookEndpoint {
            endpoint_id: parse("webhook_endpoints.endpoint_id", self.endpoint_id.parse())?,
            org_id: parse("webhook_endpoints.org_id", self.org_id.parse())?,
            url,
            event_types: parse("webhook_endpoints.event_types", serde_json::from_str(&self.event_types))?,
            description: self.description,
            enabled: self.enabled,
            disabled_reason: self.disabled_reason,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    delivery_id: String,
    endpoint_id: String,
    event_id: Option<String>,
    event_type: String,
    status: String,
    attempts: i32,
    next_attempt_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
struct AttemptRow {
    delivery_id: String,
    attempted_at: NaiveDateTime,
    status_code: Option<i32>,
    latency_ms: i64,
    response_body: String,
    error: Option<String>,
}

impl DeliveryRow {
    fn into_delivery(self, log: Vec<DeliveryAttempt>) -> Result<Delivery, StoreError> {
        let status = DeliveryStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("webhook_deliveries.status: `{}`", self.status)))?;
        Ok(Delivery {
            delivery_id: parse("webhook_deliveries.delivery_id", self.delivery_id.parse())?,
            endpoint_id: parse("webhook_deliveries.endpoint_id", self.endpoint_id.parse())?,
            event_id: self.event_id.map(|e| parse("webhook_deliveries.event_id", e.parse())).transpose()?,
            event_type: self.event_type,
            status,
            attempts: self.attempts,
            next_attempt_at: if status == DeliveryStatus::Pending { self.next_attempt_at.map(from_db) } else { None },
            created_at: from_db(self.created_at),
            log,
        })
    }
}

/// Seals a secret with the webhook key, bound to its endpoint.
fn seal(key: Option<&MailKey>, secret: &str, endpoint_id: &str) -> Result<String, StoreError> {
    crate::invitations::seal_with(key, secret, endpoint_id)
}

/// Inserts a pending delivery, due at `due`.
pub(crate) fn insert_delivery(
    conn: &mut DbConn,
    (delivery_id, endpoint_id, org_id): (&str, &str, &str),
    event: (Option<&str>, &str),
    payload: &str,
    due: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::delivery_id.eq(delivery_id),
            webhook_deliveries::endpoint_id.eq(endpoint_id),
            webhook_deliveries::org_id.eq(org_id),
            webhook_deliveries::event_id.eq(event.0),
            webhook_deliveries::event_type.eq(event.1),
            webhook_deliveries::payload.eq(payload),
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(Some(to_db(due))),
            webhook_deliveries::created_at.eq(to_db(due)),
            webhook_deliveries::updated_at.eq(to_db(due)),
        ))
        .execute(conn)?;
    Ok(())
}

fn endpoint_filter(
    org_id: OrgId,
    endpoint_id: WebhookId,
) -> diesel::dsl::Filter<
    diesel::dsl::Filter<webhook_endpoints::table, diesel::dsl::Eq<webhook_endpoints::org_id, String>>,
    diesel::dsl::Eq<webhook_endpoints::endpoint_id, String>,
> {
    webhook_endpoints::table
        .filter(webhook_endpoints::org_id.eq(org_id.to_string()))
        .filter(webhook_endpoints::endpoint_id.eq(endpoint_id.to_string()))
}

impl Store {
    /// The store that seals webhook secrets with `key` (a copy of the
    /// database must not let anyone sign events).
    pub fn with_webhook_key(mut self, key: [u8; 32]) -> Self {
        self.webhook_key = MailKey::new(key).map(std::sync::Arc::new);
        self
    }
}

impl WebhookRepo for Store {
    fn insert_webhook(&self, e: &WebhookEndpoint, secret: &str, event: &AuditEvent) -> Result<(), RepoError> {
        let id = e.endpoint_id.to_string();
        let sealed = seal(self.webhook_key.as_deref(), secret, &id)?;
        self.tx(|conn| {
            diesel::insert_into(webhook_endpoints::table)
                .values((
                    webhook_endpoints::endpoint_id.eq(&id),
                    webhook_endpoints::org_id.eq(e.org_id.to_string()),
                    webhook_endpoints::url.eq(e.url.as_str()),
                    webhook_endpoints::event_types.eq(serde_json::to_string(&e.event_types).unwrap_or_default()),
                    webhook_endpoints::description.eq(&e.description),
                    webhook_endpoints::enabled.eq(e.enabled),
                    webhook_endpoints::secret.eq(&sealed),
                    webhook_endpoints::created_at.eq(to_db(e.created_at)),
                    webhook_endpoints::updated_at.eq(to_db(e.updated_at)),
                ))
                .execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn webhooks(&self, org_id: OrgId) -> Result<Vec<WebhookEndpoint>, RepoError> {
        self.with(|conn| {
            webhook_endpoints::table
                .filter(webhook_endpoints::org_id.eq(org_id.to_string()))
                .order(webhook_endpoints::endpoint_id.asc())
                .select(EndpointRow::as_select())
                .load::<EndpointRow>(conn)?
                .into_iter()
                .map(EndpointRow::into_endpoint)
                .collect()
        })
    }

    fn webhook(&self, org_id: OrgId, endpoint_id: WebhookId) -> Result<Option<WebhookEndpoint>, RepoError> {
        self.with(|conn| {
            endpoint_filter(org_id, endpoint_id)
                .select(EndpointRow::as_select())
                .first::<EndpointRow>(conn)
                .optional()?
                .map(EndpointRow::into_endpoint)
                .transpose()
        })
    }

    fn update_webhook(&self, e: &WebhookEndpoint, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            diesel::update(endpoint_filter(e.org_id, e.endpoint_id))
                .set((
                    webhook_endpoints::url.eq(e.url.as_str()),
                    webhook_endpoints::event_types.eq(serde_json::to_string(&e.event_types).unwrap_or_default()),
                    webhook_endpoints::description.eq(&e.description),
                    webhook_endpoints::enabled.eq(e.enabled),
                    webhook_endpoints::disabled_reason.eq(&e.disabled_reason),
                    // A person enabling the endpoint starts the failure clock again.
                    webhook_endpoints::failing_since.eq(None::<NaiveDateTime>),
                    webhook_endpoints::updated_at.eq(to_db(e.updated_at)),
                ))
                .execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn delete_webhook(&self, org_id: OrgId, endpoint_id: WebhookId, event: &AuditEvent) -> Result<bool, RepoError> {
        self.tx(|conn| {
            // Scoped to the organization first: another organization's id deletes nothing.
            let exists = endpoint_filter(org_id, endpoint_id).count().get_result::<i64>(conn)? > 0;
            if !exists {
                return Ok(false);
            }
            let id = endpoint_id.to_string();
            let deliveries = webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(&id));
            diesel::delete(
                webhook_attempts::table
                    .filter(webhook_attempts::delivery_id.eq_any(deliveries.select(webhook_deliveries::delivery_id))),
            )
            .execute(conn)?;
            diesel::delete(deliveries).execute(conn)?;
            diesel::delete(endpoint_filter(org_id, endpoint_id)).execute(conn)?;
            insert_event(conn, event)?;
            Ok(true)
        })
    }

    fn rotate_webhook_secret(
        &self,
        org_id: OrgId,
        endpoint_id: WebhookId,
        secret: &str,
        previous_until: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<bool, RepoError> {
        let sealed = seal(self.webhook_key.as_deref(), secret, &endpoint_id.to_string())?;
        self.tx(|conn| {
            let current: Option<String> =
                endpoint_filter(org_id, endpoint_id).select(webhook_endpoints::secret).first(conn).optional()?;
            let Some(current) = current else { return Ok(false) };
            diesel::update(endpoint_filter(org_id, endpoint_id))
                .set((
                    webhook_endpoints::previous_secret.eq(Some(current)),
                    webhook_endpoints::previous_secret_until.eq(Some(to_db(previous_until))),
                    webhook_endpoints::secret.eq(&sealed),
                ))
                .execute(conn)?;
            insert_event(conn, event)?;
            Ok(true)
        })
    }

    fn deliveries(
        &self,
        org_id: OrgId,
        endpoint_id: WebhookId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<Delivery>, RepoError> {
        self.with(|conn| {
            let mut query = webhook_deliveries::table
                .filter(webhook_deliveries::org_id.eq(org_id.to_string()))
                .filter(webhook_deliveries::endpoint_id.eq(endpoint_id.to_string()))
                .order(webhook_deliveries::delivery_id.desc())
                .limit(i64::from(limit) + 1)
                .select(DeliveryRow::as_select())
                .into_boxed();
            if let Some(before) = before {
                query = query.filter(webhook_deliveries::delivery_id.lt(before.to_string()));
            }
            let rows: Vec<DeliveryRow> = query.load(conn)?;
            let ids: Vec<&str> = rows.iter().map(|r| r.delivery_id.as_str()).collect();
            let attempts: Vec<AttemptRow> = webhook_attempts::table
                .filter(webhook_attempts::delivery_id.eq_any(&ids))
                .order(webhook_attempts::attempt_id.desc())
                .select(AttemptRow::as_select())
                .load(conn)?;
            rows.into_iter()
                .map(|row| {
                    let log = attempts
                        .iter()
                        .filter(|a| a.delivery_id == row.delivery_id)
                        .map(|a| DeliveryAttempt {
                            attempted_at: from_db(a.attempted_at),
                            status_code: a.status_code,
                            latency_ms: a.latency_ms,
                            response_body: a.response_body.clone(),
                            error: a.error.clone(),
                        })
                        .collect();
                    row.into_delivery(log)
                })
                .collect()
        })
    }

    fn redeliver(
        &self,
        org_id: OrgId,
        endpoint_id: WebhookId,
        delivery_id: DeliveryId,
        now: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<bool, RepoError> {
        self.tx(|conn| {
            let changed = diesel::update(
                webhook_deliveries::table
                    .filter(webhook_deliveries::org_id.eq(org_id.to_string()))
                    .filter(webhook_deliveries::endpoint_id.eq(endpoint_id.to_string()))
                    .filter(webhook_deliveries::delivery_id.eq(delivery_id.to_string())),
            )
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(Some(to_db(now))),
                webhook_deliveries::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Ok(false);
            }
            insert_event(conn, event)?;
            Ok(true)
        })
    }

    fn queue_test_delivery(
        &self,
        endpoint: &WebhookEndpoint,
        delivery_id: DeliveryId,
        payload: &Value,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let (delivery, endpoint_id, org) =
                (delivery_id.to_string(), endpoint.endpoint_id.to_string(), endpoint.org_id.to_string());
            insert_delivery(
                conn,
                (&delivery, &endpoint_id, &org),
                (None, roster_domain::webhooks::TEST_EVENT_TYPE),
                &payload.to_string(),
                event.created_at,
            )?;
            insert_event(conn, event)
        })
    }
}
