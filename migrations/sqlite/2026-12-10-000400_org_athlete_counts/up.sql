-- An unfiltered roster page (the console's Athletes page as it opens, the
-- API's default list) shows how many live athletes the organization has.
-- Counting them is the largest part of such a page in a big club, so each
-- organization's count is kept here by triggers on memberships, as the
-- other copies of the read model are (docs/read-model.md).
CREATE TABLE org_athlete_counts (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organizations (org_id) ON DELETE CASCADE,
    athletes BIGINT NOT NULL
);
INSERT INTO org_athlete_counts (org_id, athletes)
    SELECT org_id, COUNT(*) FROM memberships WHERE role = 'athlete' AND removed_at IS NULL GROUP BY org_id;

CREATE TRIGGER memberships_athlete_count_insert AFTER INSERT ON memberships
    WHEN NEW.role = 'athlete' AND NEW.removed_at IS NULL
BEGIN
    INSERT INTO org_athlete_counts (org_id, athletes) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET athletes = athletes + 1;
END;
CREATE TRIGGER memberships_athlete_count_delete AFTER DELETE ON memberships
    WHEN OLD.role = 'athlete' AND OLD.removed_at IS NULL
BEGIN
    UPDATE org_athlete_counts SET athletes = athletes - 1 WHERE org_id = OLD.org_id;
END;
-- An update is the end of the old row's count and the start of the new one's.
CREATE TRIGGER memberships_athlete_count_update AFTER UPDATE OF org_id, role, removed_at ON memberships
    WHEN (OLD.role = 'athlete' AND OLD.removed_at IS NULL) IS NOT (NEW.role = 'athlete' AND NEW.removed_at IS NULL)
        OR OLD.org_id <> NEW.org_id
BEGIN
    UPDATE org_athlete_counts SET athletes = athletes - 1
        WHERE org_id = OLD.org_id AND OLD.role = 'athlete' AND OLD.removed_at IS NULL;
    INSERT INTO org_athlete_counts (org_id, athletes)
        SELECT NEW.org_id, 1 WHERE NEW.role = 'athlete' AND NEW.removed_at IS NULL
        ON CONFLICT (org_id) DO UPDATE SET athletes = athletes + 1;
END;
