//! Invitations, their tokens, atomic acceptance under concurrency, and the outbox.

use crate::fixtures::{event, new_user, now, stored_user};
use chrono::Duration;
use roster_domain::entities::{AuditFilter, JoinExtras, Membership, Organization, User};
use roster_domain::invitation::{
    Acceptance, Invitation, InvitationEmail, InvitationFilter, InvitationKind, InvitationLinks, InvitationRepo,
    InvitationStatus, InvitationToken, Invitee, KeyedLinks, LinkKey, NewAccountRecord, OutboxMessage, StoredToken,
};
use roster_domain::ports::{AccountRepo, AuditRepo, OrganizationRepo};
use roster_domain::values::{Description, Email, OrgName, PersonName, Timezone};
use roster_domain::{DomainError, OrgId, RepoError, Role, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;

pub(crate) fn org(store: &Store, head: UserId) -> OrgId {
    let t = now();
    let org = Organization {
        org_id: OrgId::new(),
        name: OrgName::parse("Riverside Runners").unwrap(),
        description: Description::default(),
        timezone: Timezone::utc(),
        created_at: t,
        updated_at: t,
        version: 1,
    };
    let m = Membership::start(org.org_id, head, Role::HeadCoach, t);
    store.create_organization(&org, &m, &event(org.org_id, head, "organization.created")).unwrap();
    org.org_id
}

pub(crate) fn mail(inv: &Invitation) -> OutboxMessage {
    InvitationEmail {
        first_name: "Jo",
        org_name: "Riverside Runners",
        link: "http://x/join/t",
        expires_at: inv.expires_at,
        role_words: "an athlete",
    }
    .message(inv.org_id, inv.invitation_id, "jo@example.com", now())
}

/// Tokens as the servers make them: derived from a random nonce.
pub(crate) fn links() -> KeyedLinks {
    KeyedLinks::new(LinkKey::derive(b"the store tests' server secret"), rand_bytes)
}

/// A fresh token and what the store keeps of it.
pub(crate) fn minted() -> (InvitationToken, StoredToken) {
    let (token, nonce) = links().mint();
    let stored = StoredToken::new(&token, nonce);
    (token, stored)
}

/// What a token made before nonces were kept looks like.
fn hash_only(token: &str) -> StoredToken {
    StoredToken { hash: InvitationToken::from_link(token).hash(), nonce: None }
}

pub(crate) fn single(store: &Store, org_id: OrgId, head: UserId, email: &str) -> (Invitation, InvitationToken) {
    // A group and a plan must exist when the invitation is made (tested over HTTP in `wiring`).
    let extras = JoinExtras::default();
    let inv = Invitation::single_use(
        org_id,
        head,
        Invitee { email: Email::parse(email).unwrap(), first_name: PersonName::parse("Jo").unwrap() },
        Role::Athlete,
        extras,
        None,
        now(),
    );
    let (token, stored) = minted();
    store.create_invitation(&inv, &stored, Some(mail(&inv)), &event(org_id, head, "invitation.created")).unwrap();
    (inv, token)
}

pub(crate) fn link(store: &Store, org_id: OrgId, head: UserId, max_uses: Option<i64>) -> (Invitation, InvitationToken) {
    let inv = Invitation::multi_use(org_id, head, None, max_uses, None, now());
    let (token, stored) = minted();
    store.create_invitation(&inv, &stored, None, &event(org_id, head, "invitation.created")).unwrap();
    (inv, token)
}

fn rand_bytes() -> [u8; 32] {
    let mut b = [0u8; 32];
    let id = UserId::new().as_uuid().as_u128().to_le_bytes();
    let id2 = UserId::new().as_uuid().as_u128().to_be_bytes();
    b[..16].copy_from_slice(&id);
    b[16..].copy_from_slice(&id2);
    b
}

fn acceptance(inv: &Invitation, user: &User, new_account: bool) -> Acceptance {
    let t = now();
    Acceptance {
        invitation_id: inv.invitation_id,
        new_account: new_account.then(|| NewAccountRecord { user: user.clone(), password_hash: "h".into() }),
        membership: Membership::start(inv.org_id, user.user_id, inv.role, t),
        extras: inv.extras(),
        events: vec![
            event(inv.org_id, user.user_id, "invitation.accepted"),
            event(inv.org_id, user.user_id, "member.added"),
        ],
        now: t,
    }
}

fn refused<T: std::fmt::Debug>(r: Result<T, RepoError>) -> String {
    match r {
        Err(RepoError::Refused(e)) => e.code().to_owned(),
        Err(RepoError::Conflict(c)) => DomainError::from(c).code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn filter(status: Option<InvitationStatus>, kind: Option<InvitationKind>, limit: u32) -> InvitationFilter {
    InvitationFilter { status, kind, before: None, limit, now: now() }
}

#[test]
fn invitations_round_trip_with_group_plan_and_token_hash_only() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (inv, token) = single(&store, org_id, head.user_id, "jo@example.com");
        assert_eq!(store.invitation(org_id, inv.invitation_id).unwrap(), Some(inv.clone()), "{:?}", db.backend);
        assert_eq!(store.invitation(OrgId::new(), inv.invitation_id).unwrap(), None);
        let (found, replaced) = store.invitation_by_token(&token.hash()).unwrap().unwrap();
        assert_eq!((found.invitation_id, replaced), (inv.invitation_id, false));
        assert!(store.invitation_by_token(&InvitationToken::from_link(token.as_str()).hash()).unwrap().is_some());
        // The token itself is stored nowhere: looking it up as if it were a hash finds nothing.
        assert!(
            store
                .invitation_by_token(&roster_domain::invitation::TokenHash::from_stored(token.as_str().into()))
                .unwrap()
                .is_none()
        );
        assert_eq!(store.organization(org_id).unwrap().unwrap().counts.pending_invitations, 1);
        let outbox = store.outbox_records().unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].message.invitation_id, Some(inv.invitation_id));
    }
}

#[test]
fn a_second_pending_single_use_invitation_for_one_email_is_invitation_pending() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        single(&store, org_id, head.user_id, "jo@example.com");
        let again = Invitation::single_use(
            org_id,
            head.user_id,
            Invitee { email: Email::parse("jo@example.com").unwrap(), first_name: PersonName::parse("Jo").unwrap() },
            Role::Athlete,
            JoinExtras::default(),
            None,
            now(),
        );
        let r =
            store.create_invitation(&again, &hash_only("x"), None, &event(org_id, head.user_id, "invitation.created"));
        assert_eq!(refused(r), "invitation_pending", "{:?}", db.backend);
        assert_eq!(store.outbox_records().unwrap().len(), 1, "nothing half-written");
    }
}

#[test]
fn lists_filter_by_status_and_kind_and_page_by_keyset() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (a, _) = single(&store, org_id, head.user_id, "a@example.com");
        let (_b, _) = link(&store, org_id, head.user_id, Some(5));
        let (c, _) = single(&store, org_id, head.user_id, "c@example.com");
        store
            .revoke_invitation(org_id, c.invitation_id, now(), &event(org_id, head.user_id, "invitation.revoked"))
            .unwrap();
        let all = store.invitations(org_id, &filter(None, None, 50)).unwrap();
        assert_eq!(all.len(), 3, "{:?}", db.backend);
        assert_eq!(all[0].invitation_id, c.invitation_id, "newest first");
        let singles = store.invitations(org_id, &filter(None, Some(InvitationKind::SingleUse), 50)).unwrap();
        assert_eq!(singles.len(), 2);
        let pending = store.invitations(org_id, &filter(Some(InvitationStatus::Pending), None, 50)).unwrap();
        assert_eq!(pending.len(), 2);
        let revoked = store.invitations(org_id, &filter(Some(InvitationStatus::Revoked), None, 50)).unwrap();
        assert_eq!(revoked[0].invitation_id, c.invitation_id);
        let mut later = filter(Some(InvitationStatus::Expired), None, 50);
        later.now = now() + Duration::days(15);
        let expired = store.invitations(org_id, &later).unwrap();
        assert_eq!(expired.len(), 1, "the single-use one expires after 14 days, the link never");
        assert_eq!(expired[0].invitation_id, a.invitation_id);
        let first = store.invitations(org_id, &filter(None, None, 1)).unwrap();
        assert_eq!(first.len(), 2, "limit + 1 tells a next page exists");
        let mut next = filter(None, None, 1);
        next.before = Some(first[0].invitation_id);
        assert_eq!(store.invitations(org_id, &next).unwrap()[0].invitation_id, first[1].invitation_id);
    }
}

#[test]
fn resending_replaces_the_token_and_queues_a_new_email() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (mut inv, old) = single(&store, org_id, head.user_id, "jo@example.com");
        inv.last_sent_at = Some(now());
        inv.send_count = 2;
        let (new, stored) = minted();
        store.resend_invitation(&inv, &stored, mail(&inv), &event(org_id, head.user_id, "invitation.resent")).unwrap();
        assert!(store.invitation_by_token(&old.hash()).unwrap().unwrap().1, "{:?}: the old link is dead", db.backend);
        assert!(!store.invitation_by_token(&new.hash()).unwrap().unwrap().1);
        assert_eq!(store.invitation(org_id, inv.invitation_id).unwrap().unwrap().send_count, 2);
        assert_eq!(store.outbox_records().unwrap().len(), 2);
    }
}

#[test]
fn accepting_counts_the_use_and_writes_membership_and_events_together() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (inv, _) = single(&store, org_id, head.user_id, "jo@example.com");
        let jo = invitee("jo@example.com");
        store.accept_invitation(&acceptance(&inv, &jo, true)).unwrap();
        let stored = store.invitation(org_id, inv.invitation_id).unwrap().unwrap();
        assert_eq!((stored.use_count, stored.recorded_status), (1, InvitationStatus::Accepted), "{:?}", db.backend);
        assert_eq!(store.live_membership(org_id, jo.user_id).unwrap().unwrap().role, Role::Athlete);
        assert!(store.user_by_id(jo.user_id).unwrap().unwrap().email_verified);
        let events = store.audit_events(org_id, &AuditFilter { limit: 50, ..Default::default() }).unwrap();
        assert!(events.iter().any(|e| e.action == "invitation.accepted"));
        assert_eq!(store.organization(org_id).unwrap().unwrap().counts.pending_invitations, 0);
        // Used: a second accept is refused and writes nothing.
        let kim = invitee("kim@example.com");
        assert_eq!(refused(store.accept_invitation(&acceptance(&inv, &kim, true))), "invitation_already_used");
        assert!(store.user_by_id(kim.user_id).unwrap().is_none(), "the account is not half-created");
    }
}

#[test]
fn a_refused_membership_rolls_back_the_counted_use() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let other_head = stored_user(&store, "Jo", None, Some("other@example.com"));
        let org_id = org(&store, head.user_id);
        let other = org(&store, other_head.user_id);
        let athlete = stored_user(&store, "Jo", None, Some("a@example.com"));
        let m = Membership::start(other, athlete.user_id, Role::Athlete, now());
        store.add_membership(&m, &event(other, athlete.user_id, "member.added")).unwrap();
        let (inv, _) = link(&store, org_id, head.user_id, Some(1));
        let r = store.accept_invitation(&acceptance(&inv, &athlete, false));
        assert_eq!(refused(r), "member_of_another_organization", "{:?}", db.backend);
        let stored = store.invitation(org_id, inv.invitation_id).unwrap().unwrap();
        assert_eq!((stored.use_count, stored.recorded_status), (0, InvitationStatus::Pending));
        let r = store.accept_invitation(&acceptance(&inv, &head, false));
        assert_eq!(refused(r), "already_member");
    }
}

#[test]
fn revoked_and_expired_invitations_are_refused_with_their_reason() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (inv, _) = link(&store, org_id, head.user_id, None);
        let mut late = acceptance(&inv, &invitee("x@example.com"), true);
        late.now = now() + Duration::days(1);
        store
            .revoke_invitation(org_id, inv.invitation_id, now(), &event(org_id, head.user_id, "invitation.revoked"))
            .unwrap();
        assert_eq!(refused(store.accept_invitation(&late)), "invitation_revoked", "{:?}", db.backend);
        let expiring = Invitation::multi_use(org_id, head.user_id, None, None, Some(now() + Duration::hours(1)), now());
        store
            .create_invitation(&expiring, &hash_only("e"), None, &event(org_id, head.user_id, "invitation.created"))
            .unwrap();
        let mut late = acceptance(&expiring, &invitee("y@example.com"), true);
        late.now = now() + Duration::hours(2);
        assert_eq!(refused(store.accept_invitation(&late)), "invitation_expired");
    }
}

#[test]
fn fifty_concurrent_accepts_of_a_ten_use_link_make_exactly_ten_members() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (inv, _) = link(&store, org_id, head.user_id, Some(10));
        let results: Vec<Result<Membership, RepoError>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..50)
                .map(|i| {
                    let (store, inv) = (store.clone(), inv.clone());
                    s.spawn(move || {
                        let u = invitee(&format!("racer{i}@example.com"));
                        store.accept_invitation(&acceptance(&inv, &u, true))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 10, "{:?}", db.backend);
        for r in results.into_iter().filter(Result::is_err) {
            assert_eq!(refused(r), "invitation_exhausted");
        }
        let stored = store.invitation(org_id, inv.invitation_id).unwrap().unwrap();
        assert_eq!((stored.use_count, stored.recorded_status), (10, InvitationStatus::Exhausted));
        assert_eq!(store.organization(org_id).unwrap().unwrap().counts.athletes, 10);
    }
}

#[test]
fn concurrent_accepts_of_one_single_use_invitation_have_one_winner() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (inv, _) = single(&store, org_id, head.user_id, "jo@example.com");
        let racers: Vec<User> =
            (0..12).map(|i| stored_user(&store, "Jo", None, Some(&format!("r{i}@example.com")))).collect();
        let results: Vec<Result<Membership, RepoError>> = std::thread::scope(|s| {
            let handles: Vec<_> = racers
                .iter()
                .map(|u| {
                    let (store, inv) = (store.clone(), inv.clone());
                    s.spawn(move || store.accept_invitation(&acceptance(&inv, u, false)))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{:?}", db.backend);
        for r in results.into_iter().filter(Result::is_err) {
            assert_eq!(refused(r), "invitation_already_used");
        }
    }
}

/// An account made by accepting an invitation: the link proved the e-mail.
fn invitee(email: &str) -> User {
    User { email_verified: true, ..new_user("Jo", None, Some(email)) }
}
