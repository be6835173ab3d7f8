//! Athlete data use cases: activities, race goals, zones, integrations, the profile.
