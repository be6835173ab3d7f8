DROP INDEX activities_user_time;
CREATE INDEX activities_user_time ON activities (user_id, start_time DESC, activity_id DESC);
DROP INDEX org_group_members_member;
CREATE INDEX org_group_members_member ON org_group_members (org_id, user_id);
