//! A `group_id` roster page read from the group's own roster index
//! (`org_group_members_roster`): group rows carry their member's live
//! membership, sort name, status and role (triggers keep them, see the
//! migration `group_rosters`), so the group's index entries alone count and
//! order the page instead of one roster probe per member.

use super::roster::{Selected, rows_of};
use super::roster_sql::{Backend, GroupAthlete, IdsQuery, Total};
use crate::conn::DbConn;
use crate::error::StoreError;
use crate::schema::org_group_members;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use roster_domain::member::{CoachFilter, RosterCursor, RosterQuery, RosterSort};
use roster_domain::{GroupId, OrgId};

type GroupRows = org_group_members::BoxedQuery<'static, Backend>;

/// The group a page reads from the group's own roster index
/// (`org_group_members_roster`), when it does: a `group_id` page in name
/// order with no filter but `status`. Group rows carry their member's live
/// membership, sort name, status and role (triggers keep them; role `''`
/// once the membership ended, see the migration `group_rosters`), so the
/// group's index entries alone count and order the page; any other filter
/// goes through the roster indexes.
pub(super) fn group_first(q: &RosterQuery) -> Option<GroupId> {
    let only_status = q.labels.is_empty()
        && q.member_level.is_none()
        && matches!(q.coach, CoachFilter::Any)
        && q.q.is_none()
        && q.sort == RosterSort::Name;
    q.group_id.filter(|_| only_status)
}

/// The rows of `group_id` in `org_id` with one of `q`'s statuses.
pub(super) fn group_rows(org_id: OrgId, group_id: GroupId, q: &RosterQuery) -> GroupRows {
    let mut rows = org_group_members::table
        .into_boxed()
        .filter(org_group_members::group_id.eq(group_id.to_string()))
        .filter(org_group_members::org_id.eq(org_id.to_string()))
        .filter(GroupAthlete);
    match q.statuses.as_slice() {
        [] => {}
        [one] => rows = rows.filter(org_group_members::status.eq(one.as_str())),
        many => {
            let statuses: Vec<&'static str> = many.iter().map(|s| s.as_str()).collect();
            rows = rows.filter(org_group_members::status.eq_any(statuses));
        }
    }
    rows
}

/// Up to `fetch` rows of a group after the cursor in name order: the page's
/// membership ids from the group's own roster index alone, then only those
/// rows with their accounts and stored statuses.
pub(super) fn group_page(
    conn: &mut DbConn,
    org_id: OrgId,
    group_id: GroupId,
    q: &RosterQuery,
    fetch: i64,
    total: Total,
) -> Result<Vec<Selected>, StoreError> {
    let mut ids = group_rows(org_id, group_id, q);
    ids = match &q.after {
        Some(RosterCursor::Name { key, user_id }) => ids.filter(
            sql::<Bool>("(org_group_members.sort_name, org_group_members.user_id) > (")
                .bind::<Text, _>(key.clone())
                .sql(", ")
                .bind::<Text, _>(user_id.to_string())
                .sql(")"),
        ),
        None => ids,
        Some(_) => return Err(roster_domain::DomainError::NotFound("cursor").into()),
    };
    let ids = ids
        .order((org_group_members::sort_name.asc(), org_group_members::user_id.asc()))
        .select(org_group_members::membership_id)
        .limit(fetch);
    rows_of(conn, IdsQuery::Group(ids), q.sort, total)
}
