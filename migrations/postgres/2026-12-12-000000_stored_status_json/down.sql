ALTER TABLE member_statuses DROP COLUMN status_json;
