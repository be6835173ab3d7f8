-- A group's roster page straight from one index: each group membership row
-- carries its member's live membership id, sort name, status and role (kept
-- current by the triggers below; role '' once the membership has ended), so
-- a `group_id` page counts and pages through the group's own index entries
-- instead of probing the roster once per member.
ALTER TABLE org_group_members ADD COLUMN membership_id TEXT NOT NULL DEFAULT '';
ALTER TABLE org_group_members ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
ALTER TABLE org_group_members ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE org_group_members ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE org_group_members SET (membership_id, sort_name, status, role) = (
    SELECT m.membership_id, m.sort_name, m.status, m.role FROM memberships m
    WHERE m.org_id = org_group_members.org_id AND m.user_id = org_group_members.user_id AND m.removed_at IS NULL)
WHERE EXISTS (SELECT 1 FROM memberships m
    WHERE m.org_id = org_group_members.org_id AND m.user_id = org_group_members.user_id AND m.removed_at IS NULL);
-- Athletes only, as the roster lists them (the query names the literal role;
-- the role column too, or SQLite does not see the index as covering).
CREATE INDEX org_group_members_roster ON org_group_members (group_id, org_id, sort_name, user_id, status, membership_id, role)
    WHERE role = 'athlete';

-- A new row takes its member's live membership; with none the values are
-- NULL and the NOT NULL constraints refuse the row.
CREATE TRIGGER org_group_members_fill AFTER INSERT ON org_group_members BEGIN
    UPDATE org_group_members SET (membership_id, sort_name, status, role) = (
        SELECT m.membership_id, m.sort_name, m.status, m.role FROM memberships m
        WHERE m.org_id = NEW.org_id AND m.user_id = NEW.user_id AND m.removed_at IS NULL)
    WHERE group_id = NEW.group_id AND user_id = NEW.user_id;
END;

-- A live membership's new sort name, status or role, or its end, reaches
-- its group rows; so does a new membership of someone still in a group.
CREATE TRIGGER memberships_group_rows AFTER UPDATE OF sort_name, status, role, removed_at ON memberships
WHEN OLD.removed_at IS NULL AND (NEW.removed_at IS NOT NULL OR OLD.sort_name IS NOT NEW.sort_name
    OR OLD.status IS NOT NEW.status OR OLD.role IS NOT NEW.role) BEGIN
    UPDATE org_group_members SET membership_id = NEW.membership_id, sort_name = NEW.sort_name, status = NEW.status,
        role = CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END
    WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
END;
CREATE TRIGGER memberships_group_rows_insert AFTER INSERT ON memberships WHEN NEW.removed_at IS NULL BEGIN
    UPDATE org_group_members SET membership_id = NEW.membership_id, sort_name = NEW.sort_name, status = NEW.status,
        role = NEW.role
    WHERE org_id = NEW.org_id AND user_id = NEW.user_id;
END;
