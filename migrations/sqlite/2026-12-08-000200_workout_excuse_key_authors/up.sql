-- An organization API key may excuse a planned workout (issue #17). The
-- excuse names an account (`excused_by`) or a key (`excused_by_key_id`),
-- never both; `excused_by` is nullable already, so a column suffices (SQLite
-- cannot add the CHECK to an existing table: the store writes one or the
-- other, and PostgreSQL checks it).
ALTER TABLE workout_adjustments ADD COLUMN excused_by_key_id TEXT REFERENCES api_keys (key_id);
