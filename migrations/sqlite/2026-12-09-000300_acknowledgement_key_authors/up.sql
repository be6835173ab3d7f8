-- An organization API key may acknowledge an athlete's attention signal
-- (issue #17, `members:write`). As for invitations (2026-12-08-000100), the
-- acknowledger is an account (`acknowledged_by`) or a key
-- (`acknowledged_by_key_id`), never both. SQLite cannot drop a NOT NULL
-- constraint: the table is rebuilt (it has no other index and no trigger;
-- nothing references it).
CREATE TABLE attention_acknowledgements_new (
    membership_id          TEXT NOT NULL REFERENCES memberships (membership_id),
    code                   TEXT NOT NULL,
    org_id                 TEXT NOT NULL REFERENCES organizations (org_id),
    severity               TEXT NOT NULL,
    data_version           BIGINT NOT NULL,
    note                   TEXT,
    acknowledged_by        TEXT REFERENCES users (user_id),
    acknowledged_at        TIMESTAMP NOT NULL,
    acknowledged_by_key_id TEXT REFERENCES api_keys (key_id),
    PRIMARY KEY (membership_id, code),
    CHECK ((acknowledged_by IS NULL) <> (acknowledged_by_key_id IS NULL))
);
INSERT INTO attention_acknowledgements_new (membership_id, code, org_id, severity, data_version, note,
    acknowledged_by, acknowledged_at)
SELECT membership_id, code, org_id, severity, data_version, note, acknowledged_by, acknowledged_at
FROM attention_acknowledgements;
DROP TABLE attention_acknowledgements;
ALTER TABLE attention_acknowledgements_new RENAME TO attention_acknowledgements;
