//! The roster list: live athletes of one organization, filtered (indexes
//! match the filters), keyset-paginated per sort, with the total of all
//! matches, and the page's profile status in a fixed number of queries.
//!
//! A page is one statement: the page's membership ids (from a roster index
//! alone where one matches the filters), then those rows with their
//! accounts, labels mirror, group ids and stored profile statuses, and the
//! total (on PostgreSQL as a scalar subquery; SQLite counts first, faster on
//! its own). Stored statuses that are not current are
//! recomputed for the whole page at once in a fixed number of queries
//! ([`status_cache`]); `sort=attention` and `sort=compliance` walk
//! `member_statuses`' index of that order like any other sort, and their
//! statement also checks that the organization's stored statuses are
//! current (through indexes; they are, usually, as the background refresher
//! keeps them): if not, they are brought up to date and the page is read
//! again. A `group_id` page, or one filtered by one label, in name
//! order reads a side roster's own index instead
//! ([`side_rosters`](super::side_rosters)). Every statement's SQL
//! depends only on which filters are present, never on their values, so
//! both backends keep it prepared (see
//! [`roster_sql`](super::roster_sql)): PostgreSQL's generic plans use the
//! same indexes as plans for the values, the trigram index for `q` included
//! (it holds the organization).

use super::profile_status::StatusContext;
use super::roster_sql::{
    AnyNotCurrent, AttentionAfter, Backend, ComplianceAfter, ComplianceBelow, CountQuery, IdsQuery, JoinedAfter,
    KeptAthleteCount, LastActivityAfter, LiveAthlete, MembershipMatches, NameAfter, NotCurrentIn, OfStatusRow, STALE,
    StatusAthlete, Total, instr,
};
use super::side_rosters::{side, side_count, side_page};
use super::status_cache::{self, Seen, StatusRow};
use super::{into_view, labels_from_text};
use crate::conn::DbConn;
use crate::dialect::PageTotal;
use crate::error::{StoreError, parse};
use crate::rows::to_db;
use crate::schema::{member_statuses, memberships, org_athlete_counts};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;
use roster_domain::attention::attention_order;
use roster_domain::member::{CoachFilter, RosterCursor, RosterPage, RosterQuery, RosterSort};
use roster_domain::{GroupId, OrgId, UserId};
use std::collections::HashMap;

type Filtered = memberships::BoxedQuery<'static, Backend>;

/// Applies every filter of `$q` (not the cursor) for the live athletes of
/// `$org_id` to `$query`, a boxed query over `memberships`, alone or joined.
/// Returns from the enclosing function on a filter the store cannot answer.
macro_rules! roster_filters {
    ($query:expr, $org_id:expr, $q:expr) => {{
        let q: &RosterQuery = $q;
        let mut query = $query.filter(memberships::org_id.eq($org_id.to_string())).filter(LiveAthlete);
        match q.statuses.as_slice() {
            [] => {}
            // One status (the usual case) is an equality the indexes order by.
            [one] => query = query.filter(memberships::status.eq(one.as_str())),
            many => {
                let statuses: Vec<&'static str> = many.iter().map(|s| s.as_str()).collect();
                query = query.filter(memberships::status.eq_any(statuses));
            }
        }
        for label in &q.labels {
            // `labels_text` mirrors member_labels as `,@a,@b,`; matching it keeps
            // the filter (and the total) inside the roster indexes.
            let whole = format!(",{},", label.as_str());
            query = query.filter(instr(memberships::labels_text, whole).gt(0));
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
        if let Some(below) = q.compliance_below {
            query = query.filter(ComplianceBelow(i32::try_from(below).unwrap_or(i32::MAX)));
        }
        query
    }};
}

/// Orders `$query`, a boxed query over `memberships` (joined or not), by
/// `$sort`'s key (pages in a stored status order are ordered by `rows_of`).
macro_rules! sort_order {
    ($query:expr, $sort:expr) => {
        match $sort {
            RosterSort::JoinedAt => $query.order((memberships::joined_at.asc(), memberships::membership_id.asc())),
            RosterSort::JoinedAtDesc => {
                $query.order((memberships::joined_at.desc(), memberships::membership_id.desc()))
            }
            // Pages in a stored status order come in that order from `rows_of`.
            RosterSort::Name | RosterSort::Attention | RosterSort::Compliance => {
                $query.order((memberships::sort_name.asc(), memberships::user_id.asc()))
            }
            // Never any activity counts as longest ago; both orders walk
            // `memberships_roster_last_activity` (forwards, backwards).
            RosterSort::LastActivity => {
                $query.order(sql::<Text>("memberships.last_activity_at ASC NULLS FIRST, memberships.membership_id ASC"))
            }
            RosterSort::LastActivityDesc => $query
                .order(sql::<Text>("memberships.last_activity_at DESC NULLS LAST, memberships.membership_id DESC")),
        }
    };
}

mod page_rows;

use page_rows::{PageRow, next_cursor, page_rows};
pub(super) use page_rows::{Selected, rows_of};

/// Live athletes of `org_id` matching every filter of `q` (not the cursor).
fn filtered(org_id: OrgId, q: &RosterQuery) -> Result<Filtered, StoreError> {
    Ok(roster_filters!(memberships::table.into_boxed(), org_id, q))
}

/// `SELECT COUNT(*)` of every match of `q` (not the cursor).
fn count_query(conn: &DbConn, org_id: OrgId, q: &RosterQuery) -> Result<CountQuery, StoreError> {
    if let Some(side) = side(q) {
        return side_count(org_id, &side, q);
    }
    if matches_every_athlete(q) {
        // The sum of at most one row: an organization without athletes has none.
        let count = org_athlete_counts::table
            .filter(org_athlete_counts::org_id.eq(org_id.to_string()))
            .select(KeptAthleteCount)
            .into_boxed();
        return Ok(CountQuery::Athletes(count));
    }
    let mut count = filtered(org_id, q)?;
    if PageTotal::of(conn) == PageTotal::CountedFirst {
        count = count.filter(memberships::sort_name.ge(""));
    }
    Ok(CountQuery::Roster(count.count()))
}

/// Whether `q` has no filter, so its total is the organization's kept count.
fn matches_every_athlete(q: &RosterQuery) -> bool {
    let RosterQuery { statuses, labels, member_level, coach, group_id, q: text, compliance_below, .. } = q;
    statuses.is_empty()
        && labels.is_empty()
        && member_level.is_none()
        && *coach == CoachFilter::Any
        && group_id.is_none()
        && text.is_none()
        && compliance_below.is_none()
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
    let limit = usize::try_from(q.limit.clamp(1, 200)).unwrap_or(50);
    let fetch = i64::try_from(limit).unwrap_or(50) + 1;
    // The order or the filter is the stored statuses': read once they are current.
    let by_status = matches!(q.sort, RosterSort::Attention | RosterSort::Compliance) || q.compliance_below.is_some();
    let (mut rows, total) = if by_status {
        status_cache::read_current(conn, org_id, &ctx, |conn, check| {
            let check = check.then(|| status_cache::not_current(org_id, &ctx));
            let (rows, total) = page(conn, org_id, q, fetch, check)?;
            let seen = match total {
                Some(STALE) => Seen::Stale,
                _ if rows.is_empty() => Seen::Unknown,
                _ => Seen::Current,
            };
            Ok(((rows, total), seen))
        })?
    } else {
        page(conn, org_id, q, fetch, None)?
    };
    let total = match total {
        Some(total) => total,
        // An empty first page has no matches; past the last page, count them.
        None if q.after.is_none() => 0,
        None => count_query(conn, org_id, q)?.get_result(conn)?,
    };
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = match rows.last() {
        Some(last) if more => Some(next_cursor(q.sort, last)?),
        _ => None,
    };

    let mut members = Vec::with_capacity(rows.len());
    let mut status_rows = Vec::with_capacity(rows.len());
    let mut labels: HashMap<UserId, Vec<String>> = HashMap::with_capacity(rows.len());
    let mut group_ids: HashMap<UserId, Vec<GroupId>> = HashMap::with_capacity(rows.len());
    for PageRow {
        row, labels_text, account: (first, last, email), stored, group_ids: groups, last_activity_at, ..
    } in rows
    {
        status_rows.push(StatusRow { user_id: row.user_id.clone(), membership_id: row.membership_id.clone(), stored });
        let view = into_view(row, (first, last, email), labels_from_text(&labels_text)?, last_activity_at)?;
        let groups = groups.as_deref().unwrap_or_default().split(',').filter(|g| !g.is_empty());
        let groups = groups.map(|g| parse("org_group_members.group_id", g.parse())).collect::<Result<_, _>>()?;
        group_ids.insert(view.membership.user_id, groups);
        // Attention's `injury_watch` reuses the labels the page just read.
        let as_text = view.membership.labels.as_slice().iter().map(|l| l.as_str().to_owned()).collect();
        labels.insert(view.membership.user_id, as_text);
        members.push(view);
    }
    let profile_status = if q.include_profile_status {
        let ctx = StatusContext { known_labels: Some(&labels), ..ctx };
        Some(status_cache::resolve(conn, org_id, status_rows, &ctx)?)
    } else {
        None
    };
    Ok(RosterPage { members, next, total, profile_status, group_ids })
}

/// Up to `fetch` rows after the cursor in the query's order, and the total
/// (`None` when the page is empty and nothing counted it first; [`STALE`]
/// when `check` finds a stored status that is not current).
fn page(
    conn: &mut DbConn,
    org_id: OrgId,
    q: &RosterQuery,
    fetch: i64,
    check: Option<NotCurrentIn>,
) -> Result<(Vec<PageRow>, Option<i64>), StoreError> {
    let total = match PageTotal::of(conn) {
        PageTotal::CountedFirst => Total::Counted(count_query(conn, org_id, q)?.get_result(conn)?),
        PageTotal::Subquery => Total::Subquery(count_query(conn, org_id, q)?),
    };
    let counted = total.counted();
    let total = match check {
        Some(check) => Total::UnlessStale(AnyNotCurrent(check), Box::new(total)),
        None => total,
    };
    let selected = match q.sort {
        RosterSort::Attention | RosterSort::Compliance => status_order_rows(conn, org_id, q, fetch, total)?,
        _ => sorted_rows(conn, org_id, q, fetch, total)?,
    };
    let (rows, total) = page_rows(selected);
    Ok((rows, total.or(counted)))
}

/// Up to `fetch` rows after the cursor in name or join order: first the
/// page's membership ids (from a roster index alone where one matches the
/// filters), then only those rows with their accounts and stored statuses,
/// so the joins never run for matches outside the page.
fn sorted_rows(
    conn: &mut DbConn,
    org_id: OrgId,
    q: &RosterQuery,
    fetch: i64,
    total: Total,
) -> Result<Vec<Selected>, StoreError> {
    if let Some(side) = side(q) {
        return side_page(conn, org_id, &side, q, fetch, total);
    }
    let mut ids = filtered(org_id, q)?;
    ids = match (&q.sort, &q.after) {
        (RosterSort::Name, Some(RosterCursor::Name { key, user_id })) => {
            ids.filter(NameAfter { table: "memberships", key: key.clone(), user_id: user_id.to_string() })
        }
        (
            RosterSort::JoinedAt | RosterSort::JoinedAtDesc,
            Some(RosterCursor::JoinedAt { joined_at, membership_id }),
        ) => ids.filter(JoinedAfter {
            at: to_db(*joined_at),
            membership_id: membership_id.to_string(),
            descending: q.sort == RosterSort::JoinedAtDesc,
        }),
        (
            RosterSort::LastActivity | RosterSort::LastActivityDesc,
            Some(RosterCursor::LastActivity { at, membership_id }),
        ) => ids.filter(LastActivityAfter {
            at: at.map(to_db),
            membership_id: membership_id.to_string(),
            descending: q.sort == RosterSort::LastActivityDesc,
        }),
        (_, None) => ids,
        (_, Some(_)) => return Err(roster_domain::DomainError::NotFound("cursor").into()),
    };
    let ids = sort_order!(ids, q.sort).select(memberships::membership_id).limit(fetch);
    rows_of(conn, IdsQuery::Roster(ids), q.sort, total)
}

/// Up to `fetch` rows after the cursor in attention or compliance order
/// (the stored statuses', brought up to date first): the page's membership
/// ids from a walk of `member_statuses_attention` or
/// `member_statuses_compliance`, each status row's membership checked
/// against the filters (if any) by primary key ([`MembershipMatches`]) so
/// that the walk stops after the page, then those rows.
fn status_order_rows(
    conn: &mut DbConn,
    org_id: OrgId,
    q: &RosterQuery,
    fetch: i64,
    total: Total,
) -> Result<Vec<Selected>, StoreError> {
    // The subquery's LIMIT and OFFSET keep PostgreSQL from turning the
    // EXISTS into a join: as a join, its generic plan (prepared statements
    // reuse it) hashed every membership of the organization and sorted
    // them all; as a test per row, every plan walks the index (figures in
    // docs/performance.md).
    let mut ids = member_statuses::table
        .into_boxed()
        .filter(member_statuses::org_id.eq(org_id.to_string()))
        .filter(StatusAthlete);
    // Without a filter, the status row's own mirror of the role (`''` once
    // the membership ended) already says it is a live athlete: the walk
    // then reads the index alone, without a membership per row.
    if !matches_every_athlete(q) {
        let matching = roster_filters!(memberships::table.into_boxed().filter(OfStatusRow), org_id, q)
            .select(memberships::membership_id)
            .limit(1)
            .offset(0);
        ids = ids.filter(MembershipMatches(matching));
    }
    let ids = match (q.sort, &q.after) {
        (RosterSort::Attention, Some(RosterCursor::Attention { rank, count, key, user_id })) => {
            ids.filter(AttentionAfter {
                order: attention_order(*rank, *count),
                key: key.clone(),
                user_id: user_id.to_string(),
            })
        }
        (RosterSort::Compliance, Some(RosterCursor::Compliance { order, membership_id })) => {
            ids.filter(ComplianceAfter { order: *order, membership_id: membership_id.to_string() })
        }
        (_, None) => ids,
        (_, Some(_)) => return Err(roster_domain::DomainError::NotFound("cursor").into()),
    };
    let ids = match q.sort {
        RosterSort::Compliance => {
            ids.order((member_statuses::compliance_order.asc(), member_statuses::membership_id.asc()))
        }
        _ => ids.order((
            member_statuses::attention_order.asc(),
            member_statuses::sort_name.asc(),
            member_statuses::user_id.asc(),
        )),
    };
    let ids = ids.select(member_statuses::membership_id).limit(fetch);
    rows_of(conn, IdsQuery::Status(ids), q.sort, total)
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
