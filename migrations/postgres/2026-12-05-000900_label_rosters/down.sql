DROP TRIGGER memberships_label_rows ON memberships;
DROP FUNCTION memberships_label_rows();
DROP TRIGGER member_labels_fill ON member_labels;
DROP FUNCTION member_labels_fill();
DROP INDEX member_labels_roster_coach;
DROP INDEX member_labels_roster;
ALTER TABLE member_labels DROP COLUMN role, DROP COLUMN assigned_to_coach_id, DROP COLUMN status,
    DROP COLUMN sort_name, DROP COLUMN user_id;
