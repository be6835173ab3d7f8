-- Accounts, organizations, memberships (kept as history) and the audit trail.
CREATE TABLE users (
    user_id        TEXT NOT NULL PRIMARY KEY,
    email          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE organizations (
    org_id      TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    timezone    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     BIGINT NOT NULL
);

CREATE TABLE memberships (
    membership_id        TEXT NOT NULL PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES organizations (org_id),
    user_id              TEXT NOT NULL REFERENCES users (user_id),
    role                 TEXT NOT NULL CHECK (role IN ('head_coach', 'assistant_coach', 'athlete')),
    status               TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'suspended')),
    display_name         TEXT,
    member_level         TEXT,
    private_notes        TEXT,
    assigned_to_coach_id TEXT REFERENCES users (user_id),
    joined_at            TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    removed_at           TIMESTAMP,
    version              BIGINT NOT NULL
);
-- One live membership per organization and account.
CREATE UNIQUE INDEX memberships_live_org_user ON memberships (org_id, user_id) WHERE removed_at IS NULL;
-- An athlete belongs to at most one organization at a time.
CREATE UNIQUE INDEX memberships_live_athlete ON memberships (user_id) WHERE removed_at IS NULL AND role = 'athlete';
-- An account heads at most one organization; an organization has one head coach.
CREATE UNIQUE INDEX memberships_live_head_per_user ON memberships (user_id) WHERE removed_at IS NULL AND role = 'head_coach';
CREATE UNIQUE INDEX memberships_live_head_per_org ON memberships (org_id) WHERE removed_at IS NULL AND role = 'head_coach';
CREATE INDEX memberships_live_user ON memberships (user_id) WHERE removed_at IS NULL;
CREATE INDEX memberships_live_org_role ON memberships (org_id, role) WHERE removed_at IS NULL;
CREATE INDEX memberships_live_org_coach ON memberships (org_id, assigned_to_coach_id) WHERE removed_at IS NULL;

CREATE TABLE audit_events (
    event_id        TEXT NOT NULL PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (org_id),
    actor_user_id   TEXT NOT NULL,
    action          TEXT NOT NULL,
    subject_user_id TEXT,
    changes         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_org ON audit_events (org_id, event_id);

