DROP TRIGGER activities_status ON activities;
DROP TRIGGER integrations_status ON integrations;
DROP TRIGGER race_goals_status ON race_goals;
DROP TRIGGER athlete_zones_status ON athlete_zones;
DROP TRIGGER plan_assignments_status ON plan_assignments;
DROP TRIGGER member_labels_status ON member_labels;
DROP TRIGGER training_plans_status ON training_plans;
DROP TRIGGER organizations_status ON organizations;
DROP FUNCTION roster_status_bump_user();
DROP FUNCTION roster_status_bump_membership();
DROP FUNCTION roster_status_bump_plan();
DROP FUNCTION roster_status_bump_org();
DROP INDEX memberships_roster_attention;
ALTER TABLE memberships DROP COLUMN attention_order, DROP COLUMN status_key, DROP COLUMN status_valid_until,
    DROP COLUMN status_cached_version, DROP COLUMN status_cache, DROP COLUMN status_version;
