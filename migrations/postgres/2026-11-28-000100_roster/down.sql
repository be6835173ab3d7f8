DROP INDEX memberships_roster_search;
DROP INDEX memberships_roster_coach;
DROP INDEX memberships_roster_joined;
DROP INDEX memberships_roster_name;
DROP TABLE member_labels;
ALTER TABLE memberships DROP COLUMN labels_text;
ALTER TABLE memberships DROP COLUMN search_text;
ALTER TABLE memberships DROP COLUMN sort_name;
