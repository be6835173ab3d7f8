//! Organization API keys: a principal of its organization, not a person
//! (see `policy::Actor::ApiKey`).
//!
//! A key reads `rst_` + 43 base62 characters (32 random bytes) + a 6-character
//! base62 checksum (the first 4 bytes of the SHA-256 of what precedes it),
//! so a secret scanner recognises a leaked key offline without false hits on
//! random `rst_` text. The store keeps only the SHA-256 of the whole key.

use crate::entities::AuditEvent;
use crate::error::{FieldError, RepoError};
use crate::ids::{ApiKeyId, OrgId, UserId};
use crate::policy::Scope;
use crate::values::{Lines, clean_text};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// What every key starts with.
pub const KEY_PREFIX: &str = "rst_";
/// A key's expiry when the request names none.
pub const DEFAULT_LIFETIME: Duration = Duration::days(90);
/// The longest a key may live.
pub const MAX_LIFETIME: Duration = Duration::days(365);
/// `last_used_at` is written at most this often.
pub const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LEN: usize = 43;
const CHECKSUM_LEN: usize = 6;
/// How much of a key is shown in lists (`rst_` and 8 characters).
const SHOWN_LEN: usize = KEY_PREFIX.len() + 8;

/// `bytes` (big-endian) in base62, left-padded with `0` to `width`.
fn base62(bytes: &[u8], width: usize) -> String {
    let mut number = bytes.to_vec();
    let mut digits = Vec::with_capacity(width);
    while number.iter().any(|b| *b != 0) {
        let mut remainder = 0u32;
        for byte in number.iter_mut() {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = (value / 62) as u8;
            remainder = value % 62;
        }
        digits.push(BASE62[remainder as usize]);
    }
    digits.resize(digits.len().max(width), b'0');
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

fn checksum(head: &str) -> String {
    base62(&Sha256::digest(head.as_bytes())[..4], CHECKSUM_LEN)
}

/// A key in clear: exists between its creation and the `201`, and while a
/// request presenting it is authenticated.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl std::fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeySecret({}…)", self.prefix())
    }
}

impl ApiKeySecret {
    /// The key made of 32 random bytes.
    ///
    /// ```
    /// use roster_domain::api_keys::ApiKeySecret;
    /// let key = ApiKeySecret::from_random([7; 32]);
    /// assert!(key.as_str().starts_with("rst_") && key.as_str().len() == 4 + 43 + 6);
    /// assert_eq!(ApiKeySecret::parse(key.as_str()), Some(key));
    /// ```
    pub fn from_random(bytes: [u8; 32]) -> Self {
        let head = format!("{KEY_PREFIX}{}", base62(&bytes, BODY_LEN));
        let sum = checksum(&head);
        Self(head + &sum)
    }

    /// A presented key, if it has the form and its checksum holds.
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix(KEY_PREFIX)?;
        if body.len() != BODY_LEN + CHECKSUM_LEN || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let (head, sum) = text.split_at(text.len() - CHECKSUM_LEN);
        (checksum(head) == sum).then(|| Self(text.to_owned()))
    }

    /// The key, to show once.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What lists show of it.
    pub fn prefix(&self) -> String {
        self.0.chars().take(SHOWN_LEN).collect()
    }

    /// What the store keeps: the SHA-256 of the key, in hex.
    pub fn hash(&self) -> String {
        Sha256::digest(self.0.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A key as listed (never its secret).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    /// Public id.
    pub key_id: ApiKeyId,
    /// Its organization.
    pub org_id: OrgId,
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// The start of the key, to recognise it.
    pub prefix: String,
    /// The head coach who made it (the key outlives their membership).
    pub created_by: UserId,
    /// Made.
    pub created_at: DateTime<Utc>,
    /// Refused from then on.
    pub expires_at: DateTime<Utc>,
    /// Last authenticated request, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked (revoked keys are not listed).
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// Whether a request at `now` may use it.
    pub fn usable_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    /// Whether a use at `now` is worth writing down.
    pub fn use_is_news(&self, now: DateTime<Utc>) -> bool {
        self.last_used_at.is_none_or(|last| now - last >= LAST_USED_GRANULARITY)
    }
}

/// A key's name: one line, 1 to 100 characters.
pub fn parse_name(input: &str) -> Result<String, FieldError> {
    let name = clean_text(input, Lines::One).map_err(|e| FieldError::from_invalid("name", e))?;
    match name.chars().count() {
        0 => Err(FieldError::new("name", "required", "must not be empty")),
        101.. => Err(FieldError::new("name", "too_long", "must be at most 100 characters")),
        _ => Ok(name),
    }
}

/// The scopes, each known, at least one, without repeats (order kept).
pub fn parse_scopes(input: &[String]) -> Result<Vec<Scope>, FieldError> {
    let mut scopes = Vec::new();
    for text in input {
        let scope = Scope::parse(text)
            .ok_or_else(|| FieldError::new("scopes", "unknown_scope", format!("unknown scope `{text}`")))?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err(FieldError::new("scopes", "required", "name at least one scope"));
    }
    Ok(scopes)
}

/// The expiry: 90 days from `now` when absent; in the future, at most a year away.
pub fn parse_expiry(requested: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    match requested {
        None => Ok(now + DEFAULT_LIFETIME),
        Some(at) if at <= now => Err(FieldError::new("expires_at", "in_past", "must be in the future")),
        Some(at) if at > now + MAX_LIFETIME => {
            Err(FieldError::new("expires_at", "too_far", "must be at most a year away"))
        }
        Some(at) => Ok(at),
    }
}

/// Organization API keys.
#[cfg_attr(any(test, feature = "mock"), ambassador::delegatable_trait)]
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ApiKeyRepo {
    /// Stores a new key by the hash of its secret, and `event`.
    fn insert_api_key(&self, key: &ApiKey, secret_hash: &str, event: &AuditEvent) -> Result<(), RepoError>;
    /// The organization's keys not revoked, oldest first.
    fn api_keys(&self, org_id: OrgId) -> Result<Vec<ApiKey>, RepoError>;
    /// Revokes a live key of the organization at `event.created_at`; false: no such key.
    fn revoke_api_key(&self, org_id: OrgId, key_id: ApiKeyId, event: &AuditEvent) -> Result<bool, RepoError>;
    /// The key with this secret hash, revoked or not.
    fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<ApiKey>, RepoError>;
    /// Records a use at `now`.
    fn touch_api_key(&self, key_id: ApiKeyId, now: DateTime<Utc>) -> Result<(), RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_key_parses_and_any_changed_character_is_caught(bytes: [u8; 32], at in 4usize..53, by in 1u8..62) {
            let key = ApiKeySecret::from_random(bytes);
            prop_assert_eq!(ApiKeySecret::parse(key.as_str()), Some(key.clone()));
            let mut text = key.as_str().as_bytes().to_vec();
            let pos = BASE62.iter().position(|c| *c == text[at]).unwrap_or(0);
            text[at] = BASE62[(pos + usize::from(by)) % 62];
            let changed = String::from_utf8(text).unwrap_or_default();
            // A 32-bit checksum lets about one change in four billion through.
            prop_assume!(checksum(&changed[..changed.len() - CHECKSUM_LEN]) != changed[changed.len() - CHECKSUM_LEN..]);
            prop_assert_eq!(ApiKeySecret::parse(&changed), None);
        }
    }

    #[test]
    fn base62_of_the_extremes() {
        assert_eq!(base62(&[0; 32], BODY_LEN), "0".repeat(BODY_LEN));
        assert_eq!(base62(&[255; 32], BODY_LEN).len(), BODY_LEN, "2^256 fits in 43 base62 digits");
        assert_eq!(base62(&[1, 0], 3), "048", "256 = 4 × 62 + 8");
    }

    #[test]
    fn other_text_is_not_a_key() {
        for text in ["", "rst_", "rst_short", "ghp_0000000000000000000000000000000000000000000000000"] {
            assert_eq!(ApiKeySecret::parse(text), None, "{text}");
        }
    }

    #[test]
    fn the_key_is_shown_by_its_start_only() {
        let key = ApiKeySecret::from_random([1; 32]);
        assert_eq!(key.prefix().len(), 12);
        assert!(!format!("{key:?}").contains(key.as_str()));
        assert_eq!(key.hash().len(), 64);
    }

    #[test]
    fn expiry_defaults_to_90_days_and_is_at_most_a_year() {
        let now = Utc::now();
        assert_eq!(parse_expiry(None, now), Ok(now + Duration::days(90)));
        assert_eq!(parse_expiry(Some(now + Duration::days(365)), now), Ok(now + Duration::days(365)));
        assert_eq!(parse_expiry(Some(now + Duration::days(366)), now).unwrap_err().code, "too_far");
        assert_eq!(parse_expiry(Some(now), now).unwrap_err().code, "in_past");
    }

    #[test]
    fn scopes_and_names_are_checked() {
        assert_eq!(parse_scopes(&["members:read".into(), "members:read".into()]), Ok(vec![Scope::MembersRead]));
        assert_eq!(parse_scopes(&["keys:manage".into()]).unwrap_err().code, "unknown_scope");
        assert_eq!(parse_scopes(&[]).unwrap_err().code, "required");
        assert_eq!(parse_name(" sync ").as_deref(), Ok("sync"));
        assert_eq!(parse_name(&"x".repeat(101)).unwrap_err().code, "too_long");
    }

    #[test]
    fn last_use_is_written_once_a_minute() {
        let now = Utc::now();
        let mut key = ApiKey {
            key_id: ApiKeyId::new(),
            org_id: OrgId::new(),
            name: "k".into(),
            scopes: vec![Scope::MembersRead],
            prefix: "rst_".into(),
            created_by: UserId::new(),
            created_at: now,
            expires_at: now + DEFAULT_LIFETIME,
            last_used_at: None,
            revoked_at: None,
        };
        assert!(key.use_is_news(now));
        key.last_used_at = Some(now);
        assert!(!key.use_is_news(now + Duration::seconds(59)));
        assert!(key.use_is_news(now + Duration::seconds(60)));
        assert!(key.usable_at(now) && !key.usable_at(key.expires_at));
        key.revoked_at = Some(now);
        assert!(!key.usable_at(now));
    }
}
