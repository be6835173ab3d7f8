//! The bodies and answers of `/organizations/{org_id}/webhooks`.

use chrono::{DateTime, Utc};
use roster_domain::webhooks::{Delivery, DeliveryAttempt, WebhookEndpoint};
use roster_domain::{DeliveryId, EventId, WebhookId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An endpoint (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    /// Id.
    pub webhook_id: WebhookId,
    /// Where events are posted.
    pub url: String,
    /// Event types sent; empty: all.
    pub event_types: Vec<String>,
    /// Free text.
    pub description: String,
    /// Disabled endpoints are sent nothing.
    pub enabled: bool,
    /// Why the server disabled it: `gone` (it answered 410) or `failing` (days of failures).
    pub disabled_reason: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookEndpoint> for WebhookDto {
    fn from(e: WebhookEndpoint) -> Self {
        Self {
            webhook_id: e.endpoint_id,
            url: e.url.as_str().to_owned(),
            event_types: e.event_types,
            description: e.description,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A new endpoint with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookDto {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookDto,
    /// `whsec_` and the base64 of 32 random bytes.
    pub secret: String,
}

/// `{data}`, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookListDto {
    /// The endpoints.
    pub data: Vec<WebhookDto>,
}

/// Create body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookBody {
    /// `http://` or `https://`, at most 2 000 characters; it may not point into the server's own networks.
    #[schema(max_length = 2000)]
    pub url: String,
    /// Event types to send (empty or absent: all).
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Up to 500 characters.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Default true.
    pub enabled: Option<bool>,
}

/// Patch body; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchWebhookBody {
    /// New address.
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    /// New filter (empty: all).
    pub event_types: Option<Vec<String>>,
    /// New description.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// On or off; enabling an endpoint the server disabled clears `disabled_reason`.
    pub enabled: Option<bool>,
}

/// A new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecretDto {
    /// The new secret.
    pub secret: String,
    /// Until when the previous secret signs too.
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// One attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptDto {
    /// When.
    pub attempted_at: DateTime<Utc>,
    /// The answer's status, if one came.
    pub status_code: Option<i32>,
    /// Milliseconds.
    pub latency_ms: i64,
    /// The first 4 KiB of the answer.
    pub response_body: String,
    /// What went wrong (timeout, connection, address not allowed, redirect).
    pub error: Option<String>,
}

impl From<DeliveryAttempt> for AttemptDto {
    fn from(a: DeliveryAttempt) -> Self {
        Self {
            attempted_at: a.attempted_at,
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            response_body: a.response_body,
            error: a.error,
        }
    }
}

/// One event for this endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// Id, sent as `webhook-id` on every attempt.
    pub delivery_id: DeliveryId,
    /// The audit event it announces (none for a test).
    pub event_id: Option<EventId>,
    /// Event type.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// Next attempt (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// Attempts, newest first (kept 30 days).
    pub attempt_log: Vec<AttemptDto>,
}

impl From<Delivery> for DeliveryDto {
    fn from(d: Delivery) -> Self {
        Self {
            delivery_id: d.delivery_id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            attempt_log: d.log.into_iter().map(Into::into).collect(),
        }
    }
}

/// A page of deliveries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPageDto {
    /// The page.
    pub data: Vec<DeliveryDto>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// A delivery queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedDto {
    /// Its id (`webhook-id`).
    pub delivery_id: DeliveryId,
}
