use super::*;
use crate::entities::{AuditEvent, CoachView, JoinExtras, Membership, Organization, OrganizationView};
use crate::error::RepoError;
use crate::groups::{Group, GroupPlanRequest, GroupRepo, GroupView, MemberOutcome};
use crate::invitation::OutboxMessage;
use crate::member::{MemberRepo, MemberView, RosterPage};
use crate::ports::OrganizationRepo;
use crate::services::organizations::tests::{membership, view};
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
        fn add_membership(&self, membership: &Membership, event: &AuditEvent) -> Result<(), RepoError>;
        fn add_coach(&self, membership: &Membership, event: &AuditEvent, mail: &OutboxMessage) -> Result<(), RepoError>;
        fn end_coach_membership(&self, org_id: OrgId, user_id: UserId, at: DateTime<Utc>, event: &AuditEvent)
            -> Result<(), RepoError>;
        fn swap_head_coach(&self, org_id: OrgId, from: UserId, to: UserId, at: DateTime<Utc>, event: &AuditEvent)
            -> Result<(), RepoError>;
    }
    impl MemberRepo for Store {
        fn member(&self, org_id: OrgId, user_id: UserId) -> Result<Option<MemberView>, RepoError>;
        fn add_member(&self, membership: &Membership, extras: &JoinExtras, actor: UserId, event: &AuditEvent,
            mail: &OutboxMessage) -> Result<(), RepoError>;
        fn update_member(&self, membership: &Membership, expected_version: i64, event: &AuditEvent)
            -> Result<(), RepoError>;
        fn remove_member(&self, org_id: OrgId, user_id: UserId, actor: UserId, at: DateTime<Utc>, event: &AuditEvent)
            -> Result<(), RepoError>;
        fn roster(&self, org_id: OrgId, query: &RosterQuery) -> Result<RosterPage, RepoError>;
    }
    impl GroupRepo for Store {
        fn insert_group(&self, group: &Group, event: &AuditEvent) -> Result<(), RepoError>;
        fn group(&self, org_id: OrgId, group_id: GroupId) -> Result<Option<GroupView>, RepoError>;
        fn groups(&self, org_id: OrgId, after: Option<GroupId>, limit: u32) -> Result<Vec<GroupView>, RepoError>;
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
}

/// A head coach's store whose roster says `total` members match.
fn store_matching(org: OrgId, head: UserId, total: i64) -> MockStore {
    let mut store = MockStore::new();
    store.expect_organization().returning(move |_| Ok(Some(view(org, head))));
    store.expect_live_membership().returning(move |o, u| Ok(Some(membership(o, u, Role::HeadCoach))));
    store.expect_roster().returning(move |_, _| {
        Ok(RosterPage { members: Vec::new(), next: None, total, profile_status: None, group_ids: Default::default() })
    });
    store
}

#[test]
fn a_filter_matching_more_than_five_thousand_members_is_refused_naming_the_filter() {
    let (org, head) = (OrgId::new(), UserId::new());
    let store = store_matching(org, head, 5_001);
    let query = Box::new(RosterQuery::default());
    let Err(DomainError::Validation(errors)) = targets(&store, head, org, BulkTarget::Filter(query)) else {
        panic!("5 001 matches must be refused")
    };
    assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("filter", "too_many_members"));
    assert!(errors[0].message.contains("5001"), "{}", errors[0].message);
}

#[test]
fn a_filter_matching_exactly_five_thousand_members_is_allowed() {
    let (org, head) = (OrgId::new(), UserId::new());
    let store = store_matching(org, head, 5_000);
    let query = Box::new(RosterQuery::default());
    assert!(targets(&store, head, org, BulkTarget::Filter(query)).is_ok());
}

#[test]
fn more_than_five_hundred_ids_are_refused_and_repeats_are_dropped() {
    let (org, head) = (OrgId::new(), UserId::new());
    let store = store_matching(org, head, 0);
    let many = (0..=MAX_IDS).map(|_| UserId::new()).collect();
    let Err(DomainError::Validation(errors)) = targets(&store, head, org, BulkTarget::Ids(many)) else {
        panic!("501 ids must be refused")
    };
    assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("user_ids", "too_many_members"));
    let one = UserId::new();
    assert_eq!(targets(&store, head, org, BulkTarget::Ids(vec![one, one])).unwrap(), vec![one]);
}
