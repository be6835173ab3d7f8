//! The attention queue and coaches' acknowledgements of signals (see
//! [`crate::attention`] for the rules).

use crate::attention::{Acknowledgement, AttentionRepo, AttentionThresholds, QueuePage, QueueQuery, SignalCode};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::AuditEvent;
use crate::error::{DomainError, FieldError};
use crate::ids::{OrgId, UserId};
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::OrganizationRepo;
use crate::role::Role;
use crate::services::athlete::authorized_athlete;
use crate::values::{Lines, clean_text};

/// Everything the queue reads and writes.
pub trait AttentionStore: OrganizationRepo + AttentionRepo {}
impl<T: OrganizationRepo + AttentionRepo> AttentionStore for T {}

/// The longest acknowledgement note, in characters.
pub const MAX_NOTE: usize = 1000;

/// A page of the organization's attention queue (coaches; an assistant
/// coach's holds only the athletes assigned to them; an API key's, like the
/// head coach's, the whole organization's).
pub fn queue(
    cx: &Context<'_, impl AttentionStore>,
    org_id: OrgId,
    mut query: QueueQuery,
) -> Result<QueuePage, DomainError> {
    let (store, caller) = (cx.store, cx.caller.clone());
    let actor = Actor::resolve(store, org_id, caller)?;
    authorize(&actor, Action::ReadAttentionQueue, Target::Organization)?;
    query.coach = (actor.role() == Some(Role::AssistantCoach)).then_some(actor.user_id());
    Ok(store.attention_queue(org_id, &query)?)
}

/// Acknowledges the athlete's open signal `code` with an optional note (the
/// head coach, or the assistant coach the athlete is assigned to), audited
/// as `attention.acknowledged`. A signal the athlete does not have now:
/// `404`.
pub fn acknowledge(
    cx: &Context<'_, impl AttentionStore>,
    (org_id, athlete): (OrgId, UserId),
    (code, note): (SignalCode, Option<String>),
    thresholds: &AttentionThresholds,
) -> Result<Acknowledgement, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let (actor, _) = authorized_athlete(&Context::new(store, caller), org_id, athlete, Action::AcknowledgeSignal)?;
    let caller = actor.user_id();
    let note = match note {
        None => None,
        Some(text) => {
            let text = clean_text(&text, Lines::Many).map_err(|e| DomainError::invalid("note", e))?;
            if text.chars().count() > MAX_NOTE {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "note",
                    "invalid_note",
                    format!("a note is at most {MAX_NOTE} characters"),
                )]));
            }
            (!text.is_empty()).then_some(text)
        }
    };
    let now = clock.now();
    let current = store.current_signals(org_id, athlete, thresholds, now)?.ok_or(DomainError::NotFound("member"))?;
    let signal = current.signals.iter().find(|s| s.code == code).ok_or(DomainError::NotFound("signal"))?;
    let ack = Acknowledgement {
        code,
        severity: signal.severity,
        data_version: current.data_version,
        note: note.clone(),
        by: caller,
        by_key: actor.key_id(),
        at: now,
    };
    let changes = serde_json::json!({
        "code": code.as_str(),
        "severity": signal.severity.as_str(),
        "data": signal.data,
        "note": note,
    });
    let event = AuditEvent::new(org_id, caller, "attention.acknowledged", Some(athlete), changes, now);
    store.acknowledge(org_id, athlete, &ack, &event)?;
    Ok(ack)
}
