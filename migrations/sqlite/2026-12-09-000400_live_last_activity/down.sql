DROP TRIGGER activities_last_activity_insert;
DROP TRIGGER activities_last_activity_update;
DROP TRIGGER activities_last_activity_delete;
CREATE TRIGGER activities_last_activity_insert AFTER INSERT ON activities BEGIN
    UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = NEW.user_id)
    WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER activities_last_activity_update AFTER UPDATE OF user_id, start_time ON activities BEGIN
    UPDATE memberships SET last_activity_at = (SELECT MAX(a.start_time) FROM activities a WHERE a.user_id = memberships.user_id)
    WHERE user_id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER activities_last_activity_delete AFTER DELETE ON activities BEGIN
    UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = OLD.user_id)
    WHERE user_id = OLD.user_id;
END;
