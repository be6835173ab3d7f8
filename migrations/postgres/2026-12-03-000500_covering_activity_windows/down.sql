DROP INDEX activities_user_time;
CREATE INDEX activities_user_time ON activities (user_id, start_time DESC, activity_id DESC);
