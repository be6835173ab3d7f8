-- An organization API key may create training plans, assign them to an
-- athlete and enroll a group (issue #17). As for invitations
-- (2026-12-08-000100), each author is an account (`created_by`,
-- `assigned_by`) or a key (`…_key_id`, referencing `api_keys`), never both.
-- SQLite cannot drop a NOT NULL constraint: the three tables are rebuilt,
-- with `workout_adjustments` (which references `plan_assignments`) so that
-- no row is ever orphaned while foreign keys are on. Every index and trigger
-- the tables had is made again after the copy (the status triggers bump
-- `member_statuses.version`); the copy itself changes no member's data.
CREATE TABLE training_plans_new (
    plan_id           TEXT NOT NULL PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (org_id),
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    sport             TEXT NOT NULL CHECK (sport IN ('run', 'bike', 'swim', 'strength', 'other')),
    level             TEXT CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    duration_weeks    INTEGER NOT NULL CHECK (duration_weeks BETWEEN 1 AND 104),
    workouts          TEXT NOT NULL,
    created_by        TEXT REFERENCES users (user_id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    archived_at       TIMESTAMP,
    version           BIGINT NOT NULL,
    created_by_key_id TEXT REFERENCES api_keys (key_id),
    CHECK ((created_by IS NULL) <> (created_by_key_id IS NULL))
);
INSERT INTO training_plans_new (plan_id, org_id, name, description, sport, level, duration_weeks, workouts,
    created_by, created_at, updated_at, archived_at, version)
SELECT plan_id, org_id, name, description, sport, level, duration_weeks, workouts, created_by, created_at,
    updated_at, archived_at, version FROM training_plans;

-- These reference the new tables, whose renames below carry the references
-- along; referencing the old names would make dropping them orphan rows.
CREATE TABLE plan_assignments_new (
    assignment_id      TEXT NOT NULL PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organizations (org_id),
    plan_id            TEXT NOT NULL REFERENCES training_plans_new (plan_id),
    user_id            TEXT NOT NULL REFERENCES users (user_id),
    start_date         TEXT NOT NULL,
    end_date           TEXT NOT NULL,
    total_weeks        INTEGER NOT NULL,
    cancelled_at       TIMESTAMP,
    assigned_by        TEXT REFERENCES users (user_id),
    assigned_at        TIMESTAMP NOT NULL,
    assigned_by_key_id TEXT REFERENCES api_keys (key_id),
    CHECK ((assigned_by IS NULL) <> (assigned_by_key_id IS NULL))
);
INSERT INTO plan_assignments_new (assignment_id, org_id, plan_id, user_id, start_date, end_date, total_weeks,
    cancelled_at, assigned_by, assigned_at)
SELECT assignment_id, org_id, plan_id, user_id, start_date, end_date, total_weeks, cancelled_at, assigned_by,
    assigned_at FROM plan_assignments;

CREATE TABLE group_plan_enrollments_new (
    enrollment_id     TEXT NOT NULL PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (org_id),
    group_id          TEXT NOT NULL REFERENCES org_groups (group_id),
    plan_id           TEXT NOT NULL REFERENCES training_plans_new (plan_id),
    start_date        TEXT NOT NULL,
    created_by        TEXT REFERENCES users (user_id),
    created_at        TIMESTAMP NOT NULL,
    created_by_key_id TEXT REFERENCES api_keys (key_id),
    CHECK ((created_by IS NULL) <> (created_by_key_id IS NULL))
);
INSERT INTO group_plan_enrollments_new (enrollment_id, org_id, group_id, plan_id, start_date, created_by, created_at)
SELECT enrollment_id, org_id, group_id, plan_id, start_date, created_by, created_at FROM group_plan_enrollments;

-- As before but for its reference to the rebuilt `plan_assignments`, and
-- the CHECK PostgreSQL has had since 2026-12-08-000200 (at most one
-- excuser), which SQLite could not add to the table then.
CREATE TABLE workout_adjustments_new (
    assignment_id     TEXT NOT NULL REFERENCES plan_assignments_new (assignment_id),
    workout_index     INTEGER NOT NULL,
    org_id            TEXT NOT NULL REFERENCES organizations (org_id),
    user_id           TEXT NOT NULL REFERENCES users (user_id),
    week              INTEGER NOT NULL,
    day               INTEGER NOT NULL,
    moved_to          TEXT,
    excuse_reason     TEXT,
    excused_by        TEXT REFERENCES users (user_id),
    excused_at        TIMESTAMP,
    excused_by_key_id TEXT REFERENCES api_keys (key_id),
    PRIMARY KEY (assignment_id, workout_index),
    CHECK (excused_by IS NULL OR excused_by_key_id IS NULL)
);
INSERT INTO workout_adjustments_new (assignment_id, workout_index, org_id, user_id, week, day, moved_to,
    excuse_reason, excused_by, excused_at, excused_by_key_id)
SELECT assignment_id, workout_index, org_id, user_id, week, day, moved_to, excuse_reason, excused_by, excused_at,
    excused_by_key_id FROM workout_adjustments;

DROP TABLE workout_adjustments;
DROP TABLE group_plan_enrollments;
DROP TABLE plan_assignments;
DROP TABLE training_plans;
ALTER TABLE training_plans_new RENAME TO training_plans;
ALTER TABLE plan_assignments_new RENAME TO plan_assignments;
ALTER TABLE group_plan_enrollments_new RENAME TO group_plan_enrollments;
ALTER TABLE workout_adjustments_new RENAME TO workout_adjustments;

CREATE INDEX training_plans_org ON training_plans (org_id, plan_id);
CREATE INDEX plan_assignments_member ON plan_assignments (org_id, user_id, start_date);
CREATE INDEX plan_assignments_plan ON plan_assignments (plan_id);
CREATE INDEX group_plan_enrollments_group ON group_plan_enrollments (group_id);
CREATE INDEX workout_adjustments_member ON workout_adjustments (org_id, user_id);

CREATE TRIGGER training_plans_status_update AFTER UPDATE ON training_plans BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (
        SELECT m.membership_id FROM memberships m JOIN plan_assignments p ON p.user_id = m.user_id
        WHERE p.plan_id = NEW.plan_id AND m.removed_at IS NULL);
END;
CREATE TRIGGER plan_assignments_status_insert AFTER INSERT ON plan_assignments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER plan_assignments_status_update AFTER UPDATE ON plan_assignments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER plan_assignments_status_delete AFTER DELETE ON plan_assignments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships WHERE user_id = OLD.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER workout_adjustments_status_insert AFTER INSERT ON workout_adjustments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships
        WHERE org_id = NEW.org_id AND user_id = NEW.user_id AND removed_at IS NULL);
END;
CREATE TRIGGER workout_adjustments_status_update AFTER UPDATE ON workout_adjustments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships
        WHERE org_id = NEW.org_id AND user_id IN (OLD.user_id, NEW.user_id) AND removed_at IS NULL);
END;
CREATE TRIGGER workout_adjustments_status_delete AFTER DELETE ON workout_adjustments BEGIN
    UPDATE member_statuses SET version = version + 1 WHERE membership_id IN (SELECT membership_id FROM memberships
        WHERE org_id = OLD.org_id AND user_id = OLD.user_id AND removed_at IS NULL);
END;
