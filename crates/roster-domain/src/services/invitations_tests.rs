use super::*;
use crate::context::{Context, Mocks};
use crate::entities::{NamedMembership, UserCredentials};
use crate::invitation::ports::MockInvitationRepo;
use crate::invitation::{KeyedLinks, LinkKey};
use crate::ports::{MockAccountRepo, MockOrganizationRepo, MockPasswordHasher};
use crate::services::organizations::tests::{clock, membership, view};
use std::collections::HashMap;

pub(super) const BASE: &str = "https://club.example";

pub(super) fn org_with(org: OrgId, members: &[(UserId, Role)]) -> MockOrganizationRepo {
    let map: HashMap<UserId, Role> = members.iter().copied().collect();
    let head = members.first().map_or_else(UserId::new, |m| m.0);
    let mut repo = MockOrganizationRepo::new();
    repo.expect_live_membership()
        .returning(move |o, u| Ok(map.get(&u).filter(|_| o == org).map(|r| membership(org, u, *r))));
    repo.expect_organization().returning(move |o| Ok((o == org).then(|| view(org, head))));
    repo
}

pub(super) fn tokens() -> KeyedLinks {
    KeyedLinks::new(LinkKey::derive(b"the server secret"), || [9u8; 32])
}

fn no_accounts() -> MockAccountRepo {
    let mut a = MockAccountRepo::new();
    a.expect_user_by_email().returning(|_| Ok(None));
    a
}

fn account(email: &str) -> User {
    User {
        user_id: UserId::new(),
        email: Email::parse(email).unwrap(),
        first_name: PersonName::parse("Jo").unwrap(),
        last_name: None,
        email_verified: false,
        created_at: clock().now(),
    }
}

fn single_use(email: &str, role: Role) -> NewInvitation {
    NewInvitation::SingleUse {
        email: Email::parse(email).unwrap(),
        first_name: PersonName::parse("Jo").unwrap(),
        role,
        extras: JoinExtras::default(),
        expires_at: None,
    }
}

fn multi(max_uses: Option<i64>) -> NewInvitation {
    NewInvitation::MultiUse { name: None, max_uses, expires_at: None, extras: JoinExtras::default() }
}

#[test]
fn creating_a_single_use_invitation_queues_its_email_in_the_same_write() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let mut invites = MockInvitationRepo::new();
    let (minted, nonce) = tokens().mint();
    let expected = StoredToken::new(&minted, nonce);
    invites
        .expect_create_invitation()
        .withf(move |inv, stored, mail, event| {
            let mail = mail.as_ref().unwrap();
            *stored == expected
                && inv.kind == InvitationKind::SingleUse
                && mail.to == "jo@example.com"
                && mail.subject.contains("Jo")
                && mail.text.contains("Riverside Runners")
                && mail.text.contains("https://club.example/join/")
                && mail.html.contains("https://club.example/join/")
                && event.action == "invitation.created"
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let issued = create(
        &Context::new(&Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() }, head)
            .with_clock(&clock()),
        &tokens(),
        org,
        single_use("Jo@Example.com", Role::Athlete),
        BASE,
    )
    .unwrap();
    assert_eq!(issued.invitation.expires_at, Some(clock().now() + chrono::Duration::days(14)));
    assert_eq!(issued.token, minted, "the link given is the one whose hash and nonce were stored");
}

#[test]
fn assistant_coach_cannot_invite_coaches() {
    let (org, coach) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(coach, Role::AssistantCoach)]);
    let mut invites = MockInvitationRepo::new();
    invites.expect_create_invitation().never();
    let new = single_use("c@example.com", Role::AssistantCoach);
    let err = create(
        &Context::new(&Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() }, coach)
            .with_clock(&clock()),
        &tokens(),
        org,
        new,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn athletes_cannot_invite_and_strangers_get_not_found() {
    let (org, athlete) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(athlete, Role::Athlete)]);
    let invites = MockInvitationRepo::new();
    let err = create(
        &Context::new(
            &Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() },
            athlete,
        )
        .with_clock(&clock()),
        &tokens(),
        org,
        multi(None),
        BASE,
    );
    assert_eq!(err.unwrap_err().code(), "forbidden");
    let err = create(
        &Context::new(
            &Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() },
            UserId::new(),
        )
        .with_clock(&clock()),
        &tokens(),
        org,
        multi(None),
        BASE,
    );
    assert_eq!(err.unwrap_err().code(), "not_found");
}

#[test]
fn inviting_a_member_is_already_member() {
    let (org, head) = (OrgId::new(), UserId::new());
    let member = account("m@example.com");
    let orgs = org_with(org, &[(head, Role::HeadCoach), (member.user_id, Role::Athlete)]);
    let mut accounts = MockAccountRepo::new();
    let found = member.clone();
    accounts
        .expect_user_by_email()
        .returning(move |_| Ok(Some(UserCredentials { user: found.clone(), password_hash: "h".into() })));
    let invites = MockInvitationRepo::new();
    let new = single_use("m@example.com", Role::Athlete);
    let err = create(
        &Context::new(&Mocks { orgs: &orgs, accounts: &accounts, invitations: &invites, ..Mocks::none() }, head)
            .with_clock(&clock()),
        &tokens(),
        org,
        new,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "already_member");
}

#[test]
fn bad_expiry_and_max_uses_are_422() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let invites = MockInvitationRepo::new();
    let past = NewInvitation::MultiUse {
        name: None,
        max_uses: None,
        expires_at: Some(clock().now() - chrono::Duration::seconds(1)),
        extras: JoinExtras::default(),
    };
    let err = create(
        &Context::new(&Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() }, head)
            .with_clock(&clock()),
        &tokens(),
        org,
        past,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "expires_at_in_past");
    let err = create(
        &Context::new(&Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() }, head)
            .with_clock(&clock()),
        &tokens(),
        org,
        multi(Some(0)),
        BASE,
    );
    assert_eq!(err.unwrap_err().code(), "invalid_max_uses");
}

fn link_repo(inv: Invitation, replaced: bool) -> MockInvitationRepo {
    let mut invites = MockInvitationRepo::new();
    invites.expect_invitation_by_token().returning(move |_| Ok(Some((inv.clone(), replaced))));
    invites
}

pub(super) fn invitation(org: OrgId, by: UserId, email: Option<&str>) -> Invitation {
    match email {
        Some(e) => Invitation::single_use(
            org,
            by,
            Invitee { email: Email::parse(e).unwrap(), first_name: PersonName::parse("Jo").unwrap() },
            Role::Athlete,
            JoinExtras::default(),
            None,
            clock().now(),
        ),
        None => Invitation::multi_use(org, by, None, Some(10), None, clock().now()),
    }
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
    let err = accept(
        &Mocks { orgs: &orgs, accounts: &accounts, invitations: &none, ..Mocks::none() },
        &hasher,
        &clock(),
        &token(),
        who.clone(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invitation_not_found");
    let replaced = link_repo(invitation(org, head, Some("jo@example.com")), true);
    let err = accept(
        &Mocks { orgs: &orgs, accounts: &accounts, invitations: &replaced, ..Mocks::none() },
        &hasher,
        &clock(),
        &token(),
        who,
    )
    .unwrap_err();
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
        &Mocks { orgs: &orgs, accounts: &signed_in(&user, vec![]), invitations: &invites, ..Mocks::none() },
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
        &Mocks { orgs: &orgs, accounts: &signed_in(&user, vec![elsewhere]), invitations: &invites, ..Mocks::none() },
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
    let err = accept(
        &Mocks { orgs: &orgs, accounts: &accounts, invitations: &invites, ..Mocks::none() },
        &MockPasswordHasher::new(),
        &clock(),
        &token(),
        who,
    )
    .unwrap_err();
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
    let err = accept(
        &Mocks { orgs: &orgs, accounts: &accounts, invitations: &invites, ..Mocks::none() },
        &MockPasswordHasher::new(),
        &clock(),
        &token(),
        who,
    )
    .unwrap_err();
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
    let accepted = accept(
        &Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() },
        &hasher,
        &clock(),
        &token(),
        who,
    )
    .unwrap();
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
    let err = accept(
        &Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() },
        &hasher,
        &clock(),
        &token(),
        who(None),
    )
    .unwrap_err();
    let DomainError::Validation(errors) = err else { panic!("validation expected") };
    assert_eq!(errors[0].field, "email");
    let err = accept(
        &Mocks { orgs: &orgs, accounts: &no_accounts(), invitations: &invites, ..Mocks::none() },
        &hasher,
        &clock(),
        &token(),
        who(Some("a@b.io")),
    )
    .unwrap_err();
    let DomainError::Validation(errors) = err else { panic!("validation expected") };
    assert_eq!(errors[0].field, "first_name");
}

#[test]
fn resending_a_multi_use_link_is_not_single_use_and_a_used_one_is_gone() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let link = invitation(org, head, None);
    let mut invites = MockInvitationRepo::new();
    let l = link.clone();
    invites.expect_invitation().returning(move |_, _| Ok(Some(l.clone())));
    let err = resend(
        &Context::new(&Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }, head).with_clock(&clock()),
        &tokens(),
        org,
        link.invitation_id,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_single_use");

    let mut used = invitation(org, head, Some("jo@example.com"));
    used.use_count = 1;
    used.recorded_status = InvitationStatus::Accepted;
    let mut invites = MockInvitationRepo::new();
    let u = used.clone();
    invites.expect_invitation().returning(move |_, _| Ok(Some(u.clone())));
    invites.expect_resend_invitation().never();
    let err = resend(
        &Context::new(&Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }, head).with_clock(&clock()),
        &tokens(),
        org,
        used.invitation_id,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invitation_already_used");
    let err = revoke(
        &Context::new(&Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }, head).with_clock(&clock()),
        org,
        used.invitation_id,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invitation_already_used");
}

#[test]
fn resending_counts_the_send_and_uses_a_new_token() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let pending = invitation(org, head, Some("jo@example.com"));
    let mut invites = MockInvitationRepo::new();
    let p = pending.clone();
    invites.expect_invitation().returning(move |_, _| Ok(Some(p.clone())));
    invites
        .expect_resend_invitation()
        .withf(|inv, _, mail, event| {
            inv.send_count == 2 && mail.to == "jo@example.com" && event.action == "invitation.resent"
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let issued = resend(
        &Context::new(&Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }, head).with_clock(&clock()),
        &tokens(),
        org,
        pending.invitation_id,
        BASE,
    )
    .unwrap();
    assert_eq!(issued.invitation.send_count, 2);
}

#[test]
fn athletes_cannot_list_or_revoke_invitations() {
    let (org, athlete) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(athlete, Role::Athlete)]);
    let invites = MockInvitationRepo::new();
    let err = revoke(
        &Context::new(&Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }, athlete).with_clock(&clock()),
        org,
        InvitationId::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let filter = InvitationFilter { status: None, kind: None, before: None, limit: 10, now: clock().now() };
    assert_eq!(
        list(&Context::new(&Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }, athlete), org, &filter)
            .unwrap_err()
            .code(),
        "forbidden"
    );
}
