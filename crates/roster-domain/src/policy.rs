//! Who may do what: one decision, [`authorize`], for every action of every
//! feature.
//!
//! A use case resolves its caller once into an [`Actor`] (an outsider is told
//! the organization does not exist), loads what the decision needs into a
//! [`Target`], and asks [`authorize`]. A refusal is `404` when the caller may
//! not know the thing exists, `403` otherwise ([`Denied`]). The whole matrix
//! of actions × callers is tested and printed in `docs/architecture.md`
//! ("Authorization").
//!
//! ```
//! use roster_domain::entities::Membership;
//! use roster_domain::policy::{authorize, Action, Actor, Denied, Target};
//! use roster_domain::{OrgId, Role, UserId};
//!
//! let (org, now) = (OrgId::new(), chrono::Utc::now());
//! let assistant = Membership::start(org, UserId::new(), Role::AssistantCoach, now);
//! let athlete = Membership::start(org, UserId::new(), Role::Athlete, now);
//! let actor = Actor::Member(assistant);
//! assert!(authorize(&actor, Action::ListCoaches, Target::Organization).is_ok());
//! assert!(authorize(&actor, Action::AddCoach, Target::Organization).is_err());
//! assert_eq!(
//!     authorize(&actor, Action::UpdateMember, Target::Member(&athlete)),
//!     Err(Denied::NotAssignedToYou)
//! );
//! ```

mod action;
mod actor;
mod rules;
mod scope;

#[cfg(test)]
mod matrix;

pub use action::Action;
pub use actor::{Actor, Caller, Denied, Target};
pub use rules::{ONLY_HEAD_COACH, authorize};
pub use scope::{Scope, required_scope};
