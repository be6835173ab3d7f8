-- An organization API key may create invitations (issue #17). A key is no
-- account, so the author is either an account (`created_by`) or a key
-- (`created_by_key_id`), never both. SQLite cannot drop a NOT NULL
-- constraint: the table is rebuilt, with `invitation_tokens` (which
-- references it) so that no row is ever orphaned while foreign keys are on.
CREATE TABLE invitations_new (
    invitation_id     TEXT NOT NULL PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (org_id),
    kind              TEXT NOT NULL CHECK (kind IN ('single_use', 'multi_use')),
    role              TEXT NOT NULL CHECK (role IN ('athlete', 'assistant_coach')),
    email             TEXT,
    first_name        TEXT,
    name              TEXT,
    group_id          TEXT,
    plan_id           TEXT,
    plan_start_date   TEXT,
    max_uses          BIGINT,
    use_count         BIGINT NOT NULL DEFAULT 0,
    expires_at        TIMESTAMP,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked', 'exhausted')),
    revoked_at        TIMESTAMP,
    created_by        TEXT REFERENCES users (user_id),
    created_at        TIMESTAMP NOT NULL,
    last_sent_at      TIMESTAMP,
    send_count        BIGINT NOT NULL DEFAULT 0,
    created_by_key_id TEXT REFERENCES api_keys (key_id),
    CHECK ((created_by IS NULL) <> (created_by_key_id IS NULL))
);
INSERT INTO invitations_new (invitation_id, org_id, kind, role, email, first_name, name, group_id, plan_id,
    plan_start_date, max_uses, use_count, expires_at, status, revoked_at, created_by, created_at, last_sent_at,
    send_count)
SELECT invitation_id, org_id, kind, role, email, first_name, name, group_id, plan_id, plan_start_date, max_uses,
    use_count, expires_at, status, revoked_at, created_by, created_at, last_sent_at, send_count FROM invitations;

-- It references the new table, whose rename below carries the reference
-- along; referencing `invitations` would make dropping the old one orphan it.
CREATE TABLE invitation_tokens_new (
    token_hash    TEXT NOT NULL PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations_new (invitation_id),
    created_at    TIMESTAMP NOT NULL,
    replaced_at   TIMESTAMP
);
INSERT INTO invitation_tokens_new SELECT token_hash, invitation_id, created_at, replaced_at FROM invitation_tokens;

DROP TABLE invitation_tokens;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
ALTER TABLE invitation_tokens_new RENAME TO invitation_tokens;
CREATE INDEX invitations_org ON invitations (org_id, invitation_id);
CREATE INDEX invitations_org_status ON invitations (org_id, status, invitation_id);
CREATE INDEX invitations_org_email ON invitations (org_id, email) WHERE status = 'pending';
CREATE INDEX invitation_tokens_invitation ON invitation_tokens (invitation_id);
