//! The public side: a link's preview and accepting it, signed in or
//! signing up, with every refusal a concurrent or stale link earns.

use super::*;

fn link_repo(inv: Invitation, replaced: bool) -> MockInvitationRepo {
    let mut invites = MockInvitationRepo::new();
    invites.expect_invitation_by_token().returning(move |_| Ok(Some((inv.clone(), replaced))));
    invites
}

fn signed_in(user: &User, memberships: Vec<NamedMembership>) -> MockAccountRepo {
    let mut accounts = MockAccountRepo::new();
    let u = user.clone();
    accounts.expect_user_by_id().returning(move |_| Ok(Some(u.clone())));
    accounts.expect_memberships_of().returning(move |_| Ok(memberships.clone()));
    accounts
}

fn token() -> InvitationToken {
    InvitationToken::from_link("tok")
}

#[test]
fn unknown_token_is_invitation_not_found_and_a_replaced_one_is_revoked() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let mut none = MockInvitationRepo::new();
    none.expect_invitation_by_token().returning(|_| Ok(None));
    let hasher = MockPasswordHasher::new();
    let user = account("jo@example.com");
    let accounts = signed_in(&user, vec![]);
    let who = Acceptor::SignedIn(user.user_id);
    let err = accept(&store(&orgs, &accounts, &none), &hasher, &clock(), &token(), who.clone()).unwrap_err();
    assert_eq!(err.code(), "invitation_not_found");
    let replaced = link_repo(invitation(org, head, Some("jo@example.com")), true);
    let err = accept(&store(&orgs, &accounts, &replaced), &hasher, &clock(), &token(), who).unwrap_err();
    assert_eq!(err.code(), "invitation_revoked");
    assert_eq!(
        preview(&Mocks { orgs: &orgs, invitations: &replaced, ..Mocks::none() }, &clock(), &token()).unwrap().status,
        InvitationStatus::Revoked
    );
}

#[test]
fn accepting_signed_in_as_another_email_is_invitation_email_mismatch() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let mut invites = link_repo(invitation(org, head, Some("jo@example.com")), false);
    invites.expect_accept_invitation().never();
    let user = account("kim@example.com");
    let err = accept(
        &store(&orgs, &signed_in(&user, vec![]), &invites),
        &MockPasswordHasher::new(),
        &clock(),
        &token(),
        Acceptor::SignedIn(user.user_id),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invitation_email_mismatch");
}

#[test]
fn an_athlete_elsewhere_cannot_accept() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let invites = link_repo(invitation(org, head, None), false);
    let user = account("kim@example.com");
    let elsewhere =
        NamedMembership { membership: membership(OrgId::new(), user.user_id, Role::Athlete), org_name: "Other".into() };
    let err = accept(
        &store(&orgs, &signed_in(&user, vec![elsewhere]), &invites),
        &MockPasswordHasher::new(),
        &clock(),
        &token(),
        Acceptor::SignedIn(user.user_id),
    )
    .unwrap_err();
    assert_eq!(err.code(), "member_of_another_organization");
}

#[test]
fn signing_up_after_a_concurrent_accept_used_the_link_is_invitation_already_used() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let pending = invitation(org, head, Some("jo@example.com"));
    let mut used = pending.clone();
    (used.use_count, used.recorded_status) = (1, InvitationStatus::Accepted);
    // The first read sees the link pending; the winner commits before the
    // e-mail check, which then finds the account the winner made.
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let mut invites = MockInvitationRepo::new();
    invites.expect_invitation_by_token().returning(move |_| {
        let first = reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
        Ok(Some((if first { pending.clone() } else { used.clone() }, false)))
    });
    invites.expect_accept_invitation().never();
    let mut accounts = MockAccountRepo::new();
    let winner = account("jo@example.com");
    accounts
        .expect_user_by_email()
        .returning(move |_| Ok(Some(UserCredentials { user: winner.clone(), password_hash: "h".into() })));
    let who = Acceptor::SignUp {
        email: None,
        password: Password::parse("Secret123").unwrap(),
        first_name: None,
        last_name: None,
    };
    let err =
        accept(&store(&orgs, &accounts, &invites), &MockPasswordHasher::new(), &clock(), &token(), who).unwrap_err();
    assert_eq!(err.code(), "invitation_already_used");
}

#[test]
fn signing_up_with_a_taken_email_is_email_taken() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let invites = link_repo(invitation(org, head, Some("jo@example.com")), false);
    let mut accounts = MockAccountRepo::new();
    let existing = account("jo@example.com");
    accounts
        .expect_user_by_email()
        .returning(move |_| Ok(Some(UserCredentials { user: existing.clone(), password_hash: "h".into() })));
    let who = Acceptor::SignUp {
        email: None,
        password: Password::parse("Secret123").unwrap(),
        first_name: None,
        last_name: None,
    };
    let err =
        accept(&store(&orgs, &accounts, &invites), &MockPasswordHasher::new(), &clock(), &token(), who).unwrap_err();
    assert_eq!(err.code(), "email_taken");
}

#[test]
fn signing_up_through_a_single_use_invitation_verifies_the_email_and_assigns_the_assistant_coach() {
    let (org, head, coach) = (OrgId::new(), UserId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach), (coach, Role::AssistantCoach)]);
    let mut invites = link_repo(invitation(org, coach, Some("jo@example.com")), false);
    invites
        .expect_accept_invitation()
        .withf(move |a| {
            let account = a.new_account.as_ref().unwrap();
            account.user.email_verified
                && account.user.email.as_str() == "jo@example.com"
                && account.password_hash == "HASH"
                && a.membership.assigned_to_coach_id == Some(coach)
                && a.events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>()
                    == ["invitation.accepted", "member.added"]
        })
        .times(1)
        .returning(|a| Ok(a.membership.clone()));
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_hash().returning(|_| Ok("HASH".into()));
    let who = Acceptor::SignUp {
        email: None,
        password: Password::parse("Secret123").unwrap(),
        first_name: None,
        last_name: None,
    };
    let accepted = accept(&store(&orgs, &no_accounts(), &invites), &hasher, &clock(), &token(), who).unwrap();
    assert!(accepted.new_account);
    assert_eq!(accepted.user.first_name.as_str(), "Jo");
}

#[test]
fn multi_use_sign_up_needs_an_email_and_a_first_name() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let invites = link_repo(invitation(org, head, None), false);
    let who = |email: Option<&str>| Acceptor::SignUp {
        email: email.map(|e| Email::parse(e).unwrap()),
        password: Password::parse("Secret123").unwrap(),
        first_name: None,
        last_name: None,
    };
    let hasher = MockPasswordHasher::new();
    let err = accept(&store(&orgs, &no_accounts(), &invites), &hasher, &clock(), &token(), who(None)).unwrap_err();
    let DomainError::Validation(errors) = err else { panic!("validation expected") };
    assert_eq!(errors[0].field, "email");
    let err =
        accept(&store(&orgs, &no_accounts(), &invites), &hasher, &clock(), &token(), who(Some("a@b.io"))).unwrap_err();
    let DomainError::Validation(errors) = err else { panic!("validation expected") };
    assert_eq!(errors[0].field, "first_name");
}
