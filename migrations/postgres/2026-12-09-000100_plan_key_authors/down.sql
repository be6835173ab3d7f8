-- Rows whose author is an API key have no account to name: they go, with
-- what hangs on them (a key's plan takes its assignments, enrollments and
-- their workout adjustments along).
DELETE FROM workout_adjustments WHERE assignment_id IN (SELECT assignment_id FROM plan_assignments
    WHERE assigned_by IS NULL OR plan_id IN (SELECT plan_id FROM training_plans WHERE created_by IS NULL));
DELETE FROM plan_assignments WHERE assigned_by IS NULL
    OR plan_id IN (SELECT plan_id FROM training_plans WHERE created_by IS NULL);
DELETE FROM group_plan_enrollments WHERE created_by IS NULL
    OR plan_id IN (SELECT plan_id FROM training_plans WHERE created_by IS NULL);
DELETE FROM training_plans WHERE created_by IS NULL;
ALTER TABLE group_plan_enrollments DROP CONSTRAINT group_plan_enrollments_one_author;
ALTER TABLE group_plan_enrollments DROP COLUMN created_by_key_id;
ALTER TABLE group_plan_enrollments ALTER COLUMN created_by SET NOT NULL;
ALTER TABLE plan_assignments DROP CONSTRAINT plan_assignments_one_author;
ALTER TABLE plan_assignments DROP COLUMN assigned_by_key_id;
ALTER TABLE plan_assignments ALTER COLUMN assigned_by SET NOT NULL;
ALTER TABLE training_plans DROP CONSTRAINT training_plans_one_author;
ALTER TABLE training_plans DROP COLUMN created_by_key_id;
ALTER TABLE training_plans ALTER COLUMN created_by SET NOT NULL;
