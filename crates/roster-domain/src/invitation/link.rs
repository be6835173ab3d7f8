//! Links a coach can copy again later, which a copy of the database still
//! cannot produce.
//!
//! A token is not drawn at random: it is the HMAC-SHA256, under a key only
//! the servers hold ([`LinkKey`], derived from the server secret), of a
//! random nonce. The store keeps the nonce beside the token's SHA-256, never
//! the token. To show a link again the server derives the token from the
//! nonce and checks its hash against the stored one
//! ([`StoredToken::recover`]): after the secret changed, or for a token made
//! before nonces were kept, the check fails and the link cannot be shown (a
//! new one has to be made). Whoever holds only the database has nonces and
//! hashes, and without the key neither gives a token.

use super::token::{InvitationToken, TokenHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// How many random bytes a nonce carries (256 bits).
pub const NONCE_BYTES: usize = 32;

/// The label the link key is derived under, so that it differs from every
/// other key taken from the same server secret.
const KEY_LABEL: &[u8] = b"roster/invitation-link/v1";

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The random half of a link, stored beside the token's hash. Alone it
/// gives nothing: the token needs the [`LinkKey`] too.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LinkNonce([u8; NONCE_BYTES]);

impl fmt::Debug for LinkNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkNonce({})", self.to_stored())
    }
}

impl LinkNonce {
    /// A nonce from random bytes (from a CSPRNG).
    pub fn from_random_bytes(bytes: [u8; NONCE_BYTES]) -> Self {
        Self(bytes)
    }

    /// The stored form: URL-safe base64 without padding (43 characters).
    pub fn to_stored(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// A stored nonce read back; `None` if it is not one (then the link
    /// simply cannot be shown).
    ///
    /// ```
    /// use roster_domain::invitation::LinkNonce;
    /// let nonce = LinkNonce::from_random_bytes([3u8; 32]);
    /// assert_eq!(LinkNonce::from_stored(&nonce.to_stored()), Some(nonce));
    /// assert_eq!(LinkNonce::from_stored("short"), None);
    /// ```
    pub fn from_stored(text: &str) -> Option<Self> {
        URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok().map(Self)
    }
}

/// The servers' key for invitation links. Never stored in the database.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkKey(***)")
    }
}

impl LinkKey {
    /// The link key of a server secret: HMAC-SHA256(secret, a label of its
    /// own), so that knowing another key derived from the secret (the
    /// outbox's, say) tells nothing about this one.
    pub fn derive(server_secret: &[u8]) -> Self {
        Self(hmac(server_secret, KEY_LABEL))
    }

    /// The token of `nonce` under this key: URL-safe base64 of
    /// HMAC-SHA256(key, nonce), 43 characters, the shape random tokens had.
    ///
    /// ```
    /// use roster_domain::invitation::{LinkKey, LinkNonce};
    /// let nonce = LinkNonce::from_random_bytes([1u8; 32]);
    /// let token = LinkKey::derive(b"secret").token(&nonce);
    /// assert_eq!(token.as_str().len(), 43);
    /// assert_eq!(token, LinkKey::derive(b"secret").token(&nonce));
    /// assert_ne!(token, LinkKey::derive(b"another").token(&nonce));
    /// ```
    pub fn token(&self, nonce: &LinkNonce) -> InvitationToken {
        InvitationToken::from_link(&URL_SAFE_NO_PAD.encode(hmac(&self.0, &nonce.0)))
    }
}

/// What the store keeps of an invitation's current token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The token's SHA-256: what a link is looked up by.
    pub hash: TokenHash,
    /// The nonce the token was derived from; `None` for tokens made before
    /// nonces were kept (their links cannot be shown again).
    pub nonce: Option<LinkNonce>,
}

impl StoredToken {
    /// What to store for a token made from `nonce`.
    pub fn new(token: &InvitationToken, nonce: LinkNonce) -> Self {
        Self { hash: token.hash(), nonce: Some(nonce) }
    }

    /// The token again, if this server can derive it: there is a nonce, and
    /// the token derived from it with the key in force hashes to the stored
    /// hash (it does not after the server secret changed).
    pub fn recover(&self, links: &impl InvitationLinks) -> Option<InvitationToken> {
        let token = links.derive(self.nonce.as_ref()?);
        (token.hash() == self.hash).then_some(token)
    }
}

/// Makes and derives invitation tokens with the servers' key (the API holds
/// the key and draws nonces from the operating system).
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait InvitationLinks {
    /// A new token and the fresh random nonce it was derived from.
    fn mint(&self) -> (InvitationToken, LinkNonce);
    /// The token this server derives from `nonce` with its key now.
    fn derive(&self, nonce: &LinkNonce) -> InvitationToken;
}

/// [`InvitationLinks`] with a key and a source of random nonces.
#[derive(Clone)]
pub struct KeyedLinks {
    key: LinkKey,
    random: fn() -> [u8; NONCE_BYTES],
}

impl fmt::Debug for KeyedLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedLinks").finish_non_exhaustive()
    }
}

impl KeyedLinks {
    /// Links under `key`, with nonces from `random` (a CSPRNG: the API
    /// passes the operating system's).
    pub fn new(key: LinkKey, random: fn() -> [u8; NONCE_BYTES]) -> Self {
        Self { key, random }
    }
}

impl InvitationLinks for KeyedLinks {
    fn mint(&self) -> (InvitationToken, LinkNonce) {
        let nonce = LinkNonce::from_random_bytes((self.random)());
        (self.key.token(&nonce), nonce)
    }

    fn derive(&self, nonce: &LinkNonce) -> InvitationToken {
        self.key.token(nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn links(secret: &[u8]) -> KeyedLinks {
        KeyedLinks::new(LinkKey::derive(secret), || [7u8; NONCE_BYTES])
    }

    #[test]
    fn a_minted_token_is_recovered_from_what_the_store_keeps() {
        let links = links(b"server secret");
        let (token, nonce) = links.mint();
        let stored = StoredToken::new(&token, nonce);
        assert_eq!(stored.recover(&links), Some(token));
    }

    #[test]
    fn another_secret_or_no_nonce_recovers_nothing() {
        let (token, nonce) = links(b"server secret").mint();
        let stored = StoredToken::new(&token, nonce);
        assert_eq!(stored.recover(&links(b"a new secret")), None, "the secret changed");
        let old = StoredToken { hash: token.hash(), nonce: None };
        assert_eq!(old.recover(&links(b"server secret")), None, "a token from before nonces");
    }

    #[test]
    fn the_key_is_not_the_secret_nor_the_outbox_key() {
        let secret = b"server secret";
        assert_ne!(LinkKey::derive(secret).0.as_slice(), secret.as_slice());
        // The outbox key is SHA-256(label, secret); HMAC with another label differs.
        assert_ne!(LinkKey::derive(secret).0, hmac(secret, b"roster/outbox-seal/v1\0"));
    }

    #[test]
    fn debug_never_prints_the_key() {
        assert_eq!(format!("{:?}", LinkKey::derive(b"s")), "LinkKey(***)");
    }

    proptest! {
        #[test]
        fn tokens_are_url_safe_and_differ_by_nonce_and_key(
            a in proptest::array::uniform32(any::<u8>()),
            b in proptest::array::uniform32(any::<u8>()),
            secret in proptest::collection::vec(any::<u8>(), 1..64),
        ) {
            let key = LinkKey::derive(&secret);
            let (na, nb) = (LinkNonce::from_random_bytes(a), LinkNonce::from_random_bytes(b));
            let token = key.token(&na);
            prop_assert_eq!(token.as_str().len(), 43);
            prop_assert!(token.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            prop_assert_eq!(a == b, token == key.token(&nb));
            // (Not `push(0)`: HMAC pads short keys with zeros, so a key and the
            // same key with zeros appended are one key. Secrets are hex text.)
            let mut other = secret.clone();
            other[0] ^= 1;
            prop_assert_ne!(token, LinkKey::derive(&other).token(&na));
            prop_assert_eq!(LinkNonce::from_stored(&na.to_stored()), Some(na));
        }
    }
}
