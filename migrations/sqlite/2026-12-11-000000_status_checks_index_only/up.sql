-- PostgreSQL's status-check indexes became index-only (see its migration of
-- this name). SQLite updates rows in place and leaves no dead index entries
-- behind, so its indexes stay as they are.
SELECT 1;
