DROP TRIGGER memberships_status_keys ON memberships;
DROP FUNCTION memberships_status_keys();
CREATE OR REPLACE FUNCTION roster_status_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_statuses (membership_id, org_id) VALUES (NEW.membership_id, NEW.org_id);
    RETURN NULL;
END $$;
DROP INDEX member_statuses_settings;
DROP INDEX member_statuses_valid_until;
DROP INDEX member_statuses_changed;
DROP INDEX member_statuses_attention;
ALTER TABLE member_statuses DROP COLUMN role, DROP COLUMN sort_name, DROP COLUMN user_id;
