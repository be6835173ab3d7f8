//! `sort=attention`: most severe signal first, then most signals, then name,
//! then user id.
//!
//! Attention is computed from live data (activities, plans, integrations, the
//! clock), not stored, so no index can order by it. The whole filtered set is
//! therefore read as `(user_id, membership_id, sort_name)` (one query), its
//! attention summaries computed in the fixed number of batch queries of
//! [`statuses`] (chunked by [`CHUNK`](super::profile_status::CHUNK) ids), ordered in memory, and the page cut
//! after the cursor. Then the page's memberships, accounts and labels are
//! read (three queries). Cost: about ten queries per page whatever the page
//! size, but work and memory proportional to the filtered set (10 000
//! athletes: a few MB and tens of milliseconds): fine at club scale, not for
//! hundreds of thousands of athletes in one organization.
//!
//! The cursor carries the last member's `(rank, count, sort_name, user_id)`;
//! the next page starts after that key in the order computed on that request.
//! When an athlete's attention changes between two requests they can move
//! across the cursor (seen twice or not at all): the order is a snapshot of
//! each request, as attention is of the clock.

use super::profile_status::{StatusContext, statuses};
use super::roster::filtered;
use super::{into_view, labels_of};
use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::rows::MembershipRow;
use crate::schema::{memberships, users};
use diesel::prelude::*;
use roster_domain::member::{RosterCursor, RosterPage, RosterQuery};
use roster_domain::{DomainError, OrgId, UserId};
use std::cmp::Reverse;
use std::collections::HashMap;

/// The order key: `(most severe first, most signals first, name, user id)`,
/// the order of [`roster_domain::attention::compare_for_attention`] with the
/// user id as the last tie-breaker.
type Key = (Reverse<u8>, Reverse<u32>, String, String);

/// One page of the roster in attention order.
pub(super) fn roster(conn: &mut DbConn, org_id: OrgId, q: &RosterQuery) -> Result<RosterPage, StoreError> {
    let all: Vec<(String, String, String)> = filtered(org_id, q)?
        .select((memberships::user_id, memberships::membership_id, memberships::sort_name))
        .load(conn)?;
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let ids: Vec<UserId> =
        all.iter().map(|(u, _, _)| parse("memberships.user_id", u.parse())).collect::<Result<_, _>>()?;
    let ctx =
        StatusContext { now: q.now.unwrap_or_else(chrono::Utc::now), thresholds: &q.attention, known_labels: None };
    let mut computed = statuses(conn, org_id, &ids, &ctx)?;
    let mut keyed: Vec<(Key, UserId, String)> = all
        .into_iter()
        .zip(&ids)
        .map(|((user, membership, name), id)| {
            let summary = computed.get(id).map(|(_, s)| *s).unwrap_or_default();
            ((Reverse(summary.rank()), Reverse(summary.count), name, user), *id, membership)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let start = match &q.after {
        None => 0,
        Some(RosterCursor::Attention { rank, count, key, user_id }) => {
            let after: Key = (Reverse(*rank), Reverse(*count), key.clone(), user_id.to_string());
            keyed.partition_point(|(k, _, _)| *k <= after)
        }
        Some(_) => return Err(DomainError::NotFound("cursor").into()),
    };
    let limit = usize::try_from(q.limit.clamp(1, 200)).unwrap_or(50);
    let end = keyed.len().min(start + limit);
    let page = &keyed[start..end];
    let next = match page.last() {
        Some(((rank, count, key, _), user_id, _)) if end < keyed.len() => {
            Some(RosterCursor::Attention { rank: rank.0, count: count.0, key: key.clone(), user_id: *user_id })
        }
        _ => None,
    };

    let membership_ids: Vec<String> = page.iter().map(|(_, _, m)| m.clone()).collect();
    let mut rows: HashMap<String, (MembershipRow, String, Option<String>, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::membership_id.eq_any(&membership_ids))
        .select((MembershipRow::as_select(), users::first_name, users::last_name, users::email))
        .load::<(MembershipRow, String, Option<String>, String)>(conn)?
        .into_iter()
        .map(|r| (r.0.membership_id.clone(), r))
        .collect();
    let mut labels = labels_of(conn, &membership_ids)?;
    let mut members = Vec::with_capacity(page.len());
    for id in &membership_ids {
        // Removed between the two reads: left out of this page.
        let Some((row, first, last, email)) = rows.remove(id) else { continue };
        let row_labels = labels.remove(id).unwrap_or_default();
        members.push(into_view(row, first, last, email, row_labels)?);
    }
    let profile_status = q
        .include_profile_status
        .then(|| page.iter().filter_map(|(_, id, _)| computed.remove(id).map(|(status, _)| (*id, status))).collect());
    Ok(RosterPage { members, next, total, profile_status })
}
