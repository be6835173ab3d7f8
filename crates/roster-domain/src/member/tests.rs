use super::*;
use proptest::prelude::*;

#[test]
fn label_needs_the_at_sign_and_allowed_characters() {
    for bad in ["marathon", "@", "@a b", "@Ä", "@a.b", "@@a", &format!("@{}", "a".repeat(41))] {
        assert_eq!(Label::parse(bad).map_err(|e| e.code), Err("invalid_label"), "{bad}");
    }
    assert_eq!(Label::parse(" @Injury-Watch_2 ").unwrap().as_str(), "@injury-watch_2");
    assert!(Label::parse(&format!("@{}", "a".repeat(40))).is_ok());
}

#[test]
fn labels_collapse_duplicates_and_cap_at_twenty() {
    let labels = Labels::parse(["@b", "@a", " @B "]).unwrap();
    assert_eq!(labels.to_strings(), vec!["@a", "@b"]);
    let many: Vec<String> = (0..21).map(|i| format!("@l{i}")).collect();
    assert_eq!(Labels::parse(many.iter().map(String::as_str)).unwrap_err().code, "too_many_labels");
    let twenty_with_dupes: Vec<String> = (0..25).map(|i| format!("@l{}", i % 20)).collect();
    assert_eq!(Labels::parse(twenty_with_dupes.iter().map(String::as_str)).unwrap().len(), 20);
}

#[test]
fn display_name_level_and_notes_are_bounded() {
    assert!(DisplayName::parse(&"x".repeat(60)).is_ok());
    assert_eq!(DisplayName::parse(&"x".repeat(61)).unwrap_err().code, "invalid_display_name");
    assert!(MemberLevel::parse(&"x".repeat(40)).is_ok());
    assert_eq!(MemberLevel::parse("  ").unwrap_err().code, "invalid_member_level");
    assert!(PrivateNotes::parse(&"n".repeat(10_000)).is_ok());
    assert_eq!(PrivateNotes::parse(&"n".repeat(10_001)).unwrap_err().code, "invalid_private_notes");
}

#[test]
fn profile_status_defaults_have_the_contract_shape() {
    let json = serde_json::to_value(ProfileStatus::default()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "integrations": {"strava": "not_connected", "garmin": "not_connected", "apple_health": "not_connected"},
            "zones": {"heart_rate": false, "pace": false},
            "race_goals": {"count": 0, "next": null},
            "training_plans": {"current": null, "upcoming": 0},
            "attention": {"count": 0, "max_severity": null},
            "compliance": null
        })
    );
}

proptest! {
    #[test]
    fn label_normalization_is_idempotent(body in "[a-zA-Z0-9_-]{1,40}", pad in "[ \t]{0,3}") {
        let label = Label::parse(&format!("{pad}@{body}{pad}")).unwrap();
        prop_assert_eq!(label.as_str(), format!("@{}", body.to_lowercase()));
        prop_assert_eq!(Label::parse(label.as_str()).unwrap(), label);
    }

    #[test]
    fn label_parse_never_panics_and_accepts_only_the_alphabet(s in "\\PC{0,50}") {
        if let Ok(label) = Label::parse(&s) {
            let rest = label.as_str().strip_prefix('@').unwrap();
            prop_assert!(!rest.is_empty() && rest.len() <= 40);
            prop_assert!(rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'));
        }
    }

    #[test]
    fn labels_are_sorted_and_distinct(bodies in proptest::collection::vec("[a-c]{1,2}", 0..20)) {
        let inputs: Vec<String> = bodies.iter().map(|b| format!("@{b}")).collect();
        let labels = Labels::parse(inputs.iter().map(String::as_str)).unwrap();
        let strings = labels.to_strings();
        let mut expected = strings.clone();
        expected.sort();
        expected.dedup();
        prop_assert_eq!(strings, expected);
    }
}
