-- Each live membership keeps its profile status (the roster's
-- include_profile_status) and attention summary as last computed, with what
-- makes it current: the data version it was computed from, the instant until
-- which it holds without new data, and the attention settings it used. The
-- triggers below bump status_version on every write to the data it reads, so
-- a stored status is used only while all three still match (see
-- roster-store's members/status_cache.rs). attention_order orders
-- sort=attention through an index: most severe first, then most signals.
ALTER TABLE memberships ADD COLUMN status_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN status_cache TEXT;
ALTER TABLE memberships ADD COLUMN status_cached_version BIGINT;
ALTER TABLE memberships ADD COLUMN status_valid_until TIMESTAMP;
ALTER TABLE memberships ADD COLUMN status_key TEXT;
ALTER TABLE memberships ADD COLUMN attention_order INTEGER NOT NULL DEFAULT 0;

CREATE INDEX memberships_roster_attention ON memberships (org_id, role, attention_order, sort_name, user_id, status, labels_text, member_level, assigned_to_coach_id, status_version, status_cached_version, status_valid_until, status_key, removed_at) WHERE removed_at IS NULL AND role = 'athlete';
CREATE FUNCTION roster_status_bump_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE memberships SET status_version = status_version + 1 WHERE user_id = NEW.user_id AND removed_at IS NULL;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.user_id IS DISTINCT FROM NEW.user_id) THEN
        UPDATE memberships SET status_version = status_version + 1 WHERE user_id = OLD.user_id AND removed_at IS NULL;
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
    UPDATE memberships SET status_version = status_version + 1
    WHERE membership_id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.membership_id ELSE NEW.membership_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER member_labels_status AFTER INSERT OR DELETE ON member_labels FOR EACH ROW EXECUTE FUNCTION roster_status_bump_membership();

CREATE FUNCTION roster_status_bump_plan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE memberships SET status_version = status_version + 1
    WHERE removed_at IS NULL AND user_id IN (SELECT user_id FROM plan_assignments WHERE plan_id = NEW.plan_id);
    RETURN NULL;
END $$;
CREATE TRIGGER training_plans_status AFTER UPDATE ON training_plans FOR EACH ROW EXECUTE FUNCTION roster_status_bump_plan();

CREATE FUNCTION roster_status_bump_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE memberships SET status_version = status_version + 1 WHERE org_id = NEW.org_id AND removed_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_status AFTER UPDATE OF timezone ON organizations FOR EACH ROW EXECUTE FUNCTION roster_status_bump_org();
