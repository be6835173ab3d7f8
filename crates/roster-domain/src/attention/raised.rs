//! `attention.raised`: which signals a recomputed status raised against the
//! one computed before it, and the audit event (the webhooks' outbox) that
//! announces them.
//!
//! A status is recomputed lazily (when a page reads it stale, or by the
//! background refresher), so the event is written in the transaction that
//! stores the recomputed status, and only by the writer whose store replaced
//! the marks it compared against: two servers recomputing the same status
//! announce it once.

use super::{AttentionSignal, Severity, SignalCode};
use crate::entities::AuditEvent;
use crate::ids::{OrgId, UserId};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The audit action, and the webhook event type it maps to.
pub const ATTENTION_RAISED: &str = "attention.raised";

/// A signal as remembered between computations: its code and severity.
pub type SignalMark = (SignalCode, Severity);

/// The marks of `signals`.
pub fn marks(signals: &[AttentionSignal]) -> Vec<SignalMark> {
    signals.iter().map(|s| (s.code, s.severity)).collect()
}

/// The signals of `after` that `before` did not have, or had at a lower
/// severity. `before = None` (never computed) is a baseline: nothing is
/// raised against it, so the first computation of every status (a new
/// member, an upgrade) does not announce what was always there.
pub fn raised<'a>(before: Option<&[SignalMark]>, after: &'a [AttentionSignal]) -> Vec<&'a AttentionSignal> {
    let Some(before) = before else { return Vec::new() };
    after.iter().filter(|s| !before.iter().any(|(code, severity)| *code == s.code && *severity >= s.severity)).collect()
}

/// Who an event roster wrote on its own is recorded under: the nil id,
/// which no account or key ever has.
pub fn roster_itself() -> UserId {
    UserId::from_uuid(uuid::Uuid::nil())
}

/// The `attention.raised` event for `athlete`: the raised signals (code,
/// severity, message) and the marks before and after.
pub fn raised_event(
    org_id: OrgId,
    athlete: UserId,
    before: &[SignalMark],
    after: &[AttentionSignal],
    raised: &[&AttentionSignal],
    now: DateTime<Utc>,
) -> AuditEvent {
    let mark = |(code, severity): &SignalMark| json!({"code": code.as_str(), "severity": severity.as_str()});
    let raised: Vec<_> = raised
        .iter()
        .map(|s| json!({"code": s.code.as_str(), "severity": s.severity.as_str(), "message": s.message}))
        .collect();
    let changes = json!({
        "raised": raised,
        "signals": {
            "old": before.iter().map(mark).collect::<Vec<_>>(),
            "new": marks(after).iter().map(mark).collect::<Vec<_>>(),
        },
    });
    AuditEvent::new(org_id, roster_itself(), ATTENTION_RAISED, Some(athlete), changes, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn signal(code: SignalCode, severity: Severity) -> AttentionSignal {
        AttentionSignal {
            code,
            severity,
            message: format!("{} is {}", code.as_str(), severity.as_str()),
            data: json!({}),
        }
    }

    #[test]
    fn a_new_signal_and_a_more_severe_one_are_raised() {
        let before = [(SignalCode::NoIntegration, Severity::Info), (SignalCode::LowCompliance, Severity::Warning)];
        let after = [
            signal(SignalCode::NoIntegration, Severity::Info),
            signal(SignalCode::LowCompliance, Severity::Urgent),
            signal(SignalCode::MissedWorkouts, Severity::Warning),
        ];
        let raised: Vec<SignalCode> = raised(Some(&before), &after).iter().map(|s| s.code).collect();
        assert_eq!(raised, [SignalCode::LowCompliance, SignalCode::MissedWorkouts]);
    }

    #[test]
    fn a_calmer_or_vanished_signal_raises_nothing() {
        let before = [(SignalCode::LowCompliance, Severity::Urgent), (SignalCode::NoActivePlan, Severity::Warning)];
        let after = [signal(SignalCode::LowCompliance, Severity::Warning)];
        assert!(raised(Some(&before), &after).is_empty());
    }

    #[test]
    fn the_first_computation_is_a_baseline() {
        let after = [signal(SignalCode::MissedWorkouts, Severity::Urgent)];
        assert!(raised(None, &after).is_empty());
        assert_eq!(raised(Some(&[]), &after).len(), 1);
    }

    #[test]
    fn the_event_names_the_athlete_and_roster_as_the_actor() {
        let (org, athlete) = (OrgId::new(), UserId::new());
        let after = [signal(SignalCode::MissedWorkouts, Severity::Warning)];
        let raised = raised(Some(&[]), &after);
        let event = raised_event(org, athlete, &[], &after, &raised, Utc::now());
        assert_eq!(event.action, "attention.raised");
        assert_eq!(event.actor_user_id, roster_itself());
        assert_eq!(event.subject_user_id, Some(athlete));
        assert_eq!(event.changes["raised"][0]["code"], "missed_workouts");
        assert_eq!(event.changes["signals"]["new"][0]["severity"], "warning");
        assert_eq!(crate::webhooks::event_type_for(&event.action), Some("attention.raised"));
    }

    fn any_mark() -> impl Strategy<Value = SignalMark> {
        let codes = [SignalCode::NoRecentActivity, SignalCode::LowCompliance, SignalCode::MissedWorkouts];
        let severities = [Severity::Info, Severity::Warning, Severity::Urgent];
        (0..codes.len(), 0..severities.len()).prop_map(move |(c, s)| (codes[c], severities[s]))
    }

    proptest! {
        /// Recomputing the same signals raises nothing; whatever is raised
        /// is in `after` and was absent or milder before.
        #[test]
        fn raised_is_what_grew(before in prop::collection::vec(any_mark(), 0..4), after in prop::collection::vec(any_mark(), 0..4)) {
            let after: Vec<AttentionSignal> = after.into_iter().map(|(c, s)| signal(c, s)).collect();
            prop_assert!(raised(Some(&marks(&after)), &after).is_empty());
            for s in raised(Some(&before), &after) {
                prop_assert!(before.iter().all(|(code, severity)| *code != s.code || *severity < s.severity));
            }
        }
    }
}
