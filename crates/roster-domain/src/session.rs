//! Sign-in sessions, refresh tokens and password resets.
//!
//! A session is one sign-in: it owns a family of refresh tokens, each good
//! for exactly one rotation, and every access token issued with them names
//! it (the `sid` claim). Revoking the session refuses its access and refresh
//! tokens at once. A rotated refresh token presented again means the family
//! leaked (or a client raced itself): the whole session is revoked.
//!
//! Refresh and reset tokens are random secrets of the same kind as
//! invitation tokens ([`SecretToken`]); the store keeps only their SHA-256.

pub mod mail;

use crate::entities::{NamedMembership, User};
use crate::error::RepoError;
use crate::ids::{SessionId, UserId};
use crate::invitation::OutboxMessage;
use chrono::{DateTime, Utc};

pub use crate::invitation::{InvitationToken as SecretToken, TokenGenerator, TokenHash};

/// A sign-in session as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Id, carried by its access tokens as `sid`.
    pub session_id: SessionId,
    /// The account signed in.
    pub user_id: UserId,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// When its current refresh token stops working (moved forward by each
    /// rotation); for an operator's session, when its access token expires.
    pub expires_at: DateTime<Utc>,
}

/// A refresh token looked up by its hash, with the state of its session.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshRecord {
    /// Its session.
    pub session_id: SessionId,
    /// The session's account.
    pub user_id: UserId,
    /// Already exchanged for a newer token.
    pub rotated: bool,
    /// The session was revoked (signed out, a password change, reuse).
    pub session_revoked: bool,
    /// When the session's refresh token expires.
    pub expires_at: DateTime<Utc>,
}

/// What a browser's session cookie holds, in one lookup: its refresh
/// token's state, the account, and the account's live memberships with
/// their organizations' names, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct CookieSession {
    /// The token and its session.
    pub record: RefreshRecord,
    /// The session's account.
    pub user: User,
    /// The account's live memberships, oldest first.
    pub memberships: Vec<NamedMembership>,
}

/// A password reset request. For an e-mail that has no account the request
/// is recorded too (with no account), so both cases do the same work.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordReset {
    /// The SHA-256 of the token sent by e-mail.
    pub token_hash: TokenHash,
    /// The account, if the e-mail has one.
    pub user_id: Option<UserId>,
    /// Requested.
    pub created_at: DateTime<Utc>,
    /// The token stops working.
    pub expires_at: DateTime<Utc>,
    /// Used (by this request's confirmation or another one's).
    pub used_at: Option<DateTime<Utc>>,
}

/// Refusals of the session and password features; each has a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Unknown, expired or revoked refresh token (401).
    #[error("the refresh token is invalid, expired or revoked")]
    RefreshTokenInvalid,
    /// A refresh token used a second time: its session is now revoked (401).
    #[error("the refresh token was already used; the session is revoked, sign in again")]
    RefreshTokenReused,
    /// The current password given to change it is wrong (403).
    #[error("the current password is wrong")]
    WrongPassword,
    /// No reset request has this token (400).
    #[error("the password reset token is not valid")]
    ResetTokenInvalid,
    /// The reset token was used, or the password was reset with another one (410).
    #[error("the password reset token was already used")]
    ResetTokenUsed,
    /// The reset token expired (410).
    #[error("the password reset token has expired; ask for a new one")]
    ResetTokenExpired,
    /// A sensitive request (the data export) needs a sign-in of the last
    /// five minutes or the password again (403).
    #[error("sign in again or send the password in X-Roster-Password")]
    ReauthenticationRequired,
}

impl SessionError {
    /// The stable machine code.
    ///
    /// ```
    /// use roster_domain::session::SessionError;
    /// assert_eq!(SessionError::RefreshTokenReused.code(), "refresh_token_reused");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            SessionError::RefreshTokenInvalid => "refresh_token_invalid",
            SessionError::RefreshTokenReused => "refresh_token_reused",
            SessionError::WrongPassword => "wrong_password",
            SessionError::ResetTokenInvalid => "reset_token_invalid",
            SessionError::ResetTokenUsed => "reset_token_used",
            SessionError::ResetTokenExpired => "reset_token_expired",
            SessionError::ReauthenticationRequired => "reauthentication_required",
        }
    }
}

/// Sessions and their refresh tokens; password changes that revoke them.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait SessionRepo {
    /// Stores a new session with its first refresh token (none for an
    /// operator's session, which cannot be refreshed).
    fn insert_session(&self, session: &Session, refresh: Option<TokenHash>) -> Result<(), RepoError>;
    /// The refresh token with this hash and its session's state.
    fn refresh_token(&self, hash: &TokenHash) -> Result<Option<RefreshRecord>, RepoError>;
    /// [`refresh_token`](Self::refresh_token) with the session's account and
    /// its live memberships, in one lookup: a browser session's check on
    /// every page. `None` when the token is unknown or its account is gone.
    fn cookie_session(&self, hash: &TokenHash) -> Result<Option<CookieSession>, RepoError>;
    /// Marks `old` rotated and stores `new` as the session's token, moving
    /// its expiry to `expires_at`, if `old` was not rotated yet and the
    /// session is live (a conditional update); `false` when it was (a
    /// concurrent rotation won, or the session was revoked meanwhile).
    fn rotate_refresh(
        &self,
        session_id: SessionId,
        old: &TokenHash,
        new: &TokenHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
    /// Revokes the session (nothing if it already is).
    fn revoke_session(&self, session_id: SessionId, now: DateTime<Utc>) -> Result<(), RepoError>;
    /// Revokes every live session of the account but `keep`; how many.
    fn revoke_sessions_of(
        &self,
        user_id: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<u64, RepoError>;
    /// The session exists, is not revoked, and belongs to this live account.
    fn session_is_live(&self, session_id: SessionId, user_id: UserId) -> Result<bool, RepoError>;
    /// The account's password hash.
    fn password_hash(&self, user_id: UserId) -> Result<Option<String>, RepoError>;
    /// Sets the password hash and revokes every session of the account but
    /// `keep`, in one transaction.
    fn set_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}

/// Password reset requests.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PasswordResetRepo {
    /// Records the request and queues `mail` in the same transaction; drops
    /// requests that expired long ago.
    fn insert_reset(&self, reset: &PasswordReset, mail: Option<OutboxMessage>) -> Result<(), RepoError>;
    /// How many of the account's requests are unused and unexpired at `now`.
    fn open_resets(&self, user_id: UserId, now: DateTime<Utc>) -> Result<u64, RepoError>;
    /// The request with this token hash.
    fn reset_by_hash(&self, hash: &TokenHash) -> Result<Option<PasswordReset>, RepoError>;
    /// If the request is still unused and unexpired at `now` (a conditional
    /// update): marks it and every other open request of the account used,
    /// sets the password hash and revokes every session of the account, in
    /// one transaction. `false` when a concurrent confirmation won.
    fn complete_reset(
        &self,
        hash: &TokenHash,
        user_id: UserId,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
}
