DELETE FROM outbox WHERE org_id IS NULL;
CREATE TABLE outbox_old (
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
INSERT INTO outbox_old SELECT message_id, org_id, invitation_id, recipient, subject, body_text, body_html,
    created_at, next_attempt_at, attempts, last_error, sent_at, failed_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
DROP TABLE password_resets;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
