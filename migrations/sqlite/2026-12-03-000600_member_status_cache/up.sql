-- Each membership keeps its profile status (the roster's
-- include_profile_status) and attention summary as last computed, in
-- member_statuses, with what makes it current: the data version it was
-- computed from, the instant until which it holds without new data, and the
-- attention settings it used. The triggers below bump `version` on every
-- write to the data a status reads, so a stored status is used only while all
-- three still match (see roster-store's members/status_cache.rs). It is a
-- table of its own so that storing statuses never rewrites membership rows
-- and their roster indexes (on PostgreSQL that also keeps the roster's counts
-- index-only).
CREATE TABLE member_statuses (
    membership_id  TEXT NOT NULL PRIMARY KEY REFERENCES memberships (membership_id),
    org_id         TEXT NOT NULL REFERENCES organizations (org_id),
    version        BIGINT NOT NULL DEFAULT 0,
    cached_version BIGINT,
    cache          TEXT,
    valid_until    TIMESTAMP,
    settings_key   TEXT,
    -- sort=attention's key: most severe first, then most signals.
    attention_order INTEGER NOT NULL DEFAULT 0
);
-- Only the organization is indexed: storing a status then rewrites no index
-- entry (a HOT update on PostgreSQL).
CREATE INDEX member_statuses_org ON member_statuses (org_id, membership_id);
INSERT INTO member_statuses (membership_id, org_id) SELECT membership_id, org_id FROM memberships;

CREATE TRIGGER memberships_status_row AFTER INSERT ON memberships BEGIN
    INSERT INTO member_statuses (membership_id, org_id) VALUES (NEW.membership_id, NEW.org_id);
END;

CREATE TRIGGER activities_status_insert AFTER INSERT ON activities BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER activities_status_update AFTER UPDATE ON activities BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER activities_status_delete AFTER DELETE ON activities BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER integrations_status_insert AFTER INSERT ON integrations BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER integrations_status_update AFTER UPDATE ON integrations BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER integrations_status_delete AFTER DELETE ON integrations BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER race_goals_status_insert AFTER INSERT ON race_goals BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER race_goals_status_update AFTER UPDATE ON race_goals BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER race_goals_status_delete AFTER DELETE ON race_goals BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER athlete_zones_status_insert AFTER INSERT ON athlete_zones BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER athlete_zones_status_update AFTER UPDATE ON athlete_zones BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER athlete_zones_status_delete AFTER DELETE ON athlete_zones BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER plan_assignments_status_insert AFTER INSERT ON plan_assignments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER plan_assignments_status_update AFTER UPDATE ON plan_assignments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER plan_assignments_status_delete AFTER DELETE ON plan_assignments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
END;

-- Labels (injury_watch), a plan's name and length, and the time zone.
CREATE TRIGGER member_labels_status_insert AFTER INSERT ON member_labels BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id = NEW.membership_id;
END;
CREATE TRIGGER member_labels_status_delete AFTER DELETE ON member_labels BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id = OLD.membership_id;
END;
CREATE TRIGGER training_plans_status_update AFTER UPDATE ON training_plans BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (
        SELECT m.membership_id FROM memberships m JOIN plan_assignments p ON p.user_id = m.user_id
        WHERE p.plan_id = NEW.plan_id AND m.removed_at IS NULL);
END;
CREATE TRIGGER organizations_status_update AFTER UPDATE OF timezone ON organizations BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE org_id = NEW.org_id;
END;
