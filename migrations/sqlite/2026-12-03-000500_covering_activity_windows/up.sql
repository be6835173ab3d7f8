-- The attention windows of a roster page sum each athlete's distance by
-- start time: with distance_m in the feed's index they are read from the
-- index alone instead of one table visit per activity.
DROP INDEX activities_user_time;
CREATE INDEX activities_user_time ON activities (user_id, start_time DESC, activity_id DESC, distance_m);
