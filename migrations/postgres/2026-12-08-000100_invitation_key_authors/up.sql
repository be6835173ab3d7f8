-- An organization API key may create invitations (issue #17). A key is no
-- account, so the author is either an account (`created_by`) or a key
-- (`created_by_key_id`), never both.
ALTER TABLE invitations ALTER COLUMN created_by DROP NOT NULL;
ALTER TABLE invitations ADD COLUMN created_by_key_id TEXT REFERENCES api_keys (key_id);
ALTER TABLE invitations ADD CONSTRAINT invitations_one_author
    CHECK ((created_by IS NULL) <> (created_by_key_id IS NULL));
