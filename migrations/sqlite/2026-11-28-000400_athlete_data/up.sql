-- An athlete's own data: activities, race goals, zones and integrations.
-- It belongs to the account (an athlete is in at most one organization at a time).
CREATE TABLE activities (
    activity_id      TEXT NOT NULL PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (user_id),
    sport            TEXT NOT NULL CHECK (sport IN ('run', 'bike', 'swim', 'strength', 'other')),
    start_time       TIMESTAMP NOT NULL,
    distance_m       DOUBLE PRECISION NOT NULL CHECK (distance_m >= 0),
    duration_s       BIGINT NOT NULL CHECK (duration_s > 0),
    elevation_gain_m DOUBLE PRECISION,
    avg_hr           INTEGER,
    title            TEXT,
    source           TEXT NOT NULL CHECK (source IN ('manual', 'strava', 'garmin', 'apple_health')),
    external_id      TEXT,
    created_by       TEXT NOT NULL REFERENCES users (user_id),
    created_at       TIMESTAMP NOT NULL
);
-- The feed (newest first, keyset) and the weekly and window sums.
CREATE INDEX activities_user_time ON activities (user_id, start_time DESC, activity_id DESC);
-- Idempotent resends; NULL external ids never collide.
CREATE UNIQUE INDEX activities_user_source_external ON activities (user_id, source, external_id);

CREATE TABLE race_goals (
    race_goal_id TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (user_id),
    race_name    TEXT NOT NULL,
    race_date    DATE NOT NULL,
    distance_m   DOUBLE PRECISION NOT NULL CHECK (distance_m > 0),
    goal_time_s  BIGINT,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      BIGINT NOT NULL
);
CREATE INDEX race_goals_user_date ON race_goals (user_id, race_date, race_goal_id);

CREATE TABLE athlete_zones (
    user_id         TEXT NOT NULL PRIMARY KEY REFERENCES users (user_id),
    settings        TEXT NOT NULL,
    has_heart_rate  BOOLEAN NOT NULL,
    has_pace        BOOLEAN NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    version         BIGINT NOT NULL
);

CREATE TABLE integrations (
    user_id             TEXT NOT NULL REFERENCES users (user_id),
    provider            TEXT NOT NULL CHECK (provider IN ('strava', 'garmin', 'apple_health')),
    status              TEXT NOT NULL CHECK (status IN ('connected', 'disconnected', 'error')),
    connected_at        TIMESTAMP,
    last_sync_at        TIMESTAMP,
    external_athlete_id TEXT,
    updated_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, provider)
);
