-- A coach's changes to one planned workout of an assignment: a new date, an
-- excuse, or both. The workout is named by its position in the plan's
-- workouts; its week and day as they were let an edit of the plan that puts
-- another workout at that position leave the adjustment unused.
CREATE TABLE workout_adjustments (
    assignment_id  TEXT NOT NULL REFERENCES plan_assignments (assignment_id),
    workout_index  INTEGER NOT NULL,
    org_id         TEXT NOT NULL REFERENCES organizations (org_id),
    user_id        TEXT NOT NULL REFERENCES users (user_id),
    week           INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    moved_to       TEXT,
    excuse_reason  TEXT,
    excused_by     TEXT REFERENCES users (user_id),
    excused_at     TIMESTAMP,
    PRIMARY KEY (assignment_id, workout_index)
);
CREATE INDEX workout_adjustments_member ON workout_adjustments (org_id, user_id);
