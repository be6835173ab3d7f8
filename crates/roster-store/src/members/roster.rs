//! The roster list: live athletes of one organization, filtered (indexes
//! match the filters), keyset-paginated per sort, with the total of all
//! matches, and the page's profile status in a fixed number of queries.
//!
//! A page costs: one count, one page query, one query for the page's
//! accounts, one for their labels, and with `include_profile_status` one per
//! part of the profile status (each taking the page's user ids).

use super::{into_view, labels_of};
use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::rows::{MembershipRow, to_db};
use crate::schema::{memberships, users};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamp};
use roster_domain::member::{CoachFilter, ProfileStatus, RosterCursor, RosterPage, RosterQuery, RosterSort};
use roster_domain::{OrgId, Role, UserId};
use std::collections::HashMap;

type Backend = <DbConn as diesel::Connection>::Backend;
type Filtered = memberships::BoxedQuery<'static, Backend>;

/// Live athletes of `org_id` matching every filter of `q` (not the cursor).
pub(super) fn filtered(org_id: OrgId, q: &RosterQuery) -> Result<Filtered, StoreError> {
    let mut query = memberships::table
        .filter(memberships::org_id.eq(org_id.to_string()))
        .filter(memberships::role.eq(Role::Athlete.as_str()))
        .filter(memberships::removed_at.is_null())
        .into_boxed();
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
    Ok(query)
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
    // `sort_name >= ''` is always true; it steers SQLite's planner to the
    // covering roster indexes instead of the foundation's narrower ones.
    let total: i64 = filtered(org_id, q)?.filter(memberships::sort_name.ge("")).count().get_result(conn)?;
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
        RosterSort::Name | RosterSort::Attention => {
            page.order((memberships::sort_name.asc(), memberships::user_id.asc()))
        }
        RosterSort::JoinedAt => page.order((memberships::joined_at.asc(), memberships::membership_id.asc())),
        RosterSort::JoinedAtDesc => page.order((memberships::joined_at.desc(), memberships::membership_id.desc())),
    };
    let limit = usize::try_from(q.limit.clamp(1, 200)).unwrap_or(50);
    let mut rows: Vec<(MembershipRow, String)> = page
        .select((MembershipRow::as_select(), memberships::sort_name))
        .limit(i64::try_from(limit).unwrap_or(50) + 1)
        .load(conn)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = match rows.last() {
        Some((row, key)) if more => Some(match q.sort {
            RosterSort::Name | RosterSort::Attention => {
                RosterCursor::Name { key: key.clone(), user_id: parse("memberships.user_id", row.user_id.parse())? }
            }
            RosterSort::JoinedAt | RosterSort::JoinedAtDesc => RosterCursor::JoinedAt {
                joined_at: crate::rows::from_db(row.joined_at),
                membership_id: parse("memberships.membership_id", row.membership_id.parse())?,
            },
        }),
        _ => None,
    };

    let user_ids: Vec<String> = rows.iter().map(|(r, _)| r.user_id.clone()).collect();
    let membership_ids: Vec<String> = rows.iter().map(|(r, _)| r.membership_id.clone()).collect();
    let accounts: HashMap<String, (String, Option<String>, String)> = users::table
        .filter(users::user_id.eq_any(&user_ids))
        .select((users::user_id, users::first_name, users::last_name, users::email))
        .load::<(String, String, Option<String>, String)>(conn)?
        .into_iter()
        .map(|(id, first, last, email)| (id, (first, last, email)))
        .collect();
    let mut labels = labels_of(conn, &membership_ids)?;
    let mut members = Vec::with_capacity(rows.len());
    for (row, _) in rows {
        let (first, last, email) = accounts
            .get(&row.user_id)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt("membership without account".into()))?;
        let row_labels = labels.remove(&row.membership_id).unwrap_or_default();
        members.push(into_view(row, first, last, email, row_labels)?);
    }
    let profile_status = if q.include_profile_status {
        // The page's labels were just read; attention's `injury_watch` reuses them.
        let labels: HashMap<UserId, Vec<String>> = members
            .iter()
            .map(|m| {
                let labels = m.membership.labels.as_slice().iter().map(|l| l.as_str().to_owned()).collect();
                (m.membership.user_id, labels)
            })
            .collect();
        let ids: Vec<UserId> = members.iter().map(|m| m.membership.user_id).collect();
        Some(profile_statuses(conn, org_id, &ids, &labels, q)?)
    } else {
        None
    };
    Ok(RosterPage { members, next, total, profile_status })
}

/// The profile status of each of `user_ids` (a page of the roster), in a
/// fixed number of queries: one per part, each over the whole page (see
/// [`super::profile_status::statuses`]), evaluated at `q.now` with `q.attention`.
pub(crate) fn profile_statuses(
    conn: &mut DbConn,
    org_id: OrgId,
    user_ids: &[UserId],
    labels: &HashMap<UserId, Vec<String>>,
    q: &RosterQuery,
) -> Result<HashMap<UserId, ProfileStatus>, StoreError> {
    let ctx = super::profile_status::StatusContext {
        now: q.now.unwrap_or_else(chrono::Utc::now),
        thresholds: &q.attention,
        known_labels: Some(labels),
    };
    Ok(super::profile_status::statuses(conn, org_id, user_ids, &ctx)?.into_iter().map(|(id, (s, _))| (id, s)).collect())
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
