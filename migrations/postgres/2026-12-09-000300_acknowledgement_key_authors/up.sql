-- An organization API key may acknowledge an athlete's attention signal
-- (issue #17, `members:write`). As for invitations (2026-12-08-000100), the
-- acknowledger is an account (`acknowledged_by`) or a key
-- (`acknowledged_by_key_id`), never both.
ALTER TABLE attention_acknowledgements ALTER COLUMN acknowledged_by DROP NOT NULL;
ALTER TABLE attention_acknowledgements ADD COLUMN acknowledged_by_key_id TEXT REFERENCES api_keys (key_id);
ALTER TABLE attention_acknowledgements ADD CONSTRAINT attention_acknowledgements_one_author
    CHECK ((acknowledged_by IS NULL) <> (acknowledged_by_key_id IS NULL));
