use super::*;
use crate::FixedClock;
use crate::context::Context;
use crate::entities::{
    AuditEvent, CoachName, CoachView, Membership, NamedMembership, Organization, OrganizationView, User,
    UserCredentials,
};
use crate::error::RepoError;
use crate::invitation::OutboxMessage;
use crate::ports::MockPasswordHasher;
use crate::privacy::{ClosedMember, ExportDocument, ExportPage, ExportRows};
use crate::role::Role;
use crate::services::organizations::tests::{membership, view};
use crate::session::{CookieSession, RefreshRecord, Session, TokenHash};
use crate::values::{Email, Password, PersonName};
use chrono::{DateTime, Utc};

mockall::mock! {
    Store {}
    impl PrivacyRepo for Store {
        fn session_started_at(&self, session_id: SessionId) -> Result<Option<DateTime<Utc>>, RepoError>;
        fn export_documents(&self, user_id: UserId) -> Result<Vec<ExportDocument>, RepoError>;
        fn export_page(&self, user_id: UserId, kind: ExportRows, after: Option<String>, limit: u32)
            -> Result<ExportPage, RepoError>;
        fn erase_account(&self, erasure: &AccountErasure) -> Result<(), RepoError>;
        fn live_members(&self, org_id: OrgId) -> Result<Vec<ClosedMember>, RepoError>;
        fn close_organization(&self, closure: &OrgClosure) -> Result<(), RepoError>;
        fn erase_lapsed_memberships(&self, ended_before: DateTime<Utc>) -> Result<u64, RepoError>;
    }
    impl SessionRepo for Store {
        fn insert_session(&self, session: &Session, refresh: Option<TokenHash>) -> Result<(), RepoError>;
        fn refresh_token(&self, hash: &TokenHash) -> Result<Option<RefreshRecord>, RepoError>;
        fn cookie_session(&self, hash: &TokenHash) -> Result<Option<CookieSession>, RepoError>;
        fn rotate_refresh(&self, session_id: SessionId, old: &TokenHash, new: &TokenHash, now: DateTime<Utc>,
            expires_at: DateTime<Utc>) -> Result<bool, RepoError>;
        fn revoke_session(&self, session_id: SessionId, now: DateTime<Utc>) -> Result<(), RepoError>;
        fn revoke_sessions_of(&self, user_id: UserId, keep: Option<SessionId>, now: DateTime<Utc>)
            -> Result<u64, RepoError>;
        fn session_is_live(&self, session_id: SessionId, user_id: UserId) -> Result<bool, RepoError>;
        fn password_hash(&self, user_id: UserId) -> Result<Option<String>, RepoError>;
        fn set_password(&self, user_id: UserId, password_hash: &str, keep: Option<SessionId>, now: DateTime<Utc>)
            -> Result<(), RepoError>;
    }
    impl AccountRepo for Store {
        fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), RepoError>;
        fn user_by_email(&self, email: &Email) -> Result<Option<UserCredentials>, RepoError>;
        fn user_by_id(&self, user_id: UserId) -> Result<Option<User>, RepoError>;
        fn memberships_of(&self, user_id: UserId) -> Result<Vec<NamedMembership>, RepoError>;
    }
    impl OrganizationRepo for Store {
        fn create_organization(&self, org: &Organization, head: &Membership, event: &AuditEvent) -> Result<(), RepoError>;
        fn organization(&self, org_id: OrgId) -> Result<Option<OrganizationView>, RepoError>;
        fn update_organization(&self, org: &Organization, expected_version: i64, event: &AuditEvent)
            -> Result<(), RepoError>;
        fn live_membership(&self, org_id: OrgId, user_id: UserId) -> Result<Option<Membership>, RepoError>;
        fn headed_by(&self, user_id: UserId) -> Result<Option<OrgId>, RepoError>;
        fn coaches(&self, org_id: OrgId) -> Result<Vec<CoachView>, RepoError>;
        fn coach_names(&self, org_id: OrgId) -> Result<Vec<CoachName>, RepoError>;
        fn add_membership(&self, membership: &Membership, event: &AuditEvent) -> Result<(), RepoError>;
        fn add_coach(&self, membership: &Membership, event: &AuditEvent, mail: &OutboxMessage) -> Result<(), RepoError>;
        fn end_coach_membership(&self, org_id: OrgId, user_id: UserId, at: DateTime<Utc>, event: &AuditEvent)
            -> Result<(), RepoError>;
        fn swap_head_coach(&self, org_id: OrgId, from: UserId, to: UserId, at: DateTime<Utc>, event: &AuditEvent)
            -> Result<(), RepoError>;
    }
}

fn clock() -> FixedClock {
    FixedClock::at("2026-12-07T10:00:00Z")
}

fn hasher(right: &'static str) -> MockPasswordHasher {
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_verify().returning(move |given, _| given == right);
    hasher.expect_hash().returning(|p: &Password| Ok(p.expose().to_owned()));
    hasher
}

fn store_with_password() -> MockStore {
    let mut store = MockStore::new();
    store.expect_password_hash().returning(|_| Ok(Some("HASH".into())));
    store
}

fn user(user_id: UserId) -> User {
    User {
        user_id,
        email: Email::parse("ada@example.com").unwrap(),
        first_name: PersonName::parse("Ada").unwrap(),
        last_name: None,
        email_verified: true,
        created_at: clock().now(),
    }
}

#[test]
fn a_sign_in_of_the_last_five_minutes_exports_without_the_password() {
    let mut store = MockStore::new();
    store.expect_session_started_at().returning(|_| Ok(Some(clock().now() - chrono::Duration::minutes(5))));
    let ok = authorize_export(&store, &hasher("x"), &clock(), UserId::new(), SessionId::new(), None);
    assert!(ok.is_ok());
}

#[test]
fn an_older_sign_in_is_reauthentication_required() {
    let mut store = MockStore::new();
    store.expect_session_started_at().returning(|_| Ok(Some(clock().now() - chrono::Duration::minutes(6))));
    let err = authorize_export(&store, &hasher("x"), &clock(), UserId::new(), SessionId::new(), None).unwrap_err();
    assert_eq!(err.code(), "reauthentication_required");
}

#[test]
fn the_password_again_lets_an_old_session_export_and_a_wrong_one_is_refused() {
    let store = store_with_password();
    let (user, session) = (UserId::new(), SessionId::new());
    assert!(authorize_export(&store, &hasher("Secret123"), &clock(), user, session, Some("Secret123")).is_ok());
    let err = authorize_export(&store, &hasher("Secret123"), &clock(), user, session, Some("nope")).unwrap_err();
    assert_eq!(err.code(), "wrong_password");
}

#[test]
fn a_head_coach_cannot_delete_the_account() {
    let mut store = store_with_password();
    store.expect_headed_by().returning(|_| Ok(Some(OrgId::new())));
    store.expect_erase_account().never();
    let err = delete_account(&store, &hasher("Secret123"), &clock(), UserId::new(), "Secret123").unwrap_err();
    assert_eq!(err.code(), "head_coach_must_transfer");
}

#[test]
fn a_wrong_password_deletes_nothing() {
    let mut store = store_with_password();
    store.expect_erase_account().never();
    let err = delete_account(&store, &hasher("Secret123"), &clock(), UserId::new(), "wrong").unwrap_err();
    assert_eq!(err.code(), "wrong_password");
}

#[test]
fn deletion_erases_with_a_confirmation_to_the_old_address() {
    let id = UserId::new();
    let mut store = store_with_password();
    store.expect_headed_by().returning(|_| Ok(None));
    store.expect_user_by_id().returning(|u| Ok(Some(user(u))));
    store
        .expect_erase_account()
        .withf(move |e| e.user_id == id && e.email == "ada@example.com" && e.confirmation.to == "ada@example.com")
        .times(1)
        .returning(|_| Ok(()));
    delete_account(&store, &hasher("Secret123"), &clock(), id, "Secret123").unwrap();
}

#[test]
fn a_store_that_finds_a_head_coach_role_by_then_refuses_too() {
    let mut store = store_with_password();
    store.expect_headed_by().returning(|_| Ok(None));
    store.expect_user_by_id().returning(|u| Ok(Some(user(u))));
    store.expect_erase_account().returning(|_| Err(Conflict::HeadCoachMustTransfer.into()));
    let err = delete_account(&store, &hasher("Secret123"), &clock(), UserId::new(), "Secret123").unwrap_err();
    assert_eq!(err.code(), "head_coach_must_transfer");
}

fn org_store(org: OrgId, caller: UserId, role: Role) -> MockStore {
    let mut store = MockStore::new();
    store
        .expect_live_membership()
        .returning(move |o, u| Ok((o == org && u == caller).then(|| membership(org, caller, role))));
    store.expect_organization().returning(move |o| Ok((o == org).then(|| view(org, caller))));
    store
}

#[test]
fn only_the_head_coach_closes_a_club() {
    let (org, coach) = (OrgId::new(), UserId::new());
    let mut store = org_store(org, coach, Role::AssistantCoach);
    store.expect_close_organization().never();
    let err =
        close_organization(&Context::new(&store, coach).with_clock(&clock()), org, "Riverside Runners").unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn a_wrong_confirm_name_is_confirm_name_mismatch() {
    let (org, head) = (OrgId::new(), UserId::new());
    let mut store = org_store(org, head, Role::HeadCoach);
    store.expect_close_organization().never();
    let err =
        close_organization(&Context::new(&store, head).with_clock(&clock()), org, "riverside runners").unwrap_err();
    assert_eq!(err.code(), "confirm_name_mismatch");
}

#[test]
fn closing_mails_every_member_and_audits_each_one() {
    let (org, head, athlete) = (OrgId::new(), UserId::new(), UserId::new());
    let mut store = org_store(org, head, Role::HeadCoach);
    store.expect_live_members().returning(move |_| {
        Ok([(head, "head@example.com"), (athlete, "ath@example.com")]
            .map(|(user_id, email)| ClosedMember { user_id, email: email.into(), first_name: "Sam".into() })
            .to_vec())
    });
    store
        .expect_close_organization()
        .withf(move |c| {
            c.mails.len() == 2
                && c.events.iter().map(|e| e.subject_user_id).collect::<Vec<_>>() == [Some(head), Some(athlete)]
                && c.events.iter().all(|e| e.action == "organization.closed" && e.org_id == org)
        })
        .times(1)
        .returning(|_| Ok(()));
    close_organization(&Context::new(&store, head).with_clock(&clock()), org, "Riverside Runners").unwrap();
}

#[test]
fn the_retention_sweep_erases_what_ended_before_the_cutoff() {
    let mut store = MockStore::new();
    store
        .expect_erase_lapsed_memberships()
        .withf(|cutoff| *cutoff == FixedClock::at("2026-11-07T10:00:00Z").now())
        .returning(|_| Ok(2));
    assert_eq!(erase_lapsed_memberships(&store, &clock(), 30).unwrap(), 2);
}
