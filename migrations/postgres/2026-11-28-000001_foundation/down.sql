DROP TABLE audit_events;
DROP TABLE memberships;
DROP TABLE organizations;
DROP TABLE users;
