-- A stored profile status's JSON in a column of its own: a roster page
-- reads and serves just it (about half of `cache`, which keeps the
-- attention summary, the signals and the acknowledged codes).
--
-- No data moves here: the binary that reads this column names a new shape
-- in `settings_key` (`CACHE_FORMAT`), so every stored status counts as
-- stale once and the background refresher writes both columns.
ALTER TABLE member_statuses ADD COLUMN status_json TEXT;
