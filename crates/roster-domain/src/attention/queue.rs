//! The attention queue: athletes with open signals, most severe first, and
//! coaches' acknowledgements. An acknowledged signal stays hidden while the
//! data behind it is unchanged: the athlete's status data version (bumped by
//! every write to what the signals read) is the one it was acknowledged at,
//! and the signal is no more severe than it was then.

use super::{AttentionSignal, AttentionThresholds, Severity, SignalCode};
use crate::entities::AuditEvent;
use crate::error::RepoError;
use crate::ids::{ApiKeyId, MembershipId, OrgId, UserId};
use crate::member::MemberView;
use chrono::{DateTime, Utc};

/// A coach's acknowledgement of one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Acknowledgement {
    /// The signal.
    pub code: SignalCode,
    /// Its severity when acknowledged.
    pub severity: Severity,
    /// The status data version it was acknowledged at.
    pub data_version: i64,
    /// The coach's note.
    pub note: Option<String>,
    /// The coach; when an API key acknowledged it, the key's id (as the
    /// audit trail writes a key), with `by_key` set.
    pub by: UserId,
    /// The organization API key that acknowledged it, if one did (no account then).
    pub by_key: Option<ApiKeyId>,
    /// When.
    pub at: DateTime<Utc>,
}

impl Acknowledgement {
    /// Whether it still hides `signal` when the data version is `version`.
    pub fn hides(&self, signal: &AttentionSignal, version: i64) -> bool {
        self.code == signal.code && self.data_version == version && signal.severity <= self.severity
    }
}

/// The signals of `signals` that none of `acks` hides at `version`.
pub fn open_signals<'a>(
    signals: &'a [AttentionSignal],
    acks: &'a [Acknowledgement],
    version: i64,
) -> impl Iterator<Item = &'a AttentionSignal> + 'a {
    signals.iter().filter(move |s| !acks.iter().any(|a| a.hides(s, version)))
}

/// Where a queue page ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCursor {
    /// The [`super::attention_order`] of the last athlete's open signals.
    pub order: i32,
    /// Their membership.
    pub membership_id: MembershipId,
}

/// A page of the queue to read.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueQuery {
    /// Only the athletes of this coach (an assistant coach's queue).
    pub coach: Option<UserId>,
    /// Page size, 1–200.
    pub limit: u32,
    /// Keyset cursor.
    pub after: Option<QueueCursor>,
    /// The thresholds in force.
    pub thresholds: AttentionThresholds,
    /// The instant the signals are evaluated at.
    pub now: DateTime<Utc>,
}

/// An athlete of the queue with their open signals, most severe first.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// The athlete.
    pub member: MemberView,
    /// The signals no coach acknowledged (or whose data changed since).
    pub signals: Vec<AttentionSignal>,
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuePage {
    /// The athletes, most severe first, then most open signals, then membership id.
    pub entries: Vec<QueueEntry>,
    /// Where the next page starts.
    pub next: Option<QueueCursor>,
}

/// An athlete's signals now, with the data version they were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentSignals {
    /// Every signal, most severe first.
    pub signals: Vec<AttentionSignal>,
    /// The status data version.
    pub data_version: i64,
}

/// The queue's store.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AttentionRepo {
    /// One page of the organization's live athletes with open signals.
    fn attention_queue(&self, org_id: OrgId, query: &QueueQuery) -> Result<QueuePage, RepoError>;
    /// The live athlete's current signals (computed if the stored ones are
    /// not current); `None` if `user_id` is no live athlete of `org_id`.
    fn current_signals(
        &self,
        org_id: OrgId,
        user_id: UserId,
        thresholds: &AttentionThresholds,
        now: DateTime<Utc>,
    ) -> Result<Option<CurrentSignals>, RepoError>;
    /// Stores `ack` (replacing an earlier one of the same signal), makes the
    /// athlete's stored status stale so the queue reads it anew, and writes
    /// `event`, in one transaction.
    fn acknowledge(
        &self,
        org_id: OrgId,
        user_id: UserId,
        ack: &Acknowledgement,
        event: &AuditEvent,
    ) -> Result<(), RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signal(code: SignalCode, severity: Severity) -> AttentionSignal {
        AttentionSignal { code, severity, message: String::new(), data: json!({}) }
    }

    fn ack(code: SignalCode, severity: Severity, version: i64) -> Acknowledgement {
        Acknowledgement {
            code,
            severity,
            data_version: version,
            note: None,
            by: UserId::new(),
            by_key: None,
            at: Utc::now(),
        }
    }

    #[test]
    fn an_acknowledgement_hides_its_signal_until_the_data_changes_or_it_grows_worse() {
        let warning = signal(SignalCode::LowCompliance, Severity::Warning);
        let a = ack(SignalCode::LowCompliance, Severity::Warning, 7);
        assert!(a.hides(&warning, 7));
        assert!(!a.hides(&warning, 8), "the data changed");
        assert!(!a.hides(&signal(SignalCode::LowCompliance, Severity::Urgent), 7), "more severe");
        assert!(a.hides(&signal(SignalCode::LowCompliance, Severity::Info), 7));
        assert!(!a.hides(&signal(SignalCode::MissedWorkouts, Severity::Warning), 7), "another signal");
    }

    #[test]
    fn open_signals_leave_out_the_hidden_ones_in_order() {
        let signals = vec![
            signal(SignalCode::NoRecentActivity, Severity::Urgent),
            signal(SignalCode::LowCompliance, Severity::Warning),
            signal(SignalCode::MissingZones, Severity::Info),
        ];
        let acks = vec![ack(SignalCode::LowCompliance, Severity::Warning, 3)];
        let open: Vec<SignalCode> = open_signals(&signals, &acks, 3).map(|s| s.code).collect();
        assert_eq!(open, [SignalCode::NoRecentActivity, SignalCode::MissingZones]);
        assert_eq!(open_signals(&signals, &acks, 4).count(), 3);
    }
}
