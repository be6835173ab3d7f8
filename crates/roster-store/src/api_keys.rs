//! `ApiKeyRepo` over the store: keys by the SHA-256 of their secret.

use crate::Store;
use crate::error::{StoreError, parse};
use crate::rows::{from_db, insert_event, to_db};
use crate::schema::api_keys;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roster_domain::api_keys::{ApiKey, ApiKeyRepo};
use roster_domain::entities::AuditEvent;
use roster_domain::policy::Scope;
use roster_domain::{ApiKeyId, OrgId, RepoError};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
struct KeyRow {
    key_id: String,
    org_id: String,
    name: String,
    scopes: String,
    prefix: String,
    created_by: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl KeyRow {
    fn into_key(self) -> Result<ApiKey, StoreError> {
        let names: Vec<String> = parse("api_keys.scopes", serde_json::from_str(&self.scopes))?;
        let scopes = names
            .iter()
            .map(|n| Scope::parse(n).ok_or_else(|| StoreError::Corrupt(format!("api_keys.scopes: `{n}`"))))
            .collect::<Result<_, _>>()?;
        Ok(ApiKey {
            key_id: parse("api_keys.key_id", self.key_id.parse())?,
            org_id: parse("api_keys.org_id", self.org_id.parse())?,
            name: self.name,
            scopes,
            prefix: self.prefix,
            created_by: parse("api_keys.created_by", self.created_by.parse())?,
            created_at: from_db(self.created_at),
            expires_at: from_db(self.expires_at),
            last_used_at: self.last_used_at.map(from_db),
            revoked_at: self.revoked_at.map(from_db),
        })
    }
}

fn load(rows: Vec<KeyRow>) -> Result<Vec<ApiKey>, StoreError> {
    rows.into_iter().map(KeyRow::into_key).collect()
}

impl ApiKeyRepo for Store {
    fn insert_api_key(&self, key: &ApiKey, secret_hash: &str, event: &AuditEvent) -> Result<(), RepoError> {
        let scopes: Vec<&str> = key.scopes.iter().map(|s| s.as_str()).collect();
        self.tx(|conn| {
            diesel::insert_into(api_keys::table)
                .values((
                    api_keys::key_id.eq(key.key_id.to_string()),
                    api_keys::org_id.eq(key.org_id.to_string()),
                    api_keys::secret_hash.eq(secret_hash),
                    api_keys::name.eq(&key.name),
                    api_keys::scopes.eq(serde_json::to_string(&scopes).unwrap_or_default()),
                    api_keys::prefix.eq(&key.prefix),
                    api_keys::created_by.eq(key.created_by.to_string()),
                    api_keys::created_at.eq(to_db(key.created_at)),
                    api_keys::expires_at.eq(to_db(key.expires_at)),
                ))
                .execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn api_keys(&self, org_id: OrgId) -> Result<Vec<ApiKey>, RepoError> {
        self.with(|conn| {
            load(
                api_keys::table
                    .filter(api_keys::org_id.eq(org_id.to_string()))
                    .filter(api_keys::revoked_at.is_null())
                    .order(api_keys::key_id.asc())
                    .select(KeyRow::as_select())
                    .load(conn)?,
            )
        })
    }

    fn revoke_api_key(&self, org_id: OrgId, key_id: ApiKeyId, event: &AuditEvent) -> Result<bool, RepoError> {
        self.tx(|conn| {
            let revoked = diesel::update(
                api_keys::table
                    .filter(api_keys::org_id.eq(org_id.to_string()))
                    .filter(api_keys::key_id.eq(key_id.to_string()))
                    .filter(api_keys::revoked_at.is_null()),
            )
            .set(api_keys::revoked_at.eq(Some(to_db(event.created_at))))
            .execute(conn)?;
            if revoked == 0 {
                return Ok(false);
            }
            insert_event(conn, event)?;
            Ok(true)
        })
    }

    fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<ApiKey>, RepoError> {
        self.with(|conn| {
            api_keys::table
                .filter(api_keys::secret_hash.eq(secret_hash))
                .select(KeyRow::as_select())
                .first::<KeyRow>(conn)
                .optional()?
                .map(KeyRow::into_key)
                .transpose()
        })
    }

    fn touch_api_key(&self, key_id: ApiKeyId, now: DateTime<Utc>) -> Result<(), RepoError> {
        self.with(|conn| {
            diesel::update(api_keys::table.filter(api_keys::key_id.eq(key_id.to_string())))
                .set(api_keys::last_used_at.eq(Some(to_db(now))))
                .execute(conn)?;
            Ok(())
        })
    }
}
