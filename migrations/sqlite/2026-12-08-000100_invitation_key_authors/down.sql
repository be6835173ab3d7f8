-- Invitations made by API keys have no account to name: they go.
DELETE FROM invitation_tokens WHERE invitation_id IN (SELECT invitation_id FROM invitations WHERE created_by IS NULL);
DELETE FROM invitations WHERE created_by IS NULL;
CREATE TABLE invitations_old (
    invitation_id   TEXT NOT NULL PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (org_id),
    kind            TEXT NOT NULL CHECK (kind IN ('single_use', 'multi_use')),
    role            TEXT NOT NULL CHECK (role IN ('athlete', 'assistant_coach')),
    email           TEXT,
    first_name      TEXT,
    name            TEXT,
    group_id        TEXT,
    plan_id         TEXT,
    plan_start_date TEXT,
    max_uses        BIGINT,
    use_count       BIGINT NOT NULL DEFAULT 0,
    expires_at      TIMESTAMP,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked', 'exhausted')),
    revoked_at      TIMESTAMP,
    created_by      TEXT NOT NULL REFERENCES users (user_id),
    created_at      TIMESTAMP NOT NULL,
    last_sent_at    TIMESTAMP,
    send_count      BIGINT NOT NULL DEFAULT 0
);
INSERT INTO invitations_old SELECT invitation_id, org_id, kind, role, email, first_name, name, group_id, plan_id,
    plan_start_date, max_uses, use_count, expires_at, status, revoked_at, created_by, created_at, last_sent_at,
    send_count FROM invitations;
CREATE TABLE invitation_tokens_old (
    token_hash    TEXT NOT NULL PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations_old (invitation_id),
    created_at    TIMESTAMP NOT NULL,
    replaced_at   TIMESTAMP
);
INSERT INTO invitation_tokens_old SELECT token_hash, invitation_id, created_at, replaced_at FROM invitation_tokens;
DROP TABLE invitation_tokens;
DROP TABLE invitations;
ALTER TABLE invitations_old RENAME TO invitations;
ALTER TABLE invitation_tokens_old RENAME TO invitation_tokens;
CREATE INDEX invitations_org ON invitations (org_id, invitation_id);
CREATE INDEX invitations_org_status ON invitations (org_id, status, invitation_id);
CREATE INDEX invitations_org_email ON invitations (org_id, email) WHERE status = 'pending';
CREATE INDEX invitation_tokens_invitation ON invitation_tokens (invitation_id);
