-- The code and severity of each signal a stored status was computed with
-- (`code:severity,…`; empty: none; NULL: never computed since this column
-- came). A recomputation compares against it to announce raised signals
-- (`attention.raised`), and stores its own only where the marks are still
-- the ones it compared against, so the event is written once.
ALTER TABLE member_statuses ADD COLUMN signal_marks TEXT;
