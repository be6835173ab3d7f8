//! Password reset by e-mail: a single-use token, hashed at rest, sent
//! through the outbox; confirming it sets the password and signs every
//! session out.

use crate::clock::Clock;
use crate::error::DomainError;
use crate::ids::UserId;
use crate::ports::{AccountRepo, PasswordHasher};
use crate::session::mail::PasswordResetEmail;
use crate::session::{PasswordReset, PasswordResetRepo, SecretToken, SessionError, TokenGenerator};
use crate::values::{Email, Password};
use chrono::Duration;

/// How long a reset token works unless configured otherwise.
pub const RESET_TTL: Duration = Duration::minutes(30);

/// Open requests (unused, unexpired) an account may have: past them a
/// request sends nothing, so nobody can flood someone's inbox from many
/// addresses (the rate limit is per client address). The open tokens work.
pub const MAX_OPEN_RESETS: u64 = 3;

/// Asks for a reset of the account with `email`. The answer is the same
/// whether an account has that address or not, after the same work: the
/// open requests are counted (under an id no account has when none
/// matches), a token is made, its hash recorded and the e-mail written
/// either way; only an account's request within [`MAX_OPEN_RESETS`] can be
/// confirmed, and only its e-mail is queued.
pub fn request(
    store: &(impl AccountRepo + PasswordResetRepo),
    tokens: &impl TokenGenerator,
    clock: &impl Clock,
    email: &str,
    link_base: &str,
    ttl: Duration,
) -> Result<(), DomainError> {
    let (accounts, resets) = (store, store);
    let now = clock.now();
    let account = match Email::parse(email) {
        Ok(email) => accounts.user_by_email(&email)?.map(|c| c.user),
        Err(_) => None,
    };
    let counted = account.as_ref().map_or_else(UserId::new, |u| u.user_id);
    let open = resets.open_resets(counted, now)?;
    let account = account.filter(|_| open < MAX_OPEN_RESETS);
    let token = tokens.generate();
    let expires_at = now + ttl;
    let link = format!("{}/reset-password#token={}", link_base.trim_end_matches('/'), token.as_str());
    let first_name = account.as_ref().map_or("there", |u| u.first_name.as_str());
    let to = account.as_ref().map_or(email, |u| u.email.as_str());
    let mail = PasswordResetEmail { first_name, link: &link, token: token.as_str(), expires_at }.message(to, now);
    let reset = PasswordReset {
        token_hash: token.hash(),
        user_id: account.as_ref().map(|u| u.user_id),
        created_at: now,
        expires_at,
        used_at: None,
    };
    resets.insert_reset(&reset, account.is_some().then_some(mail))?;
    Ok(())
}

/// Sets a new password with a reset token: once, before it expires.
/// The password is checked first, so a weak one does not use the token up.
pub fn confirm(
    resets: &impl PasswordResetRepo,
    hasher: &impl PasswordHasher,
    clock: &impl Clock,
    token: &str,
    password: &str,
) -> Result<(), DomainError> {
    let password = Password::parse(password).map_err(|e| DomainError::invalid("password", e))?;
    let now = clock.now();
    let hash = SecretToken::from_link(token).hash();
    let reset = resets.reset_by_hash(&hash)?.ok_or(SessionError::ResetTokenInvalid)?;
    let user_id = reset.user_id.ok_or(SessionError::ResetTokenInvalid)?;
    if reset.used_at.is_some() {
        return Err(SessionError::ResetTokenUsed.into());
    }
    if reset.expires_at <= now {
        return Err(SessionError::ResetTokenExpired.into());
    }
    let password_hash = hasher.hash(&password)?;
    if !resets.complete_reset(&hash, user_id, &password_hash, now)? {
        return Err(SessionError::ResetTokenUsed.into());
    }
    Ok(())
}

#[cfg(test)]
#[path = "password_reset_tests.rs"]
mod tests;
