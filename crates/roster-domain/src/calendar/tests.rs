use super::*;
use proptest::prelude::*;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().checked_add_days(Days::new(n)).unwrap()
}

fn workout(date: NaiveDate, distance_m: Option<i64>, duration_s: Option<i64>) -> ScheduledWorkout {
    ScheduledWorkout {
        assignment_id: AssignmentId::new(),
        workout_index: 0,
        sport: Sport::Run,
        date,
        distance_m,
        duration_s,
        excused: false,
    }
}

fn activity(date: NaiveDate, sport: Sport, distance_m: f64, duration_s: i64) -> DayActivity {
    DayActivity { activity_id: ActivityId::new(), sport, date, distance_m, duration_s }
}

#[test]
fn a_workout_falls_on_start_plus_weeks_and_days() {
    let start = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(); // a Wednesday
    assert_eq!(workout_date(start, 1, 1), Some(start));
    assert_eq!(workout_date(start, 2, 3), NaiveDate::from_ymd_opt(2026, 12, 18));
    assert_eq!(workout_date(start, 0, 1), None, "week 0 does not exist");
}

#[test]
fn the_bands_decide_completed_partial_and_no_match() {
    let today = day(10);
    let w = workout(day(1), Some(10_000), None);
    let state = |km: f64| {
        let m = match_days(
            std::slice::from_ref(&w),
            &[activity(day(1), Sport::Run, km * 1000.0, 600)],
            today,
            Bands::default(),
        );
        (m.workouts[0].state, m.unplanned.len())
    };
    assert_eq!(state(8.0), (WorkoutState::Completed, 0));
    assert_eq!(state(7.9), (WorkoutState::Partial, 0));
    assert_eq!(state(5.0), (WorkoutState::Partial, 0));
    assert_eq!(state(4.9), (WorkoutState::Missed, 1), "too little matches nothing: the activity is unplanned");
}

#[test]
fn duration_counts_when_it_covers_more_than_distance() {
    let w = workout(day(1), Some(10_000), Some(3_600));
    let m = match_days(&[w], &[activity(day(1), Sport::Run, 2_000.0, 3_000)], day(5), Bands::default());
    assert_eq!(m.workouts[0].coverage_pct, Some(83));
    assert_eq!(m.workouts[0].state, WorkoutState::Completed);
}

#[test]
fn another_sport_or_day_never_matches() {
    let w = workout(day(1), Some(5_000), None);
    let m = match_days(
        &[w],
        &[activity(day(1), Sport::Bike, 20_000.0, 3_600), activity(day(2), Sport::Run, 5_000.0, 1_500)],
        day(5),
        Bands::default(),
    );
    assert_eq!(m.workouts[0].state, WorkoutState::Missed);
    assert_eq!(m.unplanned.len(), 2);
}

#[test]
fn without_a_match_the_day_decides_and_an_excuse_shows() {
    let today = day(3);
    let past = workout(day(2), Some(5_000), None);
    let excused = ScheduledWorkout { excused: true, ..past.clone() };
    let todays = workout(day(3), Some(5_000), None);
    let m = match_days(&[past, excused, todays], &[], today, Bands::default());
    let states: Vec<_> = m.workouts.iter().map(|o| o.state).collect();
    assert_eq!(states, [WorkoutState::Missed, WorkoutState::Excused, WorkoutState::Upcoming]);
}

#[test]
fn the_best_covered_pair_wins_and_each_activity_serves_one_workout() {
    let long = workout(day(1), Some(20_000), None);
    let short = workout(day(1), Some(5_000), None);
    let run = activity(day(1), Sport::Run, 5_000.0, 1_500);
    let m = match_days(&[long, short], std::slice::from_ref(&run), day(5), Bands::default());
    assert_eq!(m.workouts[0].state, WorkoutState::Missed);
    assert_eq!(m.workouts[1].activity_id, Some(run.activity_id));
}

#[test]
fn a_workout_without_targets_is_covered_by_any_activity_of_its_sport() {
    let m =
        match_days(&[workout(day(1), None, None)], &[activity(day(1), Sport::Run, 1.0, 60)], day(5), Bands::default());
    assert_eq!(m.workouts[0].state, WorkoutState::Completed);
}

#[test]
fn ranges_are_checked() {
    assert!(DateRange::new(day(0), day(92)).is_ok());
    assert_eq!(DateRange::new(day(0), day(93)).unwrap_err().field, "to");
    let far: NaiveDate = "9999-12-31".parse().unwrap();
    assert_eq!(DateRange::new(far, far).unwrap_err().field, "from");
    assert!(DateRange::new(day(1), day(0)).is_err());
    assert_eq!(DateRange::new(day(0), day(6)).unwrap().days().count(), 7);
}

#[test]
fn bands_are_validated() {
    assert!(Bands::default().validate().is_ok());
    assert!(Bands { completed_pct: 50, partial_pct: 60 }.validate().is_err());
    assert!(Bands { completed_pct: 80, partial_pct: 0 }.validate().is_err());
}

#[test]
fn compliance_counts_what_was_due_and_how_much_of_it_was_done() {
    let today = day(3);
    let outcome = |state, coverage_pct| WorkoutOutcome { state, activity_id: None, coverage_pct };
    let done = outcome(WorkoutState::Completed, Some(130));
    let half = outcome(WorkoutState::Partial, Some(60));
    let missed = outcome(WorkoutState::Missed, None);
    let excused = outcome(WorkoutState::Excused, None);
    let upcoming = outcome(WorkoutState::Upcoming, None);
    let c = Compliance::of(
        [(day(1), &done), (day(2), &half), (day(2), &missed), (day(2), &excused), (day(3), &upcoming)],
        today,
    );
    assert_eq!(
        c,
        Compliance { planned_sessions: 3, completed_sessions: 1, sessions_pct: Some(33), volume_pct: Some(53) }
    );
    assert_eq!(Compliance::of([(day(4), &upcoming)], today).sessions_pct, None, "nothing due yet");
}

fn sport() -> impl Strategy<Value = Sport> {
    prop::sample::select(Sport::ALL.to_vec())
}

prop_compose! {
    fn workouts()(specs in prop::collection::vec((0u64..7, sport(), prop::option::of(1i64..30_000), prop::option::of(60i64..10_000), any::<bool>()), 0..12)) -> Vec<ScheduledWorkout> {
        specs.into_iter().enumerate().map(|(i, (d, sport, distance_m, duration_s, excused))| ScheduledWorkout {
            assignment_id: AssignmentId::new(), workout_index: u32::try_from(i).unwrap(), sport, date: day(d), distance_m, duration_s, excused,
        }).collect()
    }
}

prop_compose! {
    fn activities()(specs in prop::collection::vec((0u64..7, sport(), 0.0f64..40_000.0, 1i64..20_000), 0..12)) -> Vec<DayActivity> {
        specs.into_iter().map(|(d, sport, distance_m, duration_s)| activity(day(d), sport, distance_m, duration_s)).collect()
    }
}

proptest! {
    #[test]
    fn each_activity_matches_at_most_one_workout_and_totals_agree(ws in workouts(), acts in activities(), today in 0u64..8) {
        let m = match_days(&ws, &acts, day(today), Bands::default());
        prop_assert_eq!(m.workouts.len(), ws.len());
        let matched: Vec<ActivityId> = m.workouts.iter().filter_map(|o| o.activity_id).collect();
        let mut unique = matched.clone();
        unique.sort_by_key(|id| id.to_string());
        unique.dedup();
        prop_assert_eq!(unique.len(), matched.len(), "an activity matched twice");
        prop_assert_eq!(matched.len() + m.unplanned.len(), acts.len(), "every activity is matched or unplanned");
        for (w, o) in ws.iter().zip(&m.workouts) {
            match o.activity_id {
                Some(id) => {
                    let a = acts.iter().find(|a| a.activity_id == id).unwrap();
                    prop_assert_eq!(a.sport, w.sport);
                    prop_assert_eq!(a.date, w.date);
                    prop_assert!(o.coverage_pct.unwrap() >= 50);
                    prop_assert!(matches!(o.state, WorkoutState::Completed | WorkoutState::Partial));
                }
                None => prop_assert!(matches!(o.state, WorkoutState::Missed | WorkoutState::Excused | WorkoutState::Upcoming)),
            }
        }
    }

    #[test]
    fn compliance_agrees_with_the_days(ws in workouts(), acts in activities(), today in 0u64..8) {
        // The whole range's compliance is the sum of its days'.
        let m = match_days(&ws, &acts, day(today), Bands::default());
        let all = Compliance::of(ws.iter().map(|w| w.date).zip(&m.workouts), day(today));
        let (mut planned, mut completed) = (0, 0);
        for d in 0..7 {
            let one = Compliance::of(ws.iter().map(|w| w.date).zip(&m.workouts).filter(|(date, _)| *date == day(d)), day(today));
            planned += one.planned_sessions;
            completed += one.completed_sessions;
        }
        prop_assert_eq!((all.planned_sessions, all.completed_sessions), (planned, completed));
        prop_assert!(all.completed_sessions <= all.planned_sessions);
        prop_assert!(all.volume_pct.unwrap_or(0) <= 100);
    }

    #[test]
    fn matching_is_day_by_day(ws in workouts(), acts in activities()) {
        // Matching each day alone gives the same outcome as the whole week.
        let whole = match_days(&ws, &acts, day(4), Bands::default());
        for d in 0..7 {
            let wi: Vec<usize> = (0..ws.len()).filter(|i| ws[*i].date == day(d)).collect();
            let ai: Vec<usize> = (0..acts.len()).filter(|i| acts[*i].date == day(d)).collect();
            let part = match_days(
                &wi.iter().map(|i| ws[*i].clone()).collect::<Vec<_>>(),
                &ai.iter().map(|i| acts[*i].clone()).collect::<Vec<_>>(),
                day(4),
                Bands::default(),
            );
            for (k, i) in wi.iter().enumerate() {
                prop_assert_eq!(&part.workouts[k], &whole.workouts[*i]);
            }
        }
    }
}
