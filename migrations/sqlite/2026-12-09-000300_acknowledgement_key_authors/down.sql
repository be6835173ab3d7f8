-- Acknowledgements by API keys have no account to name: they go (the
-- signal shows again in the queue).
DELETE FROM attention_acknowledgements WHERE acknowledged_by IS NULL;
CREATE TABLE attention_acknowledgements_new (
    membership_id          TEXT NOT NULL REFERENCES memberships (membership_id),
    code                   TEXT NOT NULL,
    org_id                 TEXT NOT NULL REFERENCES organizations (org_id),
    severity               TEXT NOT NULL,
    data_version           BIGINT NOT NULL,
    note                   TEXT,
    acknowledged_by        TEXT NOT NULL REFERENCES users (user_id),
    acknowledged_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (membership_id, code)
);
INSERT INTO attention_acknowledgements_new (membership_id, code, org_id, severity, data_version, note,
    acknowledged_by, acknowledged_at)
SELECT membership_id, code, org_id, severity, data_version, note, acknowledged_by, acknowledged_at
FROM attention_acknowledgements;
DROP TABLE attention_acknowledgements;
ALTER TABLE attention_acknowledgements_new RENAME TO attention_acknowledgements;
