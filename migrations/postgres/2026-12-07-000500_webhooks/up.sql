-- Webhooks (issue #17). The audit trail is the outbox: an audited change
-- whose action announces an event is marked `webhooks_pending` in its own
-- transaction; the dispatcher fans marked events out to `webhook_deliveries`
-- (one per matching endpoint) and clears the mark in one transaction.
ALTER TABLE audit_events ADD COLUMN webhooks_pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX audit_events_webhooks_pending ON audit_events (event_id) WHERE webhooks_pending = TRUE;

-- Secrets are sealed with the server's webhook key (`webhooks.secret_key`).
CREATE TABLE webhook_endpoints (
    endpoint_id                 TEXT NOT NULL PRIMARY KEY,
    org_id                      TEXT NOT NULL REFERENCES organizations (org_id),
    url                         TEXT NOT NULL,
    event_types                 TEXT NOT NULL,
    description                 TEXT NOT NULL,
    enabled                     BOOLEAN NOT NULL,
    disabled_reason             TEXT,
    secret                      TEXT NOT NULL,
    previous_secret             TEXT,
    previous_secret_until       TIMESTAMP,
    failing_since               TIMESTAMP,
    created_at                  TIMESTAMP NOT NULL,
    updated_at                  TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints (org_id, endpoint_id);

-- One event for one endpoint; `delivery_id` is the `webhook-id` of every attempt.
-- `next_attempt_at` is set while pending (pushed ahead by a claim: the lease).
CREATE TABLE webhook_deliveries (
    delivery_id      TEXT NOT NULL PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (endpoint_id) ON DELETE CASCADE,
    org_id           TEXT NOT NULL,
    event_id         TEXT,
    event_type       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, delivery_id);
CREATE INDEX webhook_deliveries_updated ON webhook_deliveries (updated_at);

CREATE TABLE webhook_attempts (
    attempt_id     TEXT NOT NULL PRIMARY KEY,
    delivery_id    TEXT NOT NULL REFERENCES webhook_deliveries (delivery_id) ON DELETE CASCADE,
    attempted_at   TIMESTAMP NOT NULL,
    status_code    INTEGER,
    latency_ms     BIGINT NOT NULL,
    response_body  TEXT NOT NULL,
    error          TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt_id);
CREATE INDEX webhook_attempts_time ON webhook_attempts (attempted_at);
