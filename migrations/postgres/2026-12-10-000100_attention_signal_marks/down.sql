ALTER TABLE member_statuses DROP COLUMN signal_marks;
