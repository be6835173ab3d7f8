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
    search_text = lower((SELECT u.first_name || char(10) || coalesce(u.last_name, '') || char(10) || coalesce(memberships.display_name, '') || char(10) || u.email FROM users u WHERE u.user_id = memberships.user_id));

CREATE TABLE member_labels (
    membership_id TEXT NOT NULL REFERENCES memberships (membership_id),
    org_id        TEXT NOT NULL REFERENCES organizations (org_id),
    label         TEXT NOT NULL,
    PRIMARY KEY (membership_id, label)
);
-- `label=` filters probe (membership_id, label) through the primary key; this
-- one serves "who has this label" across an organization.
CREATE INDEX member_labels_org_label ON member_labels (org_id, label, membership_id);

CREATE INDEX memberships_roster_name ON memberships (org_id, sort_name, user_id, status, labels_text) WHERE removed_at IS NULL AND role = 'athlete';
CREATE INDEX memberships_roster_joined ON memberships (org_id, joined_at, membership_id) WHERE removed_at IS NULL AND role = 'athlete';
CREATE INDEX memberships_roster_coach ON memberships (org_id, assigned_to_coach_id, sort_name, user_id, status, labels_text) WHERE removed_at IS NULL AND role = 'athlete';
CREATE INDEX memberships_roster_status ON memberships (org_id, status, sort_name, user_id, labels_text) WHERE removed_at IS NULL AND role = 'athlete';
-- `q` on SQLite: the organization's slice of this index holds the search text,
-- so a search reads index entries of one organization only, never the table.
CREATE INDEX memberships_roster_search ON memberships (org_id, search_text) WHERE removed_at IS NULL AND role = 'athlete';
