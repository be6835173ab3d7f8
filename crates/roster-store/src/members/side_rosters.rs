//! Roster pages read from a side roster's own index instead of the roster
//! indexes: a group's rows (`org_group_members_roster`) for a `group_id`
//! page, a label's rows (`member_labels_roster`, `…_coach`) for a page
//! filtered by one label. Their rows carry their membership's sort name,
//! status, coach and role (triggers keep them; role `''` once the membership
//! ended, see the migrations `group_rosters` and `label_rosters`), so the
//! side roster's index entries alone count and order the page instead of one
//! probe or one label test per athlete of the roster.

use super::roster::{Selected, rows_of};
use super::roster_sql::{Backend, CountQuery, GroupAthlete, IdsQuery, LabelAthlete, NameAfter, Total};
use crate::conn::DbConn;
use crate::error::StoreError;
use crate::schema::{member_labels, org_group_members};
use diesel::prelude::*;
use roster_domain::member::{CoachFilter, Label, RosterCursor, RosterQuery, RosterSort};
use roster_domain::{GroupId, OrgId};

/// Where a page in name order reads its ids and total from.
pub(super) enum Side<'q> {
    /// A group's rows.
    Group(GroupId),
    /// One label's rows.
    Label(&'q Label),
}

/// The side roster a page reads from, when it does: a `group_id` page with
/// no filter but `status`, or a page filtered by one label, a status and a
/// coach at most; in name order. Any other filter goes through the roster
/// indexes.
pub(super) fn side(q: &RosterQuery) -> Option<Side<'_>> {
    if q.sort != RosterSort::Name || q.member_level.is_some() || q.q.is_some() || q.compliance_below.is_some() {
        return None;
    }
    match (q.group_id, q.labels.as_slice()) {
        (Some(group_id), []) if matches!(q.coach, CoachFilter::Any) => Some(Side::Group(group_id)),
        (None, [label]) if !matches!(q.coach, CoachFilter::Me) => Some(Side::Label(label)),
        _ => None,
    }
}

/// `SELECT COUNT(*)` of the side roster's matches.
pub(super) fn side_count(org_id: OrgId, side: &Side<'_>, q: &RosterQuery) -> Result<CountQuery, StoreError> {
    Ok(match side {
        Side::Group(group_id) => CountQuery::Group(group_rows(org_id, *group_id, q).count()),
        Side::Label(label) => CountQuery::Label(label_rows(org_id, label, q)?.count()),
    })
}

/// Up to `fetch` rows after the cursor in name order: the page's membership
/// ids from the side roster's index alone, then only those rows with their
/// accounts and stored statuses.
pub(super) fn side_page(
    conn: &mut DbConn,
    org_id: OrgId,
    side: &Side<'_>,
    q: &RosterQuery,
    fetch: i64,
    total: Total,
) -> Result<Vec<Selected>, StoreError> {
    let ids = match side {
        Side::Group(group_id) => {
            let mut ids = group_rows(org_id, *group_id, q);
            if let Some(after) = name_after("org_group_members", q)? {
                ids = ids.filter(after);
            }
            let ids = ids.order((org_group_members::sort_name.asc(), org_group_members::user_id.asc()));
            IdsQuery::Group(ids.select(org_group_members::membership_id).limit(fetch))
        }
        Side::Label(label) => {
            let mut ids = label_rows(org_id, label, q)?;
            if let Some(after) = name_after("member_labels", q)? {
                ids = ids.filter(after);
            }
            let ids = ids.order((member_labels::sort_name.asc(), member_labels::user_id.asc()));
            IdsQuery::Label(ids.select(member_labels::membership_id).limit(fetch))
        }
    };
    rows_of(conn, ids, q.sort, total)
}

/// The rows of `table` after the name cursor, if there is one.
fn name_after(table: &'static str, q: &RosterQuery) -> Result<Option<NameAfter>, StoreError> {
    Ok(match &q.after {
        Some(RosterCursor::Name { key, user_id }) => {
            Some(NameAfter { table, key: key.clone(), user_id: user_id.to_string() })
        }
        None => None,
        Some(_) => return Err(roster_domain::DomainError::NotFound("cursor").into()),
    })
}

/// Filters `$rows` by `$q`'s statuses on `$table`'s status column.
macro_rules! statuses {
    ($rows:expr, $table:ident, $q:expr) => {
        match $q.statuses.as_slice() {
            [] => $rows,
            [one] => $rows.filter($table::status.eq(one.as_str())),
            many => {
                let statuses: Vec<&'static str> = many.iter().map(|s| s.as_str()).collect();
                $rows.filter($table::status.eq_any(statuses))
            }
        }
    };
}

type GroupRows = org_group_members::BoxedQuery<'static, Backend>;
type LabelRows = member_labels::BoxedQuery<'static, Backend>;

/// The athletes of `group_id` in `org_id` with one of `q`'s statuses.
fn group_rows(org_id: OrgId, group_id: GroupId, q: &RosterQuery) -> GroupRows {
    let rows = org_group_members::table
        .into_boxed()
        .filter(org_group_members::group_id.eq(group_id.to_string()))
        .filter(org_group_members::org_id.eq(org_id.to_string()))
        .filter(GroupAthlete);
    statuses!(rows, org_group_members, q)
}

/// The athletes of `org_id` with `label`, one of `q`'s statuses and its coach.
fn label_rows(org_id: OrgId, label: &Label, q: &RosterQuery) -> Result<LabelRows, StoreError> {
    let rows = member_labels::table
        .into_boxed()
        .filter(member_labels::org_id.eq(org_id.to_string()))
        .filter(member_labels::label.eq(label.as_str().to_owned()))
        .filter(LabelAthlete);
    let rows = match q.coach {
        CoachFilter::Any => rows,
        CoachFilter::Unassigned => rows.filter(member_labels::assigned_to_coach_id.is_null()),
        CoachFilter::Coach(coach) => rows.filter(member_labels::assigned_to_coach_id.eq(coach.to_string())),
        CoachFilter::Me => return Err(StoreError::Corrupt("the `me` coach filter reached the store".into())),
    };
    Ok(statuses!(rows, member_labels, q))
}
