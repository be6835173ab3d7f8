-- A roster page filtered by one label and one status (and a coach) straight
-- from one index, as groups are (`group_rosters`): each label row carries its
-- membership's account, sort name, status, coach and role (role '' once the
-- membership has ended), kept current by the triggers below, so the page
-- counts and pages through the label's own index entries instead of testing
-- the labels of every athlete of that status.
ALTER TABLE member_labels ADD COLUMN user_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN sort_name TEXT NOT NULL DEFAULT '', ADD COLUMN status TEXT NOT NULL DEFAULT '',
    ADD COLUMN assigned_to_coach_id TEXT, ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE member_labels l SET user_id = m.user_id, sort_name = m.sort_name, status = m.status,
    assigned_to_coach_id = m.assigned_to_coach_id, role = CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END
    FROM memberships m WHERE m.membership_id = l.membership_id;
-- Athletes only, as the roster lists them (the queries name the literal role:
-- a bound one hides a partial index from generic plans).
CREATE INDEX member_labels_roster ON member_labels (org_id, label, status, sort_name, user_id)
    INCLUDE (membership_id) WHERE role = 'athlete';
CREATE INDEX member_labels_roster_coach ON member_labels (org_id, label, assigned_to_coach_id, status, sort_name, user_id)
    INCLUDE (membership_id) WHERE role = 'athlete';

-- A new row takes its membership's values (a label always has one).
CREATE FUNCTION member_labels_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT m.user_id, m.sort_name, m.status, m.assigned_to_coach_id, CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END
        INTO NEW.user_id, NEW.sort_name, NEW.status, NEW.assigned_to_coach_id, NEW.role
    FROM memberships m WHERE m.membership_id = NEW.membership_id;
    RETURN NEW;
END $$;
CREATE TRIGGER member_labels_fill BEFORE INSERT ON member_labels FOR EACH ROW EXECUTE FUNCTION member_labels_fill();

-- A membership's new sort name, status, coach or role, or its end, reaches
-- its label rows.
CREATE FUNCTION memberships_label_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_labels SET sort_name = NEW.sort_name, status = NEW.status,
        assigned_to_coach_id = NEW.assigned_to_coach_id,
        role = CASE WHEN NEW.removed_at IS NULL THEN NEW.role ELSE '' END
    WHERE membership_id = NEW.membership_id;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_label_rows AFTER UPDATE OF sort_name, status, assigned_to_coach_id, role, removed_at ON memberships
    FOR EACH ROW WHEN (OLD.sort_name IS DISTINCT FROM NEW.sort_name OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.role IS DISTINCT FROM NEW.role OR OLD.assigned_to_coach_id IS DISTINCT FROM NEW.assigned_to_coach_id
        OR OLD.removed_at IS DISTINCT FROM NEW.removed_at)
    EXECUTE FUNCTION memberships_label_rows();
