use super::*;
use crate::context::{Context, Mocks};
use crate::entities::Membership;
use crate::groups::MockGroupRepo;
use crate::plans::{MockPlanRepo, TrainingPlan};
use crate::ports::MockOrganizationRepo;
use crate::services::organizations::tests::{clock, view};

fn orgs(org: OrgId, caller: UserId, role: Role) -> MockOrganizationRepo {
    let mut repo = MockOrganizationRepo::new();
    repo.expect_live_membership().returning(move |o, u| {
        Ok((o == org && u == caller).then(|| Membership::start(org, caller, role, clock().now())))
    });
    repo.expect_organization().returning(move |o| Ok(Some(view(o, caller))));
    repo
}

fn group_view(org_id: OrgId) -> GroupView {
    let now = clock().now();
    GroupView {
        group: Group {
            group_id: GroupId::new(),
            org_id,
            name: GroupName::parse("Track").unwrap(),
            description: Description::default(),
            created_at: now,
            updated_at: now,
            version: 1,
        },
        member_count: 0,
    }
}

fn plan(org_id: OrgId) -> TrainingPlan {
    crate::plans::tests::library_plan(org_id, UserId::new(), 2)
}

#[test]
fn athlete_cannot_create_groups() {
    let (org, caller) = (OrgId::new(), UserId::new());
    let mut groups = MockGroupRepo::new();
    groups.expect_insert_group().never();
    let err = create(
        &Mocks { orgs: &orgs(org, caller, Role::Athlete), groups: &groups, ..Mocks::none() }.cx(caller, &clock()),
        org,
        GroupName::parse("A").unwrap(),
        Description::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn taken_name_is_group_name_taken() {
    let (org, caller) = (OrgId::new(), UserId::new());
    let mut groups = MockGroupRepo::new();
    groups.expect_insert_group().returning(|_, _| Err(Conflict::GroupNameTaken.into()));
    let err = create(
        &Mocks { orgs: &orgs(org, caller, Role::HeadCoach), groups: &groups, ..Mocks::none() }.cx(caller, &clock()),
        org,
        GroupName::parse("A").unwrap(),
        Description::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "group_name_taken");
}

#[test]
fn adding_a_non_member_is_not_found() {
    let (org, caller) = (OrgId::new(), UserId::new());
    let g = group_view(org);
    let id = g.group.group_id;
    let mut groups = MockGroupRepo::new();
    groups.expect_group().returning(move |_, _| Ok(Some(g.clone())));
    groups.expect_add_group_member().never();
    let err = add_member(
        &Mocks { orgs: &orgs(org, caller, Role::HeadCoach), groups: &groups, ..Mocks::none() }.cx(caller, &clock()),
        org,
        id,
        UserId::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn assistant_coach_group_assignment_skips_athletes_not_theirs() {
    let (org, caller) = (OrgId::new(), UserId::new());
    let g = group_view(org);
    let group_id = g.group.group_id;
    let p = plan(org);
    let plan_id = p.plan_id;
    let (mine, theirs, coach) = (UserId::new(), UserId::new(), UserId::new());
    let mut groups = MockGroupRepo::new();
    groups.expect_group().returning(move |_, _| Ok(Some(g.clone())));
    groups.expect_group_members().returning(move |_, _| {
        let mut a = Membership::start(org, mine, Role::Athlete, clock().now());
        a.assigned_to_coach_id = Some(caller);
        let mut b = Membership::start(org, theirs, Role::Athlete, clock().now());
        b.assigned_to_coach_id = Some(UserId::new());
        let c = Membership::start(org, coach, Role::AssistantCoach, clock().now());
        Ok(vec![a, b, c])
    });
    groups
        .expect_assign_plan_to_group()
        .withf(move |r, c, e| c == [mine] && !r.enroll_future_members && e.action == "group.plan_assigned")
        .times(1)
        .returning(|_, c, _| {
            Ok(c.iter().map(|u| MemberOutcome { user_id: *u, outcome: Outcome::Assigned, code: None }).collect())
        });
    let mut plans = MockPlanRepo::new();
    plans.expect_plan().returning(move |_, _| Ok(Some(p.clone())));
    let start = "2026-12-01".parse().unwrap();
    let results = assign_plan(
        &Mocks { orgs: &orgs(org, caller, Role::AssistantCoach), groups: &groups, plans: &plans, ..Mocks::none() }
            .cx(caller, &clock()),
        org,
        group_id,
        plan_id,
        start,
        false,
    )
    .unwrap();
    let code = |u: UserId| results.iter().find(|r| r.user_id == u).unwrap().code;
    assert_eq!(code(theirs), Some("not_assigned_to_you"));
    assert_eq!(code(coach), Some("not_an_athlete"));
    assert_eq!(code(mine), None);
}

#[test]
fn group_assignment_in_the_past_is_refused_whole() {
    let (org, caller) = (OrgId::new(), UserId::new());
    let g = group_view(org);
    let group_id = g.group.group_id;
    let p = plan(org);
    let plan_id = p.plan_id;
    let mut groups = MockGroupRepo::new();
    groups.expect_group().returning(move |_, _| Ok(Some(g.clone())));
    groups.expect_assign_plan_to_group().never();
    let mut plans = MockPlanRepo::new();
    plans.expect_plan().returning(move |_, _| Ok(Some(p.clone())));
    let start = "2026-11-01".parse().unwrap();
    let err = assign_plan(
        &Mocks { orgs: &orgs(org, caller, Role::HeadCoach), groups: &groups, plans: &plans, ..Mocks::none() }
            .cx(caller, &clock()),
        org,
        group_id,
        plan_id,
        start,
        true,
    )
    .unwrap_err();
    assert_eq!(err.code(), "start_date_in_past");
}

#[test]
fn group_names_are_for_coaches_and_count_nobody() {
    let (org, coach, athlete) = (OrgId::new(), UserId::new(), UserId::new());
    let mut groups = MockGroupRepo::new();
    let track = group_view(org);
    let expected = vec![track.group.clone()];
    groups
        .expect_group_names()
        .withf(move |o, limit| *o == org && *limit == 200)
        .returning(move |_, _| Ok(expected.clone()));
    groups.expect_groups().never();
    let names = names(
        &Context::new(
            &Mocks { orgs: &orgs(org, coach, Role::AssistantCoach), groups: &groups, ..Mocks::none() },
            coach,
        ),
        org,
        200,
    )
    .unwrap();
    assert_eq!(names, [track.group]);

    let refused = names_of_athlete(org, athlete);
    assert!(matches!(refused, Err(DomainError::Forbidden(_))), "{refused:?}");
}

fn names_of_athlete(org: OrgId, athlete: UserId) -> Result<Vec<Group>, DomainError> {
    let mut groups = MockGroupRepo::new();
    groups.expect_group_names().never();
    names(
        &Context::new(&Mocks { orgs: &orgs(org, athlete, Role::Athlete), groups: &groups, ..Mocks::none() }, athlete),
        org,
        200,
    )
}
