DROP TABLE group_plan_enrollments;
DROP TABLE org_group_members;
DROP TABLE org_groups;
DROP TABLE plan_assignments;
DROP TABLE training_plans;
