//! Select lists rendered once.
//!
//! diesel's `MultiConnection` (our [`DbConn`](crate::conn::DbConn)) renders
//! a statement's whole SQL text again on each of its passes over the
//! statement: for the prepared-statement cache's key, for the check that it
//! may be cached, and while collecting its binds. A roster page's statement
//! was rendered three times a run, most of it the quoted column names of its
//! select list. A select list without binds renders the same text every
//! time, so [`fixed!`] renders it once per call site and backend, with
//! diesel's own query builders, and the statement pushes that text.

use crate::conn::MultiBackend;
use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::{Pg, PgQueryBuilder};
use diesel::query_builder::{AstPass, QueryBuilder, QueryFragment, QueryId};
use diesel::sqlite::{Sqlite, SqliteQueryBuilder};

/// A select list's SQL text on each backend.
#[derive(Debug)]
pub(crate) struct Rendered {
    pg: String,
    sqlite: String,
}

impl Rendered {
    /// The text of `pg` and `sqlite` (one select list, typed for each
    /// backend); `None` if it binds a value or may not be cached, as its
    /// text would then not stand for every run.
    pub(crate) fn of(pg: &impl QueryFragment<Pg>, sqlite: &impl QueryFragment<Sqlite>) -> Option<Self> {
        let mut pg_sql = PgQueryBuilder::default();
        pg.to_sql(&mut pg_sql, &Pg).ok()?;
        let mut sqlite_sql = SqliteQueryBuilder::default();
        sqlite.to_sql(&mut sqlite_sql, &Sqlite).ok()?;
        let (pg_sql, sqlite_sql) = (pg_sql.finish(), sqlite_sql.finish());
        let cacheable = pg.is_safe_to_cache_prepared(&Pg).ok()? && sqlite.is_safe_to_cache_prepared(&Sqlite).ok()?;
        // PostgreSQL numbers its placeholders `$1`…, SQLite writes `?`;
        // quoted identifiers hold neither.
        let binds = pg_sql.contains('$') || sqlite_sql.contains('?');
        (cacheable && !binds).then_some(Self { pg: pg_sql, sqlite: sqlite_sql })
    }
}

/// A select list whose SQL text was rendered once ([`Rendered`]); without
/// it (it did not render), the list renders itself as any other would.
#[derive(Debug)]
pub(crate) struct Fixed<E> {
    select: E,
    sql: Option<&'static Rendered>,
}

impl<E> Fixed<E> {
    pub(crate) fn new(select: E, sql: Option<&'static Rendered>) -> Self {
        Self { select, sql }
    }
}

impl<E: Expression> Expression for Fixed<E> {
    type SqlType = E::SqlType;
}

impl<E> QueryId for Fixed<E> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<E: ValidGrouping<G>, G> ValidGrouping<G> for Fixed<E> {
    type IsAggregate = E::IsAggregate;
}

impl<E: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for Fixed<E> {}
impl<E: SelectableExpression<QS>, QS> SelectableExpression<QS> for Fixed<E> {}

impl<E: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Fixed<E> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let Some(sql) = self.sql else { return self.select.walk_ast(pass) };
        let text = match pass.backend() {
            MultiBackend::Pg(_) => &sql.pg,
            MultiBackend::Sqlite(_) => &sql.sqlite,
        };
        pass.push_sql(text);
        Ok(())
    }
}

/// `$select` (a select list without binds) as a [`Fixed`] one, its text
/// rendered at the first run of this call site.
macro_rules! fixed {
    ($select:expr) => {{
        static RENDERED: std::sync::OnceLock<Option<$crate::fixed_sql::Rendered>> = std::sync::OnceLock::new();
        let rendered = RENDERED.get_or_init(|| $crate::fixed_sql::Rendered::of(&$select, &$select)).as_ref();
        debug_assert!(rendered.is_some(), "a fixed select list renders on both backends without binds");
        $crate::fixed_sql::Fixed::new($select, rendered)
    }};
}

pub(crate) use fixed;

#[cfg(test)]
mod tests {
    use super::Rendered;
    use crate::schema::memberships;
    use diesel::prelude::*;

    #[test]
    fn a_select_list_renders_once_for_each_backend() {
        let list = (memberships::membership_id, (memberships::sort_name, memberships::last_activity_at));
        let rendered = Rendered::of(&list, &list).unwrap();
        assert_eq!(
            rendered.pg,
            r#""memberships"."membership_id", "memberships"."sort_name", "memberships"."last_activity_at""#
        );
        assert_eq!(
            rendered.sqlite,
            "`memberships`.`membership_id`, `memberships`.`sort_name`, `memberships`.`last_activity_at`"
        );
    }

    #[test]
    fn a_select_list_that_binds_a_value_is_not_fixed() {
        let list = (memberships::membership_id, memberships::role.eq("athlete"));
        assert!(Rendered::of(&list, &list).is_none());
    }
}
