//! Rows as stored, and their conversion to and from domain values.

use crate::error::{StoreError, parse};
use crate::schema::{audit_events, memberships, organizations, users};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roster_domain::entities::{AuditEvent, Membership, Organization, User};
use roster_domain::values::{Description, Email, OrgName, PersonName, Timezone};
use roster_domain::{ApiKeyId, UserId};

/// A UTC instant as stored.
pub(crate) fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// A stored time as a UTC instant.
pub(crate) fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// An author as stored: the account column, or the API key column beside it
/// (exactly one is set). As the audit trail writes a key, a key's id stands
/// where an account's would, and the key is returned too.
pub(crate) fn author_from_db(
    column: &str,
    account: Option<String>,
    key: Option<String>,
) -> Result<(UserId, Option<ApiKeyId>), StoreError> {
    match (account, key) {
        (Some(account), None) => Ok((parse(column, account.parse())?, None)),
        (None, Some(key)) => {
            let key: ApiKeyId = parse(&format!("{column}_key_id"), key.parse())?;
            Ok((UserId::from_uuid(key.as_uuid()), Some(key)))
        }
        _ => Err(StoreError::Corrupt(format!("{column}: not exactly one of an account and a key"))),
    }
}

/// An author as stored: `(account, key)` columns, exactly one set.
pub(crate) fn author_to_db(by: UserId, key: Option<ApiKeyId>) -> (Option<String>, Option<String>) {
    match key {
        Some(key) => (None, Some(key.to_string())),
        None => (Some(by.to_string()), None),
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    pub user_id: String,
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: Option<String>,
    pub email_verified: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    pub(crate) fn new(user: &User, password_hash: &str) -> Self {
        Self {
            user_id: user.user_id.to_string(),
            email: user.email.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            first_name: user.first_name.as_str().to_owned(),
            last_name: user.last_name.as_ref().map(|l| l.as_str().to_owned()),
            email_verified: user.email_verified,
            created_at: to_db(user.created_at),
            updated_at: to_db(user.created_at),
        }
    }

    pub(crate) fn into_user(self) -> Result<User, StoreError> {
        Ok(User {
            user_id: parse("users.user_id", self.user_id.parse())?,
            email: parse("users.email", Email::parse(&self.email))?,
            first_name: parse("users.first_name", PersonName::parse(&self.first_name))?,
            last_name: self.last_name.map(|l| parse("users.last_name", PersonName::parse(&l))).transpose()?,
            email_verified: self.email_verified,
            created_at: from_db(self.created_at),
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organizations)]
pub(crate) struct OrganizationRow {
    pub org_id: String,
    pub name: String,
    pub description: String,
    pub timezone: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl OrganizationRow {
    pub(crate) fn new(org: &Organization) -> Self {
        Self {
            org_id: org.org_id.to_string(),
            name: org.name.as_str().to_owned(),
            description: org.description.as_str().to_owned(),
            timezone: org.timezone.as_str().to_owned(),
            created_at: to_db(org.created_at),
            updated_at: to_db(org.updated_at),
            version: org.version,
        }
    }

    pub(crate) fn into_org(self) -> Result<Organization, StoreError> {
        Ok(Organization {
            org_id: parse("organizations.org_id", self.org_id.parse())?,
            name: parse("organizations.name", OrgName::parse(&self.name))?,
            description: parse("organizations.description", Description::parse(&self.description))?,
            timezone: parse("organizations.timezone", Timezone::parse(&self.timezone))?,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            version: self.version,
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
pub(crate) struct MembershipRow {
    pub membership_id: String,
    pub org_id: String,
    pub user_id: String,
    pub role: String,
    pub status: String,
    pub display_name: Option<String>,
    pub member_level: Option<String>,
    pub private_notes: Option<String>,
    pub assigned_to_coach_id: Option<String>,
    pub joined_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
    pub version: i64,
}

impl MembershipRow {
    pub(crate) fn new(m: &Membership) -> Self {
        Self {
            membership_id: m.membership_id.to_string(),
            org_id: m.org_id.to_string(),
            user_id: m.user_id.to_string(),
            role: m.role.as_str().to_owned(),
            status: m.status.as_str().to_owned(),
            display_name: m.display_name.as_ref().map(|v| v.as_str().to_owned()),
            member_level: m.member_level.as_ref().map(|v| v.as_str().to_owned()),
            private_notes: m.private_notes.as_ref().map(|v| v.as_str().to_owned()),
            assigned_to_coach_id: m.assigned_to_coach_id.map(|c| c.to_string()),
            joined_at: to_db(m.joined_at),
            updated_at: to_db(m.updated_at),
            removed_at: None,
            version: m.version,
        }
    }

    pub(crate) fn into_membership(self) -> Result<Membership, StoreError> {
        Ok(Membership {
            membership_id: parse("memberships.membership_id", self.membership_id.parse())?,
            org_id: parse("memberships.org_id", self.org_id.parse())?,
            user_id: parse("memberships.user_id", self.user_id.parse())?,
            role: parse("memberships.role", self.role.parse())?,
            status: parse("memberships.status", self.status.parse())?,
            assigned_to_coach_id: self
                .assigned_to_coach_id
                .map(|c| parse("memberships.assigned_to_coach_id", c.parse()))
                .transpose()?,
            joined_at: from_db(self.joined_at),
            updated_at: from_db(self.updated_at),
            version: self.version,
            display_name: self
                .display_name
                .map(|v| parse("memberships.display_name", roster_domain::member::DisplayName::parse(&v)))
                .transpose()?,
            member_level: self
                .member_level
                .map(|v| parse("memberships.member_level", roster_domain::member::MemberLevel::parse(&v)))
                .transpose()?,
            private_notes: self
                .private_notes
                .map(|v| parse("memberships.private_notes", roster_domain::member::PrivateNotes::parse(&v)))
                .transpose()?,
            labels: roster_domain::member::Labels::default(),
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub(crate) struct AuditEventRow {
    pub event_id: String,
    pub org_id: String,
    pub actor_user_id: String,
    pub action: String,
    pub subject_user_id: Option<String>,
    pub changes: String,
    pub created_at: NaiveDateTime,
}

impl AuditEventRow {
    pub(crate) fn new(e: &AuditEvent) -> Self {
        Self {
            event_id: e.event_id.to_string(),
            org_id: e.org_id.to_string(),
            actor_user_id: e.actor_user_id.to_string(),
            action: e.action.clone(),
            subject_user_id: e.subject_user_id.map(|s| s.to_string()),
            changes: e.changes.to_string(),
            created_at: to_db(e.created_at),
        }
    }

    pub(crate) fn into_event(self) -> Result<AuditEvent, StoreError> {
        Ok(AuditEvent {
            event_id: parse("audit_events.event_id", self.event_id.parse())?,
            org_id: parse("audit_events.org_id", self.org_id.parse())?,
            actor_user_id: parse("audit_events.actor_user_id", self.actor_user_id.parse())?,
            action: self.action,
            subject_user_id: self.subject_user_id.map(|s| parse("audit_events.subject", s.parse())).transpose()?,
            changes: parse("audit_events.changes", serde_json::from_str(&self.changes))?,
            created_at: from_db(self.created_at),
        })
    }
}

/// Writes an audit event; called inside the transaction of the mutation.
pub(crate) fn insert_event(conn: &mut crate::DbConn, event: &AuditEvent) -> Result<(), StoreError> {
    // Marking the event for the webhook dispatcher here, in the change's own
    // transaction, makes the audit trail the webhooks' outbox.
    let pending = roster_domain::webhooks::event_type_for(&event.action).is_some();
    diesel::insert_into(audit_events::table)
        .values((AuditEventRow::new(event), audit_events::webhooks_pending.eq(pending)))
        .execute(conn)?;
    Ok(())
}
