use super::*;
use crate::context::{Context, Mocks};
use crate::entities::{NamedMembership, UserCredentials};
use crate::invitation::ports::MockInvitationRepo;
use crate::invitation::{KeyedLinks, LinkKey};
use crate::ports::{MockAccountRepo, MockOrganizationRepo, MockPasswordHasher};
use crate::services::organizations::tests::{clock, membership, view};
use std::collections::HashMap;

/// The organization, account and invitation ports as the use cases' store.
fn store<'a>(
    orgs: &'a MockOrganizationRepo,
    accounts: &'a MockAccountRepo,
    invitations: &'a MockInvitationRepo,
) -> Mocks<'a> {
    Mocks { orgs, accounts, invitations, ..Mocks::none() }
}

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
        &store(&orgs, &no_accounts(), &invites).cx(head, &clock()),
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
    let err =
        create(&store(&orgs, &no_accounts(), &invites).cx(coach, &clock()), &tokens(), org, new, BASE).unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn athletes_cannot_invite_and_strangers_get_not_found() {
    let (org, athlete) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(athlete, Role::Athlete)]);
    let invites = MockInvitationRepo::new();
    let err = create(&store(&orgs, &no_accounts(), &invites).cx(athlete, &clock()), &tokens(), org, multi(None), BASE);
    assert_eq!(err.unwrap_err().code(), "forbidden");
    let err =
        create(&store(&orgs, &no_accounts(), &invites).cx(UserId::new(), &clock()), &tokens(), org, multi(None), BASE);
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
    let err = create(&store(&orgs, &accounts, &invites).cx(head, &clock()), &tokens(), org, new, BASE).unwrap_err();
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
    let err =
        create(&store(&orgs, &no_accounts(), &invites).cx(head, &clock()), &tokens(), org, past, BASE).unwrap_err();
    assert_eq!(err.code(), "expires_at_in_past");
    let err = create(&store(&orgs, &no_accounts(), &invites).cx(head, &clock()), &tokens(), org, multi(Some(0)), BASE);
    assert_eq!(err.unwrap_err().code(), "invalid_max_uses");
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

#[path = "invitations_accept_tests.rs"]
mod accept;

#[test]
fn resending_a_multi_use_link_is_not_single_use_and_a_used_one_is_gone() {
    let (org, head) = (OrgId::new(), UserId::new());
    let orgs = org_with(org, &[(head, Role::HeadCoach)]);
    let link = invitation(org, head, None);
    let mut invites = MockInvitationRepo::new();
    let l = link.clone();
    invites.expect_invitation().returning(move |_, _| Ok(Some(l.clone())));
    let err = resend(
        &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
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
        &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
        &tokens(),
        org,
        used.invitation_id,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "invitation_already_used");
    let err = revoke(
        &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
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
        &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
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
        &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(athlete, &clock()),
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
