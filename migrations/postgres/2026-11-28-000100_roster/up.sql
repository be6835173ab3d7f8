-- The roster: search and sort keys kept on the membership (lower-cased in Rust
-- when the membership or its attributes are written), labels, and indexes that
-- match the roster's filters and orders (live athletes of one organization).
ALTER TABLE memberships ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
-- The labels again as ',@a,@b,' (member_labels stays the source of truth), so
-- label filters and the total are answered from the roster indexes alone.
ALTER TABLE memberships ADD COLUMN labels_text TEXT NOT NULL DEFAULT '';
UPDATE memberships SET
    sort_name = lower(coalesce(display_name, (SELECT u.first_name || ' ' || coalesce(u.last_name, '') FROM users u WHERE u.user_id = memberships.user_id))),
    search_text = lower((SELECT u.first_name || chr(10) || coalesce(u.last_name, '') || chr(10) || coalesce(memberships.display_name, '') || chr(10) || u.email FROM users u WHERE u.user_id = memberships.user_id));

CREATE TABLE member_labels (
    membership_id TEXT NOT NULL REFERENCES memberships (membership_id),
    org_id        TEXT NOT NULL REFERENCES organizations (org_id),
    label         TEXT NOT NULL,
    PRIMARY KEY (membership_id, label)
);
-- `label=` filters probe (membership_id, label) through the primary key; this
-- one serves "who has this label" across an organization.
CREATE INDEX member_labels_org_label ON member_labels (org_id, label, membership_id);

-- The roster's indexes lead with (org_id, role) and carry every filtered
-- column, so a page and its total are read from one index without visiting
-- the table (but for the page's own rows); `role` makes them win over the
-- foundation's narrower (org_id, role) and (org_id, assigned_to_coach_id);
-- `removed_at` (always NULL here) lets SQLite see them as covering.
CREATE INDEX memberships_roster_name ON memberships (org_id, role, sort_name, user_id, status, labels_text, member_level, search_text, removed_at) WHERE removed_at IS NULL AND role = 'athlete';
CREATE INDEX memberships_roster_coach ON memberships (org_id, role, assigned_to_coach_id, sort_name, user_id, status, labels_text, member_level, search_text, removed_at) WHERE removed_at IS NULL AND role = 'athlete';
CREATE INDEX memberships_roster_joined ON memberships (org_id, role, joined_at, membership_id, status, labels_text, removed_at) WHERE removed_at IS NULL AND role = 'athlete';
-- `q` on PostgreSQL: a trigram index answers `search_text LIKE '%...%'`.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX memberships_roster_search ON memberships USING gin (search_text gin_trgm_ops) WHERE removed_at IS NULL AND role = 'athlete';
