//! API tests: the real server on port 0, driven over HTTP, on SQLite and on
//! PostgreSQL (when `ROSTER_TEST_POSTGRES_URL` is set).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod accounts;
mod added;
mod api_keys;
mod athlete;
mod calendar;
mod coaches;
mod compliance;
mod conventions;
mod groups;
mod input;
mod invitations;
mod key_athletes;
mod key_authors;
mod key_bulk;
mod key_imports;
mod key_reads;
mod key_routes;
mod members;
mod openapi;
mod ops;
mod organizations;
mod outage;
mod passwords;
mod plans;
mod privacy;
mod profile;
mod races;
mod races_unconditional;
mod roster_csv;
mod roster_pages;
mod sessions;
mod support;
mod throttles;
mod webhooks;
mod wiring;
mod wiring_profile_status;
