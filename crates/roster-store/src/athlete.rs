//! Activities, race goals, zones and integrations.
