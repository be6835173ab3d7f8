-- A roster page filtered by status (with or without a coach) walks only the
-- athletes of that status in name order, and its count and its page of ids
-- come from the index alone: narrow entries (no search text) and the label
-- mirror kept beside them, so the label filter needs no table visit.
CREATE INDEX memberships_roster_coach_status ON memberships (org_id, assigned_to_coach_id, status, sort_name, user_id)
    INCLUDE (labels_text, membership_id) WHERE removed_at IS NULL AND role = 'athlete';
CREATE INDEX memberships_roster_status ON memberships (org_id, status, sort_name, user_id)
    INCLUDE (labels_text, membership_id) WHERE removed_at IS NULL AND role = 'athlete';

-- The name and coach orders, narrowed the same way: `q` goes through the
-- trigram index on PostgreSQL, so search text in these only made every
-- count read more pages; the page's membership ids are in them instead.
DROP INDEX memberships_roster_name;
CREATE INDEX memberships_roster_name ON memberships (org_id, sort_name, user_id)
    INCLUDE (status, labels_text, member_level, membership_id) WHERE removed_at IS NULL AND role = 'athlete';
DROP INDEX memberships_roster_coach;
CREATE INDEX memberships_roster_coach ON memberships (org_id, assigned_to_coach_id, sort_name, user_id)
    INCLUDE (status, labels_text, member_level, membership_id) WHERE removed_at IS NULL AND role = 'athlete';

-- `q` within one organization: the trigram index alone matched a search
-- term in every organization and filtered by organization afterwards (a
-- common name matched thousands of rows elsewhere); with the organization
-- in the same GIN index (btree_gin) it reads only the organization's matches.
CREATE EXTENSION IF NOT EXISTS btree_gin;
DROP INDEX memberships_roster_search;
CREATE INDEX memberships_roster_search ON memberships USING gin (org_id, search_text gin_trgm_ops)
    WHERE removed_at IS NULL AND role = 'athlete';

-- SQLite's instr() for the label filter: a substring test on the labels
-- mirror without LIKE's pattern matching (and its escaping). Inlined by the
-- planner as strpos().
CREATE FUNCTION instr(haystack text, needle text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS 'SELECT strpos(haystack, needle)';
