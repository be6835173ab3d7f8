//! `SessionRepo` and `PasswordResetRepo` over the store. Every change that
//! must hold together (a rotation, a password change with the revocations it
//! implies, a reset with its e-mail) is one transaction; rotations and
//! resets are conditional updates, so of two racing requests one wins.

use crate::Store;
use crate::error::{StoreError, parse};
use crate::invitations::outbox;
use crate::rows::{MembershipRow, UserRow, from_db, to_db};
use crate::schema::{memberships, organizations, password_resets, refresh_tokens, sessions, users};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roster_domain::entities::NamedMembership;
use roster_domain::invitation::OutboxMessage;
use roster_domain::session::SessionError;
use roster_domain::session::{
    CookieSession, PasswordReset, PasswordResetRepo, RefreshRecord, Session, SessionRepo, TokenHash,
};
use roster_domain::{DomainError, RepoError, SessionId, UserId};

/// How long an expired reset request is kept before a later request drops it.
const RESET_RETENTION: chrono::Duration = chrono::Duration::days(1);
/// How long a dead (expired or revoked) session and its refresh tokens are
/// kept before a new session drops them. Its tokens are refused either way;
/// every rotated token of a live session is kept to recognise its reuse.
const DEAD_SESSION_RETENTION: chrono::Duration = chrono::Duration::days(1);

fn revoke_all_but(
    conn: &mut crate::DbConn,
    user_id: UserId,
    keep: Option<SessionId>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    // Expired sessions are dead already: leaving them alone keeps this
    // multi-row update and the pruning of dead sessions on disjoint rows, so
    // the two cannot lock each other's rows in opposite orders (PostgreSQL).
    let live = sessions::table
        .filter(sessions::user_id.eq(user_id.to_string()))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(to_db(now)));
    let n = match keep {
        Some(keep) => diesel::update(live.filter(sessions::session_id.ne(keep.to_string())))
            .set(sessions::revoked_at.eq(to_db(now)))
            .execute(conn)?,
        None => diesel::update(live).set(sessions::revoked_at.eq(to_db(now))).execute(conn)?,
    };
    Ok(n as u64)
}

fn set_password_hash(
    conn: &mut crate::DbConn,
    user_id: UserId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(users::table.find(user_id.to_string()))
        .set((users::password_hash.eq(password_hash), users::updated_at.eq(to_db(now))))
        .execute(conn)?;
    Ok(())
}

impl SessionRepo for Store {
    fn insert_session(&self, session: &Session, refresh: Option<TokenHash>) -> Result<(), RepoError> {
        self.tx(|conn| {
            let cutoff = to_db(session.created_at - DEAD_SESSION_RETENTION);
            diesel::delete(sessions::table.filter(sessions::expires_at.lt(cutoff).or(sessions::revoked_at.lt(cutoff))))
                .execute(conn)?;
            let id = session.session_id.to_string();
            diesel::insert_into(sessions::table)
                .values((
                    sessions::session_id.eq(&id),
                    sessions::user_id.eq(session.user_id.to_string()),
                    sessions::created_at.eq(to_db(session.created_at)),
                    sessions::last_used_at.eq(to_db(session.created_at)),
                    sessions::expires_at.eq(to_db(session.expires_at)),
                ))
                .execute(conn)?;
            if let Some(hash) = refresh {
                diesel::insert_into(refresh_tokens::table)
                    .values((
                        refresh_tokens::token_hash.eq(hash.as_str()),
                        refresh_tokens::session_id.eq(&id),
                        refresh_tokens::issued_at.eq(to_db(session.created_at)),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
    }

    fn refresh_token(&self, hash: &TokenHash) -> Result<Option<RefreshRecord>, RepoError> {
        type Row = (String, String, Option<NaiveDateTime>, Option<NaiveDateTime>, NaiveDateTime);
        self.with(|conn| {
            let row: Option<Row> = refresh_tokens::table
                .inner_join(sessions::table)
                .filter(refresh_tokens::token_hash.eq(hash.as_str()))
                .select((
                    sessions::session_id,
                    sessions::user_id,
                    refresh_tokens::rotated_at,
                    sessions::revoked_at,
                    sessions::expires_at,
                ))
                .first(conn)
                .optional()?;
            row.map(|(session_id, user_id, rotated_at, revoked_at, expires_at)| {
                Ok(RefreshRecord {
                    session_id: parse("sessions.session_id", session_id.parse())?,
                    user_id: parse("sessions.user_id", user_id.parse())?,
                    rotated: rotated_at.is_some(),
                    session_revoked: revoked_at.is_some(),
                    expires_at: from_db(expires_at),
                })
            })
            .transpose()
        })
    }

    fn cookie_session(&self, hash: &TokenHash) -> Result<Option<CookieSession>, RepoError> {
        // One statement on every console page: the token, its session, the
        // account (the inner join proves it still exists) and, one row each,
        // its live memberships with their organizations' names.
        type Row = (
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
            NaiveDateTime,
            String,
            UserRow,
            Option<MembershipRow>,
            Option<String>,
        );
        self.with(|conn| {
            let rows: Vec<Row> = refresh_tokens::table
                .inner_join(sessions::table.inner_join(users::table))
                .left_join(
                    memberships::table
                        .on(memberships::user_id.eq(users::user_id).and(memberships::removed_at.is_null())),
                )
                .left_join(organizations::table.on(organizations::org_id.eq(memberships::org_id)))
                .filter(refresh_tokens::token_hash.eq(hash.as_str()))
                .order((memberships::joined_at.asc(), memberships::membership_id.asc()))
                .select((
                    refresh_tokens::rotated_at,
                    sessions::revoked_at,
                    sessions::expires_at,
                    sessions::session_id,
                    UserRow::as_select(),
                    // Its Selectable columns, nullable for the left join
                    // (`as_select().nullable()` does not reach through MultiConnection).
                    <MembershipRow as Selectable<<crate::DbConn as Connection>::Backend>>::construct_selection()
                        .nullable(),
                    organizations::name.nullable(),
                ))
                .load(conn)?;
            let mut rows = rows.into_iter();
            let Some((rotated_at, revoked_at, expires_at, session_id, user, first, first_org)) = rows.next() else {
                return Ok(None);
            };
            let user = user.into_user()?;
            let record = RefreshRecord {
                session_id: parse("sessions.session_id", session_id.parse())?,
                user_id: user.user_id,
                rotated: rotated_at.is_some(),
                session_revoked: revoked_at.is_some(),
                expires_at: from_db(expires_at),
            };
            let named = |row: Option<MembershipRow>, org_name: Option<String>| match (row, org_name) {
                (Some(row), Some(org_name)) => {
                    Ok(Some(NamedMembership { membership: row.into_membership()?, org_name }))
                }
                _ => Ok::<_, StoreError>(None),
            };
            let mut memberships: Vec<NamedMembership> = named(first, first_org)?.into_iter().collect();
            for (.., row, org_name) in rows {
                memberships.extend(named(row, org_name)?);
            }
            Ok(Some(CookieSession { record, user, memberships }))
        })
    }

    fn rotate_refresh(
        &self,
        session_id: SessionId,
        old: &TokenHash,
        new: &TokenHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        let id = session_id.to_string();
        self.tx(|conn| {
            let rotated = diesel::update(
                refresh_tokens::table
                    .find(old.as_str())
                    .filter(refresh_tokens::session_id.eq(&id))
                    .filter(refresh_tokens::rotated_at.is_null()),
            )
            .set(refresh_tokens::rotated_at.eq(to_db(now)))
            .execute(conn)?;
            if rotated == 0 {
                return Ok(false);
            }
            // A session revoked or expired meanwhile keeps its old token
            // rotated (it is dead either way) and gets no new one.
            let live = diesel::update(
                sessions::table
                    .find(&id)
                    .filter(sessions::revoked_at.is_null())
                    .filter(sessions::expires_at.gt(to_db(now))),
            )
            .set((sessions::last_used_at.eq(to_db(now)), sessions::expires_at.eq(to_db(expires_at))))
            .execute(conn)?;
            if live == 0 {
                return Ok(false);
            }
            diesel::insert_into(refresh_tokens::table)
                .values((
                    refresh_tokens::token_hash.eq(new.as_str()),
                    refresh_tokens::session_id.eq(&id),
                    refresh_tokens::issued_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            Ok(true)
        })
    }

    fn revoke_session(&self, session_id: SessionId, now: DateTime<Utc>) -> Result<(), RepoError> {
        self.tx(|conn| {
            diesel::update(sessions::table.find(session_id.to_string()).filter(sessions::revoked_at.is_null()))
                .set(sessions::revoked_at.eq(to_db(now)))
                .execute(conn)?;
            Ok(())
        })
    }

    fn revoke_sessions_of(
        &self,
        user_id: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<u64, RepoError> {
        self.tx(|conn| revoke_all_but(conn, user_id, keep, now))
    }

    fn session_is_live(&self, session_id: SessionId, user_id: UserId) -> Result<bool, RepoError> {
        // Two primary-key lookups; the join proves the account still exists.
        self.with(|conn| {
            let found: Option<String> = sessions::table
                .inner_join(users::table)
                .filter(sessions::session_id.eq(session_id.to_string()))
                .filter(sessions::user_id.eq(user_id.to_string()))
                .filter(sessions::revoked_at.is_null())
                .select(sessions::session_id)
                .first(conn)
                .optional()?;
            Ok(found.is_some())
        })
    }

    fn password_hash(&self, user_id: UserId) -> Result<Option<String>, RepoError> {
        self.with(|conn| {
            Ok(users::table.find(user_id.to_string()).select(users::password_hash).first(conn).optional()?)
        })
    }

    fn set_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            set_password_hash(conn, user_id, password_hash, now)?;
            revoke_all_but(conn, user_id, keep, now)?;
            Ok(())
        })
    }
}

impl PasswordResetRepo for Store {
    fn insert_reset(&self, reset: &PasswordReset, mail: Option<OutboxMessage>) -> Result<(), RepoError> {
        let key = self.mail_key.as_deref();
        self.tx(|conn| {
            diesel::delete(
                password_resets::table
                    .filter(password_resets::expires_at.lt(to_db(reset.created_at - RESET_RETENTION))),
            )
            .execute(conn)?;
            diesel::insert_into(password_resets::table)
                .values((
                    password_resets::token_hash.eq(reset.token_hash.as_str()),
                    password_resets::user_id.eq(reset.user_id.map(|u| u.to_string())),
                    password_resets::created_at.eq(to_db(reset.created_at)),
                    password_resets::expires_at.eq(to_db(reset.expires_at)),
                ))
                .execute(conn)?;
            if let Some(mail) = &mail {
                outbox::enqueue(conn, mail, key)?;
            }
            Ok(())
        })
    }

    fn open_resets(&self, user_id: UserId, now: DateTime<Utc>) -> Result<u64, RepoError> {
        self.with(|conn| {
            let n: i64 = password_resets::table
                .filter(password_resets::user_id.eq(user_id.to_string()))
                .filter(password_resets::used_at.is_null())
                .filter(password_resets::expires_at.gt(to_db(now)))
                .count()
                .get_result(conn)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn reset_by_hash(&self, hash: &TokenHash) -> Result<Option<PasswordReset>, RepoError> {
        type Row = (Option<String>, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>);
        self.with(|conn| {
            let row: Option<Row> = password_resets::table
                .find(hash.as_str())
                .select((
                    password_resets::user_id,
                    password_resets::created_at,
                    password_resets::expires_at,
                    password_resets::used_at,
                ))
                .first(conn)
                .optional()?;
            row.map(|(user_id, created_at, expires_at, used_at)| {
                Ok(PasswordReset {
                    token_hash: hash.clone(),
                    user_id: user_id.map(|u| parse("password_resets.user_id", u.parse())).transpose()?,
                    created_at: from_db(created_at),
                    expires_at: from_db(expires_at),
                    used_at: used_at.map(from_db),
                })
            })
            .transpose()
        })
    }

    fn complete_reset(
        &self,
        hash: &TokenHash,
        user_id: UserId,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        let user = user_id.to_string();
        self.tx(|conn| {
            // The account's row first: two confirmations for one account (two
            // reset e-mails opened at once) queue on it instead of each
            // holding its own token while waiting for the other's.
            set_password_hash(conn, user_id, password_hash, now)?;
            let consumed = diesel::update(
                password_resets::table
                    .find(hash.as_str())
                    .filter(password_resets::user_id.eq(&user))
                    .filter(password_resets::used_at.is_null())
                    .filter(password_resets::expires_at.gt(to_db(now))),
            )
            .set(password_resets::used_at.eq(to_db(now)))
            .execute(conn)?;
            if consumed == 0 {
                // Undoes the new password with the rest of the transaction.
                return Err(StoreError::Refused(Box::new(SessionError::ResetTokenUsed.into())));
            }
            // The account's other open requests die with the old password
            // (expired ones are left to the pruning, on rows of their own).
            diesel::update(
                password_resets::table
                    .filter(password_resets::user_id.eq(&user))
                    .filter(password_resets::used_at.is_null())
                    .filter(password_resets::expires_at.gt(to_db(now))),
            )
            .set(password_resets::used_at.eq(to_db(now)))
            .execute(conn)?;
            revoke_all_but(conn, user_id, None, now)?;
            Ok(true)
        })
        .or_else(|e| match e {
            RepoError::Refused(refusal) if matches!(*refusal, DomainError::Session(SessionError::ResetTokenUsed)) => {
                Ok(false)
            }
            other => Err(other),
        })
    }
}
