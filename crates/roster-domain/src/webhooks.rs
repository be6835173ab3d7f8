//! Webhooks: endpoints an organization registers, and the events they are
//! sent (Standard Webhooks 1.0).
//!
//! The audit trail is the outbox: every audited change whose action maps to
//! an event type ([`event_type_for`]) is marked for dispatch in the same
//! transaction as the change, so a rolled-back change sends nothing and a
//! committed one is never lost. A worker later fans each marked event out to
//! the organization's endpoints whose filter matches ([`WebhookEndpoint::wants`]).

use crate::entities::AuditEvent;
use crate::error::{DomainError, FieldError, RepoError};
use crate::ids::{DeliveryId, EventId, OrgId, WebhookId};
use crate::invitation::OutboxMessage;
use crate::values::{Lines, clean_text};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

/// Every event type an endpoint can ask for.
pub const EVENT_TYPES: [&str; 13] = [
    "member.added",
    "member.updated",
    "member.removed",
    "member.coach_assigned",
    "invitation.created",
    "invitation.accepted",
    "invitation.revoked",
    "plan_assignment.created",
    "plan_assignment.cancelled",
    "group.member_added",
    "group.member_removed",
    "activity.created",
    "attention.raised",
];

/// The type of the event `POST …/webhooks/{id}/test` sends (never filtered out).
pub const TEST_EVENT_TYPE: &str = "webhook.test";

/// The event type an audit action announces, if any.
pub fn event_type_for(action: &str) -> Option<&'static str> {
    Some(match action {
        "member.added" => "member.added",
        "member.updated" => "member.updated",
        "member.removed" => "member.removed",
        "coach.assigned" => "member.coach_assigned",
        "invitation.created" => "invitation.created",
        "invitation.accepted" => "invitation.accepted",
        "invitation.revoked" => "invitation.revoked",
        "plan.assigned" => "plan_assignment.created",
        "plan.cancelled" => "plan_assignment.cancelled",
        "group.member_added" => "group.member_added",
        "group.member_removed" => "group.member_removed",
        "activity.created" => "activity.created",
        "attention.raised" => "attention.raised",
        _ => return None,
    })
}

/// The body sent for `event`: `{type, timestamp, data}`, where `data` holds
/// the ids and the changed fields. Private notes never leave, not even the
/// fact that they changed.
pub fn payload(event_type: &str, event: &AuditEvent) -> Value {
    let changes = match &event.changes {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| !k.starts_with("private")).map(|(k, v)| (k.clone(), v.clone())).collect(),
        ),
        other => other.clone(),
    };
    json!({
        "type": event_type,
        "timestamp": event.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": {
            "event_id": event.event_id,
            "organization_id": event.org_id,
            "actor_user_id": event.actor_user_id,
            "user_id": event.subject_user_id,
            "changes": changes,
        },
    })
}

/// The body of a test event.
pub fn test_payload(org_id: OrgId, endpoint_id: WebhookId, now: DateTime<Utc>) -> Value {
    json!({
        "type": TEST_EVENT_TYPE,
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": {"organization_id": org_id, "endpoint_id": endpoint_id},
    })
}

/// An endpoint's address: `http` or `https` with a host, at most 2 000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Checks the form only; where it points is checked against the
    /// server's networks by the HTTP layer and again at every delivery.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let bad = |message: &str| FieldError::new("url", "invalid_url", message);
        let url = input.trim();
        if url.len() > 2000 {
            return Err(bad("must be at most 2000 characters"));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("must not contain spaces or control characters"));
        }
        let lower = url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(|| bad("must start with http:// or https://"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(bad("must not carry a user name or password"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, rest) = v6.split_once(']').unwrap_or((v6, ""));
                (host, rest.strip_prefix(':'))
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        if host.is_empty() {
            return Err(bad("must name a host"));
        }
        if let Some(port) = port
            && !port.is_empty()
            && port.parse::<u16>().map_or(true, |p| p == 0)
        {
            return Err(bad("the port must be 1 to 65535"));
        }
        Ok(Self(url.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks an event-type filter: known types, no repeats (sorted).
pub fn parse_event_types(input: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::with_capacity(input.len());
    for t in input {
        if !EVENT_TYPES.contains(&t.as_str()) {
            return Err(FieldError::new("event_types", "unknown_event_type", format!("`{t}` is not an event type")));
        }
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    out.sort();
    Ok(out)
}

/// Checks a description: one line, at most 500 characters.
pub fn parse_description(input: &str) -> Result<String, FieldError> {
    let text = clean_text(input, Lines::One).map_err(|e| FieldError::from_invalid("description", e))?;
    if text.chars().count() > 500 {
        return Err(FieldError::new("description", "too_long", "must be at most 500 characters"));
    }
    Ok(text)
}

/// A registered endpoint (its secret stays in the store).
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEndpoint {
    /// Id.
    pub endpoint_id: WebhookId,
    /// Organization.
    pub org_id: OrgId,
    /// Where events are posted.
    pub url: WebhookUrl,
    /// The event types sent; empty: all.
    pub event_types: Vec<String>,
    /// Free text.
    pub description: String,
    /// Disabled endpoints are sent nothing.
    pub enabled: bool,
    /// Why the server disabled it (`gone`: it answered 410; `failing`: days
    /// of failures), `None` when a person did or it is enabled.
    pub disabled_reason: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl WebhookEndpoint {
    /// Whether this endpoint is sent events of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Answered `2xx`.
    Delivered,
    /// Given up (a final refusal, or every retry failed).
    Failed,
}

impl DeliveryStatus {
    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// From the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// One attempt to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAttempt {
    /// When it started.
    pub attempted_at: DateTime<Utc>,
    /// The answer's status, if one came.
    pub status_code: Option<i32>,
    /// How long it took.
    pub latency_ms: i64,
    /// The first 4 KiB of the answer.
    pub response_body: String,
    /// What went wrong, if anything.
    pub error: Option<String>,
}

/// One event for one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Id, sent as `webhook-id`.
    pub delivery_id: DeliveryId,
    /// The endpoint.
    pub endpoint_id: WebhookId,
    /// The audit event announced (none for a test).
    pub event_id: Option<EventId>,
    /// Event type.
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When it is tried next (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// The attempts, newest first.
    pub log: Vec<DeliveryAttempt>,
}

/// Webhook endpoints and their deliveries.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait WebhookRepo {
    /// Stores a new endpoint with its (plain) secret, and `event`.
    fn insert_webhook(&self, endpoint: &WebhookEndpoint, secret: &str, event: &AuditEvent) -> Result<(), RepoError>;
    /// The organization's endpoints, oldest first.
    fn webhooks(&self, org_id: OrgId) -> Result<Vec<WebhookEndpoint>, RepoError>;
    /// One endpoint.
    fn webhook(&self, org_id: OrgId, endpoint_id: WebhookId) -> Result<Option<WebhookEndpoint>, RepoError>;
    /// Writes the endpoint's fields, and `event`.
    fn update_webhook(&self, endpoint: &WebhookEndpoint, event: &AuditEvent) -> Result<(), RepoError>;
    /// Deletes the endpoint and its deliveries, and writes `event`; false if there was none.
    fn delete_webhook(&self, org_id: OrgId, endpoint_id: WebhookId, event: &AuditEvent) -> Result<bool, RepoError>;
    /// Replaces the secret; the old one still signs until `previous_until`.
    fn rotate_webhook_secret(
        &self,
        org_id: OrgId,
        endpoint_id: WebhookId,
        secret: &str,
        previous_until: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<bool, RepoError>;
    /// The endpoint's deliveries, newest first, older than `before`, at most `limit + 1`.
    fn deliveries(
        &self,
        org_id: OrgId,
        endpoint_id: WebhookId,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<Delivery>, RepoError>;
    /// Queues a delivery again (same `webhook-id`), due at `now`; false if there is none.
    fn redeliver(
        &self,
        org_id: OrgId,
        endpoint_id: WebhookId,
        delivery_id: DeliveryId,
        now: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<bool, RepoError>;
    /// Queues `payload` for the endpoint alone, due at once.
    fn queue_test_delivery(
        &self,
        endpoint: &WebhookEndpoint,
        delivery_id: DeliveryId,
        payload: &Value,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
}

/// What the audit trail keeps of an endpoint: never its secret.
pub fn audit_fields(endpoint: &WebhookEndpoint) -> Value {
    let mut map = Map::new();
    map.insert("endpoint_id".into(), json!(endpoint.endpoint_id));
    map.insert("url".into(), json!(endpoint.url.as_str()));
    map.insert("event_types".into(), json!(endpoint.event_types));
    map.insert("enabled".into(), json!(endpoint.enabled));
    Value::Object(map)
}

/// The e-mail that tells the head coach the server disabled an endpoint.
pub fn disabled_mail(to: &str, org_id: OrgId, url: &WebhookUrl, why: &str, now: DateTime<Utc>) -> OutboxMessage {
    let text = format!(
        "roster disabled the webhook endpoint {url} of your organization: {why}.\n\n\
         Events are no longer sent to it. Fix the receiver, then enable the endpoint again \
         (PATCH /api/v1/organizations/{org_id}/webhooks/{{id}} with enabled = true); \
         its deliveries list shows each attempt's answer.\n",
        url = url.as_str(),
    );
    let html = format!("<p>{}</p>", text.replace('&', "&amp;").replace('<', "&lt;").replace('\n', "<br>"));
    OutboxMessage {
        message_id: uuid::Uuid::now_v7(),
        org_id: Some(org_id),
        invitation_id: None,
        to: to.to_owned(),
        subject: "A webhook endpoint was disabled".into(),
        text,
        html,
        created_at: now,
    }
}

/// The refusal for an endpoint that does not exist in the organization.
pub fn no_such_endpoint() -> DomainError {
    DomainError::NotFound("webhook endpoint")
}

#[cfg(test)]
#[path = "webhooks_tests.rs"]
mod tests;
