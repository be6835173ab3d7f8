//! # roster-domain
//!
//! The rules of roster, a backend for coaching organizations: value types that
//! parse (once a value exists it is valid), the entities, the authorization
//! policy, the ports the store implements, and the use cases ("services") that
//! hold the order of work: load, decide with the rules, ask the store to commit
//! atomically.
//!
//! This crate does no I/O: no database, no HTTP, no async runtime. Other Rust
//! services can link it for the rules alone, and tests can mock every port
//! (enable the `mock` feature to get the `Mock*` types).
//!
//! ```
//! use roster_domain::values::Email;
//!
//! let email = Email::parse("  Jane.Doe@Example.COM ").unwrap();
//! assert_eq!(email.as_str(), "jane.doe@example.com");
//! assert!(Email::parse("not-an-email").is_err());
//! ```

#![warn(missing_docs)]

pub mod added_mail;
pub mod api_keys;
pub mod athlete;
pub mod attention;
pub mod calendar;
pub mod clock;
pub mod entities;
pub mod error;
pub mod groups;
pub mod ids;
pub mod insights;
pub mod invitation;
pub mod joining;
pub mod member;
pub mod plans;
pub mod policy;
pub mod ports;
pub mod privacy;
pub mod role;
pub mod roster_csv;
pub mod services;
pub mod session;
pub mod sport;
pub mod training;
pub mod values;
pub mod webhooks;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Conflict, DomainError, FieldError, InvitationGone, Outage, RepoError};
pub use ids::{
    ActivityId, ApiKeyId, AssignmentId, DeliveryId, EventId, GroupId, ImportId, InvitationId, MembershipId, OrgId,
    PlanId, RaceGoalId, SessionId, UserId, WebhookId,
};
pub use role::{MembershipStatus, Role};
pub use sport::Sport;
