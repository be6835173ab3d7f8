//! Coaches: listing, adding, removing, handing over the head-coach role, and
//! looking accounts up by e-mail.

use super::{member_actor, member_actor_about};
use crate::clock::Clock;
use crate::entities::{AuditEvent, CoachView, Membership, User};
use crate::error::{Conflict, DomainError};
use crate::ids::{OrgId, UserId};
use crate::policy::Action;
use crate::ports::{AccountRepo, OrganizationRepo};
use crate::role::Role;
use crate::values::Email;
use serde_json::json;

/// How a request names an existing account.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountRef {
    /// By e-mail (exact, case-insensitive).
    Email(Email),
    /// By id.
    Id(UserId),
}

/// Finds the account a request names, or `user_not_found`.
pub fn resolve_account(accounts: &impl AccountRepo, target: &AccountRef) -> Result<User, DomainError> {
    let found = match target {
        AccountRef::Email(email) => accounts.user_by_email(email)?.map(|c| c.user),
        AccountRef::Id(id) => accounts.user_by_id(*id)?,
    };
    found.ok_or(DomainError::UserNotFound)
}

/// The organization's coaches (coaches only).
pub fn list(repo: &impl OrganizationRepo, caller: UserId, org_id: OrgId) -> Result<Vec<CoachView>, DomainError> {
    member_actor(repo, org_id, caller, Action::ListCoaches)?;
    Ok(repo.coaches(org_id)?)
}

/// Adds an existing account as an assistant coach (head coach only).
pub fn add(
    repo: &impl OrganizationRepo,
    accounts: &impl AccountRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    target: &AccountRef,
) -> Result<CoachView, DomainError> {
    member_actor(repo, org_id, caller, Action::ManageCoaches)?;
    let user = resolve_account(accounts, target)?;
    if repo.live_membership(org_id, user.user_id)?.is_some() {
        return Err(Conflict::AlreadyMember.into());
    }
    let now = clock.now();
    let membership = Membership::start(org_id, user.user_id, Role::AssistantCoach, now);
    let event = AuditEvent::new(
        org_id,
        caller,
        "coach.added",
        Some(user.user_id),
        json!({"role": {"old": null, "new": Role::AssistantCoach.as_str()}}),
        now,
    );
    repo.add_membership(&membership, &event)?;
    Ok(CoachView {
        user_id: user.user_id,
        first_name: user.first_name.into_inner(),
        last_name: user.last_name.map(|l| l.into_inner()),
        email: user.email.into_inner(),
        role: Role::AssistantCoach,
        assigned_athletes: 0,
        joined_at: now,
    })
}

/// Removes an assistant coach (head coach only); their athletes become
/// unassigned. The head coach cannot be removed: `head_coach_required`.
pub fn remove(
    repo: &impl OrganizationRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    coach: UserId,
) -> Result<(), DomainError> {
    member_actor_about(repo, org_id, caller, Action::ManageCoaches, coach)?;
    let membership =
        repo.live_membership(org_id, coach)?.filter(|m| m.role.is_coach()).ok_or(DomainError::NotFound("coach"))?;
    if membership.role == Role::HeadCoach {
        return Err(DomainError::HeadCoachRequired);
    }
    let now = clock.now();
    let event = AuditEvent::new(
        org_id,
        caller,
        "coach.removed",
        Some(coach),
        json!({"role": {"old": Role::AssistantCoach.as_str(), "new": null}}),
        now,
    );
    repo.end_coach_membership(org_id, coach, now, &event)?;
    Ok(())
}

/// Hands the head-coach role to an assistant coach; the caller becomes an
/// assistant coach. The new head coach must not head another organization.
pub fn transfer_head_coach(
    repo: &impl OrganizationRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    to: UserId,
) -> Result<(), DomainError> {
    member_actor(repo, org_id, caller, Action::ManageCoaches)?;
    repo.live_membership(org_id, to)?.filter(|m| m.role == Role::AssistantCoach).ok_or(DomainError::NotACoach)?;
    if repo.headed_by(to)?.is_some() {
        return Err(Conflict::AlreadyHeadCoach.into());
    }
    let now = clock.now();
    let event = AuditEvent::new(
        org_id,
        caller,
        "coach.head_transferred",
        Some(to),
        json!({"head_coach_user_id": {"old": caller, "new": to}}),
        now,
    );
    repo.swap_head_coach(org_id, caller, to, now, &event)?;
    Ok(())
}

/// An account found by e-mail, with its membership here if it has one.
pub fn lookup(
    repo: &impl OrganizationRepo,
    accounts: &impl AccountRepo,
    caller: UserId,
    org_id: OrgId,
    email: &Email,
) -> Result<(User, Option<Membership>), DomainError> {
    member_actor(repo, org_id, caller, Action::LookupUser)?;
    let user = resolve_account(accounts, &AccountRef::Email(email.clone()))?;
    let membership = repo.live_membership(org_id, user.user_id)?;
    Ok((user, membership))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::UserCredentials;
    use crate::ports::{MockAccountRepo, MockOrganizationRepo};
    use crate::services::organizations::tests::{clock, membership};
    use crate::values::PersonName;
    use std::collections::HashMap;

    fn account(id: UserId, email: &str) -> User {
        User {
            user_id: id,
            email: Email::parse(email).unwrap(),
            first_name: PersonName::parse("Sam").unwrap(),
            last_name: None,
            email_verified: false,
            created_at: clock().now(),
        }
    }

    /// An organization with the given members.
    fn org_with(org: OrgId, members: &[(UserId, Role)]) -> MockOrganizationRepo {
        let map: HashMap<UserId, Role> = members.iter().copied().collect();
        let mut repo = MockOrganizationRepo::new();
        repo.expect_live_membership()
            .returning(move |o, u| Ok(map.get(&u).filter(|_| o == org).map(|r| membership(org, u, *r))));
        repo
    }

    fn accounts_with(user: User) -> MockAccountRepo {
        let mut accounts = MockAccountRepo::new();
        let by_email = user.clone();
        accounts.expect_user_by_email().returning(move |e| {
            Ok((*e == by_email.email).then(|| UserCredentials { user: by_email.clone(), password_hash: "h".into() }))
        });
        accounts.expect_user_by_id().returning(move |id| Ok((id == user.user_id).then(|| user.clone())));
        accounts
    }

    #[test]
    fn head_coach_adds_an_assistant_coach_by_email() {
        let (org, head, new) = (OrgId::new(), UserId::new(), UserId::new());
        let mut repo = org_with(org, &[(head, Role::HeadCoach)]);
        repo.expect_add_membership()
            .withf(move |m, e| m.role == Role::AssistantCoach && m.user_id == new && e.action == "coach.added")
            .times(1)
            .returning(|_, _| Ok(()));
        let accounts = accounts_with(account(new, "sam@example.com"));
        let target = AccountRef::Email(Email::parse("SAM@example.com").unwrap());
        let coach = add(&repo, &accounts, &clock(), head, org, &target).unwrap();
        assert_eq!(coach.role, Role::AssistantCoach);
    }

    #[test]
    fn assistant_coach_cannot_add_coaches() {
        let (org, assistant) = (OrgId::new(), UserId::new());
        let repo = org_with(org, &[(assistant, Role::AssistantCoach)]);
        let accounts = MockAccountRepo::new();
        let err = add(&repo, &accounts, &clock(), assistant, org, &AccountRef::Id(UserId::new())).unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    #[test]
    fn adding_an_unknown_account_is_user_not_found() {
        let (org, head) = (OrgId::new(), UserId::new());
        let repo = org_with(org, &[(head, Role::HeadCoach)]);
        let accounts = accounts_with(account(UserId::new(), "sam@example.com"));
        let err = add(&repo, &accounts, &clock(), head, org, &AccountRef::Id(UserId::new())).unwrap_err();
        assert_eq!(err.code(), "user_not_found");
    }

    #[test]
    fn adding_a_member_as_coach_is_already_member() {
        let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
        let mut repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
        repo.expect_add_membership().never();
        let accounts = accounts_with(account(athlete, "a@example.com"));
        let err = add(&repo, &accounts, &clock(), head, org, &AccountRef::Id(athlete)).unwrap_err();
        assert_eq!(err.code(), "already_member");
    }

    #[test]
    fn head_coach_cannot_be_removed() {
        let (org, head) = (OrgId::new(), UserId::new());
        let mut repo = org_with(org, &[(head, Role::HeadCoach)]);
        repo.expect_end_coach_membership().never();
        assert_eq!(remove(&repo, &clock(), head, org, head).unwrap_err().code(), "head_coach_required");
    }

    #[test]
    fn removing_an_athlete_through_the_coach_route_is_not_found() {
        let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
        let repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
        assert_eq!(remove(&repo, &clock(), head, org, athlete).unwrap_err().code(), "not_found");
    }

    #[test]
    fn removing_an_assistant_coach_ends_their_membership() {
        let (org, head, coach) = (OrgId::new(), UserId::new(), UserId::new());
        let mut repo = org_with(org, &[(head, Role::HeadCoach), (coach, Role::AssistantCoach)]);
        repo.expect_end_coach_membership()
            .withf(move |o, u, _, e| *o == org && *u == coach && e.action == "coach.removed")
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        remove(&repo, &clock(), head, org, coach).unwrap();
    }

    #[test]
    fn head_coach_transfer_swaps_roles_with_an_assistant() {
        let (org, head, coach) = (OrgId::new(), UserId::new(), UserId::new());
        let mut repo = org_with(org, &[(head, Role::HeadCoach), (coach, Role::AssistantCoach)]);
        repo.expect_headed_by().returning(|_| Ok(None));
        repo.expect_swap_head_coach()
            .withf(move |o, from, to, _, _| *o == org && *from == head && *to == coach)
            .times(1)
            .returning(|_, _, _, _, _| Ok(()));
        transfer_head_coach(&repo, &clock(), head, org, coach).unwrap();
    }

    #[test]
    fn head_coach_transfer_to_an_athlete_is_not_a_coach() {
        let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
        let repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
        assert_eq!(transfer_head_coach(&repo, &clock(), head, org, athlete).unwrap_err().code(), "not_a_coach");
        assert_eq!(transfer_head_coach(&repo, &clock(), head, org, head).unwrap_err().code(), "not_a_coach");
    }

    #[test]
    fn head_coach_transfer_to_someone_heading_another_org_is_already_head_coach() {
        let (org, head, coach) = (OrgId::new(), UserId::new(), UserId::new());
        let mut repo = org_with(org, &[(head, Role::HeadCoach), (coach, Role::AssistantCoach)]);
        repo.expect_headed_by().returning(|_| Ok(Some(OrgId::new())));
        repo.expect_swap_head_coach().never();
        assert_eq!(transfer_head_coach(&repo, &clock(), head, org, coach).unwrap_err().code(), "already_head_coach");
    }

    #[test]
    fn assistant_coach_cannot_transfer_head_coach() {
        let (org, a, b) = (OrgId::new(), UserId::new(), UserId::new());
        let repo = org_with(org, &[(a, Role::AssistantCoach), (b, Role::AssistantCoach)]);
        assert_eq!(transfer_head_coach(&repo, &clock(), a, org, b).unwrap_err().code(), "forbidden");
    }

    #[test]
    fn athlete_cannot_look_accounts_up() {
        let (org, athlete) = (OrgId::new(), UserId::new());
        let repo = org_with(org, &[(athlete, Role::Athlete)]);
        let accounts = MockAccountRepo::new();
        let email = Email::parse("x@example.com").unwrap();
        assert_eq!(lookup(&repo, &accounts, athlete, org, &email).unwrap_err().code(), "forbidden");
    }

    #[test]
    fn lookup_of_unknown_email_is_user_not_found() {
        let (org, coach) = (OrgId::new(), UserId::new());
        let repo = org_with(org, &[(coach, Role::AssistantCoach)]);
        let accounts = accounts_with(account(UserId::new(), "someone@example.com"));
        let email = Email::parse("x@example.com").unwrap();
        assert_eq!(lookup(&repo, &accounts, coach, org, &email).unwrap_err().code(), "user_not_found");
    }
}
