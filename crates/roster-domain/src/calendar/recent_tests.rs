use super::*;
use crate::ids::ActivityId;
use proptest::prelude::*;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + chrono::Duration::days(n)
}

fn workout(assignment: AssignmentId, index: u32, date: NaiveDate, excused: bool) -> ScheduledWorkout {
    ScheduledWorkout {
        assignment_id: assignment,
        workout_index: index,
        sport: Sport::Run,
        date,
        distance_m: Some(10_000),
        duration_s: None,
        excused,
    }
}

fn run(date: NaiveDate, metres: f64) -> DayActivity {
    DayActivity { activity_id: ActivityId::new(), sport: Sport::Run, date, distance_m: metres, duration_s: 1 }
}

#[test]
fn the_windows_count_what_was_due_and_the_streak_the_latest_misses() {
    let a = AssignmentId::new();
    let today = day(40);
    let workouts = vec![
        workout(a, 0, day(10), false), // before the window
        workout(a, 1, day(20), false), // completed
        workout(a, 2, day(30), false), // missed
        workout(a, 3, day(35), false), // partial, in the last 7 days
        workout(a, 4, day(37), false), // missed
        workout(a, 5, day(38), true),  // excused: neither counts nor breaks
        workout(a, 6, day(39), false), // missed
        workout(a, 7, day(40), false), // today, unmatched: not due yet
    ];
    let activities = vec![run(day(20), 9_000.0), run(day(35), 6_000.0), run(day(10), 10_000.0)];
    let recent = recent_compliance(&workouts, &activities, today, Bands::default(), true).unwrap();
    assert_eq!(recent.last_28_days.planned_sessions, 5);
    assert_eq!(recent.last_28_days.completed_sessions, 1);
    assert_eq!(recent.last_28_days.sessions_pct, Some(20));
    assert_eq!(recent.last_28_days.volume_pct, Some((90 + 60) / 5));
    assert_eq!(recent.last_7_days.planned_sessions, 3);
    assert_eq!(recent.last_7_days.sessions_pct, Some(0));
    assert_eq!(recent.missed_in_a_row, 2);
    assert_eq!(recent.sessions_pct(), Some(20));
}

#[test]
fn a_plan_touches_the_window_from_its_first_to_its_last_day() {
    let today = day(40);
    assert!(plan_in_window(day(41 - 28), 1, today));
    assert!(!plan_in_window(day(40 - 27 - 7), 1, today)); // ended the day before the window
    assert!(plan_in_window(day(40), 4, today));
    assert!(!plan_in_window(day(41), 4, today));
    // Without a plan or a workout in the window, there is no compliance.
    assert_eq!(recent_compliance(&[], &[], today, Bands::default(), false), None);
    let moved_in = workout(AssignmentId::new(), 0, today, false);
    assert!(recent_compliance(&[moved_in], &[], today, Bands::default(), false).is_some());
}

fn workouts_strategy() -> impl Strategy<Value = Vec<(i64, u8, bool)>> {
    proptest::collection::vec((0i64..45, 0u8..3, proptest::bool::weighted(0.1)), 0..30)
}

fn laid(a: AssignmentId, planned: &[(i64, u8, bool)]) -> Vec<ScheduledWorkout> {
    planned
        .iter()
        .enumerate()
        .map(|(i, (d, _, excused))| workout(a, u32::try_from(i).unwrap(), day(*d), *excused))
        .collect()
}

proptest! {
    /// The 28-day counts are the sum of the days' counts, the 7 days are part
    /// of the 28, shares stay within 0–100 and a streak never exceeds the misses.
    #[test]
    fn totals_agree_with_the_days(
        planned in workouts_strategy(),
        done in proptest::collection::vec((0i64..45, 0.0f64..15_000.0), 0..30),
        today_n in 20i64..45,
    ) {
        let a = AssignmentId::new();
        let today = day(today_n);
        let workouts = laid(a, &planned);
        let activities: Vec<DayActivity> = done.iter().map(|(d, m)| run(day(*d), *m)).collect();
        let recent = recent_compliance(&workouts, &activities, today, Bands::default(), true).unwrap();
        let (l7, l28) = (recent.last_7_days, recent.last_28_days);
        prop_assert!(l7.planned_sessions <= l28.planned_sessions);
        prop_assert!(l7.completed_sessions <= l28.completed_sessions);
        prop_assert!(l28.completed_sessions <= l28.planned_sessions);
        for pct in [l7.sessions_pct, l7.volume_pct, l28.sessions_pct, l28.volume_pct].into_iter().flatten() {
            prop_assert!(pct <= 100);
        }
        prop_assert_eq!(l28.sessions_pct.is_none(), l28.planned_sessions == 0);
        prop_assert!(recent.missed_in_a_row <= l28.planned_sessions - l28.completed_sessions);
        // Day by day, matching the same activities, the counts add up.
        let (mut planned_sum, mut completed_sum) = (0, 0);
        for offset in 0..28 {
            let date = window_start(today, RECENT_DAYS) + chrono::Duration::days(offset);
            let on_day: Vec<ScheduledWorkout> = workouts.iter().filter(|w| w.date == date).cloned().collect();
            let acts: Vec<DayActivity> = activities.iter().filter(|x| x.date == date).cloned().collect();
            let one = recent_compliance(&on_day, &acts, today, Bands::default(), true).unwrap().last_28_days;
            planned_sum += one.planned_sessions;
            completed_sum += one.completed_sessions;
        }
        prop_assert_eq!(planned_sum, l28.planned_sessions);
        prop_assert_eq!(completed_sum, l28.completed_sessions);
    }

    /// Nothing outside the window changes the result.
    #[test]
    fn only_the_window_counts(planned in workouts_strategy(), today_n in 30i64..45) {
        let a = AssignmentId::new();
        let today = day(today_n);
        let workouts = laid(a, &planned);
        let base = recent_compliance(&workouts, &[], today, Bands::default(), true);
        let mut more = workouts.clone();
        more.push(workout(a, 999, window_start(today, RECENT_DAYS) - chrono::Duration::days(1), false));
        let activities = vec![run(today + chrono::Duration::days(1), 10_000.0)];
        prop_assert_eq!(recent_compliance(&more, &activities, today, Bands::default(), true), base);
    }
}
