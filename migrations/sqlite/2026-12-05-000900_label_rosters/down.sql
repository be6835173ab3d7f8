DROP TRIGGER memberships_label_rows;
DROP TRIGGER member_labels_fill;
DROP INDEX member_labels_roster_coach;
DROP INDEX member_labels_roster;
ALTER TABLE member_labels DROP COLUMN role;
ALTER TABLE member_labels DROP COLUMN assigned_to_coach_id;
ALTER TABLE member_labels DROP COLUMN status;
ALTER TABLE member_labels DROP COLUMN sort_name;
ALTER TABLE member_labels DROP COLUMN user_id;
