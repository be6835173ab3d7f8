DELETE FROM outbox WHERE org_id IS NULL;
ALTER TABLE outbox ALTER COLUMN org_id SET NOT NULL;
DROP TABLE password_resets;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
