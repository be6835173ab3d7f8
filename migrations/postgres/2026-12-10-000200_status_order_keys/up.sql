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
ALTER TABLE member_statuses ADD COLUMN user_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN sort_name TEXT NOT NULL DEFAULT '', ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE member_statuses s SET user_id = m.user_id, sort_name = m.sort_name,
    role = CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END
    FROM memberships m WHERE m.membership_id = s.membership_id;
-- Athletes only, as the roster lists them (the queries name the literal role:
-- a bound one hides a partial index from generic plans).
CREATE INDEX member_statuses_attention ON member_statuses (org_id, attention_order, sort_name, user_id)
    INCLUDE (membership_id) WHERE role = 'athlete';
-- A stored status is computed at the version it stores (`cached_version`
-- never passes `version`), so its data changed since exactly when this
-- expression is above 0: a range of the index, which a planner with no
-- statistics prefers as readily as one with them.
CREATE INDEX member_statuses_changed ON member_statuses (org_id, (version - COALESCE(cached_version, -1)));
CREATE INDEX member_statuses_valid_until ON member_statuses (org_id, valid_until);
CREATE INDEX member_statuses_settings ON member_statuses (org_id, settings_key);

CREATE OR REPLACE FUNCTION roster_status_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_statuses (membership_id, org_id, user_id, sort_name, role)
    VALUES (NEW.membership_id, NEW.org_id, NEW.user_id, NEW.sort_name,
        CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END);
    RETURN NULL;
END $$;

-- A membership's new sort name or role, or its end, reaches its status row.
CREATE FUNCTION memberships_status_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_statuses SET user_id = NEW.user_id, sort_name = NEW.sort_name,
        role = CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END
    WHERE membership_id = NEW.membership_id;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_status_keys AFTER UPDATE OF user_id, sort_name, role, removed_at ON memberships
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.sort_name IS DISTINCT FROM NEW.sort_name
        OR OLD.role IS DISTINCT FROM NEW.role OR OLD.removed_at IS DISTINCT FROM NEW.removed_at)
    EXECUTE FUNCTION memberships_status_keys();

-- The planners weigh the new indexes by their statistics.
ANALYZE member_statuses;
