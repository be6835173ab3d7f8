//! The invitation row and its conversion.

use crate::error::{StoreError, parse};
use crate::rows::{from_db, to_db};
use crate::schema::invitations;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use roster_domain::entities::PlanStart;
use roster_domain::invitation::{Invitation, InvitationName};
use roster_domain::values::{Email, PersonName};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub(crate) struct InvitationRow {
    pub invitation_id: String,
    pub org_id: String,
    pub kind: String,
    pub role: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub name: Option<String>,
    pub group_id: Option<String>,
    pub plan_id: Option<String>,
    pub plan_start_date: Option<String>,
    pub max_uses: Option<i64>,
    pub use_count: i64,
    pub expires_at: Option<NaiveDateTime>,
    pub status: String,
    pub revoked_at: Option<NaiveDateTime>,
    /// The account that made it; `None` when an API key did.
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_sent_at: Option<NaiveDateTime>,
    pub send_count: i64,
    /// The API key that made it, if one did.
    pub created_by_key_id: Option<String>,
}

impl InvitationRow {
    pub(crate) fn new(i: &Invitation) -> Self {
        Self {
            invitation_id: i.invitation_id.to_string(),
            org_id: i.org_id.to_string(),
            kind: i.kind.as_str().to_owned(),
            role: i.role.as_str().to_owned(),
            email: i.email.as_ref().map(|e| e.as_str().to_owned()),
            first_name: i.first_name.as_ref().map(|f| f.as_str().to_owned()),
            name: i.name.as_ref().map(|n| n.as_str().to_owned()),
            group_id: i.group_id.map(|g| g.to_string()),
            plan_id: i.training_plan.map(|p| p.plan_id.to_string()),
            plan_start_date: i.training_plan.and_then(|p| p.start_date).map(|d| d.format("%Y-%m-%d").to_string()),
            max_uses: i.max_uses,
            use_count: i.use_count,
            expires_at: i.expires_at.map(to_db),
            status: i.recorded_status.as_str().to_owned(),
            revoked_at: None,
            created_by: i.created_by_key.is_none().then(|| i.created_by.to_string()),
            created_at: to_db(i.created_at),
            last_sent_at: i.last_sent_at.map(to_db),
            send_count: i.send_count,
            created_by_key_id: i.created_by_key.map(|k| k.to_string()),
        }
    }

    pub(crate) fn into_invitation(self) -> Result<Invitation, StoreError> {
        let training_plan = match self.plan_id {
            Some(plan_id) => Some(PlanStart {
                plan_id: parse("invitations.plan_id", plan_id.parse())?,
                start_date: self
                    .plan_start_date
                    .map(|d| parse("invitations.plan_start_date", NaiveDate::parse_from_str(&d, "%Y-%m-%d")))
                    .transpose()?,
            }),
            None => None,
        };
        Ok(Invitation {
            invitation_id: parse("invitations.invitation_id", self.invitation_id.parse())?,
            org_id: parse("invitations.org_id", self.org_id.parse())?,
            kind: parse("invitations.kind", self.kind.parse())?,
            role: parse("invitations.role", self.role.parse())?,
            email: self.email.map(|e| parse("invitations.email", Email::parse(&e))).transpose()?,
            first_name: self.first_name.map(|f| parse("invitations.first_name", PersonName::parse(&f))).transpose()?,
            name: self.name.map(|n| parse("invitations.name", InvitationName::parse(&n))).transpose()?,
            group_id: self.group_id.map(|g| parse("invitations.group_id", g.parse())).transpose()?,
            training_plan,
            max_uses: self.max_uses,
            use_count: self.use_count,
            expires_at: self.expires_at.map(from_db),
            recorded_status: parse("invitations.status", self.status.parse())?,
            // A key's invitation carries the key's id where an account's
            // id would be, as the audit trail does.
            created_by: parse(
                "invitations.created_by",
                self.created_by.as_ref().or(self.created_by_key_id.as_ref()).map_or("", String::as_str).parse(),
            )?,
            created_by_key: self
                .created_by_key_id
                .map(|k| parse("invitations.created_by_key_id", k.parse()))
                .transpose()?,
            created_at: from_db(self.created_at),
            last_sent_at: self.last_sent_at.map(from_db),
            send_count: self.send_count,
        })
    }
}
