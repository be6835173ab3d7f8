DROP INDEX memberships_removed_at;
ALTER TABLE outbox DROP COLUMN erase_when_done;
ALTER TABLE organizations DROP COLUMN closed_at;
ALTER TABLE users DROP COLUMN deleted_at;
