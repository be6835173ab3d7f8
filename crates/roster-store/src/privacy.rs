//! `PrivacyRepo` over the store: the export's reads, account erasure, club
//! closure and the retention sweep. Erasure and closure are one transaction
//! each; erasure first locks the account's row, and every write of an
//! athlete's own data checks (and on PostgreSQL share-locks) that row in its
//! own transaction, so a write racing a deletion either lands before it (and
//! is erased with the rest) or is refused after it.

mod closure;
mod erase;
mod export;

use crate::dialect::first_locked;
use crate::error::{StoreError, parse};
use crate::rows::from_db;
use crate::schema::{memberships, sessions, users};
use crate::{DbConn, Store};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roster_domain::privacy::{
    AccountErasure, ClosedMember, ExportDocument, ExportPage, ExportRows, OrgClosure, PrivacyRepo,
};
use roster_domain::{DomainError, OrgId, RepoError, SessionId, UserId};

/// Refuses a write for an account that was deleted; on PostgreSQL it
/// share-locks the account's row until the write commits, so a deletion
/// (which locks the row first) waits for it or refuses it.
pub(crate) fn ensure_account_live(conn: &mut DbConn, user_id: &str) -> Result<(), StoreError> {
    let query = users::table.find(user_id).select(users::deleted_at);
    let found: Option<Option<NaiveDateTime>> = first_locked!(conn, query, share)?;
    match found {
        Some(None) => Ok(()),
        _ => Err(StoreError::Refused(Box::new(DomainError::Unauthenticated))),
    }
}

impl PrivacyRepo for Store {
    fn session_started_at(&self, session_id: SessionId) -> Result<Option<DateTime<Utc>>, RepoError> {
        self.with(|conn| {
            let started: Option<NaiveDateTime> = sessions::table
                .find(session_id.to_string())
                .filter(sessions::revoked_at.is_null())
                .select(sessions::created_at)
                .first(conn)
                .optional()?;
            Ok(started.map(from_db))
        })
    }

    fn export_documents(&self, user_id: UserId) -> Result<Vec<ExportDocument>, RepoError> {
        self.with(|conn| export::documents(conn, &user_id.to_string()))
    }

    fn export_page(
        &self,
        user_id: UserId,
        kind: ExportRows,
        after: Option<String>,
        limit: u32,
    ) -> Result<ExportPage, RepoError> {
        self.with(|conn| export::page(conn, &user_id.to_string(), kind, after.as_deref(), i64::from(limit)))
    }

    fn erase_account(&self, erasure: &AccountErasure) -> Result<(), RepoError> {
        self.tx(|conn| erase::erase_account(conn, self.mail_key.as_deref(), erasure))
    }

    fn live_members(&self, org_id: OrgId) -> Result<Vec<ClosedMember>, RepoError> {
        self.with(|conn| {
            let rows: Vec<(String, String, String)> = memberships::table
                .inner_join(users::table)
                .filter(memberships::org_id.eq(org_id.to_string()))
                .filter(memberships::removed_at.is_null())
                .order(memberships::joined_at.asc())
                .select((users::user_id, users::email, users::first_name))
                .load(conn)?;
            rows.into_iter()
                .map(|(user_id, email, first_name)| {
                    Ok(ClosedMember { user_id: parse("users.user_id", user_id.parse())?, email, first_name })
                })
                .collect()
        })
    }

    fn close_organization(&self, closure: &OrgClosure) -> Result<(), RepoError> {
        self.tx(|conn| closure::close(conn, self.mail_key.as_deref(), closure))
    }

    fn erase_lapsed_memberships(&self, ended_before: DateTime<Utc>) -> Result<u64, RepoError> {
        self.tx(|conn| erase::erase_lapsed(conn, ended_before))
    }
}
