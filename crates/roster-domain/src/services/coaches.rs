//! Coaches: listing, adding, removing, handing over the head-coach role, and
//! looking accounts up by e-mail.

use super::{member_actor, member_actor_about};
use crate::added_mail::{AddedEmail, leave_url};
use crate::clock::Clock;
use crate::entities::{AuditEvent, CoachView, Membership, User};
use crate::error::{Conflict, DomainError};
use crate::ids::{OrgId, UserId};
use crate::invitation::OutboxMessage;
use crate::policy::Action;
use crate::ports::{AccountRepo, AuditRepo, OrganizationRepo};
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

/// The e-mail telling `user`, just added to `org_id` as `role` by `caller`,
/// which club, which coach, and how to leave.
#[allow(clippy::too_many_arguments)]
pub(crate) fn added_mail(
    repo: &impl OrganizationRepo,
    accounts: &impl AccountRepo,
    caller: UserId,
    org_id: OrgId,
    user: &User,
    role: Role,
    public_base_url: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<OutboxMessage, DomainError> {
    let org = repo.organization(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    let coach = accounts.user_by_id(caller)?.ok_or(DomainError::Unauthenticated)?;
    let added_by = match &coach.last_name {
        Some(last) => format!("{} {last}", coach.first_name),
        None => coach.first_name.to_string(),
    };
    let mail = AddedEmail {
        first_name: user.first_name.as_str(),
        org_name: org.org.name.as_str(),
        added_by: &added_by,
        role,
        leave_url: leave_url(public_base_url, org_id, user.user_id, role),
    };
    Ok(mail.message(org_id, user.email.as_str(), now))
}

/// The organization's coaches (coaches only).
pub fn list(repo: &impl OrganizationRepo, caller: UserId, org_id: OrgId) -> Result<Vec<CoachView>, DomainError> {
    member_actor(repo, org_id, caller, Action::ListCoaches)?;
    Ok(repo.coaches(org_id)?)
}

/// Adds an existing account as an assistant coach (head coach only) and
/// e-mails them who added them and how to leave (links under `public_base_url`).
pub fn add(
    repo: &impl OrganizationRepo,
    accounts: &impl AccountRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    target: &AccountRef,
    public_base_url: &str,
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
    let mail = added_mail(repo, accounts, caller, org_id, &user, Role::AssistantCoach, public_base_url, now)?;
    repo.add_coach(&membership, &event, &mail)?;
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

/// Removes an assistant coach (head coach only), or lets an assistant coach
/// leave (`coach` is the caller: being added is never a trap); their athletes
/// become unassigned. The head coach cannot be removed: `head_coach_required`.
pub fn remove(
    repo: &impl OrganizationRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    coach: UserId,
) -> Result<(), DomainError> {
    let leaving = caller == coach;
    if !leaving {
        member_actor_about(repo, org_id, caller, Action::ManageCoaches, coach)?;
    }
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
        json!({"role": {"old": Role::AssistantCoach.as_str(), "new": null}, "left": leaving}),
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

/// An account found by e-mail, with its membership here if it has one. It
/// tells whether an e-mail has an account, so every lookup, found or not, is
/// recorded (`user.looked_up`): the account when found, never the e-mail
/// asked for (a miss keeps nothing about a person who has no account here).
pub fn lookup(
    repo: &impl OrganizationRepo,
    accounts: &impl AccountRepo,
    audit: &impl AuditRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    email: &Email,
) -> Result<(User, Option<Membership>), DomainError> {
    member_actor(repo, org_id, caller, Action::LookupUser)?;
    let found = match resolve_account(accounts, &AccountRef::Email(email.clone())) {
        Ok(user) => Some(user),
        Err(DomainError::UserNotFound) => None,
        Err(e) => return Err(e),
    };
    let target = found.as_ref().map(|u| u.user_id);
    let event =
        AuditEvent::new(org_id, caller, "user.looked_up", target, json!({"found": target.is_some()}), clock.now());
    audit.record_event(&event)?;
    let user = found.ok_or(DomainError::UserNotFound)?;
    let membership = repo.live_membership(org_id, user.user_id)?;
    Ok((user, membership))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::UserCredentials;
    use crate::ports::{MockAccountRepo, MockAuditRepo, MockOrganizationRepo};
    use crate::services::organizations::tests::{clock, membership, view};
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
        repo.expect_organization().returning(move |o| Ok(Some(view(o, head))));
        repo.expect_add_coach()
            .withf(move |m, e, mail| {
                m.role == Role::AssistantCoach
                    && m.user_id == new
                    && e.action == "coach.added"
                    && mail.to == "sam@example.com"
                    && mail.subject == "Sam added you to Riverside Runners on roster"
                    && mail.text.contains(&format!("http://x/api/v1/organizations/{org}/coaches/{new}"))
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut accounts = MockAccountRepo::new();
        let sam = account(new, "sam@example.com");
        accounts
            .expect_user_by_email()
            .returning(move |_| Ok(Some(UserCredentials { user: sam.clone(), password_hash: "h".into() })));
        accounts.expect_user_by_id().returning(move |id| Ok((id == head).then(|| account(id, "head@example.com"))));
        let target = AccountRef::Email(Email::parse("SAM@example.com").unwrap());
        let coach = add(&repo, &accounts, &clock(), head, org, &target, "http://x").unwrap();
        assert_eq!(coach.role, Role::AssistantCoach);
    }

    #[test]
    fn assistant_coach_cannot_add_coaches() {
        let (org, assistant) = (OrgId::new(), UserId::new());
        let repo = org_with(org, &[(assistant, Role::AssistantCoach)]);
        let accounts = MockAccountRepo::new();
        let err =
            add(&repo, &accounts, &clock(), assistant, org, &AccountRef::Id(UserId::new()), "http://x").unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    #[test]
    fn adding_an_unknown_account_is_user_not_found() {
        let (org, head) = (OrgId::new(), UserId::new());
        let repo = org_with(org, &[(head, Role::HeadCoach)]);
        let accounts = accounts_with(account(UserId::new(), "sam@example.com"));
        let err = add(&repo, &accounts, &clock(), head, org, &AccountRef::Id(UserId::new()), "http://x").unwrap_err();
        assert_eq!(err.code(), "user_not_found");
    }

    #[test]
    fn adding_a_member_as_coach_is_already_member() {
        let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
        let mut repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
        repo.expect_add_coach().never();
        let accounts = accounts_with(account(athlete, "a@example.com"));
        let err = add(&repo, &accounts, &clock(), head, org, &AccountRef::Id(athlete), "http://x").unwrap_err();
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
    fn an_assistant_coach_may_leave_but_not_remove_another_coach() {
        let (org, a, b) = (OrgId::new(), UserId::new(), UserId::new());
        let mut repo = org_with(org, &[(a, Role::AssistantCoach), (b, Role::AssistantCoach)]);
        repo.expect_end_coach_membership()
            .withf(move |_, u, _, e| *u == a && e.actor_user_id == a && e.changes["left"] == true)
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        assert_eq!(remove(&repo, &clock(), a, org, b).unwrap_err().code(), "forbidden");
        remove(&repo, &clock(), a, org, a).unwrap();
    }

    #[test]
    fn a_stranger_cannot_leave_as_a_coach() {
        let (org, head, stranger) = (OrgId::new(), UserId::new(), UserId::new());
        let repo = org_with(org, &[(head, Role::HeadCoach)]);
        assert_eq!(remove(&repo, &clock(), stranger, org, stranger).unwrap_err().code(), "not_found");
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
        let mut audit = MockAuditRepo::new();
        audit.expect_record_event().never();
        assert_eq!(lookup(&repo, &accounts, &audit, &clock(), athlete, org, &email).unwrap_err().code(), "forbidden");
    }

    #[test]
    fn lookup_of_unknown_email_is_user_not_found() {
        let (org, coach) = (OrgId::new(), UserId::new());
        let repo = org_with(org, &[(coach, Role::AssistantCoach)]);
        let accounts = accounts_with(account(UserId::new(), "someone@example.com"));
        let email = Email::parse("x@example.com").unwrap();
        let mut audit = MockAuditRepo::new();
        audit
            .expect_record_event()
            .withf(move |e| {
                e.action == "user.looked_up" && e.subject_user_id.is_none() && e.changes == json!({"found": false})
            })
            .times(1)
            .returning(|_| Ok(()));
        assert_eq!(
            lookup(&repo, &accounts, &audit, &clock(), coach, org, &email).unwrap_err().code(),
            "user_not_found"
        );
    }
}
