-- A key's excuse has no account to name: it goes (the move, if any, stays).
UPDATE workout_adjustments SET excuse_reason = NULL, excused_at = NULL WHERE excused_by_key_id IS NOT NULL;
ALTER TABLE workout_adjustments DROP COLUMN excused_by_key_id;
