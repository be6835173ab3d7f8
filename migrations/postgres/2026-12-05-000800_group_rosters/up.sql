-- A group's roster page straight from one index: each group membership row
-- carries its member's live membership id, sort name, status and role (kept
-- current by the triggers below; role '' once the membership has ended), so
-- a `group_id` page counts and pages through the group's own index entries
-- instead of probing the roster once per member.
ALTER TABLE org_group_members ADD COLUMN membership_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN sort_name TEXT NOT NULL DEFAULT '', ADD COLUMN status TEXT NOT NULL DEFAULT '',
    ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE org_group_members g SET membership_id = m.membership_id, sort_name = m.sort_name, status = m.status, role = m.role
    FROM memberships m
    WHERE m.org_id = g.org_id AND m.user_id = g.user_id AND m.removed_at IS NULL;
-- Athletes only, as the roster lists them (the query names the literal role:
-- a bound one hides a partial index from generic plans). The organization
-- is a key column so that a generic plan sees both equalities in its order.
CREATE INDEX org_group_members_roster ON org_group_members (group_id, org_id, sort_name, user_id)
    INCLUDE (status, membership_id) WHERE role = 'athlete';

-- A new row takes its member's live membership; with none the values are
-- NULL and the NOT NULL constraints refuse the row.
CREATE FUNCTION org_group_members_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT m.membership_id, m.sort_name, m.status, m.role INTO NEW.membership_id, NEW.sort_name, NEW.status, NEW.role
    FROM memberships m
    WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id AND m.removed_at IS NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER org_group_members_fill BEFORE INSERT ON org_group_members FOR EACH ROW EXECUTE FUNCTION org_group_members_fill();

-- A live membership's new sort name, status or role, or its end, reaches
-- its group rows; so does a new membership of someone still in a group.
CREATE FUNCTION memberships_group_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE org_group_members SET membership_id = NEW.membership_id, sort_name = NEW.sort_name, status = NEW.status,
        role = CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END
    WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_group_rows AFTER UPDATE OF sort_name, status, role, removed_at ON memberships FOR EACH ROW
    WHEN (OLD.removed_at IS NULL AND (NEW.removed_at IS NOT NULL OR OLD.sort_name IS DISTINCT FROM NEW.sort_name
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.role IS DISTINCT FROM NEW.role))
    EXECUTE FUNCTION memberships_group_rows();
CREATE TRIGGER memberships_group_rows_insert AFTER INSERT ON memberships FOR EACH ROW
    WHEN (NEW.removed_at IS NULL) EXECUTE FUNCTION memberships_group_rows();
