-- An organization API key may record an athlete's activity (issue #17,
-- `activities:write`). As for invitations (2026-12-08-000100), the author
-- is an account (`created_by`) or a key (`created_by_key_id`), never both.
ALTER TABLE activities ALTER COLUMN created_by DROP NOT NULL;
ALTER TABLE activities ADD COLUMN created_by_key_id TEXT REFERENCES api_keys (key_id);
ALTER TABLE activities ADD CONSTRAINT activities_one_author
    CHECK ((created_by IS NULL) <> (created_by_key_id IS NULL));
