-- The per-request check for statuses that are not current (sort=attention,
-- the queue) reads its "validity ran out" range from the index alone.
--
-- Every status write that moves `valid_until` leaves the old index entry
-- behind until VACUUM, which autovacuum runs only once a fifth of the table
-- is dead. A bitmap scan, which is what PostgreSQL chose for this range,
-- visits the heap for every such entry on every request (docs/performance.md).
-- An index-only scan needs no heap for live entries and, when it meets a dead
-- one, marks it so the next scan skips it.
--
-- The "data changed" range stays an expression index: a partial index of
-- just the changed rows would be read alone, but it grows to the size of the
-- whole table whenever most statuses change at once (a seed, an import), and
-- from then on the planner prices it as that big and reads another index.
DROP INDEX member_statuses_valid_until;
CREATE INDEX member_statuses_valid_until ON member_statuses (org_id, valid_until) INCLUDE (membership_id);
