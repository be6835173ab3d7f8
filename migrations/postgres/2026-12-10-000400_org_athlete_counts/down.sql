DROP TRIGGER memberships_athlete_count ON memberships;
DROP FUNCTION memberships_athlete_count();
DROP TABLE org_athlete_counts;
