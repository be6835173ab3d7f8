-- An activity write kept `last_activity_at` on every membership of the
-- account, live or ended: `WHERE user_id = …` alone matches no index (the
-- user_id index holds live memberships only), so each write scanned the
-- whole memberships table. Only live memberships show it; an ended one
-- keeps the value it had (an account's erasure clears it).
DROP TRIGGER activities_last_activity_insert;
DROP TRIGGER activities_last_activity_update;
DROP TRIGGER activities_last_activity_delete;
CREATE TRIGGER activities_last_activity_insert AFTER INSERT ON activities BEGIN
    UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = NEW.user_id)
    WHERE user_id = NEW.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER activities_last_activity_update AFTER UPDATE OF user_id, start_time ON activities BEGIN
    UPDATE memberships SET last_activity_at = (SELECT MAX(a.start_time) FROM activities a WHERE a.user_id = memberships.user_id)
    WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL;
END;
CREATE TRIGGER activities_last_activity_delete AFTER DELETE ON activities BEGIN
    UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = OLD.user_id)
    WHERE user_id = OLD.user_id AND removed_at IS NULL;
END;
