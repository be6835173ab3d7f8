DROP TRIGGER memberships_group_rows_insert;
DROP TRIGGER memberships_group_rows;
DROP TRIGGER org_group_members_fill;
DROP INDEX org_group_members_roster;
ALTER TABLE org_group_members DROP COLUMN role;
ALTER TABLE org_group_members DROP COLUMN status;
ALTER TABLE org_group_members DROP COLUMN sort_name;
ALTER TABLE org_group_members DROP COLUMN membership_id;
