//! Console tests: the real server on port 0, its pages fetched and its
//! forms posted over HTTP like a browser without scripts, on SQLite and on
//! PostgreSQL (when `ROSTER_TEST_POSTGRES_URL` is set). `account` covers the
//! privacy pages (export, delete account, close club), `automation` the
//! API keys and webhooks pages, `attention` the Needs attention page, compliance
//! in the roster and the calendar, `coaches` and `plans` the Coaches and
//! Training plans pages, `groups` the Groups, Invitations and Audit log
//! pages, `invitation_links` the Invitations page's **Copy link**,
//! `me_pages` the athlete's goal race, zones and integrations,
//! `roster_csv` the Athletes page's CSV export, bulk actions and CSV import,
//! `page_snapshots` the pages' HTML against files in `snapshots/`,
//! `sign_in_throttle` the failed-login slowdown on **Sign in**. `browser` drives
//! headless Chromium through the same pages.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod account;
mod attention;
mod automation;
mod browser;
mod client;
mod coaches;
mod groups;
mod invitation_links;
mod me_pages;
mod page_snapshots;
mod pages;
mod plans;
#[allow(dead_code)] // the API tests' webhook receiver
#[path = "../api/webhooks/receiver.rs"]
mod receiver;
mod refusals;
mod roster_csv;
mod sign_in_throttle;
#[allow(dead_code)] // the API tests' fixtures; these tests use a few
#[path = "../api/support.rs"]
mod support;
