-- Committed CSV imports of members: the report each row got (downloadable as
-- CSV) and the client's Idempotency-Key, so that a retried upload answers the
-- import that ran instead of running it again. Dry runs and imports that
-- kept nothing are not stored.
CREATE TABLE member_imports (
    import_id TEXT NOT NULL PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (org_id),
    actor_user_id TEXT NOT NULL,
    idempotency_key TEXT,
    fingerprint TEXT NOT NULL,
    report TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX member_imports_key ON member_imports (org_id, actor_user_id, idempotency_key);
