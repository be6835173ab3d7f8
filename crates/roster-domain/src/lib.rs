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
//!
//! ## Calling a use case from another Rust service
//!
//! A use case that acts for someone takes a [`Context`]: the store that
//! implements its ports, the clock and the caller. In a server the store is
//! `roster_store::Store`; in a test it is `context::Mocks`, which bundles
//! the `mock` feature's mocks (`roster-domain = { features = ["mock"] }`),
//! one `Mock*` per port, each listed in [`ports`].
//!
//! ```
//! use roster_domain::context::Mocks;
//! use roster_domain::entities::Membership;
//! use roster_domain::ports::MockOrganizationRepo;
//! use roster_domain::services::organizations::{self, OrganizationPatch};
//! use roster_domain::values::OrgName;
//! use roster_domain::{Clock, Context, FixedClock, OrgId, Role, UserId};
//!
//! let clock = FixedClock::at("2026-12-07T09:00:00Z");
//! let (org_id, athlete, outsider) = (OrgId::new(), UserId::new(), UserId::new());
//! let joined = clock.now();
//! let mut orgs = MockOrganizationRepo::new();
//! orgs.expect_live_membership()
//!     .returning(move |org, user| Ok((user == athlete).then(|| Membership::start(org, user, Role::Athlete, joined))));
//! // Nothing is written: a write the use case refused would fail the mock.
//! orgs.expect_update_organization().never();
//!
//! // The use case asks the organization port only; the others stay unset.
//! let store = Mocks { orgs: &orgs, ..Mocks::none() };
//!
//! // An outsider learns nothing, not even that the organization exists.
//! let as_outsider = Context::new(&store, outsider);
//! assert_eq!(organizations::get(&as_outsider, org_id).unwrap_err().code(), "not_found");
//! // An athlete belongs, but renaming the club is the head coach's.
//! let rename = OrganizationPatch { name: Some(OrgName::parse("Track Club").unwrap()), ..Default::default() };
//! let as_athlete = Context::new(&store, athlete).with_clock(&clock);
//! let refused = organizations::update(&as_athlete, org_id, rename, None).unwrap_err();
//! assert_eq!(refused.code(), "forbidden");
//! ```

#![warn(missing_docs)]

pub mod added_mail;
pub mod api_keys;
pub mod athlete;
pub mod attention;
pub mod calendar;
pub mod clock;
pub mod context;
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
pub use context::Context;
pub use error::{Conflict, DomainError, FieldError, InvitationGone, Outage, RepoError};
pub use ids::{
    ActivityId, ApiKeyId, AssignmentId, DeliveryId, EventId, GroupId, ImportId, InvitationId, MembershipId, OrgId,
    PlanId, RaceGoalId, SessionId, UserId, WebhookId,
};
pub use role::{MembershipStatus, Role};
pub use sport::Sport;
