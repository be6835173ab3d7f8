//! Use cases: load, decide with the rules, ask the store to commit atomically.
//! Each takes its ports and a [`Clock`](crate::Clock) as arguments, resolves
//! its caller into a [`policy::Actor`](crate::policy::Actor) and asks
//! [`policy::authorize`](crate::policy::authorize) before it reads or writes.

pub mod accounts;
pub mod api_keys;
pub mod athlete;
pub mod audit;
pub mod calendar;
pub mod coaches;
pub mod groups;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod password_reset;
pub mod plans;
pub mod profile;
pub mod sessions;
pub mod webhooks;
