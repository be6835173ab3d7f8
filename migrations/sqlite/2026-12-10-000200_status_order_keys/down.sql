DROP TRIGGER memberships_status_keys;
DROP TRIGGER memberships_status_row;
CREATE TRIGGER memberships_status_row AFTER INSERT ON memberships BEGIN
    INSERT INTO member_statuses (membership_id, org_id) VALUES (NEW.membership_id, NEW.org_id);
END;
DROP INDEX member_statuses_settings;
DROP INDEX member_statuses_valid_until;
DROP INDEX member_statuses_changed;
DROP INDEX member_statuses_attention;
ALTER TABLE member_statuses DROP COLUMN role;
ALTER TABLE member_statuses DROP COLUMN sort_name;
ALTER TABLE member_statuses DROP COLUMN user_id;
