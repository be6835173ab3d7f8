DROP TABLE integrations;
DROP TABLE athlete_zones;
DROP TABLE race_goals;
DROP TABLE activities;
