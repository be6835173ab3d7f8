-- Each membership keeps its profile status (the roster's
-- include_profile_status) and attention summary as last computed, in
-- member_statuses, with what makes it current: the data version it was
-- computed from, the instant until which it holds without new data, and the
-- attention settings it used. The triggers below bump `version` on every
-- write to the data a status reads, so a stored status is used only while all
-- three still match (see roster-store's members/status_cache.rs). It is a
-- table of its own so that storing statuses never rewrites membership rows
-- and their roster indexes (on PostgreSQL that also keeps the roster's counts
-- index-only).
CREATE TABLE member_statuses (
    membership_id  TEXT NOT NULL PRIMARY KEY REFERENCES memberships (membership_id),
    org_id         TEXT NOT NULL REFERENCES organizations (org_id),
    version        BIGINT NOT NULL DEFAULT 0,
    cached_version BIGINT,
    cache          TEXT,
    valid_until    TIMESTAMP,
    settings_key   TEXT,
    -- sort=attention's key: most severe first, then most signals.
    attention_order INTEGER NOT NULL DEFAULT 0
);
-- Only the organization is indexed: storing a status then rewrites no index
-- entry (a HOT update on PostgreSQL).
CREATE INDEX member_statuses_org ON member_statuses (org_id, membership_id);
INSERT INTO member_statuses (membership_id, org_id) SELECT membership_id, org_id FROM memberships;

CREATE FUNCTION roster_status_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_statuses (membership_id, org_id) VALUES (NEW.membership_id, NEW.org_id);
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_status_row AFTER INSERT ON memberships FOR EACH ROW EXECUTE FUNCTION roster_status_row();

CREATE FUNCTION roster_status_bump_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE member_statuses SET version = version + 1 WHERE membership_id IN
            (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id) THEN
        UPDATE member_statuses SET version = version + 1 WHERE membership_id IN
            (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER activities_status AFTER INSERT OR UPDATE OR DELETE ON activities FOR EACH ROW EXECUTE FUNCTION roster_status_bump_user();
CREATE TRIGGER integrations_status AFTER INSERT OR UPDATE OR DELETE ON integrations FOR EACH ROW EXECUTE FUNCTION roster_status_bump_user();
CREATE TRIGGER race_goals_status AFTER INSERT OR UPDATE OR DELETE ON race_goals FOR EACH ROW EXECUTE FUNCTION roster_status_bump_user();
CREATE TRIGGER athlete_zones_status AFTER INSERT OR UPDATE OR DELETE ON athlete_zones FOR EACH ROW EXECUTE FUNCTION roster_status_bump_user();
CREATE TRIGGER plan_assignments_status AFTER INSERT OR UPDATE OR DELETE ON plan_assignments FOR EACH ROW EXECUTE FUNCTION roster_status_bump_user();

-- Labels (injury_watch), a plan's name and length, and the time zone.
CREATE FUNCTION roster_status_bump_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_statuses SET version = version + 1
    WHERE membership_id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.membership_id ELSE NEW.membership_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER member_labels_status AFTER INSERT OR DELETE ON member_labels FOR EACH ROW EXECUTE FUNCTION roster_status_bump_membership();

CREATE FUNCTION roster_status_bump_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (
        SELECT m.membership_id FROM memberships m JOIN plan_assignments p ON p.user_id = m.user_id
        WHERE p.plan_id = NEW.plan_id AND m.removed_at IS NULL);
    RETURN NULL;
END $$;
CREATE TRIGGER training_plans_status AFTER UPDATE ON training_plans FOR EACH ROW EXECUTE FUNCTION roster_status_bump_plan();

CREATE FUNCTION roster_status_bump_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE org_id = NEW.org_id;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_status AFTER UPDATE OF timezone ON organizations FOR EACH ROW EXECUTE FUNCTION roster_status_bump_org();
