use super::*;
use crate::Sport;
use crate::context::{Context, Mocks};
use crate::plans::{MockAssignmentRepo, MockPlanRepo, PlanName, Workout};
use crate::ports::MockOrganizationRepo;
use crate::services::organizations::tests::{clock, repo_with};
use crate::values::Description;

fn content() -> PlanContent {
    let w =
        Workout { week: 1, day: 2, title: "Easy".into(), kind: None, distance_m: None, duration_s: None, notes: None };
    PlanContent::new(PlanName::parse("10k").unwrap(), Description::default(), Sport::Run, None, 4, vec![w]).unwrap()
}

pub(crate) fn plan(org_id: OrgId, author: UserId) -> TrainingPlan {
    let now = clock().now();
    TrainingPlan {
        plan_id: PlanId::new(),
        org_id,
        content: content(),
        created_by: author,
        created_by_key: None,
        created_at: now,
        updated_at: now,
        archived_at: None,
        version: 1,
    }
}

fn plans_with(p: TrainingPlan) -> MockPlanRepo {
    let mut plans = MockPlanRepo::new();
    plans.expect_plan().returning(move |o, id| Ok((o == p.org_id && id == p.plan_id).then(|| p.clone())));
    plans
}

/// An org where `caller` has `role`, and `athlete` is an athlete assigned to `coach`.
fn org(caller: UserId, role: Role, athlete: UserId, coach: Option<UserId>) -> (OrgId, MockOrganizationRepo) {
    let org = OrgId::new();
    let base = repo_with(org, caller, role);
    let mut repo = crate::ports::MockOrganizationRepo::new();
    let view = base.organization(org).unwrap();
    repo.expect_organization().returning(move |_| Ok(view.clone()));
    repo.expect_live_membership().returning(move |o, u| {
        if o != org {
            return Ok(None);
        }
        if u == caller {
            return Ok(Some(Membership::start(org, caller, role, clock().now())));
        }
        if u == athlete {
            let mut m = Membership::start(org, athlete, Role::Athlete, clock().now());
            m.assigned_to_coach_id = coach;
            return Ok(Some(m));
        }
        Ok(None)
    });
    (org, repo)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn athlete_cannot_create_plans() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::Athlete, athlete, None);
    let mut plans = MockPlanRepo::new();
    plans.expect_insert_plan().never();
    let err =
        create_plan(&Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }.cx(caller, &clock()), org_id, content())
            .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn coach_creates_a_plan_with_its_event() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::AssistantCoach, athlete, None);
    let mut plans = MockPlanRepo::new();
    plans
        .expect_insert_plan()
        .withf(|p, e| p.version == 1 && e.action == "plan.created")
        .times(1)
        .returning(|_, _| Ok(()));
    let p = create_plan(&Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }.cx(caller, &clock()), org_id, content())
        .unwrap();
    assert_eq!(p.created_by, caller);
}

#[test]
fn athlete_lists_only_plans_assigned_to_them() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::Athlete, athlete, None);
    let mut plans = MockPlanRepo::new();
    plans.expect_plans().withf(move |_, f| f.assigned_to == Some(caller)).times(1).returning(|_, _| Ok(vec![]));
    list_plans(
        &Context::new(&Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }, caller),
        org_id,
        PlanFilter::default(),
    )
    .unwrap();
}

#[test]
fn plan_names_follow_the_library_rules_and_never_read_workouts() {
    let (coach, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(athlete, Role::Athlete, coach, None);
    let mut plans = MockPlanRepo::new();
    plans.expect_plans().never();
    let named = PlanChoice { plan_id: PlanId::new(), name: "10k".into() };
    let answer = vec![named.clone()];
    plans
        .expect_plan_names()
        .withf(move |o, f| *o == org_id && f.assigned_to == Some(athlete) && f.limit == 200)
        .times(1)
        .return_once(move |_, _| Ok(answer));
    let filter = PlanFilter { limit: 200, ..PlanFilter::default() };
    assert_eq!(
        plan_names(&Context::new(&Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }, athlete), org_id, filter)
            .unwrap(),
        vec![named]
    );
    // An outsider is refused before the store is asked.
    let err = plan_names(
        &Context::new(&Mocks { orgs: &orgs, plans: &MockPlanRepo::new(), ..Mocks::none() }, UserId::new()),
        org_id,
        PlanFilter::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn only_the_author_or_head_coach_edits_a_plan() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::AssistantCoach, athlete, None);
    let p = plan(org_id, UserId::new());
    let id = p.plan_id;
    let mut plans = plans_with(p);
    plans.expect_update_plan().never();
    let err = archive_plan(&Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }.cx(caller, &clock()), org_id, id)
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let err = update_plan(
        &Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        id,
        |c| Ok(c.clone()),
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn stale_if_match_is_version_mismatch() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::HeadCoach, athlete, None);
    let p = plan(org_id, UserId::new());
    let id = p.plan_id;
    let plans = plans_with(p);
    let err = update_plan(
        &Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        id,
        |c| Ok(c.clone()),
        Some(7),
    )
    .unwrap_err();
    assert_eq!(err.code(), "version_mismatch");
}

#[test]
fn archiving_writes_plan_archived() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::AssistantCoach, athlete, None);
    let p = plan(org_id, caller);
    let id = p.plan_id;
    let mut plans = plans_with(p);
    plans
        .expect_update_plan()
        .withf(|p, v, e| p.archived_at.is_some() && *v == 1 && e.action == "plan.archived")
        .times(1)
        .returning(|_, _, _| Ok(()));
    archive_plan(&Mocks { orgs: &orgs, plans: &plans, ..Mocks::none() }.cx(caller, &clock()), org_id, id).unwrap();
}

#[test]
fn assigning_an_archived_plan_is_plan_archived() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::HeadCoach, athlete, None);
    let mut p = plan(org_id, caller);
    p.archived_at = Some(clock().now());
    let id = p.plan_id;
    let plans = plans_with(p);
    let mut assignments = MockAssignmentRepo::new();
    assignments.expect_assign().never();
    let err = assign(
        &Mocks { orgs: &orgs, plans: &plans, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
        id,
        day("2026-12-01"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "plan_archived");
}

#[test]
fn assigning_from_yesterday_is_start_date_in_past() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::HeadCoach, athlete, None);
    let p = plan(org_id, caller);
    let id = p.plan_id;
    let plans = plans_with(p);
    let assignments = MockAssignmentRepo::new();
    let err = assign(
        &Mocks { orgs: &orgs, plans: &plans, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
        id,
        day("2026-11-27"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "start_date_in_past");
}

#[test]
fn assistant_coach_cannot_assign_other_coaches_athletes() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::AssistantCoach, athlete, Some(UserId::new()));
    let p = plan(org_id, caller);
    let id = p.plan_id;
    let plans = plans_with(p);
    let assignments = MockAssignmentRepo::new();
    let err = assign(
        &Mocks { orgs: &orgs, plans: &plans, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
        id,
        day("2026-12-01"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_assigned_to_you");
    let err = cancel(
        &Mocks { orgs: &orgs, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
        AssignmentId::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_assigned_to_you");
}

#[test]
fn assistant_coach_assigns_their_athlete_and_overlap_comes_from_the_store() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::AssistantCoach, athlete, Some(caller));
    let p = plan(org_id, UserId::new());
    let id = p.plan_id;
    let plans = plans_with(p);
    let mut assignments = MockAssignmentRepo::new();
    assignments
        .expect_assign()
        .withf(move |a, e| a.user_id == athlete && a.total_weeks == 4 && e.action == "plan.assigned")
        .times(1)
        .returning(|_, _| Ok(()));
    let (a, today) = assign(
        &Mocks { orgs: &orgs, plans: &plans, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
        id,
        day("2026-11-28"),
    )
    .unwrap();
    assert_eq!(a.end_date(), day("2026-12-25"));
    assert_eq!(a.current_week(today), Some(1));

    let mut assignments = MockAssignmentRepo::new();
    assignments.expect_assign().returning(|_, _| Err(Conflict::PlanAssignmentOverlap.into()));
    let err = assign(
        &Mocks { orgs: &orgs, plans: &plans, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
        id,
        day("2026-12-01"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "plan_assignment_overlap");
}

#[test]
fn cancelling_an_unknown_assignment_is_not_found() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::HeadCoach, athlete, None);
    let mut assignments = MockAssignmentRepo::new();
    assignments.expect_cancel_assignment().returning(|_, _, _, _, _| Ok(false));
    let err = cancel(
        &Mocks { orgs: &orgs, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
        AssignmentId::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn another_athlete_cannot_read_assignments() {
    let (caller, athlete) = (UserId::new(), UserId::new());
    let (org_id, orgs) = org(caller, Role::Athlete, athlete, None);
    let assignments = MockAssignmentRepo::new();
    let err = list_assignments(
        &Mocks { orgs: &orgs, assignments: &assignments, ..Mocks::none() }.cx(caller, &clock()),
        org_id,
        athlete,
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}
