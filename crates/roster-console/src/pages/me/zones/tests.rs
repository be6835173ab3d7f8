use super::*;

#[test]
fn paces_read_as_minutes_and_seconds() {
    assert_eq!(parse_mss("4:30"), Some(270));
    assert_eq!(parse_mss(" 12:05 "), Some(725));
    assert_eq!(parse_mss("4:75"), None);
    assert_eq!(parse_mss("270"), None);
    assert_eq!(mss(270), "4:30");
}

#[test]
fn an_api_field_names_the_form_row_it_came_from() {
    let rows = [vec![0, 2], vec![1]];
    let field = |f: &str| form_field(f, &rows).map(|(_, name)| name);
    assert_eq!(field("heart_rate.zones[1].min_bpm").as_deref(), Some("hr-2-min"));
    assert_eq!(field("pace.zones[0].max_s_per_km").as_deref(), Some("pace-1-max"));
    assert_eq!(field("pace.threshold_s_per_km").as_deref(), Some("threshold"));
    assert_eq!(field("heart_rate.zones"), None);
}
