-- Activities recorded by API keys have no account to name: they go.
-- (The rebuild below sets `memberships_last_activity` aside as up.sql does.)
DELETE FROM activities WHERE created_by IS NULL;
DROP TRIGGER memberships_last_activity;
CREATE TABLE activities_new (
    activity_id       TEXT NOT NULL PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (user_id),
    sport             TEXT NOT NULL CHECK (sport IN ('run', 'bike', 'swim', 'strength', 'other')),
    start_time        TIMESTAMP NOT NULL,
    distance_m        DOUBLE PRECISION NOT NULL CHECK (distance_m >= 0),
    duration_s        BIGINT NOT NULL CHECK (duration_s > 0),
    elevation_gain_m  DOUBLE PRECISION,
    avg_hr            INTEGER,
    title             TEXT,
    source            TEXT NOT NULL CHECK (source IN ('manual', 'strava', 'garmin', 'apple_health')),
    external_id       TEXT,
    created_by        TEXT NOT NULL REFERENCES users (user_id),
    created_at        TIMESTAMP NOT NULL
);
INSERT INTO activities_new (activity_id, user_id, sport, start_time, distance_m, duration_s, elevation_gain_m, avg_hr,
    title, source, external_id, created_by, created_at)
SELECT activity_id, user_id, sport, start_time, distance_m, duration_s, elevation_gain_m, avg_hr, title, source,
    external_id, created_by, created_at FROM activities;
DROP TABLE activities;
ALTER TABLE activities_new RENAME TO activities;

CREATE UNIQUE INDEX activities_user_source_external ON activities (user_id, source, external_id);
CREATE INDEX activities_user_time ON activities (user_id, start_time DESC, activity_id DESC, distance_m);

CREATE TRIGGER activities_status_insert AFTER INSERT ON activities BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER activities_status_update AFTER UPDATE ON activities BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER activities_status_delete AFTER DELETE ON activities BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
END;
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
CREATE TRIGGER memberships_last_activity AFTER INSERT ON memberships BEGIN
    UPDATE memberships SET last_activity_at = (SELECT MAX(start_time) FROM activities WHERE user_id = NEW.user_id)
    WHERE membership_id = NEW.membership_id;
END;
