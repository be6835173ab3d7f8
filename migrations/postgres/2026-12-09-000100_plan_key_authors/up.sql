-- An organization API key may create training plans, assign them to an
-- athlete and enroll a group (issue #17). As for invitations
-- (2026-12-08-000100), each author is an account (`created_by`,
-- `assigned_by`) or a key (`…_key_id`), never both.
ALTER TABLE training_plans ALTER COLUMN created_by DROP NOT NULL;
ALTER TABLE training_plans ADD COLUMN created_by_key_id TEXT REFERENCES api_keys (key_id);
ALTER TABLE training_plans ADD CONSTRAINT training_plans_one_author
    CHECK ((created_by IS NULL) <> (created_by_key_id IS NULL));

ALTER TABLE plan_assignments ALTER COLUMN assigned_by DROP NOT NULL;
ALTER TABLE plan_assignments ADD COLUMN assigned_by_key_id TEXT REFERENCES api_keys (key_id);
ALTER TABLE plan_assignments ADD CONSTRAINT plan_assignments_one_author
    CHECK ((assigned_by IS NULL) <> (assigned_by_key_id IS NULL));

ALTER TABLE group_plan_enrollments ALTER COLUMN created_by DROP NOT NULL;
ALTER TABLE group_plan_enrollments ADD COLUMN created_by_key_id TEXT REFERENCES api_keys (key_id);
ALTER TABLE group_plan_enrollments ADD CONSTRAINT group_plan_enrollments_one_author
    CHECK ((created_by IS NULL) <> (created_by_key_id IS NULL));
