use super::*;
use crate::context::{Context, Mocks};
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
    let coach =
        add(&Mocks { orgs: &repo, accounts: &accounts, ..Mocks::none() }.cx(head, &clock()), org, &target, "http://x")
            .unwrap();
    assert_eq!(coach.role, Role::AssistantCoach);
}

#[test]
fn assistant_coach_cannot_add_coaches() {
    let (org, assistant) = (OrgId::new(), UserId::new());
    let repo = org_with(org, &[(assistant, Role::AssistantCoach)]);
    let accounts = MockAccountRepo::new();
    let err = add(
        &Mocks { orgs: &repo, accounts: &accounts, ..Mocks::none() }.cx(assistant, &clock()),
        org,
        &AccountRef::Id(UserId::new()),
        "http://x",
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn adding_an_unknown_account_is_user_not_found() {
    let (org, head) = (OrgId::new(), UserId::new());
    let repo = org_with(org, &[(head, Role::HeadCoach)]);
    let accounts = accounts_with(account(UserId::new(), "sam@example.com"));
    let err = add(
        &Mocks { orgs: &repo, accounts: &accounts, ..Mocks::none() }.cx(head, &clock()),
        org,
        &AccountRef::Id(UserId::new()),
        "http://x",
    )
    .unwrap_err();
    assert_eq!(err.code(), "user_not_found");
}

#[test]
fn adding_a_member_as_coach_is_already_member() {
    let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
    let mut repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
    repo.expect_add_coach().never();
    let accounts = accounts_with(account(athlete, "a@example.com"));
    let err = add(
        &Mocks { orgs: &repo, accounts: &accounts, ..Mocks::none() }.cx(head, &clock()),
        org,
        &AccountRef::Id(athlete),
        "http://x",
    )
    .unwrap_err();
    assert_eq!(err.code(), "already_member");
}

#[test]
fn head_coach_cannot_be_removed() {
    let (org, head) = (OrgId::new(), UserId::new());
    let mut repo = org_with(org, &[(head, Role::HeadCoach)]);
    repo.expect_end_coach_membership().never();
    assert_eq!(
        remove(&Context::new(&repo, head).with_clock(&clock()), org, head).unwrap_err().code(),
        "head_coach_required"
    );
}

#[test]
fn removing_an_athlete_through_the_coach_route_is_not_found() {
    let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
    let repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
    assert_eq!(remove(&Context::new(&repo, head).with_clock(&clock()), org, athlete).unwrap_err().code(), "not_found");
}

#[test]
fn removing_an_assistant_coach_ends_their_membership() {
    let (org, head, coach) = (OrgId::new(), UserId::new(), UserId::new());
    let mut repo = org_with(org, &[(head, Role::HeadCoach), (coach, Role::AssistantCoach)]);
    repo.expect_end_coach_membership()
        .withf(move |o, u, _, e| *o == org && *u == coach && e.action == "coach.removed")
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    remove(&Context::new(&repo, head).with_clock(&clock()), org, coach).unwrap();
}

#[test]
fn an_assistant_coach_may_leave_but_not_remove_another_coach() {
    let (org, a, b) = (OrgId::new(), UserId::new(), UserId::new());
    let mut repo = org_with(org, &[(a, Role::AssistantCoach), (b, Role::AssistantCoach)]);
    repo.expect_end_coach_membership()
        .withf(move |_, u, _, e| *u == a && e.actor_user_id == a && e.changes["left"] == true)
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    assert_eq!(remove(&Context::new(&repo, a).with_clock(&clock()), org, b).unwrap_err().code(), "forbidden");
    remove(&Context::new(&repo, a).with_clock(&clock()), org, a).unwrap();
}

#[test]
fn a_stranger_cannot_leave_as_a_coach() {
    let (org, head, stranger) = (OrgId::new(), UserId::new(), UserId::new());
    let repo = org_with(org, &[(head, Role::HeadCoach)]);
    assert_eq!(
        remove(&Context::new(&repo, stranger).with_clock(&clock()), org, stranger).unwrap_err().code(),
        "not_found"
    );
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
    transfer_head_coach(&Context::new(&repo, head).with_clock(&clock()), org, coach).unwrap();
}

#[test]
fn head_coach_transfer_to_an_athlete_is_not_a_coach() {
    let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
    let repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
    assert_eq!(
        transfer_head_coach(&Context::new(&repo, head).with_clock(&clock()), org, athlete).unwrap_err().code(),
        "not_a_coach"
    );
    assert_eq!(
        transfer_head_coach(&Context::new(&repo, head).with_clock(&clock()), org, head).unwrap_err().code(),
        "not_a_coach"
    );
}

#[test]
fn head_coach_transfer_to_someone_heading_another_org_is_already_head_coach() {
    let (org, head, coach) = (OrgId::new(), UserId::new(), UserId::new());
    let mut repo = org_with(org, &[(head, Role::HeadCoach), (coach, Role::AssistantCoach)]);
    repo.expect_headed_by().returning(|_| Ok(Some(OrgId::new())));
    repo.expect_swap_head_coach().never();
    assert_eq!(
        transfer_head_coach(&Context::new(&repo, head).with_clock(&clock()), org, coach).unwrap_err().code(),
        "already_head_coach"
    );
}

#[test]
fn assistant_coach_cannot_transfer_head_coach() {
    let (org, a, b) = (OrgId::new(), UserId::new(), UserId::new());
    let repo = org_with(org, &[(a, Role::AssistantCoach), (b, Role::AssistantCoach)]);
    assert_eq!(
        transfer_head_coach(&Context::new(&repo, a).with_clock(&clock()), org, b).unwrap_err().code(),
        "forbidden"
    );
}

#[test]
fn athlete_cannot_look_accounts_up() {
    let (org, athlete) = (OrgId::new(), UserId::new());
    let repo = org_with(org, &[(athlete, Role::Athlete)]);
    let accounts = MockAccountRepo::new();
    let email = Email::parse("x@example.com").unwrap();
    let mut audit = MockAuditRepo::new();
    audit.expect_record_event().never();
    assert_eq!(
        lookup(
            &Mocks { orgs: &repo, accounts: &accounts, audit: &audit, ..Mocks::none() }.cx(athlete, &clock()),
            org,
            &email
        )
        .unwrap_err()
        .code(),
        "forbidden"
    );
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
        lookup(
            &Mocks { orgs: &repo, accounts: &accounts, audit: &audit, ..Mocks::none() }.cx(coach, &clock()),
            org,
            &email
        )
        .unwrap_err()
        .code(),
        "user_not_found"
    );
}

#[test]
fn coach_names_are_for_coaches_and_count_nobody() {
    let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
    let mut repo = org_with(org, &[(head, Role::HeadCoach), (athlete, Role::Athlete)]);
    let sam = CoachName { user_id: head, first_name: "Sam".into(), last_name: None, role: Role::HeadCoach };
    let expected = vec![sam.clone()];
    repo.expect_coach_names().withf(move |o| *o == org).returning(move |_| Ok(expected.clone()));
    repo.expect_coaches().never();
    assert_eq!(names(&Context::new(&repo, head), org).unwrap(), [sam]);
    let refused = names(&Context::new(&repo, athlete), org);
    assert!(matches!(refused, Err(DomainError::Forbidden(_))), "{refused:?}");
}
