-- An unfiltered roster page (the console's Athletes page as it opens, the
-- API's default list) shows how many live athletes the organization has.
-- Counting them is the largest part of such a page in a big club, so each
-- organization's count is kept here by a trigger on memberships, as the
-- other copies of the read model are (docs/read-model.md). One row per
-- organization, touched only when an athlete joins, leaves or changes role:
-- status changes, the common bulk edit, never lock it.
CREATE TABLE org_athlete_counts (
    org_id TEXT PRIMARY KEY REFERENCES organizations (org_id) ON DELETE CASCADE,
    athletes BIGINT NOT NULL
);
INSERT INTO org_athlete_counts (org_id, athletes)
    SELECT org_id, COUNT(*) FROM memberships WHERE role = 'athlete' AND removed_at IS NULL GROUP BY org_id;

CREATE FUNCTION memberships_athlete_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was INTEGER := 0;
    now_live INTEGER := 0;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.role = 'athlete' AND OLD.removed_at IS NULL THEN was := 1; END IF;
    IF TG_OP <> 'DELETE' AND NEW.role = 'athlete' AND NEW.removed_at IS NULL THEN now_live := 1; END IF;
    IF TG_OP <> 'INSERT' AND was = 1 AND (TG_OP = 'DELETE' OR now_live = 0 OR OLD.org_id <> NEW.org_id) THEN
        UPDATE org_athlete_counts SET athletes = athletes - 1 WHERE org_id = OLD.org_id;
    END IF;
    IF TG_OP <> 'DELETE' AND now_live = 1 AND (TG_OP = 'INSERT' OR was = 0 OR OLD.org_id <> NEW.org_id) THEN
        INSERT INTO org_athlete_counts (org_id, athletes) VALUES (NEW.org_id, 1)
            ON CONFLICT (org_id) DO UPDATE SET athletes = org_athlete_counts.athletes + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_athlete_count AFTER INSERT OR DELETE OR UPDATE OF org_id, role, removed_at ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_athlete_count();
