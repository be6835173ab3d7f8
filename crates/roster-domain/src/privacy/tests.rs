use super::*;
use proptest::prelude::*;
use serde_json::json;

#[test]
fn an_event_about_the_person_keeps_its_keys_and_loses_every_value() {
    let mut changes = json!({"race_name": {"old": null, "new": "Berlin Marathon"}, "distance_m": {"new": 42195.0}});
    assert!(scrub_details(&mut changes, &[], true));
    assert_eq!(changes, json!({"race_name": {"old": null, "new": "[erased]"}, "distance_m": {"new": null}}));
}

#[test]
fn another_event_loses_only_the_texts_that_name_the_person() {
    let mut changes = json!({"email": "Ada.L@Example.com", "first_name": "Ada", "role": "athlete", "uses": 3});
    assert!(scrub_details(&mut changes, &["ada.l@example.com".into(), " Ada ".into()], false));
    assert_eq!(changes, json!({"email": "[erased]", "first_name": "[erased]", "role": "athlete", "uses": 3}));
}

#[test]
fn nothing_to_scrub_changes_nothing() {
    let mut changes = json!({"name": "Riverside Runners", "list": ["a", "b"]});
    let before = changes.clone();
    assert!(!scrub_details(&mut changes, &["zed@example.com".into(), "".into()], false));
    assert_eq!(changes, before);
}

#[test]
fn scrubbing_twice_reports_no_second_change() {
    let mut changes = json!({"email": "ada@example.com"});
    assert!(scrub_details(&mut changes, &["ada@example.com".into()], false));
    assert!(!scrub_details(&mut changes, &["ada@example.com".into()], false));
}

proptest! {
    /// Whatever the details, no text that holds a personal value survives,
    /// and the keys stay.
    #[test]
    fn no_personal_text_survives(
        name in "[a-zA-Z]{3,12}",
        other in proptest::collection::vec("[a-z ]{0,20}", 0..6),
        about in any::<bool>(),
    ) {
        let mut details = json!({
            "a": format!("x {name} y"),
            "b": {"nested": [name.to_uppercase(), "keep"]},
            "c": other,
        });
        scrub_details(&mut details, std::slice::from_ref(&name), about);
        // Only the values are checked: a key (`nested`) or the marker the
        // scrubber writes (`[erased]`) may spell a short generated name.
        let name = name.to_lowercase();
        for text in string_values(&details) {
            prop_assert!(text == ERASED_VALUE || !text.to_lowercase().contains(&name), "{text:?} kept {name:?}");
        }
        prop_assert!(details.get("a").is_some() && details["b"].get("nested").is_some());
    }
}

fn string_values(value: &serde_json::Value) -> Vec<&str> {
    match value {
        serde_json::Value::String(text) => vec![text],
        serde_json::Value::Array(items) => items.iter().flat_map(string_values).collect(),
        serde_json::Value::Object(fields) => fields.values().flat_map(string_values).collect(),
        _ => Vec::new(),
    }
}
