-- Privacy: a deleted account keeps its row (audit events, plans and
-- activities a coach recorded still name it) but anonymised, marked by
-- deleted_at; a closed organization keeps its row for the audit trail of
-- every account that was in it, marked by closed_at.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP;
ALTER TABLE organizations ADD COLUMN closed_at TIMESTAMP;
-- A message that names someone who asked to be erased (the confirmation of
-- an account deletion) is deleted once delivered or given up, instead of
-- being kept as a record of what was sent.
ALTER TABLE outbox ADD COLUMN erase_when_done BOOLEAN NOT NULL DEFAULT FALSE;
-- The retention sweep looks for memberships ended before a cutoff whose
-- organization-only attributes are still there.
CREATE INDEX memberships_removed_at ON memberships (removed_at) WHERE removed_at IS NOT NULL;
