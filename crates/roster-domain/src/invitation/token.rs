//! Secret tokens (invitation links, session secrets, password resets):
//! 256 bits, URL-safe, and looked up by their SHA-256 only, so a copy of the
//! database cannot accept anything. Session and reset tokens are random
//! ([`TokenGenerator`]); an invitation's is derived from a stored nonce with
//! a key the database does not hold (see [`super::link`]), so that its link
//! can be shown again.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::fmt;

/// How many random bytes a token carries (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// The secret in an invitation link. Never stored; never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationToken(String);

impl fmt::Debug for InvitationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvitationToken(***)")
    }
}

impl InvitationToken {
    /// A token from random bytes (from a CSPRNG), URL-safe base64 without padding.
    ///
    /// ```
    /// use roster_domain::invitation::InvitationToken;
    /// let token = InvitationToken::from_random_bytes([7u8; 32]);
    /// assert_eq!(token.as_str().len(), 43);
    /// assert!(token.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    /// ```
    pub fn from_random_bytes(bytes: [u8; TOKEN_BYTES]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as it arrived in a link. Anything is accepted: an unknown
    /// token simply matches no invitation.
    pub fn from_link(text: &str) -> Self {
        Self(text.trim().to_owned())
    }

    /// The token's text, for the link only.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps: the SHA-256 of the token, in hex.
    ///
    /// ```
    /// use roster_domain::invitation::InvitationToken;
    /// let a = InvitationToken::from_link("abc");
    /// assert_eq!(a.hash().as_str().len(), 64);
    /// assert_ne!(a.hash(), InvitationToken::from_link("abd").hash());
    /// ```
    pub fn hash(&self) -> TokenHash {
        let digest = Sha256::digest(self.0.as_bytes());
        TokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The public link for this token: `{public_base_url}/join/{token}`.
    pub fn link(&self, public_base_url: &str) -> String {
        format!("{}/join/{}", public_base_url.trim_end_matches('/'), self.0)
    }
}

/// The SHA-256 of a token in hex, the only form the store keeps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hash as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stored hash read back.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }
}

/// A source of fresh random tokens, for session secrets and password resets
/// (the API uses the operating system's CSPRNG).
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait TokenGenerator {
    /// A new token with [`TOKEN_BYTES`] random bytes.
    fn generate(&self) -> InvitationToken;
}
