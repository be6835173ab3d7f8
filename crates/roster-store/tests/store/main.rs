//! Store tests: each runs on a fresh SQLite file and, when
//! `ROSTER_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod athlete;
mod foundation;
mod groups;
mod invitations;
mod members;
mod plans;
mod profile;
mod status_cache;
mod wiring;
