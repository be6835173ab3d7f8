-- A roster page filtered by status (with or without a coach) walks only the
-- athletes of that status in name order, and its count and its page of ids
-- come from the index alone: narrow entries (no search text) with the label
-- mirror in them, so the label filter needs no table visit. SQLite counts an
-- index as covering only if it holds every column the query names, so the
-- partial predicate's role and removed_at are in it too.
CREATE INDEX memberships_roster_coach_status ON memberships
    (org_id, assigned_to_coach_id, status, sort_name, user_id, labels_text, membership_id, role, removed_at)
    WHERE removed_at IS NULL AND role = 'athlete';
CREATE INDEX memberships_roster_status ON memberships
    (org_id, status, sort_name, user_id, labels_text, membership_id, role, removed_at)
    WHERE removed_at IS NULL AND role = 'athlete';

-- A page reads its membership ids first, so the name and coach orders need
-- them in their indexes to stay covering (else the planner sorts a covering
-- status index instead of walking the ordered one).
DROP INDEX memberships_roster_name;
CREATE INDEX memberships_roster_name ON memberships
    (org_id, role, sort_name, user_id, status, labels_text, member_level, search_text, membership_id, removed_at)
    WHERE removed_at IS NULL AND role = 'athlete';
DROP INDEX memberships_roster_coach;
CREATE INDEX memberships_roster_coach ON memberships
    (org_id, role, assigned_to_coach_id, sort_name, user_id, status, labels_text, member_level, search_text, membership_id, removed_at)
    WHERE removed_at IS NULL AND role = 'athlete';
