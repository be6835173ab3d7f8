-- Invitations (single use by e-mail, multi-use links), their tokens (hashes
-- only), and the outbox of e-mails written in the same transactions.
-- group_id and plan_id are plain columns: groups and plans arrive later.
CREATE TABLE invitations (
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
CREATE INDEX invitations_org ON invitations (org_id, invitation_id);
CREATE INDEX invitations_org_status ON invitations (org_id, status, invitation_id);
CREATE INDEX invitations_org_email ON invitations (org_id, email) WHERE status = 'pending';

-- Every token an invitation had; a resend marks the old one replaced.
CREATE TABLE invitation_tokens (
    token_hash    TEXT NOT NULL PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations (invitation_id),
    created_at    TIMESTAMP NOT NULL,
    replaced_at   TIMESTAMP
);
CREATE INDEX invitation_tokens_invitation ON invitation_tokens (invitation_id);

CREATE TABLE outbox (
    message_id      TEXT NOT NULL PRIMARY KEY,
    org_id          TEXT NOT NULL,
    invitation_id   TEXT,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         TIMESTAMP,
    failed_at       TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
