use super::*;
use crate::context::Context;
use crate::entities::{AuditEvent, CoachName, CoachView, JoinExtras, Membership, Organization, OrganizationView};
use crate::error::{Conflict, RepoError};
use crate::groups::{Group, GroupPlanRequest, GroupRepo, GroupView, MemberOutcome};
use crate::ids::{ApiKeyId, AssignmentId};
use crate::invitation::OutboxMessage;
use crate::member::{MemberRepo, MemberView, RosterPage};
use crate::plans::{PlanAssignment, PlanChoice, PlanFilter, TrainingPlan};
use crate::policy::Caller;
use crate::policy::Scope;
use crate::ports::OrganizationRepo;
use crate::services::organizations::tests::clock;
use crate::services::organizations::tests::{membership, view};
use chrono::{DateTime, Utc};
use std::cell::Cell;

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
    impl PlanRepo for Store {
        fn insert_plan(&self, plan: &TrainingPlan, event: &AuditEvent) -> Result<(), RepoError>;
        fn plan(&self, org_id: OrgId, plan_id: PlanId) -> Result<Option<TrainingPlan>, RepoError>;
        fn plans(&self, org_id: OrgId, filter: &PlanFilter) -> Result<Vec<TrainingPlan>, RepoError>;
        fn plan_names(&self, org_id: OrgId, filter: &PlanFilter) -> Result<Vec<PlanChoice>, RepoError>;
        fn update_plan(&self, plan: &TrainingPlan, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError>;
    }
    impl AssignmentRepo for Store {
        fn assign(&self, assignment: &PlanAssignment, event: &AuditEvent) -> Result<(), RepoError>;
        fn assignments_of(&self, org_id: OrgId, user_id: UserId) -> Result<Vec<PlanAssignment>, RepoError>;
        fn cancel_assignment(&self, org_id: OrgId, user_id: UserId, assignment_id: AssignmentId, at: DateTime<Utc>,
            event: &AuditEvent) -> Result<bool, RepoError>;
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
}

thread_local! {
    /// Transactions begun and committed by the mock's `atomically`.
    static BEGUN: Cell<u32> = const { Cell::new(0) };
    static COMMITTED: Cell<u32> = const { Cell::new(0) };
}

impl UnitOfWork for MockStore {
    fn atomically<T>(&self, f: impl FnOnce() -> Result<(T, bool), DomainError>) -> Result<T, DomainError> {
        BEGUN.set(BEGUN.get() + 1);
        let (value, keep) = f()?;
        COMMITTED.set(COMMITTED.get() + u32::from(keep));
        Ok(value)
    }
}

fn athlete_view(org: OrgId, user: UserId) -> MemberView {
    MemberView {
        membership: membership(org, user, Role::Athlete),
        first_name: "Ada".into(),
        last_name: None,
        email: format!("{user}@example.com"),
        last_activity_at: None,
    }
}

/// A head coach's store holding `athletes`, read in one call.
fn store_with(org: OrgId, head: UserId, athletes: Vec<MemberView>) -> MockStore {
    let mut store = MockStore::new();
    store.expect_organization().returning(move |_| Ok(Some(view(org, head))));
    store.expect_live_membership().returning(move |o, u| Ok(Some(membership(o, u, Role::HeadCoach))));
    store.expect_members().times(1).returning(move |_, _| Ok(athletes.clone()));
    store
}

fn add_label() -> BulkAction {
    BulkAction::AddLabels(vec![Label::parse("@marathon").unwrap()])
}

#[test]
fn members_are_read_once_and_changed_in_one_transaction_with_a_savepoint_each() {
    let (org, head) = (OrgId::new(), UserId::new());
    let athletes: Vec<MemberView> = (0..3).map(|_| athlete_view(org, UserId::new())).collect();
    let ids: Vec<UserId> = athletes.iter().map(|a| a.membership.user_id).collect();
    let mut store = store_with(org, head, athletes);
    store.expect_member().never();
    store.expect_update_member().times(3).returning(|_, _, _| Ok(()));
    let (begun, committed) = (BEGUN.get(), COMMITTED.get());
    let results = apply(&Context::new(&store, head).with_clock(&clock()), org, &ids, &add_label()).unwrap();
    assert!(results.iter().all(|r| r.outcome == BulkOutcome::Done), "{results:?}");
    // The request's transaction and one savepoint per member, all kept.
    assert_eq!((BEGUN.get() - begun, COMMITTED.get() - committed), (4, 4));
}

#[test]
fn a_member_changed_since_the_read_is_read_again_and_changed_once_more() {
    let (org, head) = (OrgId::new(), UserId::new());
    let athlete = athlete_view(org, UserId::new());
    let user = athlete.membership.user_id;
    let mut fresh = athlete.clone();
    fresh.membership.version += 1;
    let mut store = store_with(org, head, vec![athlete]);
    store.expect_member().times(1).returning(move |_, _| Ok(Some(fresh.clone())));
    let mut seq = mockall::Sequence::new();
    store
        .expect_update_member()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Err(RepoError::Conflict(Conflict::VersionMismatch)));
    store
        .expect_update_member()
        .times(1)
        .in_sequence(&mut seq)
        .withf(|m, expected, _| *expected == m.version - 1 && m.labels.as_slice().len() == 1)
        .returning(|_, _, _| Ok(()));
    let results = apply(&Context::new(&store, head).with_clock(&clock()), org, &[user], &add_label()).unwrap();
    assert_eq!(results, [BulkResult { user_id: user, outcome: BulkOutcome::Done, code: None }]);
}

#[test]
fn an_outage_ends_the_request_and_keeps_nothing() {
    let (org, head) = (OrgId::new(), UserId::new());
    let athletes: Vec<MemberView> = (0..3).map(|_| athlete_view(org, UserId::new())).collect();
    let ids: Vec<UserId> = athletes.iter().map(|a| a.membership.user_id).collect();
    let mut store = store_with(org, head, athletes);
    store.expect_update_member().times(2).returning(move |_, _, _| {
        CALLS.set(CALLS.get() + 1);
        if CALLS.get() == 2 { Err(RepoError::Unavailable("connection reset".into())) } else { Ok(()) }
    });
    CALLS.set(0);
    let committed = COMMITTED.get();
    let err = apply(&Context::new(&store, head).with_clock(&clock()), org, &ids, &add_label()).unwrap_err();
    assert!(err.is_outage(), "{err:?}");
    // Only the first member's savepoint was kept; the request's transaction was not.
    assert_eq!(COMMITTED.get() - committed, 1);
}

thread_local! {
    static CALLS: Cell<u32> = const { Cell::new(0) };
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
    let Err(DomainError::Validation(errors)) =
        targets(&Context::new(&store, head).with_clock(&clock()), org, &add_label(), BulkTarget::Filter(query))
    else {
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
    assert!(
        targets(&Context::new(&store, head).with_clock(&clock()), org, &add_label(), BulkTarget::Filter(query)).is_ok()
    );
}

#[test]
fn more_than_five_hundred_ids_are_refused_and_repeats_are_dropped() {
    let (org, head) = (OrgId::new(), UserId::new());
    let store = store_matching(org, head, 0);
    let many = (0..=MAX_IDS).map(|_| UserId::new()).collect();
    let Err(DomainError::Validation(errors)) =
        targets(&Context::new(&store, head).with_clock(&clock()), org, &add_label(), BulkTarget::Ids(many))
    else {
        panic!("501 ids must be refused")
    };
    assert_eq!((errors[0].field.as_str(), errors[0].code.as_str()), ("user_ids", "too_many_members"));
    let one = UserId::new();
    assert_eq!(
        targets(&Context::new(&store, head).with_clock(&clock()), org, &add_label(), BulkTarget::Ids(vec![one, one]))
            .unwrap(),
        vec![one]
    );
}

fn key(org: OrgId, scopes: &[Scope]) -> (ApiKeyId, Caller) {
    let key_id = ApiKeyId::new();
    (key_id, Caller::Key(Actor::ApiKey { key_id, org_id: org, scopes: scopes.to_vec() }))
}

fn refusal(result: Result<impl std::fmt::Debug, DomainError>) -> (String, String) {
    let err = result.unwrap_err();
    (err.code().to_owned(), err.to_string())
}

/// A key's plan or group action without `plans:write` or `groups:write` is
/// refused whole, dry run (`targets`) or not, before anything is read: the
/// store has no expectations, so any read would panic.
#[test]
fn a_keys_plan_or_group_action_without_its_scope_is_refused_before_anything_is_read() {
    let org = OrgId::new();
    let untouched = MockStore::new();
    let ids = [UserId::new()];
    let plan =
        BulkAction::AssignPlan { plan_id: PlanId::new(), start_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() };
    let cases = [
        (&[Scope::MembersWrite][..], plan.clone(), "plans:write"),
        (&[Scope::MembersWrite, Scope::GroupsWrite][..], plan, "plans:write"),
        (&[Scope::MembersWrite][..], BulkAction::AddToGroup(GroupId::new()), "groups:write"),
        (&[Scope::MembersWrite, Scope::PlansWrite][..], BulkAction::RemoveFromGroup(GroupId::new()), "groups:write"),
        (&[Scope::MembersRead][..], add_label(), "members:write"),
    ];
    let begun = BEGUN.get();
    for (scopes, action, scope) in cases {
        let (_, caller) = key(org, scopes);
        let (code, message) =
            refusal(apply(&Context::new(&untouched, caller.clone()).with_clock(&clock()), org, &ids, &action));
        assert_eq!((code.as_str(), message.contains(scope)), ("insufficient_scope", true), "{action:?}: {message}");
        let (code, message) = refusal(targets(
            &Context::new(&untouched, caller).with_clock(&clock()),
            org,
            &action,
            BulkTarget::Ids(ids.to_vec()),
        ));
        assert_eq!((code.as_str(), message.contains(scope)), ("insufficient_scope", true), "{action:?}: {message}");
    }
    assert_eq!(BEGUN.get(), begun, "no transaction was begun");
    // A filter reads the roster: members:read, said before the first page.
    let (_, caller) = key(org, &[Scope::MembersWrite]);
    let filter = BulkTarget::Filter(Box::default());
    assert_eq!(
        refusal(targets(&Context::new(&untouched, caller).with_clock(&clock()), org, &add_label(), filter)).0,
        "insufficient_scope"
    );
}

/// With the scopes, a key's plan assignments and their events name the key
/// (the member is changed through `plans::assign`, handed the key as it is).
#[test]
fn a_keys_bulk_plan_assignment_names_the_key() {
    let (org, head) = (OrgId::new(), UserId::new());
    let athlete = athlete_view(org, UserId::new());
    let user = athlete.membership.user_id;
    let (key_id, caller) = key(org, &[Scope::MembersWrite, Scope::PlansWrite]);
    let as_user = UserId::from_uuid(key_id.as_uuid());
    let plan = crate::services::plans::tests::plan(org, head);
    let plan_id = plan.plan_id;
    // The key is resolved without a read: every membership read is the athlete's.
    let mut store = MockStore::new();
    store.expect_organization().returning(move |_| Ok(Some(view(org, head))));
    store.expect_members().times(1).returning(move |_, _| Ok(vec![athlete.clone()]));
    store.expect_live_membership().returning(move |o, u| Ok(Some(membership(o, u, Role::Athlete))));
    store.expect_plan().returning(move |_, _| Ok(Some(plan.clone())));
    store.expect_assignments_of().returning(|_, _| Ok(Vec::new()));
    store
        .expect_assign()
        .withf(move |a, e| a.assigned_by_key == Some(key_id) && e.actor_user_id == as_user && a.user_id == user)
        .times(1)
        .returning(|_, _| Ok(()));
    let action = BulkAction::AssignPlan { plan_id, start_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() };
    let results = apply(&Context::new(&store, caller).with_clock(&clock()), org, &[user], &action).unwrap();
    assert_eq!(results, [BulkResult { user_id: user, outcome: BulkOutcome::Done, code: None }]);
}
