-- Acknowledgements by API keys have no account to name: they go (the
-- signal shows again in the queue).
DELETE FROM attention_acknowledgements WHERE acknowledged_by IS NULL;
ALTER TABLE attention_acknowledgements DROP CONSTRAINT attention_acknowledgements_one_author;
ALTER TABLE attention_acknowledgements DROP COLUMN acknowledged_by_key_id;
ALTER TABLE attention_acknowledgements ALTER COLUMN acknowledged_by SET NOT NULL;
