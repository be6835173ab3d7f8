use super::*;
use chrono::Duration;
use proptest::prelude::*;
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-12-02T12:00:00Z".parse().unwrap()
}

/// A healthy athlete: no signal fires.
fn calm() -> AthleteSnapshot {
    AthleteSnapshot {
        now: now(),
        today: now().date_naive(),
        last_activity_at: Some(now() - Duration::days(1)),
        distance_last_7_days_m: 40_000.0,
        distance_previous_28_days_m: 160_000.0,
        integrations: vec![IntegrationState { provider: "strava".into(), health: IntegrationHealth::Connected }],
        has_active_plan: true,
        active_plan_end: Some(now().date_naive() + Duration::days(60)),
        has_upcoming_plan: false,
        next_race_date: Some(now().date_naive() + Duration::days(30)),
        labels: vec!["marathon".into()],
        has_zones: true,
        compliance_28_days: None,
        missed_in_a_row: 0,
    }
}

fn t() -> AttentionThresholds {
    AttentionThresholds::default()
}

/// An athlete whose usual week is 10 km and whose last 7 days are `ratio` × that.
fn load(ratio: f64) -> AthleteSnapshot {
    AthleteSnapshot { distance_last_7_days_m: 10_000.0 * ratio, distance_previous_28_days_m: 40_000.0, ..calm() }
}

fn severity_of(found: Option<AttentionSignal>) -> Option<Severity> {
    found.map(|s| s.severity)
}

#[test]
fn a_calm_athlete_has_no_signal() {
    assert_eq!(signals(&calm(), &t()), vec![]);
    assert_eq!(AttentionSummary::of(&[]), AttentionSummary { count: 0, max_severity: None });
}

#[test]
fn no_recent_activity_warns_at_7_days_not_just_below() {
    let at = AthleteSnapshot { last_activity_at: Some(now() - Duration::days(7)), ..calm() };
    let below = AthleteSnapshot { last_activity_at: Some(now() - Duration::days(7) + Duration::seconds(1)), ..calm() };
    let found = no_recent_activity(&at, &t()).unwrap();
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(found.data["days_since_last_activity"], 7);
    assert_eq!(found.message, "No activity for 7 days.");
    assert_eq!(no_recent_activity(&below, &t()), None);
}

#[test]
fn no_recent_activity_is_urgent_at_14_days_warning_just_below() {
    let at = AthleteSnapshot { last_activity_at: Some(now() - Duration::days(14)), ..calm() };
    let below = AthleteSnapshot { last_activity_at: Some(now() - Duration::days(14) + Duration::seconds(1)), ..calm() };
    assert_eq!(severity_of(no_recent_activity(&at, &t())), Some(Severity::Urgent));
    assert_eq!(severity_of(no_recent_activity(&below, &t())), Some(Severity::Warning));
}

#[test]
fn never_any_activity_is_urgent() {
    let never = AthleteSnapshot { last_activity_at: None, ..calm() };
    let found = no_recent_activity(&never, &t()).unwrap();
    assert_eq!(found.severity, Severity::Urgent);
    assert!(found.data["days_since_last_activity"].is_null());
}

#[test]
fn load_spike_warns_just_above_1_5_not_at_it_nor_below() {
    assert_eq!(load_spike(&load(1.5), &t()), None, "the contract says above 1.5");
    assert_eq!(load_spike(&load(1.49), &t()), None);
    let found = load_spike(&load(1.51), &t()).unwrap();
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(found.data["ratio"], 1.51);
    assert_eq!(found.data["chronic_week_avg_m"], 10_000.0);
    assert_eq!(found.message, "Last 7 days: 15.1 km, 1.5× the usual week of 10.0 km.");
}

#[test]
fn load_spike_is_urgent_just_above_2_warning_at_it() {
    assert_eq!(severity_of(load_spike(&load(2.0), &t())), Some(Severity::Warning));
    assert_eq!(severity_of(load_spike(&load(1.99), &t())), Some(Severity::Warning));
    assert_eq!(severity_of(load_spike(&load(2.01), &t())), Some(Severity::Urgent));
}

#[test]
fn ratios_need_a_chronic_week_of_at_least_1_km() {
    // 4 km over 28 days = 1 km a week: at the minimum, the ratio counts.
    let at = AthleteSnapshot { distance_last_7_days_m: 3000.0, distance_previous_28_days_m: 4000.0, ..calm() };
    let below = AthleteSnapshot { distance_previous_28_days_m: 3999.0, ..at.clone() };
    assert_eq!(severity_of(load_spike(&at, &t())), Some(Severity::Urgent));
    assert_eq!(load_spike(&below, &t()), None);
    let new_athlete = AthleteSnapshot { distance_previous_28_days_m: 0.0, ..at };
    assert_eq!(load_spike(&new_athlete, &t()), None);
}

#[test]
fn volume_drop_warns_just_below_half_not_at_it() {
    assert_eq!(volume_drop(&load(0.5), &t()), None);
    let found = volume_drop(&load(0.49), &t()).unwrap();
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(found.data["ratio"], 0.49);
    assert_eq!(found.message, "Last 7 days: 4.9 km, 49% of the usual week of 10.0 km.");
}

#[test]
fn volume_drop_leaves_a_full_stop_to_no_recent_activity() {
    assert_eq!(volume_drop(&load(0.0), &t()), None);
    assert!(volume_drop(&load(0.0001), &t()).is_some());
}

#[test]
fn no_integration_is_info_when_none_is_connected() {
    let none = AthleteSnapshot { integrations: vec![], ..calm() };
    let disconnected = AthleteSnapshot {
        integrations: vec![IntegrationState { provider: "garmin".into(), health: IntegrationHealth::Disconnected }],
        ..calm()
    };
    assert_eq!(severity_of(no_integration(&none, &t())), Some(Severity::Info));
    assert_eq!(severity_of(no_integration(&disconnected, &t())), Some(Severity::Info));
    assert_eq!(no_integration(&calm(), &t()), None);
}

#[test]
fn integration_error_names_the_failing_providers() {
    let failing = AthleteSnapshot {
        integrations: vec![
            IntegrationState { provider: "strava".into(), health: IntegrationHealth::Connected },
            IntegrationState { provider: "garmin".into(), health: IntegrationHealth::Error },
        ],
        ..calm()
    };
    let found = integration_error(&failing, &t()).unwrap();
    assert_eq!(found.severity, Severity::Warning);
    assert_eq!(found.data["providers"], json!(["garmin"]));
    assert_eq!(integration_error(&calm(), &t()), None);
    // An integration in error is an integration: no `no_integration` on top.
    let only_error = AthleteSnapshot { integrations: failing.integrations[1..].to_vec(), ..calm() };
    assert_eq!(no_integration(&only_error, &t()), None);
}

#[test]
fn no_active_plan_is_info() {
    let without = AthleteSnapshot { has_active_plan: false, active_plan_end: None, ..calm() };
    let found = no_active_plan(&without, &t()).unwrap();
    assert_eq!((found.severity, found.data["has_upcoming_plan"].clone()), (Severity::Info, json!(false)));
    assert_eq!(no_active_plan(&calm(), &t()), None);
}

#[test]
fn plan_ending_soon_at_7_days_not_at_8() {
    let ending = |days| AthleteSnapshot { active_plan_end: Some(now().date_naive() + Duration::days(days)), ..calm() };
    let found = plan_ending_soon(&ending(7), &t()).unwrap();
    assert_eq!((found.severity, found.data["days_left"].clone()), (Severity::Warning, json!(7)));
    assert_eq!(plan_ending_soon(&ending(8), &t()), None);
    assert!(plan_ending_soon(&ending(0), &t()).is_some(), "ends today");
    let followed = AthleteSnapshot { has_upcoming_plan: true, ..ending(3) };
    assert_eq!(plan_ending_soon(&followed, &t()), None, "a plan follows");
    let open_ended = AthleteSnapshot { active_plan_end: None, ..calm() };
    assert_eq!(plan_ending_soon(&open_ended, &t()), None);
}

#[test]
fn race_soon_without_plan_at_8_weeks_not_a_day_later() {
    let race = |days| AthleteSnapshot {
        has_active_plan: false,
        active_plan_end: None,
        next_race_date: Some(now().date_naive() + Duration::days(days)),
        ..calm()
    };
    let found = race_soon_without_plan(&race(56), &t()).unwrap();
    assert_eq!((found.severity, found.data["days_to_race"].clone()), (Severity::Warning, json!(56)));
    assert_eq!(race_soon_without_plan(&race(57), &t()), None);
    let planned = AthleteSnapshot { has_upcoming_plan: true, ..race(10) };
    assert_eq!(race_soon_without_plan(&planned, &t()), None);
    assert_eq!(race_soon_without_plan(&AthleteSnapshot { has_active_plan: true, ..race(10) }, &t()), None);
    assert_eq!(race_soon_without_plan(&AthleteSnapshot { next_race_date: None, ..race(10) }, &t()), None);
}

#[test]
fn injury_watch_reads_the_label_case_insensitively() {
    let labelled = AthleteSnapshot { labels: vec!["marathon".into(), "@Injury-Watch".into()], ..calm() };
    assert_eq!(severity_of(injury_watch(&labelled, &t())), Some(Severity::Warning));
    let near_miss = AthleteSnapshot { labels: vec!["injury-watch".into(), "@injury".into()], ..calm() };
    assert_eq!(injury_watch(&near_miss, &t()), None);
}

#[test]
fn missing_zones_is_info() {
    let without = AthleteSnapshot { has_zones: false, ..calm() };
    assert_eq!(severity_of(missing_zones(&without, &t())), Some(Severity::Info));
    assert_eq!(missing_zones(&calm(), &t()), None);
}

#[test]
fn thresholds_are_configuration() {
    let strict = AttentionThresholds { no_recent_activity_warning_days: 3, ..t() };
    let three_days = AthleteSnapshot { last_activity_at: Some(now() - Duration::days(3)), ..calm() };
    assert!(no_recent_activity(&three_days, &strict).is_some());
    assert!(no_recent_activity(&three_days, &t()).is_none());
    assert_eq!(t().validate(), Ok(()));
    let bad = AttentionThresholds { no_recent_activity_urgent_days: 3, ..t() };
    assert!(bad.validate().unwrap_err().starts_with("no_recent_activity_urgent_days"));
    let bad = AttentionThresholds { volume_drop_ratio: 1.5, ..t() };
    assert!(bad.validate().unwrap_err().starts_with("volume_drop_ratio"));
}

#[test]
fn signals_come_most_severe_first_and_serialize_in_snake_case() {
    let everything = AthleteSnapshot::new(now(), now().date_naive());
    let found = signals(&everything, &t());
    let codes: Vec<&str> = found.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["no_recent_activity", "no_integration", "no_active_plan", "missing_zones"]);
    let summary = AttentionSummary::of(&found);
    assert_eq!(summary, AttentionSummary { count: 4, max_severity: Some(Severity::Urgent) });
    let wire = serde_json::to_value(&found[0]).unwrap();
    assert_eq!(wire["code"], "no_recent_activity");
    assert_eq!(wire["severity"], "urgent");
    assert_eq!(serde_json::to_value(summary).unwrap(), json!({"count": 4, "max_severity": "urgent"}));
    for code in found.iter().map(|s| s.code) {
        assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
    }
}

#[test]
fn attention_order_is_severity_then_count_then_name() {
    let urgent1 = AttentionSummary { count: 1, max_severity: Some(Severity::Urgent) };
    let warning3 = AttentionSummary { count: 3, max_severity: Some(Severity::Warning) };
    let warning2 = AttentionSummary { count: 2, max_severity: Some(Severity::Warning) };
    let none = AttentionSummary::default();
    let mut roster = [(none, "Ann"), (warning2, "Bea"), (warning3, "Zoe"), (urgent1, "Yan"), (warning2, "Abe")];
    roster.sort_by(|a, b| compare_for_attention((&a.0, a.1), (&b.0, b.1)));
    let names: Vec<&str> = roster.iter().map(|r| r.1).collect();
    assert_eq!(names, ["Yan", "Zoe", "Abe", "Bea", "Ann"]);
    assert_eq!(none.rank(), 0);
    assert_eq!(urgent1.sort_key(), (3, 1));
}

proptest! {
    /// The longer since the last activity, the more severe (never less).
    #[test]
    fn no_recent_activity_is_monotone_in_time(a in 0i64..60 * 86_400, b in 0i64..60 * 86_400) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let at = |secs| AthleteSnapshot { last_activity_at: Some(now() - Duration::seconds(secs)), ..calm() };
        let sev = |secs| severity_of(no_recent_activity(&at(secs), &t()));
        prop_assert!(sev(early) <= sev(late));
        prop_assert!(sev(late) <= Some(Severity::Urgent));
    }

    /// More load in the last 7 days never lowers the spike severity, and spike and drop never fire together.
    #[test]
    fn load_signals_are_monotone_and_exclusive(r1 in 0.0f64..5.0, r2 in 0.0f64..5.0, chronic in 0.0f64..200_000.0) {
        let (low, high) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
        let snap = |r: f64| AthleteSnapshot {
            distance_last_7_days_m: chronic / 4.0 * r,
            distance_previous_28_days_m: chronic,
            ..calm()
        };
        prop_assert!(severity_of(load_spike(&snap(low), &t())) <= severity_of(load_spike(&snap(high), &t())));
        for r in [low, high] {
            prop_assert!(!(load_spike(&snap(r), &t()).is_some() && volume_drop(&snap(r), &t()).is_some()));
        }
    }

    /// The summary agrees with the signals for any snapshot.
    #[test]
    fn summary_matches_signals(days in proptest::option::of(0i64..40), zones: bool, plan: bool, label: bool) {
        let s = AthleteSnapshot {
            last_activity_at: days.map(|d| now() - Duration::days(d)),
            has_zones: zones,
            has_active_plan: plan,
            labels: if label { vec!["@injury-watch".into()] } else { vec![] },
            ..calm()
        };
        let found = signals(&s, &t());
        let summary = AttentionSummary::of(&found);
        prop_assert_eq!(summary.count as usize, found.len());
        prop_assert_eq!(summary.max_severity, found.first().map(|f| f.severity));
    }
}

proptest! {
    /// The stored integer order sorts exactly as `compare_for_attention` (for
    /// one name) and gives back the key it was made from.
    #[test]
    fn attention_order_agrees_with_the_comparison(
        a_rank in 0u8..=3, a_count in 0u32..999, b_rank in 0u8..=3, b_count in 0u32..999,
    ) {
        let summary = |rank: u8, count: u32| AttentionSummary {
            count,
            max_severity: match rank { 1 => Some(Severity::Info), 2 => Some(Severity::Warning), 3 => Some(Severity::Urgent), _ => None },
        };
        let (a, b) = (summary(a_rank, a_count), summary(b_rank, b_count));
        let by_order = attention_order(a.rank(), a.count).cmp(&attention_order(b.rank(), b.count));
        prop_assert_eq!(by_order, compare_for_attention((&a, "x"), (&b, "x")));
        prop_assert_eq!(from_attention_order(attention_order(a_rank, a_count)), (a_rank, a_count));
    }
}

fn with_compliance(planned: u32, completed: u32) -> AthleteSnapshot {
    let mut s = calm();
    s.compliance_28_days = Some(crate::calendar::Compliance {
        planned_sessions: planned,
        completed_sessions: completed,
        sessions_pct: (planned > 0).then(|| completed * 100 / planned),
        volume_pct: (planned > 0).then_some(50),
    });
    s
}

#[test]
fn low_compliance_warns_below_60_percent_with_4_sessions_due() {
    assert_eq!(severity_of(low_compliance(&with_compliance(10, 5), &t())), Some(Severity::Warning));
    assert_eq!(severity_of(low_compliance(&with_compliance(10, 6), &t())), None);
    // Too few sessions due to say anything.
    assert_eq!(severity_of(low_compliance(&with_compliance(3, 0), &t())), None);
    assert_eq!(severity_of(low_compliance(&with_compliance(4, 0), &t())), Some(Severity::Warning));
    // No plan in the window: nothing to say.
    assert_eq!(severity_of(low_compliance(&calm(), &t())), None);
    let found = low_compliance(&with_compliance(10, 2), &t()).unwrap();
    assert_eq!(found.code.as_str(), "low_compliance");
    assert_eq!(found.data["sessions_pct"], 20);
}

#[test]
fn missed_workouts_warns_from_3_in_a_row() {
    let mut s = calm();
    s.missed_in_a_row = 2;
    assert_eq!(severity_of(missed_workouts(&s, &t())), None);
    s.missed_in_a_row = 3;
    let found = missed_workouts(&s, &t()).unwrap();
    assert_eq!((found.code.as_str(), found.severity), ("missed_workouts", Severity::Warning));
    let stricter = AttentionThresholds { missed_workouts_in_a_row: 4, ..t() };
    assert_eq!(severity_of(missed_workouts(&s, &stricter)), None);
}

#[test]
fn compliance_thresholds_are_validated() {
    for bad in [
        AttentionThresholds { low_compliance_pct: 0, ..t() },
        AttentionThresholds { low_compliance_pct: 101, ..t() },
        AttentionThresholds { low_compliance_min_sessions: 0, ..t() },
        AttentionThresholds { missed_workouts_in_a_row: 0, ..t() },
    ] {
        assert!(bad.validate().is_err());
    }
    assert!(t().validate().is_ok());
}

proptest! {
    /// `low_compliance` fires exactly below the threshold with enough sessions due.
    #[test]
    fn low_compliance_is_a_threshold_on_the_share(
        planned in 0u32..60, done_share in 0.0f64..=1.0, pct in 1u32..=100, min in 1u32..10,
    ) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let completed = (f64::from(planned) * done_share) as u32;
        let s = with_compliance(planned, completed);
        let th = AttentionThresholds { low_compliance_pct: pct, low_compliance_min_sessions: min, ..t() };
        let share = s.compliance_28_days.and_then(|c| c.sessions_pct);
        let expected = planned >= min && share.is_some_and(|p| p < pct);
        prop_assert_eq!(low_compliance(&s, &th).is_some(), expected);
    }

    /// `missed_workouts` is monotone in the streak.
    #[test]
    fn missed_workouts_is_monotone(a in 0u32..20, b in 0u32..20, n in 1u32..10) {
        let th = AttentionThresholds { missed_workouts_in_a_row: n, ..t() };
        let (lo, hi) = (a.min(b), a.max(b));
        let mut s = calm();
        s.missed_in_a_row = lo;
        let fires_lo = missed_workouts(&s, &th).is_some();
        s.missed_in_a_row = hi;
        prop_assert!(!fires_lo || missed_workouts(&s, &th).is_some());
        prop_assert_eq!(fires_lo, lo >= n);
    }
}
