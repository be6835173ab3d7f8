//! `InvitationRepo` over the store: invitations, their tokens (each token's
//! hash and the nonce it was derived from, never the token), the outbox rows
//! written with them, and the atomic acceptance.

mod extras;
pub(crate) mod outbox;
mod rows;
mod seal;

pub(crate) use outbox::enqueue;
pub use outbox::{OutboxRecord, OutboxWork};
pub use seal::MailKey;
pub(crate) use seal::{open as open_with, seal as seal_with};

use crate::dialect::lock_invitation_email;
use crate::effects::apply_join_effects;
use crate::error::StoreError;
use crate::organizations::{insert_membership, lock_live_coach};
use crate::rows::{UserRow, insert_event, to_db};
use crate::schema::{invitation_tokens, invitations, users};
use crate::{DbConn, Store};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use roster_domain::entities::{AuditEvent, Membership};
use roster_domain::invitation::{
    Acceptance, Invitation, InvitationFilter, InvitationKind, InvitationRepo, InvitationStatus, LinkNonce,
    OutboxMessage, StoredToken, TokenHash,
};
use roster_domain::joining::{JoinMode, Joiner};
use roster_domain::{Conflict, DomainError, InvitationId, OrgId, RepoError};
use rows::InvitationRow;
use serde_json::json;

fn load(conn: &mut DbConn, invitation_id: &str) -> Result<Option<Invitation>, StoreError> {
    invitations::table
        .find(invitation_id)
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?
        .map(InvitationRow::into_invitation)
        .transpose()
}

fn insert_token(
    conn: &mut DbConn,
    token: &StoredToken,
    invitation_id: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(invitation_tokens::table)
        .values((
            invitation_tokens::token_hash.eq(token.hash.as_str()),
            invitation_tokens::invitation_id.eq(invitation_id),
            invitation_tokens::created_at.eq(now),
            invitation_tokens::link_nonce.eq(token.nonce.map(|n| n.to_stored())),
        ))
        .execute(conn)?;
    Ok(())
}

/// Pending (not expired) invitations of an organization, for its counts.
pub(crate) fn pending_count(conn: &mut DbConn, org_id: &str, now: DateTime<Utc>) -> Result<i64, StoreError> {
    Ok(invitations::table
        .filter(invitations::org_id.eq(org_id))
        .filter(invitations::status.eq(InvitationStatus::Pending.as_str()))
        .filter(invitations::expires_at.is_null().or(invitations::expires_at.gt(to_db(now))))
        .count()
        .get_result(conn)?)
}

impl InvitationRepo for Store {
    fn create_invitation(
        &self,
        invitation: &Invitation,
        token: &StoredToken,
        mail: Option<OutboxMessage>,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let org_id = invitation.org_id.to_string();
            if let Some(email) = &invitation.email {
                lock_invitation_email(conn, &org_id, email.as_str())?;
                let pending: i64 = invitations::table
                    .filter(invitations::org_id.eq(&org_id))
                    .filter(invitations::email.eq(email.as_str()))
                    .filter(invitations::kind.eq(InvitationKind::SingleUse.as_str()))
                    .filter(invitations::status.eq(InvitationStatus::Pending.as_str()))
                    .filter(
                        invitations::expires_at.is_null().or(invitations::expires_at.gt(to_db(invitation.created_at))),
                    )
                    .count()
                    .get_result(conn)?;
                if pending > 0 {
                    return Err(Conflict::InvitationPending.into());
                }
            }
            extras::check_extras(conn, invitation)?;
            let row = InvitationRow::new(invitation);
            diesel::insert_into(invitations::table).values(&row).execute(conn)?;
            insert_token(conn, token, &row.invitation_id, to_db(invitation.created_at))?;
            if let Some(mail) = &mail {
                outbox::enqueue(conn, mail, self.mail_key.as_deref())?;
            }
            insert_event(conn, event)
        })
    }

    fn invitation(&self, org_id: OrgId, invitation_id: InvitationId) -> Result<Option<Invitation>, RepoError> {
        self.with(|conn| Ok(load(conn, &invitation_id.to_string())?.filter(|i| i.org_id == org_id)))
    }

    fn invitations(&self, org_id: OrgId, filter: &InvitationFilter) -> Result<Vec<Invitation>, RepoError> {
        self.with(|conn| {
            let now = to_db(filter.now);
            let mut query = invitations::table
                .filter(invitations::org_id.eq(org_id.to_string()))
                .select(InvitationRow::as_select())
                .order(invitations::invitation_id.desc())
                .limit(i64::from(filter.limit) + 1)
                .into_boxed();
            if let Some(kind) = filter.kind {
                query = query.filter(invitations::kind.eq(kind.as_str()));
            }
            let live = invitations::expires_at.is_null().or(invitations::expires_at.gt(now));
            query = match filter.status {
                None => query,
                Some(InvitationStatus::Pending) => query.filter(invitations::status.eq("pending")).filter(live),
                Some(InvitationStatus::Expired) => {
                    query.filter(invitations::status.eq("pending")).filter(invitations::expires_at.le(now))
                }
                Some(other) => query.filter(invitations::status.eq(other.as_str())),
            };
            if let Some(before) = filter.before {
                query = query.filter(invitations::invitation_id.lt(before.to_string()));
            }
            query.load::<InvitationRow>(conn)?.into_iter().map(InvitationRow::into_invitation).collect()
        })
    }

    fn invitation_by_token(&self, token: &TokenHash) -> Result<Option<(Invitation, bool)>, RepoError> {
        self.with(|conn| {
            let found: Option<(String, Option<NaiveDateTime>)> = invitation_tokens::table
                .find(token.as_str())
                .select((invitation_tokens::invitation_id, invitation_tokens::replaced_at))
                .first(conn)
                .optional()?;
            let Some((id, replaced_at)) = found else { return Ok(None) };
            Ok(load(conn, &id)?.map(|inv| (inv, replaced_at.is_some())))
        })
    }

    fn current_token(&self, org_id: OrgId, invitation_id: InvitationId) -> Result<Option<StoredToken>, RepoError> {
        self.with(|conn| {
            let found: Option<(String, Option<String>)> = invitation_tokens::table
                .inner_join(invitations::table)
                .filter(invitations::org_id.eq(org_id.to_string()))
                .filter(invitation_tokens::invitation_id.eq(invitation_id.to_string()))
                .filter(invitation_tokens::replaced_at.is_null())
                .select((invitation_tokens::token_hash, invitation_tokens::link_nonce))
                .first(conn)
                .optional()?;
            Ok(found.map(|(hash, nonce)| StoredToken {
                hash: TokenHash::from_stored(hash),
                // A nonce that does not read back is as good as none: the
                // link cannot be shown, and nothing else depends on it.
                nonce: nonce.as_deref().and_then(LinkNonce::from_stored),
            }))
        })
    }

    fn resend_invitation(
        &self,
        invitation: &Invitation,
        token: &StoredToken,
        mail: OutboxMessage,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let id = invitation.invitation_id.to_string();
            let now = invitation.last_sent_at.unwrap_or(mail.created_at);
            let current = load(conn, &id)?.ok_or(DomainError::NotFound("invitation"))?;
            current.redeem(now).map_err(DomainError::from)?;
            diesel::update(
                invitation_tokens::table
                    .filter(invitation_tokens::invitation_id.eq(&id))
                    .filter(invitation_tokens::replaced_at.is_null()),
            )
            .set(invitation_tokens::replaced_at.eq(to_db(now)))
            .execute(conn)?;
            insert_token(conn, token, &id, to_db(now))?;
            diesel::update(invitations::table.find(&id))
                .set((
                    invitations::last_sent_at.eq(invitation.last_sent_at.map(to_db)),
                    invitations::send_count.eq(invitations::send_count + 1),
                ))
                .execute(conn)?;
            outbox::enqueue(conn, &mail, self.mail_key.as_deref())?;
            insert_event(conn, event)
        })
    }

    fn revoke_invitation(
        &self,
        org_id: OrgId,
        invitation_id: InvitationId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let revoked = diesel::update(
                invitations::table
                    .filter(invitations::invitation_id.eq(invitation_id.to_string()))
                    .filter(invitations::org_id.eq(org_id.to_string()))
                    .filter(invitations::status.ne(InvitationStatus::Accepted.as_str()))
                    .filter(invitations::status.ne(InvitationStatus::Revoked.as_str())),
            )
            .set((invitations::status.eq(InvitationStatus::Revoked.as_str()), invitations::revoked_at.eq(to_db(at))))
            .execute(conn)?;
            if revoked == 0 {
                // Accepted or revoked meanwhile: say what it is now.
                let now = load(conn, &invitation_id.to_string())?.ok_or(DomainError::NotFound("invitation"))?;
                return match now.status_at(at) {
                    InvitationStatus::Revoked => Ok(()),
                    _ => Err(DomainError::from(roster_domain::InvitationGone::AlreadyUsed).into()),
                };
            }
            insert_event(conn, event)
        })
    }

    fn accept_invitation(&self, a: &Acceptance) -> Result<Membership, RepoError> {
        self.tx(|conn| {
            let id = a.invitation_id.to_string();
            // The guard: counts the use only while the invitation is still
            // good. Concurrent accepts queue on the row; the losers see 0 rows.
            // It comes before the new account, whose e-mail a single-use
            // link's winner takes: a loser then hears that the link was used,
            // not that its e-mail is taken.
            let counted = diesel::sql_query(
                "UPDATE invitations SET use_count = use_count + 1 \
                 WHERE invitation_id = $1 AND status = 'pending' \
                 AND (max_uses IS NULL OR use_count < max_uses) \
                 AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind::<Text, _>(&id)
            .bind::<Timestamp, _>(to_db(a.now))
            .execute(conn)?;
            if counted == 0 {
                let current = load(conn, &id)?.ok_or(DomainError::InvitationNotFound)?;
                let gone = current.redeem(a.now).err().unwrap_or(roster_domain::InvitationGone::Exhausted);
                return Err(DomainError::from(gone).into());
            }
            let used = load(conn, &id)?.ok_or(DomainError::InvitationNotFound)?;
            if let Some(status) = used.status_after_use() {
                diesel::update(invitations::table.find(&id))
                    .set(invitations::status.eq(status.as_str()))
                    .execute(conn)?;
            }
            if let Some(new) = &a.new_account {
                diesel::insert_into(users::table).values(UserRow::new(&new.user, &new.password_hash)).execute(conn)?;
            }
            let mut m = a.membership.clone();
            let mut events = a.events.clone();
            if let Some(coach) = m.assigned_to_coach_id
                && !lock_live_coach(conn, m.org_id, coach)?
            {
                // The inviting assistant coach was removed meanwhile: the
                // link stays good, and the athlete joins unassigned, as if
                // the removal had come first.
                m.assigned_to_coach_id = None;
                for event in events.iter_mut().filter(|e| e.action == "member.added") {
                    event.changes["assigned_to_coach_id"] = json!({"old": null, "new": null});
                }
            }
            insert_membership(conn, &m)?;
            let joiner = Joiner { org_id: m.org_id, user_id: m.user_id, author: (m.user_id, None), now: a.now };
            apply_join_effects(conn, joiner, &a.extras, JoinMode::Lenient)?;
            for event in &events {
                insert_event(conn, event)?;
            }
            Ok(m)
        })
    }
}
