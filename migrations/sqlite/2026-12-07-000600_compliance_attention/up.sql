-- The start of each member's latest activity, on the membership (the
-- roster's `last_activity_at`, `sort=last_activity` and `-last_activity`
-- walk the index below); the triggers keep it from the activities.
ALTER TABLE memberships ADD COLUMN last_activity_at TIMESTAMP;
UPDATE memberships SET last_activity_at = (SELECT MAX(a.start_time) FROM activities a WHERE a.user_id = memberships.user_id);
CREATE INDEX memberships_roster_last_activity ON memberships (org_id, last_activity_at, membership_id)
    WHERE removed_at IS NULL AND role = 'athlete';

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

-- Compliance reads the coaches' moves and excuses: they bump the status version.
CREATE TRIGGER workout_adjustments_status_insert AFTER INSERT ON workout_adjustments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER workout_adjustments_status_update AFTER UPDATE ON workout_adjustments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships
        WHERE org_id = NEW.org_id AND user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER workout_adjustments_status_delete AFTER DELETE ON workout_adjustments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships
        WHERE org_id = OLD.org_id AND user_id = OLD.user_id AND removed_at IS NULL);
END;

-- Written with the stored status (see roster-store's members/status_cache.rs):
-- the 28-day share of sessions completed (1000 without one: after every
-- share), and the attention order of the signals no coach acknowledged
-- (3999: none open), which the attention queue walks.
ALTER TABLE member_statuses ADD COLUMN compliance_order INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE member_statuses ADD COLUMN queue_order INTEGER NOT NULL DEFAULT 3999;
CREATE INDEX member_statuses_compliance ON member_statuses (org_id, compliance_order, membership_id);
CREATE INDEX member_statuses_queue ON member_statuses (org_id, queue_order, membership_id);

-- A coach's acknowledgement of one signal of a membership: it hides the
-- signal while the status data version is still `data_version` and the
-- signal is no more severe than it was.
CREATE TABLE attention_acknowledgements (
    membership_id   TEXT NOT NULL REFERENCES memberships (membership_id),
    code            TEXT NOT NULL,
    org_id          TEXT NOT NULL REFERENCES organizations (org_id),
    severity        TEXT NOT NULL,
    data_version    BIGINT NOT NULL,
    note            TEXT,
    acknowledged_by TEXT NOT NULL REFERENCES users (user_id),
    acknowledged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (membership_id, code)
);
