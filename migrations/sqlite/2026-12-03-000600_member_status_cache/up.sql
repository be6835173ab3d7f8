-- Each live membership keeps its profile status (the roster's
-- include_profile_status) and attention summary as last computed, with what
-- makes it current: the data version it was computed from, the instant until
-- which it holds without new data, and the attention settings it used. The
-- triggers below bump status_version on every write to the data it reads, so
-- a stored status is used only while all three still match (see
-- roster-store's members/status_cache.rs). attention_order orders
-- sort=attention through an index: most severe first, then most signals.
ALTER TABLE memberships ADD COLUMN status_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN status_cache TEXT;
ALTER TABLE memberships ADD COLUMN status_cached_version BIGINT;
ALTER TABLE memberships ADD COLUMN status_valid_until TIMESTAMP;
ALTER TABLE memberships ADD COLUMN status_key TEXT;
ALTER TABLE memberships ADD COLUMN attention_order INTEGER NOT NULL DEFAULT 0;

CREATE INDEX memberships_roster_attention ON memberships (org_id, role, attention_order, sort_name, user_id, status, labels_text, member_level, assigned_to_coach_id, status_version, status_cached_version, status_valid_until, status_key, removed_at) WHERE removed_at IS NULL AND role = 'athlete';

CREATE TRIGGER activities_status_insert AFTER INSERT ON activities BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = NEW.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER activities_status_update AFTER UPDATE ON activities BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL;
END;
CREATE TRIGGER activities_status_delete AFTER DELETE ON activities BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = OLD.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER integrations_status_insert AFTER INSERT ON integrations BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = NEW.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER integrations_status_update AFTER UPDATE ON integrations BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL;
END;
CREATE TRIGGER integrations_status_delete AFTER DELETE ON integrations BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = OLD.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER race_goals_status_insert AFTER INSERT ON race_goals BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = NEW.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER race_goals_status_update AFTER UPDATE ON race_goals BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL;
END;
CREATE TRIGGER race_goals_status_delete AFTER DELETE ON race_goals BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = OLD.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER athlete_zones_status_insert AFTER INSERT ON athlete_zones BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = NEW.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER athlete_zones_status_update AFTER UPDATE ON athlete_zones BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL;
END;
CREATE TRIGGER athlete_zones_status_delete AFTER DELETE ON athlete_zones BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = OLD.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER plan_assignments_status_insert AFTER INSERT ON plan_assignments BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = NEW.user_id AND removed_at IS NULL;
END;
CREATE TRIGGER plan_assignments_status_update AFTER UPDATE ON plan_assignments BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL;
END;
CREATE TRIGGER plan_assignments_status_delete AFTER DELETE ON plan_assignments BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE user_id = OLD.user_id AND removed_at IS NULL;
END;
-- Labels (injury_watch), a plan's name and length, and the time zone.
CREATE TRIGGER member_labels_status_insert AFTER INSERT ON member_labels BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE membership_id = NEW.membership_id;
END;
CREATE TRIGGER member_labels_status_delete AFTER DELETE ON member_labels BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE membership_id = OLD.membership_id;
END;
CREATE TRIGGER training_plans_status_update AFTER UPDATE ON training_plans BEGIN
    UPDATE memberships SET status_version = status_version + 1
    WHERE removed_at IS NULL AND user_id IN (SELECT user_id FROM plan_assignments WHERE plan_id = NEW.plan_id);
END;
CREATE TRIGGER organizations_status_update AFTER UPDATE OF timezone ON organizations BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE org_id = NEW.org_id AND removed_at IS NULL;
END;
