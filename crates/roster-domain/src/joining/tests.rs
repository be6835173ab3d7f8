use super::*;
use crate::entities::PlanStart;
use crate::plans::tests::library_plan;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 12, 7)
}

fn joiner(org_id: OrgId) -> Joiner {
    Joiner { org_id, user_id: UserId::new(), author: (UserId::new(), None), now: Utc::now() }
}

fn facts(role: Option<Role>) -> JoinFacts {
    JoinFacts { today: today(), role, assignments: vec![], plan: None, group: None }
}

fn actions(events: &[AuditEvent]) -> Vec<&str> {
    events.iter().map(|e| e.action.as_str()).collect()
}

fn with_plan(plan: &TrainingPlan, start: Option<NaiveDate>) -> JoinExtras {
    JoinExtras { group_id: None, training_plan: Some(PlanStart { plan_id: plan.plan_id, start_date: start }) }
}

fn enrollment(plan: &TrainingPlan, start: NaiveDate) -> Enrollment {
    Enrollment {
        plan_id: plan.plan_id,
        start_date: start,
        enrolled_by: (UserId::new(), None),
        plan: Some(plan.clone()),
    }
}

#[test]
fn a_join_with_a_plan_assigns_it_from_today_with_its_event() {
    let org = OrgId::new();
    let (who, plan) = (joiner(org), library_plan(org, UserId::new(), 4));
    let f = JoinFacts { plan: Some(plan.clone()), ..facts(Some(Role::Athlete)) };
    let decided = decide_join(who, &with_plan(&plan, None), JoinMode::Strict, f).unwrap();
    assert_eq!(decided.assignments.len(), 1);
    let a = &decided.assignments[0];
    assert_eq!((a.start_date, a.user_id, a.assigned_by), (today(), who.user_id, who.author.0));
    assert_eq!(actions(&decided.events), ["plan.assigned"]);
    assert_eq!(decided.join_group, None);
}

#[test]
fn strict_refuses_what_lenient_skips_with_its_code() {
    let org = OrgId::new();
    let who = joiner(org);
    let archived = TrainingPlan { archived_at: Some(Utc::now()), ..library_plan(org, UserId::new(), 2) };
    let live = library_plan(org, UserId::new(), 2);
    let cases: [(JoinExtras, Option<TrainingPlan>, &str); 3] = [
        (with_plan(&archived, None), Some(archived.clone()), "plan_archived"),
        (with_plan(&live, Some(d(2026, 12, 6))), Some(live.clone()), "start_date_in_past"),
        (with_plan(&live, None), None, "unknown_plan"),
    ];
    for (extras, plan, code) in cases {
        let f = JoinFacts { plan, ..facts(Some(Role::Athlete)) };
        let err = decide_join(who, &extras, JoinMode::Strict, f.clone()).unwrap_err();
        assert_eq!(err.code(), code);
        let decided = decide_join(who, &extras, JoinMode::Lenient, f).unwrap();
        assert!(decided.assignments.is_empty());
        assert_eq!(actions(&decided.events), ["member.join_extra_skipped"]);
        assert_eq!(decided.events[0].changes["code"], code);
        assert_eq!(decided.events[0].changes["training_plan"]["plan_id"], json!(extras.training_plan.unwrap().plan_id));
    }
}

#[test]
fn an_unknown_plan_is_named_by_its_field() {
    let org = OrgId::new();
    let plan = library_plan(org, UserId::new(), 2);
    let DomainError::Validation(fields) =
        decide_join(joiner(org), &with_plan(&plan, None), JoinMode::Strict, facts(Some(Role::Athlete))).unwrap_err()
    else {
        panic!("a validation error")
    };
    assert_eq!((fields[0].field.as_str(), fields[0].code.as_str()), ("training_plan.plan_id", "unknown_plan"));
}

#[test]
fn an_unknown_group_is_refused_or_skipped() {
    let org = OrgId::new();
    let extras = JoinExtras { group_id: Some(GroupId::new()), training_plan: None };
    let err = decide_join(joiner(org), &extras, JoinMode::Strict, facts(Some(Role::Athlete))).unwrap_err();
    let DomainError::Validation(fields) = err else { panic!("a validation error") };
    assert_eq!((fields[0].field.as_str(), fields[0].code.as_str()), ("group_id", "unknown_group"));
    let decided = decide_join(joiner(org), &extras, JoinMode::Lenient, facts(Some(Role::Athlete))).unwrap();
    assert_eq!(actions(&decided.events), ["member.join_extra_skipped"]);
    assert_eq!(decided.events[0].changes["code"], "unknown_group");
    assert_eq!(decided.join_group, None);
}

#[test]
fn joining_a_group_brings_its_enrolled_plans_and_skips_those_that_cannot_start() {
    let org = OrgId::new();
    let who = joiner(org);
    let (upcoming, started) = (library_plan(org, UserId::new(), 2), library_plan(org, UserId::new(), 2));
    let group = GroupFacts {
        group_id: GroupId::new(),
        already_member: false,
        enrollments: vec![enrollment(&upcoming, d(2026, 12, 14)), enrollment(&started, d(2026, 11, 30))],
    };
    let extras = JoinExtras { group_id: Some(group.group_id), training_plan: None };
    let f = JoinFacts { group: Some(group.clone()), ..facts(Some(Role::Athlete)) };
    let decided = decide_join(who, &extras, JoinMode::Strict, f).unwrap();
    assert_eq!(decided.join_group, Some(group.group_id));
    assert_eq!(actions(&decided.events), ["group.member_added", "plan.assigned", "plan.enrollment_skipped"]);
    let a = &decided.assignments[0];
    // The enrollment's author is recorded on the assignment; the audit
    // trail names whoever added the member.
    assert_eq!(a.assigned_by, group.enrollments[0].enrolled_by.0);
    assert_eq!(decided.events[1].actor_user_id, who.author.0);
    assert_eq!(decided.events[2].changes["code"], "start_date_in_past");

    // A coach joins the group but gets no plans; a member already in it, nothing.
    let coach = decide_join(
        who,
        &extras,
        JoinMode::Strict,
        JoinFacts { group: Some(group.clone()), ..facts(Some(Role::AssistantCoach)) },
    );
    assert_eq!(actions(&coach.unwrap().events), ["group.member_added"]);
    let again = GroupFacts { already_member: true, ..group };
    let decided =
        decide_join(who, &extras, JoinMode::Strict, JoinFacts { group: Some(again), ..facts(Some(Role::Athlete)) });
    assert_eq!(decided.unwrap(), JoinDecision::default());
}

#[test]
fn an_enrolled_plan_overlapping_the_joins_own_plan_is_skipped_as_overlap() {
    let org = OrgId::new();
    let plan = library_plan(org, UserId::new(), 4);
    let enrolled = library_plan(org, UserId::new(), 1);
    let group = GroupFacts {
        group_id: GroupId::new(),
        already_member: false,
        enrollments: vec![enrollment(&enrolled, d(2026, 12, 14))],
    };
    let extras = JoinExtras { group_id: Some(group.group_id), ..with_plan(&plan, None) };
    let f = JoinFacts { plan: Some(plan), group: Some(group), ..facts(Some(Role::Athlete)) };
    let decided = decide_join(joiner(org), &extras, JoinMode::Strict, f).unwrap();
    assert_eq!(actions(&decided.events), ["plan.assigned", "group.member_added", "plan.enrollment_skipped"]);
    assert_eq!(decided.events[2].changes["code"], "plan_assignment_overlap");
}

#[test]
fn leaving_ends_groups_and_cancels_only_unfinished_plans() {
    let org = OrgId::new();
    let who = joiner(org);
    let plan = library_plan(org, UserId::new(), 1);
    let at = |start| PlanAssignment::new(&plan, who.user_id, start, who.author.0, who.now);
    let (finished, current, upcoming) = (at(d(2026, 11, 1)), at(d(2026, 12, 3)), at(d(2027, 1, 4)));
    let groups = vec![GroupId::new(), GroupId::new()];
    let facts = LeaveFacts {
        today: today(),
        groups: groups.clone(),
        assignments: vec![finished, current.clone(), upcoming.clone()],
    };
    let decided = decide_leave(who, facts);
    assert_eq!(decided.leave_groups, groups);
    assert_eq!(decided.cancel, [current.assignment_id, upcoming.assignment_id]);
    assert_eq!(
        actions(&decided.events),
        ["group.member_removed", "group.member_removed", "plan.cancelled", "plan.cancelled"]
    );
}

proptest! {
    /// Whatever the athlete holds and the group enrolls, a decided join
    /// never gives them two assignments that share a day, and every
    /// enrollment is either assigned or skipped with an event.
    #[test]
    fn a_join_never_decides_overlapping_assignments(
        held in prop::collection::vec((0i64..120, 1i64..6), 0..4),
        enrolled in prop::collection::vec((0i64..120, 1i64..6), 0..6),
    ) {
        let org = OrgId::new();
        let who = joiner(org);
        let day = |offset: i64| today() + chrono::Duration::days(offset);
        let assignments: Vec<PlanAssignment> = held
            .iter()
            .map(|&(start, weeks)| PlanAssignment::new(&library_plan(org, UserId::new(), weeks), who.user_id, day(start), who.author.0, who.now))
            .collect();
        let enrollments: Vec<Enrollment> =
            enrolled.iter().map(|&(start, weeks)| enrollment(&library_plan(org, UserId::new(), weeks), day(start))).collect();
        let group = GroupFacts { group_id: GroupId::new(), already_member: false, enrollments };
        let extras = JoinExtras { group_id: Some(group.group_id), training_plan: None };
        let f = JoinFacts { today: today(), role: Some(Role::Athlete), assignments: assignments.clone(), plan: None, group: Some(group) };
        let decided = decide_join(who, &extras, JoinMode::Strict, f).unwrap();
        // What the athlete held may overlap itself; nothing new overlaps anything.
        let new: Vec<_> = decided.assignments.iter().map(span).collect();
        for (i, a) in new.iter().enumerate() {
            for b in assignments.iter().map(span).chain(new[i + 1..].iter().copied()) {
                prop_assert!(!overlaps(*a, b));
            }
        }
        let skipped = decided.events.iter().filter(|e| e.action == "plan.enrollment_skipped").count();
        prop_assert_eq!(decided.assignments.len() + skipped, enrolled.len());
    }
}
