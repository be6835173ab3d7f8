use super::*;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn input() -> ActivityInput {
    ActivityInput {
        sport: "run".into(),
        start_time: now() - Duration::hours(2),
        distance_m: 10_000.0,
        duration_s: 3000,
        elevation_gain_m: Some(120.0),
        avg_hr: Some(150),
        title: Some("  Morning run ".into()),
        source: "manual".into(),
        external_id: None,
    }
}

fn fields(err: DomainError) -> Vec<(String, String)> {
    match err {
        DomainError::Validation(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected validation, got {other:?}"),
    }
}

#[test]
fn a_good_activity_parses_and_trims_its_title() {
    let a = NewActivity::parse(&input(), now()).unwrap();
    assert_eq!(a.title.as_deref(), Some("Morning run"));
    assert_eq!(a.sport, Sport::Run);
    assert_eq!(a.source, ActivitySource::Manual);
}

#[test]
fn every_bad_field_is_named() {
    let bad = ActivityInput {
        sport: "running".into(),
        start_time: now() + Duration::minutes(6),
        distance_m: -1.0,
        duration_s: 0,
        elevation_gain_m: Some(20_001.0),
        avg_hr: Some(19),
        title: Some("x".repeat(201)),
        source: "polar".into(),
        external_id: Some("y".repeat(201)),
    };
    let got = fields(NewActivity::parse(&bad, now()).unwrap_err());
    let expect = [
        ("sport", "invalid_sport"),
        ("start_time", "start_time_in_future"),
        ("distance_m", "out_of_range"),
        ("duration_s", "out_of_range"),
        ("elevation_gain_m", "out_of_range"),
        ("avg_hr", "out_of_range"),
        ("title", "too_long"),
        ("source", "invalid_source"),
        ("external_id", "too_long"),
    ];
    assert_eq!(got, expect.map(|(f, c)| (f.to_owned(), c.to_owned())));
}

#[test]
fn a_leap_second_is_refused() {
    let at: chrono::DateTime<chrono::Utc> = "2016-12-31T23:59:60Z".parse().unwrap();
    let input = ActivityInput { start_time: at, ..input() };
    let got = fields(NewActivity::parse(&input, now()).unwrap_err());
    assert_eq!(got, [("start_time".to_owned(), "out_of_range".to_owned())]);
}

#[test]
fn limits_are_inclusive() {
    let edge = ActivityInput {
        start_time: now() + FUTURE_SKEW,
        distance_m: MAX_DISTANCE_M,
        duration_s: MAX_DURATION_S,
        elevation_gain_m: Some(MAX_ELEVATION_GAIN_M),
        avg_hr: Some(250),
        ..input()
    };
    assert!(NewActivity::parse(&edge, now()).is_ok());
    let over = ActivityInput { duration_s: MAX_DURATION_S + 1, ..input() };
    assert_eq!(fields(NewActivity::parse(&over, now()).unwrap_err()), [("duration_s".into(), "out_of_range".into())]);
    let zero = ActivityInput { distance_m: 0.0, avg_hr: Some(20), ..input() };
    assert!(NewActivity::parse(&zero, now()).is_ok());
}

#[test]
fn integrations_must_name_their_external_id() {
    let from_strava = ActivityInput { source: "strava".into(), external_id: Some("  ".into()), ..input() };
    let err = NewActivity::parse(&from_strava, now()).unwrap_err();
    assert_eq!(err.code(), "external_id_required");
    let ok = ActivityInput { source: "apple_health".into(), external_id: Some("hk-1".into()), ..input() };
    assert!(NewActivity::parse(&ok, now()).is_ok());
}

#[test]
fn feed_cursor_round_trips() {
    let a = NewActivity::parse(&input(), now()).unwrap().into_activity(UserId::new(), UserId::new(), now());
    let cursor = FeedCursor::after(&a);
    assert_eq!(FeedCursor::decode(&cursor.encode()), Some(cursor));
    assert_eq!(FeedCursor::decode("nope"), None);
    assert_eq!(FeedCursor::decode("12.nope"), None);
}

proptest! {
    #[test]
    fn distance_accepted_iff_in_range(d in -10.0f64..2_000_000.0) {
        let a = ActivityInput { distance_m: d, ..input() };
        prop_assert_eq!(NewActivity::parse(&a, now()).is_ok(), (0.0..=MAX_DISTANCE_M).contains(&d));
    }

    #[test]
    fn sources_round_trip(i in 0usize..4) {
        let s = ActivitySource::ALL[i];
        prop_assert_eq!(s.as_str().parse::<ActivitySource>().ok(), Some(s));
    }
}
