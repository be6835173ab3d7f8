-- Invitations made by API keys have no account to name: they go.
DELETE FROM invitation_tokens WHERE invitation_id IN (SELECT invitation_id FROM invitations WHERE created_by IS NULL);
DELETE FROM invitations WHERE created_by IS NULL;
ALTER TABLE invitations DROP CONSTRAINT invitations_one_author;
ALTER TABLE invitations DROP COLUMN created_by_key_id;
ALTER TABLE invitations ALTER COLUMN created_by SET NOT NULL;
