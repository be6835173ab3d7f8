//! Sessions: starting one at sign-in, rotating its refresh token, signing
//! out (one session or all), checking a session per request, and changing
//! the password (which signs every other session out).

use crate::clock::Clock;
use crate::entities::{NamedMembership, User};
use crate::error::DomainError;
use crate::ids::{SessionId, UserId};
use crate::ports::PasswordHasher;
use crate::session::{CookieSession, SecretToken, Session, SessionError, SessionRepo, TokenGenerator};
use crate::values::Password;
use chrono::{DateTime, Duration, Utc};

/// A session just started or refreshed: what the client keeps.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    /// The session, for the access token's `sid`.
    pub session_id: SessionId,
    /// Its account.
    pub user_id: UserId,
    /// The refresh token: good for one `refresh`.
    pub refresh_token: SecretToken,
    /// When the refresh token stops working.
    pub refresh_expires_at: DateTime<Utc>,
}

/// Starts a session for `user_id` with a refresh token valid `refresh_ttl`.
pub fn start(
    repo: &impl SessionRepo,
    tokens: &impl TokenGenerator,
    clock: &impl Clock,
    user_id: UserId,
    refresh_ttl: Duration,
) -> Result<IssuedSession, DomainError> {
    let now = clock.now();
    let session = Session { session_id: SessionId::new(), user_id, created_at: now, expires_at: now + refresh_ttl };
    let refresh_token = tokens.generate();
    repo.insert_session(&session, Some(refresh_token.hash()))?;
    Ok(IssuedSession { session_id: session.session_id, user_id, refresh_token, refresh_expires_at: session.expires_at })
}

/// Starts a session without a refresh token that lives until `expires_at`
/// (an operator's access token from `roster token`): revocable like any
/// other, never refreshable.
pub fn start_unrefreshable(
    repo: &impl SessionRepo,
    clock: &impl Clock,
    user_id: UserId,
    expires_at: DateTime<Utc>,
) -> Result<SessionId, DomainError> {
    let session = Session { session_id: SessionId::new(), user_id, created_at: clock.now(), expires_at };
    repo.insert_session(&session, None)?;
    Ok(session.session_id)
}

/// Exchanges a refresh token for a new one (and the caller issues a new
/// access token). A token already exchanged revokes its whole session:
/// whoever holds the newer token is refused too.
pub fn refresh(
    repo: &impl SessionRepo,
    tokens: &impl TokenGenerator,
    clock: &impl Clock,
    presented: &str,
    refresh_ttl: Duration,
) -> Result<IssuedSession, DomainError> {
    let now = clock.now();
    let old = SecretToken::from_link(presented).hash();
    let record = repo.refresh_token(&old)?.ok_or(SessionError::RefreshTokenInvalid)?;
    if record.session_revoked || record.expires_at <= now {
        return Err(SessionError::RefreshTokenInvalid.into());
    }
    if record.rotated {
        repo.revoke_session(record.session_id, now)?;
        return Err(SessionError::RefreshTokenReused.into());
    }
    let refresh_token = tokens.generate();
    let refresh_expires_at = now + refresh_ttl;
    if !repo.rotate_refresh(record.session_id, &old, &refresh_token.hash(), now, refresh_expires_at)? {
        // Another request exchanged the same token first: the same token
        // used twice, whoever sent it.
        repo.revoke_session(record.session_id, now)?;
        return Err(SessionError::RefreshTokenReused.into());
    }
    Ok(IssuedSession { session_id: record.session_id, user_id: record.user_id, refresh_token, refresh_expires_at })
}

/// Refuses an access token whose session was revoked or whose account is gone.
pub fn authenticate(repo: &impl SessionRepo, user_id: UserId, session_id: SessionId) -> Result<(), DomainError> {
    if repo.session_is_live(session_id, user_id)? { Ok(()) } else { Err(DomainError::Unauthenticated) }
}

/// A browser's signed-in session: who, which session, and the membership
/// the console shows ([`accounts::home_of`](super::accounts::home_of)).
#[derive(Debug, Clone, PartialEq)]
pub struct SignedIn {
    /// The account.
    pub user: User,
    /// The session.
    pub session_id: SessionId,
    /// The organization the console shows, if the account is in one.
    pub home: Option<NamedMembership>,
}

/// The live session a browser's session cookie holds, its account and home
/// membership (the console keeps the session's refresh token in an
/// HttpOnly cookie and never rotates it), so signing out, signing out
/// everywhere and changing or resetting the password end console sessions
/// exactly as they end API sessions. One lookup: the token, its session,
/// the account and its memberships together.
pub fn session_of_cookie(
    repo: &impl SessionRepo,
    clock: &impl Clock,
    presented: &str,
) -> Result<SignedIn, DomainError> {
    let CookieSession { record, user, memberships } =
        repo.cookie_session(&SecretToken::from_link(presented).hash())?.ok_or(DomainError::Unauthenticated)?;
    if record.session_revoked || record.rotated || record.expires_at <= clock.now() {
        return Err(DomainError::Unauthenticated);
    }
    Ok(SignedIn { user, session_id: record.session_id, home: super::accounts::home_of(memberships) })
}

/// Signs out: the caller's session (from its access token) and the session
/// of `refresh_token` when one is given (a client whose access token expired
/// signs out with its refresh token alone). Neither: `Unauthenticated`.
pub fn logout(
    repo: &impl SessionRepo,
    clock: &impl Clock,
    caller: Option<SessionId>,
    refresh_token: Option<&str>,
) -> Result<(), DomainError> {
    let now = clock.now();
    let by_refresh = match refresh_token {
        Some(token) => {
            let record =
                repo.refresh_token(&SecretToken::from_link(token).hash())?.ok_or(SessionError::RefreshTokenInvalid)?;
            Some(record.session_id)
        }
        None => None,
    };
    if caller.is_none() && by_refresh.is_none() {
        return Err(DomainError::Unauthenticated);
    }
    for session_id in caller.into_iter().chain(by_refresh.filter(|s| Some(*s) != caller)) {
        repo.revoke_session(session_id, now)?;
    }
    Ok(())
}

/// Signs out every session of the account, the caller's included.
pub fn logout_all(repo: &impl SessionRepo, clock: &impl Clock, user_id: UserId) -> Result<u64, DomainError> {
    Ok(repo.revoke_sessions_of(user_id, None, clock.now())?)
}

/// Changes the password when `current` is right, and signs out every other
/// session at once (the caller's stays signed in).
pub fn change_password(
    repo: &impl SessionRepo,
    hasher: &impl PasswordHasher,
    clock: &impl Clock,
    user_id: UserId,
    session_id: SessionId,
    current: &str,
    new: &str,
) -> Result<(), DomainError> {
    let new = Password::parse(new).map_err(|e| DomainError::invalid("new_password", e))?;
    let hash = repo.password_hash(user_id)?.ok_or(DomainError::Unauthenticated)?;
    if !hasher.verify(current, Some(hash)) {
        return Err(SessionError::WrongPassword.into());
    }
    let new_hash = hasher.hash(&new)?;
    repo.set_password(user_id, &new_hash, Some(session_id), clock.now())?;
    Ok(())
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
