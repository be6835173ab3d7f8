-- Activities recorded by API keys have no account to name: they go.
DELETE FROM activities WHERE created_by IS NULL;
ALTER TABLE activities DROP CONSTRAINT activities_one_author;
ALTER TABLE activities DROP COLUMN created_by_key_id;
ALTER TABLE activities ALTER COLUMN created_by SET NOT NULL;
