//! Coaches' acknowledgements of attention signals, as the stored statuses
//! read them: an acknowledged signal leaves the queue's order until the
//! data behind it changes.

use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::schema::attention_acknowledgements;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use roster_domain::attention::Acknowledgement;
use std::collections::HashMap;

/// The acknowledgements of each of `membership_ids`. One query.
pub(crate) fn acknowledgements(
    conn: &mut DbConn,
    membership_ids: &[&str],
) -> Result<HashMap<String, Vec<Acknowledgement>>, StoreError> {
    let mut out: HashMap<String, Vec<Acknowledgement>> = HashMap::new();
    if membership_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<AckRow> = attention_acknowledgements::table
        .filter(attention_acknowledgements::membership_id.eq_any(membership_ids))
        .select(AckRow::as_select())
        .load(conn)?;
    for row in rows {
        let membership_id = row.membership_id.clone();
        out.entry(membership_id).or_default().push(row.into_ack()?);
    }
    Ok(out)
}

/// An `attention_acknowledgements` row.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = attention_acknowledgements)]
pub(crate) struct AckRow {
    pub membership_id: String,
    pub code: String,
    pub org_id: String,
    pub severity: String,
    pub data_version: i64,
    pub note: Option<String>,
    /// The coach; `None` when an API key acknowledged it.
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: NaiveDateTime,
    /// The API key that acknowledged it, if one did.
    pub acknowledged_by_key_id: Option<String>,
}

impl AckRow {
    pub(crate) fn into_ack(self) -> Result<Acknowledgement, StoreError> {
        let code = serde_json::from_value(serde_json::Value::String(self.code));
        let severity = serde_json::from_value(serde_json::Value::String(self.severity));
        let (by, by_key) = crate::rows::author_from_db(
            "attention_acknowledgements.acknowledged_by",
            self.acknowledged_by,
            self.acknowledged_by_key_id,
        )?;
        Ok(Acknowledgement {
            code: parse("attention_acknowledgements.code", code)?,
            severity: parse("attention_acknowledgements.severity", severity)?,
            data_version: self.data_version,
            note: self.note,
            by,
            by_key,
            at: crate::rows::from_db(self.acknowledged_at),
        })
    }
}
