-- sort=attention, the attention queue and the per-request staleness check
-- read member_statuses' own indexes. Each status row carries its
-- membership's account, sort name and role ('' once the membership has
-- ended), kept current by the triggers below as member_labels does, so:
-- - a page in attention order walks member_statuses_attention (ties by name,
--   then account) and stops after the page, instead of sorting every match;
-- - the statuses that are not current (see roster-store's
--   members/status_cache.rs) are found through small index reads: the rows
--   whose data changed, those whose validity has run out, and those computed
--   with other settings.
ALTER TABLE member_statuses ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE member_statuses ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
ALTER TABLE member_statuses ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE member_statuses SET (user_id, sort_name, role) = (
    SELECT m.user_id, m.sort_name, CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END
    FROM memberships m WHERE m.membership_id = member_statuses.membership_id);
-- Athletes only, as the roster lists them (the queries name the literal
-- role; the role column too, or SQLite does not see the index as covering).
CREATE INDEX member_statuses_attention
    ON member_statuses (org_id, attention_order, sort_name, user_id, membership_id, role) WHERE role = 'athlete';
-- A stored status is computed at the version it stores (`cached_version`
-- never passes `version`), so its data changed since exactly when this
-- expression is above 0: a range of the index, which a planner with no
-- statistics prefers as readily as one with them.
CREATE INDEX member_statuses_changed ON member_statuses (org_id, (version - COALESCE(cached_version, -1)));
CREATE INDEX member_statuses_valid_until ON member_statuses (org_id, valid_until);
CREATE INDEX member_statuses_settings ON member_statuses (org_id, settings_key);

DROP TRIGGER memberships_status_row;
CREATE TRIGGER memberships_status_row AFTER INSERT ON memberships BEGIN
    INSERT INTO member_statuses (membership_id, org_id, user_id, sort_name, role)
    VALUES (NEW.membership_id, NEW.org_id, NEW.user_id, NEW.sort_name,
        CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END);
END;

-- A membership's new sort name or role, or its end, reaches its status row.
CREATE TRIGGER memberships_status_keys AFTER UPDATE OF user_id, sort_name, role, removed_at ON memberships
WHEN OLD.user_id IS NOT NEW.user_id OR OLD.sort_name IS NOT NEW.sort_name OR OLD.role IS NOT NEW.role
    OR OLD.removed_at IS NOT NEW.removed_at BEGIN
    UPDATE member_statuses SET user_id = NEW.user_id, sort_name = NEW.sort_name,
        role = CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END
    WHERE membership_id = NEW.membership_id;
END;

-- The planners weigh the new indexes by their statistics.
ANALYZE member_statuses;
