DROP FUNCTION instr(text, text);
DROP INDEX memberships_roster_status;
DROP INDEX memberships_roster_coach_status;
DROP INDEX memberships_roster_name;
CREATE INDEX memberships_roster_name ON memberships (org_id, role, sort_name, user_id, status, labels_text, member_level, search_text, removed_at) WHERE removed_at IS NULL AND role = 'athlete';
DROP INDEX memberships_roster_coach;
CREATE INDEX memberships_roster_coach ON memberships (org_id, role, assigned_to_coach_id, sort_name, user_id, status, labels_text, member_level, search_text, removed_at) WHERE removed_at IS NULL AND role = 'athlete';
DROP INDEX memberships_roster_search;
CREATE INDEX memberships_roster_search ON memberships USING gin (search_text gin_trgm_ops) WHERE removed_at IS NULL AND role = 'athlete';
