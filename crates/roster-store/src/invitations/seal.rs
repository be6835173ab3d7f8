//! Outbox bodies at rest: sealed with ChaCha20-Poly1305 under a key the
//! database does not hold, because an invitation e-mail carries its link and
//! a copy of the database must not let anyone accept an invitation.

use crate::error::StoreError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

const PREFIX: &str = "sealed:v1:";

/// The key outbox bodies are sealed with.
pub struct MailKey(LessSafeKey);

impl std::fmt::Debug for MailKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailKey(***)")
    }
}

impl MailKey {
    /// A key from 32 secret bytes.
    pub fn new(key: [u8; 32]) -> Option<Self> {
        UnboundKey::new(&CHACHA20_POLY1305, &key).ok().map(|k| Self(LessSafeKey::new(k)))
    }

    /// `plain` sealed and bound to `context` (the message id).
    pub fn seal(&self, plain: &str, context: &str) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| StoreError::Pool("no randomness for sealing".into()))?;
        let mut sealed = plain.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context.as_bytes()), &mut sealed)
            .map_err(|_| StoreError::Corrupt("sealing an outbox body failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD_NO_PAD.encode(out)))
    }

    /// The text sealed by [`MailKey::seal`] with the same `context`.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, StoreError> {
        let corrupt = || StoreError::Corrupt("an outbox body does not open with this mail key".into());
        let encoded = stored.strip_prefix(PREFIX).ok_or_else(corrupt)?;
        let bytes = STANDARD_NO_PAD.decode(encoded).map_err(|_| corrupt())?;
        if bytes.len() < NONCE_LEN {
            return Err(corrupt());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| corrupt())?;
        let mut sealed = sealed.to_vec();
        let plain = self.0.open_in_place(nonce, Aad::from(context.as_bytes()), &mut sealed).map_err(|_| corrupt())?;
        String::from_utf8(plain.to_vec()).map_err(|_| corrupt())
    }
}

/// Seals with the key when there is one (tests without a key store plain text).
pub(crate) fn seal(key: Option<&MailKey>, plain: &str, context: &str) -> Result<String, StoreError> {
    match key {
        Some(k) => k.seal(plain, context),
        None => Ok(plain.to_owned()),
    }
}

/// Opens a stored body: sealed ones need the key.
pub(crate) fn open(key: Option<&MailKey>, stored: &str, context: &str) -> Result<String, StoreError> {
    match (key, stored.starts_with(PREFIX)) {
        (Some(k), true) => k.open(stored, context),
        (None, true) => Err(StoreError::Corrupt("outbox body is sealed but no mail key is set".into())),
        (_, false) => Ok(stored.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_context() {
        let key = MailKey::new([1; 32]).unwrap();
        let sealed = key.seal("http://x/join/secret", "m1").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(key.open(&sealed, "m1").unwrap(), "http://x/join/secret");
        assert!(key.open(&sealed, "m2").is_err());
        assert!(MailKey::new([2; 32]).unwrap().open(&sealed, "m1").is_err());
        assert!(open(None, &sealed, "m1").is_err());
        assert_eq!(open(None, "plain", "m1").unwrap(), "plain");
    }
}
