//! The SQL pieces of the roster queries that diesel's DSL does not spell
//! across a `MultiConnection`, each written so that the statement it is part
//! of stays in diesel's prepared-statement cache (no `sql()` literal).

use crate::conn::DbConn;
use crate::schema::{member_labels, member_statuses, memberships, org_athlete_counts, org_group_members};
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text};

pub(super) type Backend = <DbConn as diesel::Connection>::Backend;

/// The trait impls every expression here shares besides its SQL: its SQL
/// type, no static query id (the SQL text is the statement cache's key),
/// never an aggregate, usable on any query that names `memberships`.
macro_rules! expression {
    ($name:ty, $sql_type:ty) => {
        impl Expression for $name {
            type SqlType = $sql_type;
        }

        impl QueryId for $name {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl ValidGrouping<()> for $name {
            type IsAggregate = diesel::expression::is_aggregate::Never;
        }

        impl<QS> AppearsOnTable<QS> for $name {}
        impl<QS> SelectableExpression<QS> for $name {}
    };
}

mod cursors;

pub(super) use cursors::{AttentionAfter, ComplianceAfter, JoinedAfter, LastActivityAfter, NameAfter};

diesel::define_sql_function!(
    /// SQL `instr(haystack, needle)`: SQLite's own, PostgreSQL's from the
    /// migrations (`strpos`); 0 when `needle` is not in `haystack`.
    fn instr(haystack: Text, needle: Text) -> diesel::sql_types::Integer
);

/// `memberships.role = 'athlete' AND memberships.removed_at IS NULL`, the
/// predicate of the partial roster indexes, written as SQL text: a planner
/// matches a partial index only against literals (a bound `role` hides it
/// from PostgreSQL's generic plans, so every execution was planned anew),
/// and unlike an `sql()` fragment it keeps the statement in diesel's cache.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LiveAthlete;

expression!(LiveAthlete, Bool);

impl QueryFragment<Backend> for LiveAthlete {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("(memberships.role = 'athlete' AND memberships.removed_at IS NULL)");
        Ok(())
    }
}

/// `TABLE.role = 'athlete'` as SQL text, for the same reason as
/// [`LiveAthlete`]: the predicate of a side roster's partial indexes.
macro_rules! athlete_rows {
    ($name:ident, $sql:literal) => {
        #[doc = concat!("`", $sql, "`.")]
        #[derive(Debug, Clone, Copy)]
        pub(super) struct $name;

        expression!($name, Bool);

        impl QueryFragment<Backend> for $name {
            fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
                out.push_sql($sql);
                Ok(())
            }
        }
    };
}

athlete_rows!(LabelAthlete, "member_labels.role = 'athlete'");
athlete_rows!(StatusAthlete, "member_statuses.role = 'athlete'");

athlete_rows!(GroupAthlete, "org_group_members.role = 'athlete'");

/// `member_statuses.membership_id IN (…)` of the organization's stored
/// statuses that are not current at `now` with the settings named `key`
/// (see `status_cache`): those whose data changed since they were computed
/// (a range of `member_statuses_changed`), those whose validity ran out, and
/// those computed with other settings (both ranges of
/// `member_statuses_settings` beside `key`). Each part is a range of an
/// index, so a check that finds nothing reads next to nothing. PostgreSQL
/// reads the validity range from the index alone, which also marks the
/// entries older row versions left behind so later checks skip them. A status
/// never computed has a NULL `cached_version`, so the first part has it.
/// The outer query has no other index to take than the primary key.
pub(crate) struct NotCurrentIn {
    /// The organization.
    pub(crate) org_id: String,
    /// The instant checked.
    pub(crate) now: chrono::NaiveDateTime,
    /// The attention settings in force (`status_cache::settings_key`).
    pub(crate) key: String,
}

expression!(NotCurrentIn, Bool);

impl NotCurrentIn {
    /// The four index ranges as one `UNION ALL` of `SELECT {select} FROM
    /// member_statuses s WHERE s.org_id = … AND <range>{and}`.
    fn ranges<'b>(&'b self, out: &mut AstPass<'_, 'b, Backend>, select: &str, and: &str) -> QueryResult<()> {
        use diesel::sql_types::Timestamp;
        let ranges: [&str; 4] = [
            " AND (s.version - COALESCE(s.cached_version, -1)) > 0",
            " AND s.valid_until <= ",
            " AND s.settings_key < ",
            " AND s.settings_key > ",
        ];
        for (i, range) in ranges.into_iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql(&format!("SELECT {select} FROM member_statuses s WHERE s.org_id = "));
            out.push_bind_param::<Text, String>(&self.org_id)?;
            out.push_sql(range);
            match i {
                1 => out.push_bind_param::<Timestamp, chrono::NaiveDateTime>(&self.now)?,
                2 | 3 => out.push_bind_param::<Text, String>(&self.key)?,
                _ => {}
            }
            out.push_sql(and);
        }
        Ok(())
    }
}

impl QueryFragment<Backend> for NotCurrentIn {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("member_statuses.membership_id IN (");
        self.ranges(&mut out, "s.membership_id", "")?;
        out.push_sql(")");
        Ok(())
    }
}

/// Whether a stored status of the organization's athletes is not current,
/// as a column of a page's statement (one round trip fewer than a check of
/// its own; the check's cost stays: an `EXISTS` over [`NotCurrentIn`]'s
/// index ranges).
pub(crate) struct AnyNotCurrent(pub(crate) NotCurrentIn);

expression!(AnyNotCurrent, Bool);

impl QueryFragment<Backend> for AnyNotCurrent {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        // Each range tests the role on its own: as an `IN` under one
        // `EXISTS`, PostgreSQL's plan for a first row scanned every stored
        // status instead of the four index ranges.
        out.push_sql("EXISTS (");
        self.0.ranges(&mut out, "1", " AND s.role = 'athlete'")?;
        out.push_sql(")");
        Ok(())
    }
}

/// A member's group ids as `a,b,c` in id order (NULL without groups): a
/// correlated subquery over the covering `org_group_members_member` index,
/// so the page brings its group ids without a query of their own.
/// `string_agg` with `ORDER BY` is PostgreSQL's and SQLite's (3.44+) alike.
#[derive(Debug, Clone, Copy)]
pub(super) struct GroupIdsText;

expression!(GroupIdsText, diesel::sql_types::Nullable<Text>);

// Any backend: its text is part of the page's fixed select list (`fixed!`).
impl<DB: diesel::backend::Backend> QueryFragment<DB> for GroupIdsText {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "(SELECT string_agg(org_group_members.group_id, ',' ORDER BY org_group_members.group_id) \
             FROM org_group_members WHERE org_group_members.org_id = memberships.org_id \
             AND org_group_members.user_id = memberships.user_id)",
        );
        Ok(())
    }
}

/// The page's total as a column of the page query: on PostgreSQL the count
/// as an uncorrelated scalar subquery (run once; the page costs one round
/// trip fewer), on SQLite the count already taken by its own statement, as a
/// bound value (SQLite ran the same count slower as a subquery of the page
/// than as its own statement).
pub(super) enum Total {
    /// `(SELECT COUNT(*) …)`.
    Subquery(CountQuery),
    /// Counted already.
    Counted(i64),
    /// [`STALE`] while a stored status of the organization's athletes is not
    /// current ([`AnyNotCurrent`]), else the total: a page ordered or
    /// filtered by the stored statuses checks them in its own statement.
    UnlessStale(AnyNotCurrent, Box<Total>),
}

/// The total of a page whose organization has stored statuses that are not
/// current ([`Total::UnlessStale`]); no count is negative.
pub(super) const STALE: i64 = -1;

expression!(Total, BigInt);

impl Total {
    /// The total, if it was counted before the page query.
    pub(super) fn counted(&self) -> Option<i64> {
        match self {
            Total::Counted(total) => Some(*total),
            Total::Subquery(_) => None,
            Total::UnlessStale(_, total) => total.counted(),
        }
    }
}

impl QueryFragment<Backend> for Total {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        match self {
            Total::Subquery(count) => {
                out.push_sql("(");
                QueryFragment::<Backend>::walk_ast(count, out.reborrow())?;
                out.push_sql(")");
            }
            Total::Counted(total) => out.push_bind_param::<BigInt, i64>(total)?,
            Total::UnlessStale(check, total) => {
                out.push_sql("CASE WHEN ");
                check.walk_ast(out.reborrow())?;
                out.push_sql(&format!(" THEN {STALE} ELSE "));
                QueryFragment::<Backend>::walk_ast(total.as_ref(), out.reborrow())?;
                out.push_sql(" END");
            }
        }
        Ok(())
    }
}

/// The sum of the kept athlete counts of the rows selected (at most one,
/// the organization's; none reads as 0), as SQL text so that the page
/// statement it is part of stays prepared.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeptAthleteCount;

expression!(KeptAthleteCount, BigInt);

impl QueryFragment<Backend> for KeptAthleteCount {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("CAST(COALESCE(SUM(org_athlete_counts.athletes), 0) AS BIGINT)");
        Ok(())
    }
}

/// A roster count: over the roster's matches, or over a group's rows.
pub(super) enum CountQuery {
    /// Live athletes matching the filters.
    Roster(memberships::BoxedQuery<'static, Backend, BigInt>),
    /// A group's rows (see `side_rosters`).
    Group(org_group_members::BoxedQuery<'static, Backend, BigInt>),
    /// A label's rows (see `side_rosters`).
    Label(member_labels::BoxedQuery<'static, Backend, BigInt>),
    /// No filter: the organization's kept count of live athletes.
    Athletes(org_athlete_counts::BoxedQuery<'static, Backend, BigInt>),
}

impl CountQuery {
    /// Runs the count.
    pub(super) fn get_result(self, conn: &mut DbConn) -> QueryResult<i64> {
        match self {
            CountQuery::Roster(count) => count.get_result(conn),
            CountQuery::Group(count) => count.get_result(conn),
            CountQuery::Label(count) => count.get_result(conn),
            CountQuery::Athletes(count) => count.get_result(conn),
        }
    }
}

impl QueryFragment<Backend> for CountQuery {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        match self {
            CountQuery::Roster(count) => QueryFragment::<Backend>::walk_ast(count, out),
            CountQuery::Group(count) => QueryFragment::<Backend>::walk_ast(count, out),
            CountQuery::Label(count) => QueryFragment::<Backend>::walk_ast(count, out),
            CountQuery::Athletes(count) => QueryFragment::<Backend>::walk_ast(count, out),
        }
    }
}

/// A page's membership ids: from the roster indexes, or from a group's.
pub(super) enum IdsQuery {
    /// `SELECT memberships.membership_id …`.
    Roster(memberships::BoxedQuery<'static, Backend, Text>),
    /// `SELECT org_group_members.membership_id …`.
    Group(org_group_members::BoxedQuery<'static, Backend, Text>),
    /// `SELECT member_labels.membership_id …`.
    Label(member_labels::BoxedQuery<'static, Backend, Text>),
    /// `SELECT member_statuses.membership_id …`, in a stored status order.
    Status(member_statuses::BoxedQuery<'static, Backend, Text>),
}

/// `EXISTS (membership)`, where `membership` selects the membership of the
/// outer `member_statuses` row ([`OfStatusRow`]) if it matches the roster's
/// filters: tested by primary key per status row, so that a walk of a
/// `member_statuses` index in its order stays the outer loop and stops after
/// the page. (Joined instead, a planner with statistics of a database of
/// many organizations rather sorted every match of the organization.)
pub(super) struct MembershipMatches(pub(super) memberships::BoxedQuery<'static, Backend, Text>);

expression!(MembershipMatches, Bool);

impl QueryFragment<Backend> for MembershipMatches {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("EXISTS (");
        QueryFragment::<Backend>::walk_ast(&self.0, out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

/// `memberships.membership_id = member_statuses.membership_id`: the
/// correlation of [`MembershipMatches`]' subquery.
#[derive(Debug, Clone, Copy)]
pub(super) struct OfStatusRow;

expression!(OfStatusRow, Bool);

impl QueryFragment<Backend> for OfStatusRow {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("memberships.membership_id = member_statuses.membership_id");
        Ok(())
    }
}

/// `memberships.membership_id IN (ids)` for a boxed query of membership ids
/// (diesel's own `eq_any` takes a boxed subquery on one backend only, not
/// across a `MultiConnection`).
pub(super) struct MembershipIn(pub(super) IdsQuery);

expression!(MembershipIn, Bool);

impl QueryFragment<Backend> for MembershipIn {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("memberships.membership_id IN (");
        match &self.0 {
            IdsQuery::Roster(ids) => QueryFragment::<Backend>::walk_ast(ids, out.reborrow())?,
            IdsQuery::Group(ids) => QueryFragment::<Backend>::walk_ast(ids, out.reborrow())?,
            IdsQuery::Label(ids) => QueryFragment::<Backend>::walk_ast(ids, out.reborrow())?,
            IdsQuery::Status(ids) => QueryFragment::<Backend>::walk_ast(ids, out.reborrow())?,
        }
        out.push_sql(")");
        Ok(())
    }
}

/// `compliance_order < below` of the membership's stored status: the
/// roster's `compliance_below` filter (1000, no compliance, never matches).
/// A subquery per candidate row by primary key, so it composes with every
/// roster index and count.
pub(super) struct ComplianceBelow(pub(super) i32);

expression!(ComplianceBelow, Bool);

impl QueryFragment<Backend> for ComplianceBelow {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql(
            "EXISTS (SELECT 1 FROM member_statuses cs WHERE cs.membership_id = memberships.membership_id \
             AND cs.compliance_order < ",
        );
        out.push_bind_param::<diesel::sql_types::Integer, i32>(&self.0)?;
        out.push_sql(")");
        Ok(())
    }
}
