-- A roster page filtered by one label and one status (and a coach) straight
-- from one index, as groups are (`group_rosters`): each label row carries its
-- membership's account, sort name, status, coach and role (role '' once the
-- membership has ended), kept current by the triggers below, so the page
-- counts and pages through the label's own index entries instead of testing
-- the labels of every athlete of that status.
ALTER TABLE member_labels ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE member_labels ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
ALTER TABLE member_labels ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE member_labels ADD COLUMN assigned_to_coach_id TEXT;
ALTER TABLE member_labels ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE member_labels SET (user_id, sort_name, status, assigned_to_coach_id, role) = (
    SELECT m.user_id, m.sort_name, m.status, m.assigned_to_coach_id, CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END
    FROM memberships m WHERE m.membership_id = member_labels.membership_id);
-- Athletes only, as the roster lists them (the queries name the literal role;
-- the role column too, or SQLite does not see the indexes as covering).
CREATE INDEX member_labels_roster ON member_labels (org_id, label, status, sort_name, user_id, membership_id, role)
    WHERE role = 'athlete';
CREATE INDEX member_labels_roster_coach
    ON member_labels (org_id, label, assigned_to_coach_id, status, sort_name, user_id, membership_id, role)
    WHERE role = 'athlete';

-- A new row takes its membership's values (a label always has one).
CREATE TRIGGER member_labels_fill AFTER INSERT ON member_labels BEGIN
    UPDATE member_labels SET (user_id, sort_name, status, assigned_to_coach_id, role) = (
        SELECT m.user_id, m.sort_name, m.status, m.assigned_to_coach_id, CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END
        FROM memberships m WHERE m.membership_id = NEW.membership_id)
    WHERE membership_id = NEW.membership_id AND label = NEW.label;
END;

-- A membership's new sort name, status, coach or role, or its end, reaches
-- its label rows.
CREATE TRIGGER memberships_label_rows AFTER UPDATE OF sort_name, status, assigned_to_coach_id, role, removed_at ON memberships
WHEN OLD.sort_name IS NOT NEW.sort_name OR OLD.status IS NOT NEW.status OR OLD.role IS NOT NEW.role
    OR OLD.assigned_to_coach_id IS NOT NEW.assigned_to_coach_id OR OLD.removed_at IS NOT NEW.removed_at BEGIN
    UPDATE member_labels SET sort_name = NEW.sort_name, status = NEW.status,
        assigned_to_coach_id = NEW.assigned_to_coach_id,
        role = CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END
    WHERE membership_id = NEW.membership_id;
END;
