DROP INDEX member_statuses_valid_until;
CREATE INDEX member_statuses_valid_until ON member_statuses (org_id, valid_until);
