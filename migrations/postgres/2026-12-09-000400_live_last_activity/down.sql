CREATE OR REPLACE FUNCTION roster_last_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = NEW.user_id)
        WHERE user_id = NEW.user_id;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id) THEN
        UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = OLD.user_id)
        WHERE user_id = OLD.user_id;
    END IF;
    RETURN NULL;
END $$;
