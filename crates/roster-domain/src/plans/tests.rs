use super::*;
use crate::values::Description;
use crate::{Sport, values::Timezone};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn workout(week: i64, day: i64) -> Workout {
    Workout { week, day, title: "Easy run".into(), kind: None, distance_m: Some(5000), duration_s: None, notes: None }
}

fn content(weeks: i64, workouts: Vec<Workout>) -> Result<PlanContent, DomainError> {
    PlanContent::new(PlanName::parse("10k").unwrap(), Description::default(), Sport::Run, None, weeks, workouts)
}

fn fields(err: DomainError) -> Vec<String> {
    match err {
        DomainError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn end_date_is_start_plus_seven_weeks_minus_one() {
    assert_eq!(end_date(d(2026, 12, 7), 1), d(2026, 12, 13));
    assert_eq!(end_date(d(2026, 12, 28), 2), d(2027, 1, 10));
}

#[test]
fn status_follows_the_dates_and_cancelled_wins() {
    let start = d(2026, 12, 7);
    assert_eq!(status(start, 1, false, d(2026, 12, 6)), AssignmentStatus::Upcoming);
    assert_eq!(status(start, 1, false, start), AssignmentStatus::Active);
    assert_eq!(status(start, 1, false, d(2026, 12, 13)), AssignmentStatus::Active);
    assert_eq!(status(start, 1, false, d(2026, 12, 14)), AssignmentStatus::Completed);
    assert_eq!(status(start, 1, true, start), AssignmentStatus::Cancelled);
}

#[test]
fn current_week_counts_from_one_while_the_plan_runs() {
    let start = d(2026, 12, 7);
    assert_eq!(current_week(start, 3, d(2026, 12, 6)), None);
    assert_eq!(current_week(start, 3, start), Some(1));
    assert_eq!(current_week(start, 3, d(2026, 12, 14)), Some(2));
    assert_eq!(current_week(start, 3, d(2026, 12, 27)), Some(3));
    assert_eq!(current_week(start, 3, d(2026, 12, 28)), None);
}

#[test]
fn start_date_in_the_past_is_refused_in_the_org_time_zone() {
    // 23:30 UTC on Nov 28 is already Nov 29 in Auckland: Nov 28 is in the past there.
    let now = "2026-11-28T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let auckland = Timezone::parse("Pacific/Auckland").unwrap().today(now);
    let utc = Timezone::utc().today(now);
    assert_eq!(check_start_date(d(2026, 11, 28), auckland).unwrap_err().code(), "start_date_in_past");
    assert!(check_start_date(d(2026, 11, 28), utc).is_ok());
}

#[test]
fn overlap_is_any_shared_day() {
    let a = (d(2026, 12, 1), d(2026, 12, 14));
    assert!(overlaps(a, (d(2026, 12, 14), d(2026, 12, 20))));
    assert!(overlaps(a, (d(2026, 11, 1), d(2026, 12, 1))));
    assert!(!overlaps(a, (d(2026, 12, 15), d(2026, 12, 20))));
}

#[test]
fn a_workout_outside_the_plan_names_its_field() {
    let err = content(2, vec![workout(1, 1), workout(2, 7), workout(3, 1), workout(1, 8)]).unwrap_err();
    assert_eq!(fields(err), ["workouts[2].week", "workouts[3].day"]);
    assert_eq!(fields(content(0, vec![]).unwrap_err()), ["duration_weeks"]);
    assert_eq!(fields(content(105, vec![]).unwrap_err()), ["duration_weeks"]);
    let ok = content(104, vec![workout(104, 7), workout(1, 1)]).unwrap();
    assert_eq!(ok.workouts[0].week, 1, "workouts are kept in week and day order");
}

#[test]
fn levels_parse_from_their_names() {
    assert_eq!("advanced".parse::<PlanLevel>().unwrap(), PlanLevel::Advanced);
    assert_eq!("pro".parse::<PlanLevel>().unwrap_err().code, "invalid_level");
    assert!(PlanName::parse(" ").is_err());
}

proptest! {
    /// Status and week agree with walking the calendar day by day.
    #[test]
    fn status_and_week_agree_with_the_calendar(start_offset in 0i64..40_000, weeks in 1u32..=104, delta in -800i64..800) {
        let start = d(1990, 1, 1) + chrono::Duration::days(start_offset);
        let today = start + chrono::Duration::days(delta);
        // The plan's days, one by one, with the week each belongs to.
        let mut day = start;
        let mut expected_week = None;
        for i in 0..(weeks * 7) {
            if day == today {
                expected_week = Some(i / 7 + 1);
            }
            day = day.succ_opt().unwrap();
        }
        let last = day.pred_opt().unwrap();
        prop_assert_eq!(end_date(start, weeks), last);
        prop_assert_eq!(current_week(start, weeks, today), expected_week);
        let expected = if today < start {
            AssignmentStatus::Upcoming
        } else if expected_week.is_some() {
            AssignmentStatus::Active
        } else {
            AssignmentStatus::Completed
        };
        prop_assert_eq!(status(start, weeks, false, today), expected);
        prop_assert_eq!(status(start, weeks, true, today), AssignmentStatus::Cancelled);
    }
}

/// A live plan of `weeks` weeks without workouts, in `org_id`, by `author`.
pub(crate) fn library_plan(org_id: OrgId, author: UserId, weeks: i64) -> TrainingPlan {
    let now = Utc::now();
    TrainingPlan {
        plan_id: PlanId::new(),
        org_id,
        content: content(weeks, vec![]).unwrap(),
        created_by: author,
        created_by_key: None,
        created_at: now,
        updated_at: now,
        archived_at: None,
        version: 1,
    }
}

#[test]
fn an_assignment_is_decided_once_with_its_event() {
    let (plan, athlete, coach, today) =
        (library_plan(OrgId::new(), UserId::new(), 2), UserId::new(), UserId::new(), d(2026, 12, 7));
    let (a, event) = PlanAssignment::decide(&plan, athlete, None, today, coach, Utc::now()).unwrap();
    assert_eq!((a.start_date, a.end_date(), a.user_id, a.assigned_by), (today, d(2026, 12, 20), athlete, coach));
    assert_eq!((event.action.as_str(), event.subject_user_id), ("plan.assigned", Some(athlete)));
    assert_eq!(event.changes["assignment_id"], serde_json::json!(a.assignment_id));
    let past = PlanAssignment::decide(&plan, athlete, Some(d(2026, 12, 6)), today, coach, Utc::now());
    assert_eq!(past.unwrap_err().code(), "start_date_in_past");
    let archived = TrainingPlan { archived_at: Some(Utc::now()), ..plan };
    let refused = PlanAssignment::decide(&archived, athlete, Some(d(2026, 12, 8)), today, coach, Utc::now());
    assert_eq!(refused.unwrap_err().code(), "plan_archived");
}
