-- Organization API keys (issue #17). Only the SHA-256 of a key is kept;
-- `created_by` is no foreign key: a key outlives its maker's membership.
CREATE TABLE api_keys (
    key_id       TEXT NOT NULL PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (org_id),
    secret_hash  TEXT NOT NULL,
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE UNIQUE INDEX api_keys_secret_hash ON api_keys (secret_hash);
CREATE INDEX api_keys_org ON api_keys (org_id, key_id);
