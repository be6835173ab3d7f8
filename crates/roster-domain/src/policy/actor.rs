//! Who acts, on what, and how a refusal reads.

use super::Scope;
use crate::entities::Membership;
use crate::error::DomainError;
use crate::ids::{ApiKeyId, OrgId, UserId};
use crate::ports::OrganizationRepo;
use crate::role::Role;

/// The caller, resolved once per use case.
#[derive(Debug, Clone, PartialEq)]
pub enum Actor {
    /// An account acting through its live membership in the organization.
    Member(Membership),
    /// A signed-in account with no membership where it acts. Inside an
    /// organization it is told that the organization does not exist.
    Outsider(UserId),
    /// An organization API key: a principal of its organization, not a
    /// person. It may do what one of its scopes allows ([`super::Scope`]).
    ApiKey {
        /// The key.
        key_id: ApiKeyId,
        /// The organization it belongs to (elsewhere it is an outsider).
        org_id: OrgId,
        /// What it may do.
        scopes: Vec<Scope>,
    },
}

impl Actor {
    /// The caller as a member of `org_id`. An outsider is refused here with
    /// `404`, which is what [`super::authorize`] answers an outsider for any
    /// action inside an organization: refusing up front lets a use case load
    /// its target before it decides, without telling outsiders what exists.
    pub fn resolve(
        orgs: &impl OrganizationRepo,
        org_id: OrgId,
        caller: impl Into<Caller>,
    ) -> Result<Actor, DomainError> {
        let user_id = match caller.into() {
            Caller::Account(user_id) => user_id,
            Caller::Key(actor) => return Ok(actor),
            Caller::Member(membership) if membership.org_id == org_id => return Ok(Actor::Member(membership)),
            // Resolved for another organization: ask about this one.
            Caller::Member(membership) => membership.user_id,
        };
        match orgs.live_membership(org_id, user_id)? {
            Some(membership) => Ok(Actor::Member(membership)),
            None => Err(Denied::Hidden("organization").into()),
        }
    }

    /// The key as the actor in `org_id`: a key of another organization is
    /// told that the organization does not exist, like an outsider.
    pub fn for_key(key_id: ApiKeyId, key_org: OrgId, scopes: Vec<Scope>, org_id: OrgId) -> Result<Actor, DomainError> {
        if key_org == org_id {
            Ok(Actor::ApiKey { key_id, org_id, scopes })
        } else {
            Err(Denied::Hidden("organization").into())
        }
    }

    /// The id the actor is recorded under (the audit trail's actor): an
    /// account's id, or a key's own id (a key is nobody's account).
    pub fn user_id(&self) -> UserId {
        match self {
            Actor::Member(m) => m.user_id,
            Actor::Outsider(user_id) => *user_id,
            Actor::ApiKey { key_id, .. } => UserId::from_uuid(key_id.as_uuid()),
        }
    }

    /// Its role in the organization, if it is a member.
    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Member(m) => Some(m.role),
            Actor::Outsider(_) | Actor::ApiKey { .. } => None,
        }
    }

    /// Whether it is a coach (head or assistant) of the organization.
    pub fn is_coach(&self) -> bool {
        self.role().is_some_and(Role::is_coach)
    }

    /// The key's id, if it is an organization API key.
    pub fn key_id(&self) -> Option<ApiKeyId> {
        match self {
            Actor::ApiKey { key_id, .. } => Some(*key_id),
            Actor::Member(_) | Actor::Outsider(_) => None,
        }
    }

    /// Whether it is an organization API key (no person, no account).
    pub fn is_api_key(&self) -> bool {
        matches!(self, Actor::ApiKey { .. })
    }

    /// The caller it was resolved from, for a use case that runs another one
    /// per item (a bulk action, an import's rows): a key is handed on as it
    /// stands, an account by its id (resolved again by the inner use case).
    pub fn caller(&self) -> Caller {
        match self {
            Actor::ApiKey { .. } => Caller::Key(self.clone()),
            Actor::Member(_) | Actor::Outsider(_) => Caller::Account(self.user_id()),
        }
    }

    /// Its membership, if it is a member.
    pub fn membership(&self) -> Option<&Membership> {
        match self {
            Actor::Member(m) => Some(m),
            Actor::Outsider(_) | Actor::ApiKey { .. } => None,
        }
    }
}

/// Who a request speaks for, as a use case receives it: a signed-in
/// account (resolved against the organization by [`Actor::resolve`]), or an
/// API key already authenticated for the organization by the transport
/// (`services::api_keys::authenticate`), which is its actor as it stands.
/// A use case that takes `impl Into<Caller>` accepts both; one that takes a
/// `UserId` is for accounts only.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// A signed-in account.
    Account(UserId),
    /// An API key's actor in the organization ([`Actor::ApiKey`]).
    Key(Actor),
    /// A signed-in account with its live membership, looked up already: a
    /// page that runs several use cases for one organization looks it up
    /// once. For another organization it counts as [`Caller::Account`].
    Member(Membership),
}

impl Caller {
    /// The account asking, for what only an account may do (manage coaches
    /// and API keys, rename or close the club, connect integrations); an
    /// API key is refused.
    pub fn account(&self) -> Result<UserId, DomainError> {
        match self {
            Caller::Account(user_id) => Ok(*user_id),
            Caller::Member(membership) => Ok(membership.user_id),
            Caller::Key(_) => Err(DomainError::Forbidden("an API key cannot do this")),
        }
    }
}

impl From<UserId> for Caller {
    fn from(user_id: UserId) -> Self {
        Caller::Account(user_id)
    }
}

/// What an action is about: as much as the decision needs.
///
/// A use case that must refuse before it loads anything (so that a refused
/// caller learns nothing from a `404`) asks about [`Target::Organization`]
/// first, then about what it loaded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target<'a> {
    /// The organization, or something in it not loaded yet.
    Organization,
    /// A member named by id, not loaded: enough to hide the other members
    /// from an athlete.
    Someone(UserId),
    /// A member as loaded: role and assigned coach.
    Member(&'a Membership),
    /// The athletes of one coach (`None`: no coach in particular), as a
    /// roster filter or as a new athlete's coach.
    CoachedBy(Option<UserId>),
    /// A training plan: its author, and whether the caller holds a live
    /// assignment of it.
    Plan {
        /// Who wrote it.
        author: UserId,
        /// The caller is an athlete it is assigned to.
        held_by_caller: bool,
    },
    /// An invitation for this role.
    Invitation(Role),
}

impl Target<'_> {
    /// The member the action is about, if it is about one.
    pub fn person(&self) -> Option<UserId> {
        match self {
            Target::Someone(user_id) => Some(*user_id),
            Target::Member(m) => Some(m.user_id),
            _ => None,
        }
    }
}

/// Why an action is refused. Each maps to one [`DomainError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Told it does not exist (`404`, "No such …"): the caller may not know.
    Hidden(&'static str),
    /// Refused (`403 forbidden`), saying why.
    Forbidden(&'static str),
    /// An assistant coach acting for an athlete not assigned to them
    /// (`403 not_assigned_to_you`).
    NotAssignedToYou,
    /// An API key without the scope the action needs
    /// (`403 insufficient_scope`, naming it).
    InsufficientScope(Scope),
}

impl From<Denied> for DomainError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Hidden(what) => DomainError::NotFound(what),
            Denied::Forbidden(why) => DomainError::Forbidden(why),
            Denied::NotAssignedToYou => DomainError::NotAssignedToYou,
            Denied::InsufficientScope(scope) => DomainError::InsufficientScope(scope.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockOrganizationRepo;
    use chrono::Utc;

    /// A membership looked up already is the actor in its organization
    /// without asking the store again; in another organization the account
    /// is looked up there, like any account.
    #[test]
    fn a_member_caller_is_looked_up_only_for_another_organization() {
        let (org, other, user) = (OrgId::new(), OrgId::new(), UserId::new());
        let membership = Membership::start(org, user, Role::AssistantCoach, Utc::now());
        let mut orgs = MockOrganizationRepo::new();
        orgs.expect_live_membership().withf(move |o, u| *o == other && *u == user).times(1).returning(|_, _| Ok(None));

        let actor = Actor::resolve(&orgs, org, Caller::Member(membership.clone())).unwrap();
        assert_eq!(actor, Actor::Member(membership.clone()));
        let elsewhere = Actor::resolve(&orgs, other, Caller::Member(membership));
        assert!(matches!(elsewhere, Err(DomainError::NotFound("organization"))), "{elsewhere:?}");
    }

    /// What only an account may do reads the account behind the caller; an
    /// API key is refused before anything is read.
    #[test]
    fn an_account_only_use_case_reads_the_account_and_refuses_a_key() {
        let (org, user) = (OrgId::new(), UserId::new());
        assert_eq!(Caller::Account(user).account().unwrap(), user);
        let membership = Membership::start(org, user, Role::HeadCoach, Utc::now());
        assert_eq!(Caller::Member(membership).account().unwrap(), user);
        let key = Caller::Key(Actor::ApiKey { key_id: ApiKeyId::new(), org_id: org, scopes: vec![] });
        assert_eq!(key.account().unwrap_err().code(), "forbidden");
    }
}
