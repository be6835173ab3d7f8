//! Managing webhook endpoints and their deliveries (the head coach's, see
//! `Action::ManageWebhooks`).

use crate::Clock;
use crate::context::Context;
use crate::entities::AuditEvent;
use crate::error::{DomainError, FieldError};
use crate::ids::{DeliveryId, OrgId, UserId, WebhookId};
use crate::policy::{Action, Actor, Caller, Target, authorize};
use crate::ports::OrganizationRepo;
use crate::webhooks::{
    Delivery, WebhookEndpoint, WebhookRepo, WebhookUrl, audit_fields, no_such_endpoint, parse_description,
    parse_event_types, test_payload,
};
use chrono::Duration;
use serde_json::{Map, Value, json};

/// Everything these use cases read and write.
pub trait WebhookStore: OrganizationRepo + WebhookRepo {}
impl<T: OrganizationRepo + WebhookRepo> WebhookStore for T {}

/// How long a rotated-out secret still signs.
pub const PREVIOUS_SECRET_GRACE: Duration = Duration::hours(24);

/// A new endpoint's checked fields.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWebhook {
    /// Address.
    pub url: WebhookUrl,
    /// Filter; empty: all.
    pub event_types: Vec<String>,
    /// Free text.
    pub description: String,
    /// On at once unless false.
    pub enabled: bool,
}

/// A patch's checked fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookPatch {
    /// Address.
    pub url: Option<WebhookUrl>,
    /// Filter.
    pub event_types: Option<Vec<String>>,
    /// Free text.
    pub description: Option<String>,
    /// On or off.
    pub enabled: Option<bool>,
}

fn collect<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn refuse_if_any(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(errors)) }
}

impl NewWebhook {
    /// Checks every field, naming each bad one.
    pub fn parse(
        url: &str,
        event_types: &[String],
        description: Option<&str>,
        enabled: Option<bool>,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let url = collect(&mut errors, WebhookUrl::parse(url));
        let event_types = collect(&mut errors, parse_event_types(event_types));
        let description = collect(&mut errors, parse_description(description.unwrap_or("")));
        refuse_if_any(errors)?;
        match (url, event_types, description) {
            (Some(url), Some(event_types), Some(description)) => {
                Ok(Self { url, event_types, description, enabled: enabled.unwrap_or(true) })
            }
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

impl WebhookPatch {
    /// Checks the fields present.
    pub fn parse(
        url: Option<&str>,
        event_types: Option<&[String]>,
        description: Option<&str>,
        enabled: Option<bool>,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let patch = Self {
            url: url.and_then(|u| collect(&mut errors, WebhookUrl::parse(u))),
            event_types: event_types.and_then(|t| collect(&mut errors, parse_event_types(t))),
            description: description.and_then(|d| collect(&mut errors, parse_description(d))),
            enabled,
        };
        refuse_if_any(errors)?;
        Ok(patch)
    }
}

fn endpoint_in(store: &impl WebhookStore, org_id: OrgId, id: WebhookId) -> Result<WebhookEndpoint, DomainError> {
    store.webhook(org_id, id)?.ok_or_else(no_such_endpoint)
}

/// Registers an endpoint with `secret` (made by the caller, shown once).
pub fn create(
    cx: &Context<'_, impl WebhookStore>,
    org_id: OrgId,
    new: NewWebhook,
    secret: &str,
) -> Result<WebhookEndpoint, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let caller = may_manage(store, org_id, caller)?;
    let now = clock.now();
    let endpoint = WebhookEndpoint {
        endpoint_id: WebhookId::new(),
        org_id,
        url: new.url,
        event_types: new.event_types,
        description: new.description,
        enabled: new.enabled,
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    let event = AuditEvent::new(org_id, caller, "webhook.created", None, audit_fields(&endpoint), now);
    store.insert_webhook(&endpoint, secret, &event)?;
    Ok(endpoint)
}

/// The organization's endpoints.
pub fn list(cx: &Context<'_, impl WebhookStore>, org_id: OrgId) -> Result<Vec<WebhookEndpoint>, DomainError> {
    let (store, caller) = (cx.store, cx.caller.clone());
    may_manage(store, org_id, caller)?;
    Ok(store.webhooks(org_id)?)
}

/// One endpoint.
pub fn get(
    cx: &Context<'_, impl WebhookStore>,
    org_id: OrgId,
    endpoint_id: WebhookId,
) -> Result<WebhookEndpoint, DomainError> {
    let (store, caller) = (cx.store, cx.caller.clone());
    may_manage(store, org_id, caller)?;
    endpoint_in(store, org_id, endpoint_id)
}

/// Changes the fields present; enabling an endpoint the server disabled clears the reason.
pub fn update(
    cx: &Context<'_, impl WebhookStore>,
    (org_id, endpoint_id): (OrgId, WebhookId),
    patch: WebhookPatch,
) -> Result<WebhookEndpoint, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let caller = may_manage(store, org_id, caller)?;
    let mut e = endpoint_in(store, org_id, endpoint_id)?;
    let mut changes = Map::new();
    if let Some(url) = patch.url.filter(|u| *u != e.url) {
        changes.insert("url".into(), json!({"old": e.url.as_str(), "new": url.as_str()}));
        e.url = url;
    }
    if let Some(types) = patch.event_types.filter(|t| *t != e.event_types) {
        changes.insert("event_types".into(), json!({"old": e.event_types, "new": types}));
        e.event_types = types;
    }
    if let Some(description) = patch.description.filter(|d| *d != e.description) {
        changes.insert("description".into(), json!({"changed": true}));
        e.description = description;
    }
    if let Some(enabled) = patch.enabled.filter(|on| *on != e.enabled) {
        changes.insert("enabled".into(), json!({"old": e.enabled, "new": enabled}));
        e.enabled = enabled;
        e.disabled_reason = None;
    }
    if changes.is_empty() {
        return Ok(e);
    }
    let now = clock.now();
    e.updated_at = now;
    changes.insert("endpoint_id".into(), json!(e.endpoint_id));
    let event = AuditEvent::new(org_id, caller, "webhook.updated", None, Value::Object(changes), now);
    store.update_webhook(&e, &event)?;
    Ok(e)
}

/// Deletes an endpoint with its deliveries.
pub fn delete(cx: &Context<'_, impl WebhookStore>, org_id: OrgId, endpoint_id: WebhookId) -> Result<(), DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let caller = may_manage(store, org_id, caller)?;
    let event =
        AuditEvent::new(org_id, caller, "webhook.deleted", None, json!({"endpoint_id": endpoint_id}), clock.now());
    if store.delete_webhook(org_id, endpoint_id, &event)? { Ok(()) } else { Err(no_such_endpoint()) }
}

/// Replaces the secret with `secret`; the old one signs too for 24 hours, so
/// receivers can switch over without losing events.
pub fn rotate_secret(
    cx: &Context<'_, impl WebhookStore>,
    org_id: OrgId,
    endpoint_id: WebhookId,
    secret: &str,
) -> Result<(), DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let caller = may_manage(store, org_id, caller)?;
    let now = clock.now();
    let event =
        AuditEvent::new(org_id, caller, "webhook.secret_rotated", None, json!({"endpoint_id": endpoint_id}), now);
    if store.rotate_webhook_secret(org_id, endpoint_id, secret, now + PREVIOUS_SECRET_GRACE, &event)? {
        Ok(())
    } else {
        Err(no_such_endpoint())
    }
}

/// A page of the endpoint's deliveries, newest first, and whether more follow.
pub fn deliveries(
    cx: &Context<'_, impl WebhookStore>,
    (org_id, endpoint_id): (OrgId, WebhookId),
    before: Option<DeliveryId>,
    limit: u32,
) -> Result<(Vec<Delivery>, bool), DomainError> {
    let (store, caller) = (cx.store, cx.caller.clone());
    may_manage(store, org_id, caller)?;
    endpoint_in(store, org_id, endpoint_id)?;
    let mut page = store.deliveries(org_id, endpoint_id, before, limit)?;
    let more = page.len() > limit as usize;
    page.truncate(limit as usize);
    Ok((page, more))
}

/// Sends a delivery again, with its original `webhook-id` and body.
pub fn redeliver(
    cx: &Context<'_, impl WebhookStore>,
    (org_id, endpoint_id): (OrgId, WebhookId),
    delivery_id: DeliveryId,
) -> Result<(), DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let caller = may_manage(store, org_id, caller)?;
    let now = clock.now();
    let changes = json!({"endpoint_id": endpoint_id, "delivery_id": delivery_id});
    let event = AuditEvent::new(org_id, caller, "webhook.redelivered", None, changes, now);
    if store.redeliver(org_id, endpoint_id, delivery_id, now, &event)? {
        Ok(())
    } else {
        Err(DomainError::NotFound("delivery"))
    }
}

/// Queues a `webhook.test` event for this endpoint alone (whatever its
/// filter, even when disabled: a test is how one checks an endpoint before
/// enabling it).
pub fn send_test(
    cx: &Context<'_, impl WebhookStore>,
    org_id: OrgId,
    endpoint_id: WebhookId,
) -> Result<DeliveryId, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let caller = may_manage(store, org_id, caller)?;
    let endpoint = endpoint_in(store, org_id, endpoint_id)?;
    let now = clock.now();
    let delivery_id = DeliveryId::new();
    let changes = json!({"endpoint_id": endpoint_id, "delivery_id": delivery_id});
    let event = AuditEvent::new(org_id, caller, "webhook.test_sent", None, changes, now);
    store.queue_test_delivery(&endpoint, delivery_id, &test_payload(org_id, endpoint_id, now), &event)?;
    Ok(delivery_id)
}

/// Endpoints are the head coach's, and a key's with `webhooks:manage`. The
/// id the audit trail records the caller under.
fn may_manage(store: &impl WebhookStore, org_id: OrgId, caller: impl Into<Caller>) -> Result<UserId, DomainError> {
    let actor = Actor::resolve(store, org_id, caller)?;
    authorize(&actor, Action::ManageWebhooks, Target::Organization)?;
    Ok(actor.user_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_fields_are_each_named() {
        let err = NewWebhook::parse("ftp://x", &["nope".into()], Some("a\u{7}b"), None).unwrap_err();
        let DomainError::Validation(fields) = err else { panic!("not a validation error") };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["url", "event_types", "description"]);
    }

    #[test]
    fn a_new_endpoint_is_enabled_unless_asked_otherwise() {
        assert!(NewWebhook::parse("https://example.com/h", &[], None, None).unwrap().enabled);
        assert!(!NewWebhook::parse("https://example.com/h", &[], None, Some(false)).unwrap().enabled);
    }
}
