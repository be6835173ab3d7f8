//! API tests: the real server on port 0, driven over HTTP, on SQLite and on
//! PostgreSQL (when `ROSTER_TEST_POSTGRES_URL` is set).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod accounts;
mod athlete;
mod coaches;
mod conventions;
mod groups;
mod invitations;
mod members;
mod openapi;
mod ops;
mod organizations;
mod plans;
mod profile;
mod support;
mod wiring;
