//! Use cases: load, decide with the rules, ask the store to commit atomically.
//! Each takes its ports and a [`Clock`](crate::Clock) as arguments, resolves
//! its caller into a [`policy::Actor`](crate::policy::Actor) and asks
//! [`policy::authorize`](crate::policy::authorize) before it reads or writes.

pub mod accounts;
pub mod api_keys;
pub mod athlete;
pub mod attention;
pub mod audit;
pub mod bulk;
pub mod calendar;
pub mod coaches;
pub mod groups;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod password_reset;
pub mod plans;
pub mod privacy;
pub mod profile;
pub mod roster_export;
pub mod roster_import;
pub mod sessions;
pub mod webhooks;
