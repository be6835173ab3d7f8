-- An activity write kept `last_activity_at` on every membership of the
-- account, live or ended: `WHERE user_id = …` alone matches no index (the
-- user_id index holds live memberships only), so each write scanned the
-- whole memberships table. Only live memberships show it; an ended one
-- keeps the value it had (an account's erasure clears it).
CREATE OR REPLACE FUNCTION roster_last_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = NEW.user_id)
        WHERE user_id = NEW.user_id AND removed_at IS NULL;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id) THEN
        UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = OLD.user_id)
        WHERE user_id = OLD.user_id AND removed_at IS NULL;
    END IF;
    RETURN NULL;
END $$;
