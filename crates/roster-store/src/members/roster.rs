//! The roster list: live athletes of one organization, filtered (indexes
//! match the filters), keyset-paginated per sort, with the total of all
//! matches, and the page's profile status in a fixed number of queries.
//!
//! A page costs: one count, one page query (labels come with it), one query
//! for the page's accounts and, with `include_profile_status`, one for their
//! stored profile statuses. Stored
//! statuses that are not current are recomputed for the whole page at once
//! in a fixed number of queries ([`status_cache`]); `sort=attention` first
//! brings the stored statuses of every match up to date, then pages through
//! the attention index like any other sort.

use super::profile_status::StatusContext;
use super::status_cache;
use super::{into_view, labels_from_text};
use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::rows::{MembershipRow, to_db};
use crate::schema::{member_statuses, memberships, users};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Text, Timestamp};
use roster_domain::member::{CoachFilter, RosterCursor, RosterPage, RosterQuery, RosterSort};
use roster_domain::{OrgId, Role, UserId};
use std::collections::HashMap;

type Backend = <DbConn as diesel::Connection>::Backend;
type Filtered = memberships::BoxedQuery<'static, Backend>;
type WithStatuses =
    diesel::dsl::IntoBoxed<'static, diesel::dsl::InnerJoin<memberships::table, member_statuses::table>, Backend>;

/// Applies every filter of `$q` (not the cursor) for the live athletes of
/// `$org_id` to `$query`, a boxed query over `memberships`, alone or joined.
/// Returns from the enclosing function on a filter the store cannot answer.
macro_rules! roster_filters {
    ($query:expr, $org_id:expr, $q:expr) => {{
        let q: &RosterQuery = $q;
        let mut query = $query
            .filter(memberships::org_id.eq($org_id.to_string()))
            .filter(memberships::role.eq(Role::Athlete.as_str()))
            .filter(memberships::removed_at.is_null());
        if !q.statuses.is_empty() {
            let statuses: Vec<&'static str> = q.statuses.iter().map(|s| s.as_str()).collect();
            query = query.filter(memberships::status.eq_any(statuses));
        }
        for label in &q.labels {
            // `labels_text` mirrors member_labels as `,@a,@b,`; matching it keeps
            // the filter (and the total) inside the roster indexes.
            let pattern = like_pattern(&format!(",{},", label.as_str()));
            query = query.filter(memberships::labels_text.like(pattern).escape('\\'));
        }
        if let Some(level) = &q.member_level {
            query = query.filter(memberships::member_level.eq(level.as_str().to_owned()));
        }
        match q.coach {
            CoachFilter::Any => {}
            CoachFilter::Unassigned => query = query.filter(memberships::assigned_to_coach_id.is_null()),
            CoachFilter::Coach(coach) => query = query.filter(memberships::assigned_to_coach_id.eq(coach.to_string())),
            CoachFilter::Me => return Err(StoreError::Corrupt("the `me` coach filter reached the store".into())),
        }
        if let Some(group_id) = q.group_id {
            query = query.filter(crate::groups::member_in_group(group_id));
        }
        if let Some(text) = &q.q {
            query = query.filter(memberships::search_text.like(like_pattern(text)).escape('\\'));
        }
        query
    }};
}

/// Live athletes of `org_id` matching every filter of `q` (not the cursor).
fn filtered(org_id: OrgId, q: &RosterQuery) -> Result<Filtered, StoreError> {
    Ok(roster_filters!(memberships::table.into_boxed(), org_id, q))
}

/// The same, with each athlete's stored status (for the attention order).
fn with_statuses(org_id: OrgId, q: &RosterQuery) -> Result<WithStatuses, StoreError> {
    Ok(roster_filters!(memberships::table.inner_join(member_statuses::table).into_boxed(), org_id, q))
}

/// `%text%` with LIKE's wildcards escaped.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// One page of the roster, its total and the next cursor.
pub(super) fn roster(conn: &mut DbConn, org_id: OrgId, q: &RosterQuery) -> Result<RosterPage, StoreError> {
    let ctx =
        StatusContext { now: q.now.unwrap_or_else(chrono::Utc::now), thresholds: &q.attention, known_labels: None };
    if q.sort == RosterSort::Attention {
        // The order is the stored attention summaries': bring the matching
        // ones up to date first (one query when they all are).
        status_cache::refresh(conn, org_id, &ctx)?;
    }
    // `sort_name >= ''` is always true; it steers SQLite's planner to the
    // covering roster indexes instead of the foundation's narrower ones.
    let total: i64 = filtered(org_id, q)?.filter(memberships::sort_name.ge("")).count().get_result(conn)?;
    let limit = usize::try_from(q.limit.clamp(1, 200)).unwrap_or(50);
    let fetch = i64::try_from(limit).unwrap_or(50) + 1;
    let mut rows: Vec<PageRow> = match q.sort {
        RosterSort::Attention => attention_rows(conn, org_id, q, fetch)?,
        _ => sorted_rows(conn, org_id, q, fetch)?,
    };
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = match rows.last() {
        Some((row, key, _, order)) if more => Some(match q.sort {
            RosterSort::Name => {
                RosterCursor::Name { key: key.clone(), user_id: parse("memberships.user_id", row.user_id.parse())? }
            }
            RosterSort::Attention => {
                let (rank, count) = status_cache::rank_and_count(order.unwrap_or_default());
                let user_id = parse("memberships.user_id", row.user_id.parse())?;
                RosterCursor::Attention { rank, count, key: key.clone(), user_id }
            }
            RosterSort::JoinedAt | RosterSort::JoinedAtDesc => RosterCursor::JoinedAt {
                joined_at: crate::rows::from_db(row.joined_at),
                membership_id: parse("memberships.membership_id", row.membership_id.parse())?,
            },
        }),
        _ => None,
    };

    let user_ids: Vec<String> = rows.iter().map(|(r, ..)| r.user_id.clone()).collect();
    let accounts: HashMap<String, (String, Option<String>, String)> = users::table
        .filter(users::user_id.eq_any(&user_ids))
        .select((users::user_id, users::first_name, users::last_name, users::email))
        .load::<(String, String, Option<String>, String)>(conn)?
        .into_iter()
        .map(|(id, first, last, email)| (id, (first, last, email)))
        .collect();
    let mut members = Vec::with_capacity(rows.len());
    let mut status_keys = Vec::with_capacity(rows.len());
    let mut labels: HashMap<UserId, Vec<String>> = HashMap::with_capacity(rows.len());
    for (row, _, labels_text, _) in rows {
        status_keys.push((row.user_id.clone(), row.membership_id.clone()));
        let (first, last, email) = accounts
            .get(&row.user_id)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt("membership without account".into()))?;
        let view = into_view(row, first, last, email, labels_from_text(&labels_text)?)?;
        // Attention's `injury_watch` reuses the labels the page just read.
        let as_text = view.membership.labels.as_slice().iter().map(|l| l.as_str().to_owned()).collect();
        labels.insert(view.membership.user_id, as_text);
        members.push(view);
    }
    let profile_status = if q.include_profile_status {
        let ctx = StatusContext { known_labels: Some(&labels), ..ctx };
        let stored = status_cache::load(conn, status_keys)?;
        let resolved = status_cache::resolve(conn, org_id, &stored, &ctx)?;
        Some(resolved.into_iter().map(|(user, (status, _))| (user, status)).collect())
    } else {
        None
    };
    Ok(RosterPage { members, next, total, profile_status })
}

/// A page row: the membership, its sort name, labels mirror and (sorting by
/// attention) its stored attention order.
type PageRow = (MembershipRow, String, String, Option<i32>);

/// Up to `fetch` rows after the cursor in name or join order.
fn sorted_rows(conn: &mut DbConn, org_id: OrgId, q: &RosterQuery, fetch: i64) -> Result<Vec<PageRow>, StoreError> {
    let mut page = filtered(org_id, q)?;
    page = match (&q.sort, &q.after) {
        (RosterSort::Name, Some(RosterCursor::Name { key, user_id })) => page.filter(
            sql::<Bool>("(memberships.sort_name, memberships.user_id) > (")
                .bind::<Text, _>(key.clone())
                .sql(", ")
                .bind::<Text, _>(user_id.to_string())
                .sql(")"),
        ),
        (RosterSort::JoinedAt, Some(RosterCursor::JoinedAt { joined_at, membership_id })) => page.filter(
            sql::<Bool>("(memberships.joined_at, memberships.membership_id) > (")
                .bind::<Timestamp, _>(to_db(*joined_at))
                .sql(", ")
                .bind::<Text, _>(membership_id.to_string())
                .sql(")"),
        ),
        (RosterSort::JoinedAtDesc, Some(RosterCursor::JoinedAt { joined_at, membership_id })) => page.filter(
            sql::<Bool>("(memberships.joined_at, memberships.membership_id) < (")
                .bind::<Timestamp, _>(to_db(*joined_at))
                .sql(", ")
                .bind::<Text, _>(membership_id.to_string())
                .sql(")"),
        ),
        (_, None) => page,
        (_, Some(_)) => return Err(roster_domain::DomainError::NotFound("cursor").into()),
    };
    page = match q.sort {
        RosterSort::JoinedAt => page.order((memberships::joined_at.asc(), memberships::membership_id.asc())),
        RosterSort::JoinedAtDesc => page.order((memberships::joined_at.desc(), memberships::membership_id.desc())),
        RosterSort::Name | RosterSort::Attention => {
            page.order((memberships::sort_name.asc(), memberships::user_id.asc()))
        }
    };
    let rows: Vec<(MembershipRow, String, String)> = page
        .select((MembershipRow::as_select(), memberships::sort_name, memberships::labels_text))
        .limit(fetch)
        .load(conn)?;
    Ok(rows.into_iter().map(|(row, key, labels)| (row, key, labels, None)).collect())
}

/// Up to `fetch` rows after the cursor in attention order (the stored
/// statuses', brought up to date first): the filtered set joined with its
/// statuses and sorted, work in proportion to the matches (no single index
/// holds both the roster's filters and the attention order).
fn attention_rows(conn: &mut DbConn, org_id: OrgId, q: &RosterQuery, fetch: i64) -> Result<Vec<PageRow>, StoreError> {
    let mut page = with_statuses(org_id, q)?;
    page = match &q.after {
        Some(RosterCursor::Attention { rank, count, key, user_id }) => page.filter(
            sql::<Bool>("(member_statuses.attention_order, memberships.sort_name, memberships.user_id) > (")
                .bind::<Integer, _>(status_cache::attention_order(*rank, *count))
                .sql(", ")
                .bind::<Text, _>(key.clone())
                .sql(", ")
                .bind::<Text, _>(user_id.to_string())
                .sql(")"),
        ),
        None => page,
        Some(_) => return Err(roster_domain::DomainError::NotFound("cursor").into()),
    };
    let rows: Vec<(MembershipRow, String, String, i32)> = page
        .order((member_statuses::attention_order.asc(), memberships::sort_name.asc(), memberships::user_id.asc()))
        .select((
            MembershipRow::as_select(),
            memberships::sort_name,
            memberships::labels_text,
            member_statuses::attention_order,
        ))
        .limit(fetch)
        .load(conn)?;
    Ok(rows.into_iter().map(|(row, key, labels, order)| (row, key, labels, Some(order))).collect())
}

#[cfg(test)]
mod tests {
    use super::like_pattern;
    use crate::members::{labels_from_text, labels_text};

    #[test]
    fn labels_read_back_from_their_mirror_in_order() {
        let labels = labels_from_text(&labels_text(["@marathon", "@injury-watch"])).unwrap();
        let names: Vec<&str> = labels.iter().map(|l| l.as_str()).collect();
        assert_eq!(names, ["@marathon", "@injury-watch"]);
        assert!(labels_from_text(&labels_text([])).unwrap().is_empty());
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
