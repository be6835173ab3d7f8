-- Training plans, their assignment to athletes, groups and group enrollments.
-- Calendar dates are TEXT 'YYYY-MM-DD' (they sort and compare as dates).
CREATE TABLE training_plans (
    plan_id        TEXT NOT NULL PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (org_id),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    sport          TEXT NOT NULL CHECK (sport IN ('run', 'bike', 'swim', 'strength', 'other')),
    level          TEXT CHECK (level IN ('beginner', 'intermediate', 'advanced')),
    duration_weeks INTEGER NOT NULL CHECK (duration_weeks BETWEEN 1 AND 104),
    workouts       TEXT NOT NULL,
    created_by     TEXT NOT NULL REFERENCES users (user_id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    archived_at    TIMESTAMP,
    version        BIGINT NOT NULL
);
CREATE INDEX training_plans_org ON training_plans (org_id, plan_id);

CREATE TABLE plan_assignments (
    assignment_id TEXT NOT NULL PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (org_id),
    plan_id       TEXT NOT NULL REFERENCES training_plans (plan_id),
    user_id       TEXT NOT NULL REFERENCES users (user_id),
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    total_weeks   INTEGER NOT NULL,
    cancelled_at  TIMESTAMP,
    assigned_by   TEXT NOT NULL REFERENCES users (user_id),
    assigned_at   TIMESTAMP NOT NULL
);
CREATE INDEX plan_assignments_member ON plan_assignments (org_id, user_id, start_date);
CREATE INDEX plan_assignments_plan ON plan_assignments (plan_id);

CREATE TABLE org_groups (
    group_id    TEXT NOT NULL PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (org_id),
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     BIGINT NOT NULL
);
-- Group names are unique in an organization, ignoring case.
CREATE UNIQUE INDEX org_groups_org_name ON org_groups (org_id, lower(name));

CREATE TABLE org_group_members (
    group_id TEXT NOT NULL REFERENCES org_groups (group_id),
    user_id  TEXT NOT NULL REFERENCES users (user_id),
    org_id   TEXT NOT NULL REFERENCES organizations (org_id),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX org_group_members_member ON org_group_members (org_id, user_id);

-- A plan given to athletes who join the group later (same start date, if it has not passed).
CREATE TABLE group_plan_enrollments (
    enrollment_id TEXT NOT NULL PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (org_id),
    group_id      TEXT NOT NULL REFERENCES org_groups (group_id),
    plan_id       TEXT NOT NULL REFERENCES training_plans (plan_id),
    start_date    TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users (user_id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX group_plan_enrollments_group ON group_plan_enrollments (group_id);
