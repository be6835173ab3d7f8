//! A roster page's rows: what a page statement selects (the membership with
//! its account, labels mirror, stored status and group ids, then the
//! total), the statement that reads the page's rows by their ids in sort
//! order, and the cursor that continues after the last row.

use super::super::roster_sql::{Backend, GroupIdsText, IdsQuery, MembershipIn, Total};
use super::super::status_cache::StoredStatus;
use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::fixed_sql::fixed;
use crate::rows::MembershipRow;
use crate::schema::{member_statuses, memberships, users};
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;
use roster_domain::attention::from_attention_order;
use roster_domain::member::{RosterCursor, RosterSort};

/// The cursor that continues after `last` in `sort` order.
pub(super) fn next_cursor(sort: RosterSort, last: &PageRow) -> Result<RosterCursor, StoreError> {
    let user_id = || parse("memberships.user_id", last.row.user_id.parse());
    let membership_id = || parse("memberships.membership_id", last.row.membership_id.parse());
    Ok(match sort {
        RosterSort::Name => RosterCursor::Name { key: last.sort_name.clone(), user_id: user_id()? },
        RosterSort::Attention => {
            let (rank, count) = from_attention_order(last.order.unwrap_or_default());
            RosterCursor::Attention { rank, count, key: last.sort_name.clone(), user_id: user_id()? }
        }
        RosterSort::LastActivity | RosterSort::LastActivityDesc => RosterCursor::LastActivity {
            at: last.last_activity_at.map(crate::rows::from_db),
            membership_id: membership_id()?,
        },
        RosterSort::Compliance => {
            RosterCursor::Compliance { order: last.order.unwrap_or_default(), membership_id: membership_id()? }
        }
        RosterSort::JoinedAt | RosterSort::JoinedAtDesc => RosterCursor::JoinedAt {
            joined_at: crate::rows::from_db(last.row.joined_at),
            membership_id: membership_id()?,
        },
    })
}

/// An account's first name, last name and e-mail.
type Account = (String, Option<String>, String);

/// A page row: the membership with its sort name, labels mirror, account
/// and stored status, its last activity, and (sorting by attention or
/// compliance) the stored order key.
pub(super) struct PageRow {
    pub(super) row: MembershipRow,
    pub(super) sort_name: String,
    pub(super) labels_text: String,
    pub(super) account: Account,
    pub(super) stored: Option<StoredStatus>,
    pub(super) group_ids: Option<String>,
    pub(super) order: Option<i32>,
    pub(super) last_activity_at: Option<NaiveDateTime>,
}

/// What a page query selects: a page row's columns in `PageRow`'s order,
/// then the total.
pub(in crate::members) type Selected = (
    (MembershipRow, String, String, Account, Option<StoredStatus>, Option<String>, Option<i32>, Option<NaiveDateTime>),
    i64,
);

/// A page query's rows as page rows, and the total they carry (`None` on an
/// empty page).
pub(super) fn page_rows(selected: Vec<Selected>) -> (Vec<PageRow>, Option<i64>) {
    let total = selected.first().map(|r| r.1);
    let rows = selected
        .into_iter()
        .map(|((row, sort_name, labels_text, account, stored, group_ids, order, last_activity_at), _)| PageRow {
            row,
            sort_name,
            labels_text,
            account,
            stored,
            group_ids,
            order,
            last_activity_at,
        })
        .collect();
    (rows, total)
}

/// Selects a page row and the total from a query over `memberships` joined
/// with `users` and `member_statuses` (inner or left), with `$order` (a
/// `member_statuses` order key) as the page row's `order`.
macro_rules! select_page {
    ($query:expr, $total:expr) => {
        select_page!($query, $total, member_statuses::attention_order)
    };
    ($query:expr, $total:expr, $order:expr) => {
        $query.select((
            fixed!((
                <MembershipRow as Selectable<Backend>>::construct_selection(),
                memberships::sort_name,
                memberships::labels_text,
                (users::first_name, users::last_name, users::email),
                <StoredStatus as Selectable<Backend>>::construct_selection().nullable(),
                GroupIdsText,
                $order.nullable(),
                memberships::last_activity_at,
            )),
            $total,
        ))
    };
}

/// The rows of the page's membership `ids` with their accounts and stored
/// statuses, in `sort` order, and the total.
pub(in crate::members) fn rows_of(
    conn: &mut DbConn,
    ids: IdsQuery,
    sort: RosterSort,
    total: Total,
) -> Result<Vec<Selected>, StoreError> {
    let page = memberships::table
        .inner_join(users::table)
        .left_join(member_statuses::table)
        .into_boxed()
        .filter(MembershipIn(ids));
    Ok(match sort {
        RosterSort::Attention => select_page!(
            page.order((
                member_statuses::attention_order.asc(),
                member_statuses::sort_name.asc(),
                member_statuses::user_id.asc(),
            )),
            total
        )
        .load(conn)?,
        RosterSort::Compliance => select_page!(
            page.order((member_statuses::compliance_order.asc(), member_statuses::membership_id.asc())),
            total,
            member_statuses::compliance_order
        )
        .load(conn)?,
        _ => select_page!(sort_order!(page, sort), total).load(conn)?,
    })
}
