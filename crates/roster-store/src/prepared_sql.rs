//! Raw SQL that stays prepared.
//!
//! `diesel::sql_query` never enters diesel's prepared-statement cache (its
//! text could be anything), so every run of such a statement is parsed and
//! planned anew: on PostgreSQL two of them cost an athlete profile more than
//! the rest of its statements together. A [`PreparedSql`] is the same SQL
//! written as text and typed binds in the order they appear: diesel numbers
//! the placeholders for the backend and keys its cache on the text, which
//! depends only on the statement's shape (how many ids, how many weeks),
//! never on a value.

use crate::conn::DbConn;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryResult;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::sql_types::{Date, Text, Timestamp, Untyped};
use roster_domain::UserId;

type Backend = <DbConn as diesel::Connection>::Backend;

/// A statement's SQL text with its binds in place; rows load as
/// `QueryableByName`, as `sql_query`'s do.
#[derive(Debug, Default)]
pub(crate) struct PreparedSql {
    pieces: Vec<Piece>,
}

#[derive(Debug)]
enum Piece {
    Sql(String),
    Text(String),
    Timestamp(NaiveDateTime),
    Date(NaiveDate),
}

impl PreparedSql {
    /// A statement starting with `sql`.
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Self { pieces: vec![Piece::Sql(sql.into())] }
    }

    /// Then more SQL text (never a value: values are binds).
    pub(crate) fn sql(mut self, sql: impl Into<String>) -> Self {
        self.pieces.push(Piece::Sql(sql.into()));
        self
    }

    /// Then a bound text value.
    pub(crate) fn text(mut self, value: impl Into<String>) -> Self {
        self.pieces.push(Piece::Text(value.into()));
        self
    }

    /// Then a bound timestamp.
    pub(crate) fn timestamp(mut self, value: NaiveDateTime) -> Self {
        self.pieces.push(Piece::Timestamp(value));
        self
    }

    /// Then a bound date.
    pub(crate) fn date(mut self, value: NaiveDate) -> Self {
        self.pieces.push(Piece::Date(value));
        self
    }

    /// Then the accounts `ids` as a bound list `a, b, c` (for `IN (…)`).
    pub(crate) fn ids(mut self, ids: &[UserId]) -> Self {
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.pieces.push(Piece::Sql(", ".into()));
            }
            self.pieces.push(Piece::Text(id.to_string()));
        }
        self
    }
}

impl QueryFragment<Backend> for PreparedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Sql(sql) => out.push_sql(sql),
                Piece::Text(value) => out.push_bind_param::<Text, String>(value)?,
                Piece::Timestamp(value) => out.push_bind_param::<Timestamp, NaiveDateTime>(value)?,
                Piece::Date(value) => out.push_bind_param::<Date, NaiveDate>(value)?,
            }
        }
        Ok(())
    }
}

/// No static id: the SQL text is the statement cache's key.
impl QueryId for PreparedSql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PreparedSql {
    type SqlType = Untyped;
}

impl RunQueryDsl<DbConn> for PreparedSql {}
