//! Managing organization API keys (the head coach's, `Action::ManageApiKeys`;
//! no key may) and authenticating a request that presents one.

use crate::Clock;
use crate::api_keys::{ApiKey, ApiKeyRepo, ApiKeySecret, parse_expiry, parse_name, parse_scopes};
use crate::context::Context;
use crate::entities::AuditEvent;
use crate::error::DomainError;
use crate::ids::{ApiKeyId, OrgId, UserId};
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::OrganizationRepo;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Everything these use cases read and write.
pub trait ApiKeyStore: OrganizationRepo + ApiKeyRepo {}
impl<T: OrganizationRepo + ApiKeyRepo> ApiKeyStore for T {}

/// A request for a key, unchecked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewApiKey {
    /// What it is for.
    pub name: String,
    /// Scope names.
    pub scopes: Vec<String>,
    /// Absent: 90 days.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Makes a key for `secret` (random, made by the caller, shown once).
pub fn create(
    cx: &Context<'_, impl ApiKeyStore>,
    org_id: OrgId,
    new: NewApiKey,
    secret: &ApiKeySecret,
) -> Result<ApiKey, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.account()?);
    may_manage(store, org_id, caller)?;
    let now = clock.now();
    let (name, scopes, expires_at) =
        (parse_name(&new.name), parse_scopes(&new.scopes), parse_expiry(new.expires_at, now));
    let errors: Vec<_> = [name.as_ref().err(), scopes.as_ref().err(), expires_at.as_ref().err()]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let (Ok(name), Ok(scopes), Ok(expires_at)) = (name, scopes, expires_at) else {
        return Err(DomainError::Validation(errors));
    };
    let key = ApiKey {
        key_id: ApiKeyId::new(),
        org_id,
        name,
        scopes,
        prefix: secret.prefix(),
        created_by: caller,
        created_at: now,
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    let scope_names: Vec<_> = key.scopes.iter().map(|s| s.as_str()).collect();
    let changes = json!({"key_id": key.key_id, "name": key.name, "scopes": scope_names, "expires_at": expires_at});
    let event = AuditEvent::new(org_id, caller, "api_key.created", None, changes, now);
    store.insert_api_key(&key, &secret.hash(), &event)?;
    Ok(key)
}

/// The organization's live and expired keys (revoked ones are gone).
pub fn list(cx: &Context<'_, impl ApiKeyStore>, org_id: OrgId) -> Result<Vec<ApiKey>, DomainError> {
    let (store, caller) = (cx.store, cx.caller.account()?);
    may_manage(store, org_id, caller)?;
    Ok(store.api_keys(org_id)?)
}

/// Revokes a key: refused from the next request on.
pub fn revoke(cx: &Context<'_, impl ApiKeyStore>, org_id: OrgId, key_id: ApiKeyId) -> Result<(), DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.account()?);
    may_manage(store, org_id, caller)?;
    let event = AuditEvent::new(org_id, caller, "api_key.revoked", None, json!({"key_id": key_id}), clock.now());
    if store.revoke_api_key(org_id, key_id, &event)? { Ok(()) } else { Err(DomainError::NotFound("API key")) }
}

/// The key a request presents, as the actor it is in `org_id`: `401` when it
/// is unknown, revoked or expired; `404` (like an outsider) in another
/// organization. Records the use, at most once a minute.
pub fn authenticate(
    store: &impl ApiKeyRepo,
    clock: &impl Clock,
    secret: &ApiKeySecret,
    org_id: OrgId,
) -> Result<Actor, DomainError> {
    let now = clock.now();
    let key =
        store.api_key_by_hash(&secret.hash())?.filter(|k| k.usable_at(now)).ok_or(DomainError::Unauthenticated)?;
    if key.use_is_news(now) {
        store.touch_api_key(key.key_id, now)?;
    }
    Actor::for_key(key.key_id, key.org_id, key.scopes, org_id)
}

fn may_manage(store: &impl ApiKeyStore, org_id: OrgId, caller: UserId) -> Result<(), DomainError> {
    Ok(authorize(&Actor::resolve(store, org_id, caller)?, Action::ManageApiKeys, Target::Organization)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;
    use crate::api_keys::MockApiKeyRepo;
    use crate::policy::Scope;
    use chrono::Duration;

    fn key(now: DateTime<Utc>) -> ApiKey {
        ApiKey {
            key_id: ApiKeyId::new(),
            org_id: OrgId::new(),
            name: "sync".into(),
            scopes: vec![Scope::MembersRead],
            prefix: "rst_".into(),
            created_by: UserId::new(),
            created_at: now,
            expires_at: now + Duration::days(1),
            last_used_at: Some(now),
            revoked_at: None,
        }
    }

    fn authenticate_with(stored: Option<ApiKey>, at: DateTime<Utc>, touches: usize) -> Result<Actor, DomainError> {
        authenticate_in(stored, at, touches, None)
    }

    fn authenticate_in(
        stored: Option<ApiKey>,
        at: DateTime<Utc>,
        touches: usize,
        org: Option<OrgId>,
    ) -> Result<Actor, DomainError> {
        let org_id = org.or(stored.as_ref().map(|k| k.org_id)).unwrap_or_default();
        let mut repo = MockApiKeyRepo::new();
        repo.expect_api_key_by_hash().returning(move |_| Ok(stored.clone()));
        repo.expect_touch_api_key().times(touches).returning(|_, _| Ok(()));
        authenticate(&repo, &FixedClock::at(&at.to_rfc3339()), &ApiKeySecret::from_random([3; 32]), org_id)
    }

    #[test]
    fn unknown_revoked_and_expired_keys_are_unauthenticated() {
        let now = Utc::now();
        assert!(matches!(authenticate_with(None, now, 0), Err(DomainError::Unauthenticated)));
        let mut revoked = key(now);
        revoked.revoked_at = Some(now);
        assert!(matches!(authenticate_with(Some(revoked), now, 0), Err(DomainError::Unauthenticated)));
        let expired = key(now - Duration::days(2));
        assert!(matches!(authenticate_with(Some(expired), now, 0), Err(DomainError::Unauthenticated)));
    }

    #[test]
    fn a_key_is_hidden_elsewhere_and_its_use_written_once_a_minute() {
        let now = Utc::now();
        let live = key(now);
        assert!(matches!(
            authenticate_with(Some(live.clone()), now + Duration::seconds(59), 0),
            Ok(Actor::ApiKey { .. })
        ));
        assert!(authenticate_with(Some(live.clone()), now + Duration::seconds(61), 1).is_ok());
        let elsewhere = authenticate_in(Some(live), now, 0, Some(OrgId::new()));
        assert!(matches!(elsewhere, Err(DomainError::NotFound("organization"))));
    }
}
