-- An organization API key may excuse a planned workout (issue #17). The
-- excuse names an account (`excused_by`) or a key (`excused_by_key_id`),
-- never both.
ALTER TABLE workout_adjustments ADD COLUMN excused_by_key_id TEXT REFERENCES api_keys (key_id);
ALTER TABLE workout_adjustments ADD CONSTRAINT workout_adjustments_one_excuser
    CHECK (excused_by IS NULL OR excused_by_key_id IS NULL);
