DROP TRIGGER memberships_group_rows_insert ON memberships;
DROP TRIGGER memberships_group_rows ON memberships;
DROP FUNCTION memberships_group_rows();
DROP TRIGGER org_group_members_fill ON org_group_members;
DROP FUNCTION org_group_members_fill();
DROP INDEX org_group_members_roster;
ALTER TABLE org_group_members DROP COLUMN role, DROP COLUMN status, DROP COLUMN sort_name, DROP COLUMN membership_id;
