//! An athlete's own data: activities, race goals, zones and integrations.
