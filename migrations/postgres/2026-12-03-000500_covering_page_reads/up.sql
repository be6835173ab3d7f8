-- The attention windows of a roster page sum each athlete's distance by
-- start time: with distance_m in the feed's index they are read from the
-- index alone instead of one table visit per activity.
DROP INDEX activities_user_time;
CREATE INDEX activities_user_time ON activities (user_id, start_time DESC, activity_id DESC, distance_m);

-- A roster page's group ids, read from the index alone and already in order.
DROP INDEX org_group_members_member;
CREATE INDEX org_group_members_member ON org_group_members (org_id, user_id, group_id);
