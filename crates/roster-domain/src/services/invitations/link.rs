//! The link of a pending invitation, shown again so a coach can copy it.

use crate::clock::Clock;
use crate::context::Context;
use crate::error::DomainError;
use crate::ids::{InvitationId, OrgId};
use crate::invitation::{InvitationLinks, InvitationRepo};
use crate::policy::{Action, Target, authorize};
use crate::ports::OrganizationRepo;

/// The link of a pending invitation, derived again from its stored nonce
/// (see [`crate::invitation::link`]). Who may resend or revoke it may see it
/// (only the head coach, for an assistant coach's invitation). A dead
/// invitation answers why it is gone (410), as a resend would; a link this
/// server cannot derive (made before nonces were kept, or under another
/// server secret) is `409 link_unavailable`.
pub fn link(
    cx: &Context<'_, impl OrganizationRepo + InvitationRepo>,
    links: &impl InvitationLinks,
    org_id: OrgId,
    invitation_id: InvitationId,
    public_base_url: &str,
) -> Result<String, DomainError> {
    let (orgs, invites, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, inv) = super::acting_on(orgs, invites, caller, org_id, invitation_id, Action::ShowInvitationLink)?;
    authorize(&actor, Action::ShowInvitationLink, Target::Invitation(inv.role))?;
    inv.redeem(clock.now())?;
    let stored = invites.current_token(org_id, invitation_id)?.ok_or(DomainError::LinkUnavailable)?;
    let token = stored.recover(links).ok_or(DomainError::LinkUnavailable)?;
    Ok(token.link(public_base_url))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, invitation, org_with, tokens};
    use super::*;
    use crate::context::Mocks;
    use crate::ids::UserId;
    use crate::invitation::link::MockInvitationLinks;
    use crate::invitation::ports::MockInvitationRepo;
    use crate::invitation::{Invitation, InvitationStatus, KeyedLinks, LinkKey, StoredToken};
    use crate::role::Role;
    use crate::services::organizations::tests::clock;
    use proptest::prelude::*;

    fn repo(inv: &Invitation, stored: Option<StoredToken>) -> MockInvitationRepo {
        let mut invites = MockInvitationRepo::new();
        let i = inv.clone();
        invites
            .expect_invitation()
            .returning(move |o, id| Ok((o == i.org_id && id == i.invitation_id).then(|| i.clone())));
        invites.expect_current_token().returning(move |_, _| Ok(stored.clone()));
        invites
    }

    fn minted() -> StoredToken {
        let (token, nonce) = tokens().mint();
        StoredToken::new(&token, nonce)
    }

    #[test]
    fn a_pending_invitation_shows_the_link_it_was_made_with() {
        let (org, head) = (OrgId::new(), UserId::new());
        let orgs = org_with(org, &[(head, Role::HeadCoach)]);
        let (token, _) = tokens().mint();
        for email in [Some("jo@example.com"), None] {
            let inv = invitation(org, head, email);
            let invites = repo(&inv, Some(minted()));
            let shown = link(
                &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
                &tokens(),
                org,
                inv.invitation_id,
                BASE,
            )
            .unwrap();
            assert_eq!(shown, token.link(BASE));
        }
    }

    #[test]
    fn a_dead_invitation_says_why_and_shows_nothing() {
        let (org, head) = (OrgId::new(), UserId::new());
        let orgs = org_with(org, &[(head, Role::HeadCoach)]);
        let mut gone = Vec::new();
        let mut revoked = invitation(org, head, None);
        revoked.recorded_status = InvitationStatus::Revoked;
        gone.push((revoked, "invitation_revoked"));
        let mut expired = invitation(org, head, None);
        expired.expires_at = Some(clock().now());
        gone.push((expired, "invitation_expired"));
        let mut exhausted = invitation(org, head, None);
        exhausted.use_count = exhausted.max_uses.unwrap();
        gone.push((exhausted, "invitation_exhausted"));
        let mut accepted = invitation(org, head, Some("jo@example.com"));
        accepted.use_count = 1;
        accepted.recorded_status = InvitationStatus::Accepted;
        gone.push((accepted, "invitation_already_used"));
        for (inv, code) in gone {
            let mut invites = MockInvitationRepo::new();
            let i = inv.clone();
            invites.expect_invitation().returning(move |_, _| Ok(Some(i.clone())));
            invites.expect_current_token().never();
            let err = link(
                &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
                &tokens(),
                org,
                inv.invitation_id,
                BASE,
            )
            .unwrap_err();
            assert_eq!(err.code(), code);
        }
    }

    #[test]
    fn a_token_from_before_nonces_or_another_secret_cannot_be_shown() {
        let (org, head) = (OrgId::new(), UserId::new());
        let orgs = org_with(org, &[(head, Role::HeadCoach)]);
        let inv = invitation(org, head, None);
        let (token, _) = tokens().mint();
        let cases = [None, Some(StoredToken { hash: token.hash(), nonce: None }), Some(minted())];
        let rotated = KeyedLinks::new(LinkKey::derive(b"a new server secret"), || [9u8; 32]);
        for (i, stored) in cases.into_iter().enumerate() {
            let invites = repo(&inv, stored);
            // The last case is a good row read by a server whose secret changed.
            let err = link(
                &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
                &rotated,
                org,
                inv.invitation_id,
                BASE,
            )
            .unwrap_err();
            assert_eq!(err.code(), "link_unavailable", "case {i}");
        }
    }

    #[test]
    fn who_may_see_a_link_is_who_may_resend_it() {
        let (org, head, assistant, athlete) = (OrgId::new(), UserId::new(), UserId::new(), UserId::new());
        let orgs =
            org_with(org, &[(head, Role::HeadCoach), (assistant, Role::AssistantCoach), (athlete, Role::Athlete)]);
        let mut coach_invite = invitation(org, head, Some("cy@example.com"));
        coach_invite.role = Role::AssistantCoach;
        let athlete_link = invitation(org, head, None);
        let run = |who: UserId, inv: &Invitation| {
            link(
                &Mocks { orgs: &orgs, invitations: &repo(inv, Some(minted())), ..Mocks::none() }.cx(who, &clock()),
                &tokens(),
                org,
                inv.invitation_id,
                BASE,
            )
        };
        assert!(run(head, &coach_invite).is_ok());
        assert!(run(assistant, &athlete_link).is_ok());
        assert_eq!(run(assistant, &coach_invite).unwrap_err().code(), "forbidden");
        assert_eq!(run(athlete, &athlete_link).unwrap_err().code(), "forbidden");
        assert_eq!(run(UserId::new(), &athlete_link).unwrap_err().code(), "not_found");
        let elsewhere = invitation(OrgId::new(), head, None);
        let err = link(
            &Mocks { orgs: &orgs, invitations: &repo(&elsewhere, None), ..Mocks::none() }.cx(head, &clock()),
            &tokens(),
            org,
            elsewhere.invitation_id,
            BASE,
        );
        assert_eq!(err.unwrap_err().code(), "not_found", "another organization's invitation");
    }

    #[test]
    fn the_link_is_derived_once_from_the_stored_nonce() {
        let (org, head) = (OrgId::new(), UserId::new());
        let orgs = org_with(org, &[(head, Role::HeadCoach)]);
        let inv = invitation(org, head, None);
        let real = tokens();
        let (token, nonce) = real.mint();
        let mut links = MockInvitationLinks::new();
        links.expect_mint().never();
        let t = token.clone();
        links.expect_derive().withf(move |n| *n == nonce).times(1).returning(move |_| t.clone());
        let invites = repo(&inv, Some(StoredToken::new(&token, nonce)));
        assert_eq!(
            link(
                &Mocks { orgs: &orgs, invitations: &invites, ..Mocks::none() }.cx(head, &clock()),
                &links,
                org,
                inv.invitation_id,
                BASE
            )
            .unwrap(),
            token.link(BASE)
        );
    }

    proptest! {
        #[test]
        fn only_the_nonce_the_token_came_from_shows_it(a in proptest::array::uniform32(any::<u8>()), b in proptest::array::uniform32(any::<u8>())) {
            let (org, head) = (OrgId::new(), UserId::new());
            let orgs = org_with(org, &[(head, Role::HeadCoach)]);
            let inv = invitation(org, head, None);
            let links = tokens();
            let token = links.derive(&crate::invitation::LinkNonce::from_random_bytes(a));
            let stored = StoredToken { hash: token.hash(), nonce: Some(crate::invitation::LinkNonce::from_random_bytes(b)) };
            let got = link(&Mocks { orgs: &orgs, invitations: &repo(&inv, Some(stored)), ..Mocks::none() }.cx(head, &clock()), &links, org, inv.invitation_id, BASE);
            prop_assert_eq!(got.is_ok(), a == b);
        }
    }
}
