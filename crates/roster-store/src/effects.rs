//! What joining and leaving an organization does besides the membership row:
//! joining the invitation's (or the request's) group and starting its training
//! plan, and on leaving, ending group memberships and cancelling current and
//! upcoming plan assignments. Both run inside the caller's write transaction,
//! so the whole join or leave commits or nothing does.

#![allow(dead_code)] // called by the roster and invitation writes as they land

use crate::StoreError;
use crate::conn::DbConn;
use chrono::{DateTime, Utc};
use roster_domain::entities::JoinExtras;
use roster_domain::{OrgId, UserId};

/// How a refused extra is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinMode {
    /// A coach adding a member: a bad group or plan refuses the whole write
    /// (`StoreError::Refused` with the domain error).
    Strict,
    /// An athlete accepting an invitation: the membership is created even when
    /// the plan was archived or its start date passed since the invitation was
    /// made; the skipped extra is recorded in the audit trail instead.
    Lenient,
}

/// Applies `extras` for `user_id`, who just joined `org_id`, in the caller's
/// transaction. `actor` is who made it happen (for the audit trail).
pub(crate) fn apply_join_effects(
    _conn: &mut DbConn,
    _org_id: OrgId,
    _user_id: UserId,
    _extras: &JoinExtras,
    _mode: JoinMode,
    _actor: UserId,
    _now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Filled in by the plans-and-groups work (issue 5).
    Ok(())
}

/// Ends `user_id`'s group memberships and cancels their current and upcoming
/// plan assignments in `org_id`, in the caller's transaction.
pub(crate) fn end_member_effects(
    _conn: &mut DbConn,
    _org_id: OrgId,
    _user_id: UserId,
    _actor: UserId,
    _now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Filled in by the plans-and-groups work (issue 5).
    Ok(())
}
