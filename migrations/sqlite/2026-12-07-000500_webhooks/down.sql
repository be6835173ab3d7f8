DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP INDEX audit_events_webhooks_pending;
ALTER TABLE audit_events DROP COLUMN webhooks_pending;
