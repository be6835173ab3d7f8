//! The import's refusals of an API key, decided before anything is written.

use super::*;
use crate::context::Context;
use crate::entities::UserCredentials;
use crate::entities::{CoachName, CoachView, JoinExtras, Membership, NamedMembership, Organization, OrganizationView};
use crate::error::RepoError;
use crate::groups::{Group, GroupPlanRequest, GroupRepo, GroupView, MemberOutcome};
use crate::ids::{ApiKeyId, InvitationId};
use crate::invitation::link::MockInvitationLinks;
use crate::invitation::{Acceptance, Invitation, InvitationFilter, OutboxMessage, StoredToken, TokenHash};
use crate::member::{MemberRepo, RosterPage, RosterQuery};
use crate::policy::Caller;
use crate::policy::Scope;
use crate::ports::OrganizationRepo;
use crate::roster_csv::import::ImportTable;
use crate::services::organizations::tests::clock;
use chrono::{DateTime, Utc};

mockall::mock! {
    Store {}
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
    impl MemberRepo for Store {
        fn member(&self, org_id: OrgId, user_id: UserId) -> Result<Option<MemberView>, RepoError>;
        fn add_member(&self, membership: &Membership, extras: &JoinExtras, actor: (UserId, Option<ApiKeyId>), event: &AuditEvent,
            mail: &OutboxMessage) -> Result<(), RepoError>;
        fn update_member(&self, membership: &Membership, expected_version: i64, event: &AuditEvent)
            -> Result<(), RepoError>;
        fn remove_member(&self, org_id: OrgId, user_id: UserId, actor: UserId, at: DateTime<Utc>, event: &AuditEvent)
            -> Result<(), RepoError>;
        fn roster(&self, org_id: OrgId, query: &RosterQuery) -> Result<RosterPage, RepoError>;
        fn members(&self, org_id: OrgId, user_ids: &[UserId]) -> Result<Vec<MemberView>, RepoError>;
    }
    impl GroupRepo for Store {
        fn insert_group(&self, group: &Group, event: &AuditEvent) -> Result<(), RepoError>;
        fn group(&self, org_id: OrgId, group_id: GroupId) -> Result<Option<GroupView>, RepoError>;
        fn groups(&self, org_id: OrgId, after: Option<GroupId>, limit: u32) -> Result<Vec<GroupView>, RepoError>;
        fn group_names(&self, org_id: OrgId, limit: u32) -> Result<Vec<Group>, RepoError>;
        fn update_group(&self, group: &Group, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError>;
        fn delete_group(&self, org_id: OrgId, group_id: GroupId, event: &AuditEvent) -> Result<(), RepoError>;
        fn add_group_member(&self, org_id: OrgId, group_id: GroupId, user_id: UserId, event: &AuditEvent)
            -> Result<bool, RepoError>;
        fn remove_group_member(&self, org_id: OrgId, group_id: GroupId, user_id: UserId, event: &AuditEvent)
            -> Result<bool, RepoError>;
        fn group_members(&self, org_id: OrgId, group_id: GroupId) -> Result<Vec<Membership>, RepoError>;
        fn assign_plan_to_group(&self, request: &GroupPlanRequest, candidates: &[UserId], event: &AuditEvent)
            -> Result<Vec<MemberOutcome>, RepoError>;
    }
    impl AccountRepo for Store {
        fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), RepoError>;
        fn user_by_email(&self, email: &Email) -> Result<Option<UserCredentials>, RepoError>;
        fn users_by_emails(&self, emails: &[Email]) -> Result<Vec<User>, RepoError>;
        fn user_by_id(&self, user_id: UserId) -> Result<Option<User>, RepoError>;
        fn memberships_of(&self, user_id: UserId) -> Result<Vec<NamedMembership>, RepoError>;
    }
    impl InvitationRepo for Store {
        fn create_invitation(&self, invitation: &Invitation, token: &StoredToken, mail: Option<OutboxMessage>,
            event: &AuditEvent) -> Result<(), RepoError>;
        fn invitation(&self, org_id: OrgId, invitation_id: InvitationId) -> Result<Option<Invitation>, RepoError>;
        fn invitations(&self, org_id: OrgId, filter: &InvitationFilter) -> Result<Vec<Invitation>, RepoError>;
        fn invitation_by_token(&self, token: &TokenHash) -> Result<Option<(Invitation, bool)>, RepoError>;
        fn current_token(&self, org_id: OrgId, invitation_id: InvitationId) -> Result<Option<StoredToken>, RepoError>;
        fn resend_invitation(&self, invitation: &Invitation, token: &StoredToken, mail: OutboxMessage,
            event: &AuditEvent) -> Result<(), RepoError>;
        fn revoke_invitation(&self, org_id: OrgId, invitation_id: InvitationId, at: DateTime<Utc>,
            event: &AuditEvent) -> Result<(), RepoError>;
        fn accept_invitation(&self, acceptance: &Acceptance) -> Result<Membership, RepoError>;
    }
    impl ImportRepo for Store {
        fn import_by_key(&self, org_id: OrgId, actor: UserId, key: &str) -> Result<Option<StoredImport>, RepoError>;
        fn stored_import(&self, org_id: OrgId, import_id: ImportId) -> Result<Option<StoredImport>, RepoError>;
        fn save_import(&self, import: &StoredImport, event: &AuditEvent) -> Result<(), RepoError>;
    }
}

impl UnitOfWork for MockStore {
    fn atomically<T>(&self, _: impl FnOnce() -> Result<(T, bool), DomainError>) -> Result<T, DomainError> {
        panic!("an import refused up front begins no transaction")
    }
}

fn key(org: OrgId, scopes: &[Scope]) -> Caller {
    Caller::Key(Actor::ApiKey { key_id: ApiKeyId::new(), org_id: org, scopes: scopes.to_vec() })
}

fn request(csv: &[&[&str]], mode: ImportMode, dry_run: bool) -> ImportRequest {
    let columns = csv[0].iter().map(|c| (*c).to_owned()).collect();
    let rows = (2..)
        .zip(&csv[1..])
        .map(|(line, cells)| ImportRow { line, cells: cells.iter().map(|c| (*c).to_owned()).collect() })
        .collect();
    ImportRequest {
        table: ImportTable { columns, rows },
        mode,
        dry_run,
        skip_invalid: false,
        idempotency_key: Some("retry-1".into()),
        fingerprint: "f".into(),
    }
}

fn refused(store: &MockStore, caller: Caller, org: OrgId, request: ImportRequest) -> (String, String) {
    let err = import(
        &Context::new(store, caller).with_clock(&clock()),
        &MockInvitationLinks::new(),
        org,
        request,
        "https://roster.test",
    )
    .expect_err("refused up front");
    (err.code().to_owned(), err.to_string())
}

/// A key's file that names a group takes `groups:write`: refused on the file
/// alone, dry run or not, before anything is read (the store expects no call).
#[test]
fn a_keys_file_naming_a_group_without_groups_write_is_refused_before_anything_is_read() {
    let org = OrgId::new();
    let untouched = MockStore::new();
    let file: &[&[&str]] =
        &[&["email", "labels", "groups"], &["ana@example.com", "@a", ""], &["bo@example.com", "", "Squad"]];
    for dry_run in [true, false] {
        let caller = key(org, &[Scope::MembersWrite, Scope::InvitationsWrite]);
        let (code, message) = refused(&untouched, caller, org, request(file, ImportMode::Upsert, dry_run));
        assert_eq!((code.as_str(), message.contains("groups:write")), ("insufficient_scope", true), "{message}");
    }
    let reader = key(org, &[Scope::MembersRead]);
    let (code, message) = refused(&untouched, reader, org, request(file, ImportMode::Upsert, true));
    assert_eq!((code.as_str(), message.contains("members:write")), ("insufficient_scope", true), "{message}");
}

/// A key's file with an e-mail that has no account invites it: it takes
/// `invitations:write`, decided on the accounts read up front, before any
/// write (no transaction, no other read).
#[test]
fn a_keys_file_that_invites_without_invitations_write_is_refused_before_anything_is_written() {
    let org = OrgId::new();
    let file: &[&[&str]] = &[&["email", "first_name"], &["new@example.com", "Nat"]];
    let mut store = MockStore::new();
    store.expect_import_by_key().times(1).returning(|_, _, _| Ok(None));
    store.expect_users_by_emails().times(1).returning(|_| Ok(Vec::new()));
    store.expect_members().times(1).returning(|_, _| Ok(Vec::new()));
    let caller = key(org, &[Scope::MembersWrite, Scope::GroupsWrite]);
    let (code, message) = refused(&store, caller, org, request(file, ImportMode::Upsert, false));
    assert_eq!((code.as_str(), message.contains("invitations:write")), ("insufficient_scope", true), "{message}");
}

/// The scopes are the key's alone: a coach's file is never asked about them,
/// and `update_only` invites nobody.
#[test]
fn only_a_keys_file_that_would_invite_is_asked_for_invitations_write() {
    let org = OrgId::new();
    let file: &[&[&str]] = &[&["email", "first_name", "groups"], &["new@example.com", "Nat", "Squad"]];
    let no_accounts = HashMap::new();
    let members_only = Actor::ApiKey { key_id: ApiKeyId::new(), org_id: org, scopes: vec![Scope::MembersWrite] };
    let head = Actor::Member(crate::services::organizations::tests::membership(
        org,
        UserId::new(),
        crate::role::Role::HeadCoach,
    ));
    assert!(scopes::invitations(&head, &request(file, ImportMode::Upsert, false), &no_accounts).is_ok());
    assert!(scopes::groups(&head, &request(file, ImportMode::Upsert, false)).is_ok());
    assert!(scopes::invitations(&members_only, &request(file, ImportMode::UpdateOnly, false), &no_accounts).is_ok());
    assert!(scopes::invitations(&members_only, &request(file, ImportMode::CreateOnly, false), &no_accounts).is_err());
    // A row whose cells do not read is its own error, and invites nobody.
    let bad: &[&[&str]] = &[&["email", "labels"], &["new@example.com", "no-at-sign"]];
    assert!(scopes::invitations(&members_only, &request(bad, ImportMode::Upsert, false), &no_accounts).is_ok());
}
