//! The rows after a page's cursor, one fragment per sort: each a row-value
//! comparison in its index's order, so that the walk starts at the cursor.

use super::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Text};

/// `(TABLE.sort_name, TABLE.user_id) > (key, user)`: the roster's or a side
/// roster's rows after the name cursor.
pub(in crate::members) struct NameAfter {
    /// The table's name (a constant of the store's, never input).
    pub(in crate::members) table: &'static str,
    /// The cursor's sort name.
    pub(in crate::members) key: String,
    /// The cursor's account.
    pub(in crate::members) user_id: String,
}

expression!(NameAfter, Bool);

impl QueryFragment<Backend> for NameAfter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql(&format!("({0}.sort_name, {0}.user_id) > (", self.table));
        out.push_bind_param::<Text, String>(&self.key)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, String>(&self.user_id)?;
        out.push_sql(")");
        Ok(())
    }
}

/// `(member_statuses.attention_order, member_statuses.sort_name,
/// member_statuses.user_id) > (order, key, user)`: the rows after an
/// attention cursor, in `member_statuses_attention` order.
pub(in crate::members) struct AttentionAfter {
    /// The cursor's attention order.
    pub(in crate::members) order: i32,
    /// The cursor's sort name.
    pub(in crate::members) key: String,
    /// The cursor's account.
    pub(in crate::members) user_id: String,
}

expression!(AttentionAfter, Bool);

impl QueryFragment<Backend> for AttentionAfter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("(member_statuses.attention_order, member_statuses.sort_name, member_statuses.user_id) > (");
        out.push_bind_param::<diesel::sql_types::Integer, i32>(&self.order)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, String>(&self.key)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, String>(&self.user_id)?;
        out.push_sql(")");
        Ok(())
    }
}

/// `(member_statuses.compliance_order, member_statuses.membership_id) >
/// (order, membership)`: the rows after a compliance cursor.
pub(in crate::members) struct ComplianceAfter {
    /// The cursor's compliance order.
    pub(in crate::members) order: i32,
    /// The cursor's membership.
    pub(in crate::members) membership_id: String,
}

expression!(ComplianceAfter, Bool);

impl QueryFragment<Backend> for ComplianceAfter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("(member_statuses.compliance_order, member_statuses.membership_id) > (");
        out.push_bind_param::<diesel::sql_types::Integer, i32>(&self.order)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, String>(&self.membership_id)?;
        out.push_sql(")");
        Ok(())
    }
}

/// The rows after a `last_activity` cursor: ascending with never-active
/// members first, or (`descending`) descending with them last, ties by
/// membership id in the same direction.
pub(in crate::members) struct LastActivityAfter {
    /// The cursor's last activity (`None`: never any).
    pub(in crate::members) at: Option<chrono::NaiveDateTime>,
    /// The cursor's membership.
    pub(in crate::members) membership_id: String,
    /// `-last_activity`.
    pub(in crate::members) descending: bool,
}

expression!(LastActivityAfter, Bool);

impl QueryFragment<Backend> for LastActivityAfter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        let (cmp, id_cmp) = if self.descending { ("<", "<") } else { (">", ">") };
        match (&self.at, self.descending) {
            (None, false) => {
                out.push_sql("(memberships.last_activity_at IS NOT NULL OR memberships.membership_id > ");
                out.push_bind_param::<Text, String>(&self.membership_id)?;
                out.push_sql(")");
            }
            (None, true) => {
                out.push_sql("(memberships.last_activity_at IS NULL AND memberships.membership_id < ");
                out.push_bind_param::<Text, String>(&self.membership_id)?;
                out.push_sql(")");
            }
            (Some(at), descending) => {
                out.push_sql(&format!("(memberships.last_activity_at {cmp} "));
                out.push_bind_param::<diesel::sql_types::Timestamp, chrono::NaiveDateTime>(at)?;
                out.push_sql(" OR (memberships.last_activity_at = ");
                out.push_bind_param::<diesel::sql_types::Timestamp, chrono::NaiveDateTime>(at)?;
                out.push_sql(&format!(" AND memberships.membership_id {id_cmp} "));
                out.push_bind_param::<Text, String>(&self.membership_id)?;
                out.push_sql(")");
                if descending {
                    out.push_sql(" OR memberships.last_activity_at IS NULL");
                }
                out.push_sql(")");
            }
        }
        Ok(())
    }
}

/// `(memberships.joined_at, memberships.membership_id) > (at, membership)`,
/// or `<` walking backwards (`-joined_at`): the rows after a join-date
/// cursor.
pub(in crate::members) struct JoinedAfter {
    /// The cursor's join time.
    pub(in crate::members) at: chrono::NaiveDateTime,
    /// The cursor's membership.
    pub(in crate::members) membership_id: String,
    /// `-joined_at`.
    pub(in crate::members) descending: bool,
}

expression!(JoinedAfter, Bool);

impl QueryFragment<Backend> for JoinedAfter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql(if self.descending {
            "(memberships.joined_at, memberships.membership_id) < ("
        } else {
            "(memberships.joined_at, memberships.membership_id) > ("
        });
        out.push_bind_param::<diesel::sql_types::Timestamp, chrono::NaiveDateTime>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, String>(&self.membership_id)?;
        out.push_sql(")");
        Ok(())
    }
}
