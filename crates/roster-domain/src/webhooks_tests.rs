use super::*;
use crate::ids::UserId;

#[test]
fn audit_actions_map_to_the_documented_event_types() {
    assert_eq!(event_type_for("coach.assigned"), Some("member.coach_assigned"));
    assert_eq!(event_type_for("plan.assigned"), Some("plan_assignment.created"));
    assert_eq!(event_type_for("plan.cancelled"), Some("plan_assignment.cancelled"));
    assert_eq!(event_type_for("organization.updated"), None);
    assert_eq!(event_type_for("webhook.created"), None);
    for t in EVENT_TYPES {
        assert!(EVENT_TYPES.contains(&t));
    }
}

#[test]
fn the_payload_never_carries_private_notes() {
    let event = AuditEvent::new(
        OrgId::new(),
        UserId::new(),
        "member.updated",
        Some(UserId::new()),
        json!({"private_notes": {"changed": true}, "status": {"old": "active", "new": "paused"}}),
        Utc::now(),
    );
    let body = payload("member.updated", &event);
    assert_eq!(body["type"], "member.updated");
    assert_eq!(body["data"]["changes"], json!({"status": {"old": "active", "new": "paused"}}));
    assert_eq!(body["data"]["user_id"], json!(event.subject_user_id));
    assert!(!body.to_string().contains("private"));
}

#[test]
fn urls_need_a_scheme_and_a_host() {
    assert!(WebhookUrl::parse("https://hooks.example.com/roster").is_ok());
    assert!(WebhookUrl::parse("http://[::1]:8080/x").is_ok());
    for bad in ["ftp://example.com", "https://", "https://user:pw@example.com/", "https://exa mple.com", "example.com"]
    {
        assert_eq!(WebhookUrl::parse(bad).unwrap_err().code, "invalid_url", "{bad}");
    }
    assert!(WebhookUrl::parse(&format!("https://example.com/{}", "a".repeat(2000))).is_err());
    assert!(WebhookUrl::parse("https://example.com:65535/x").is_ok());
    for bad in ["https://example.com:99999/x", "https://example.com:0/", "https://[::1]:0/", "https://example.com:8o/"]
    {
        assert_eq!(WebhookUrl::parse(bad).unwrap_err().code, "invalid_url", "{bad}");
    }
}

#[test]
fn filters_name_known_types_once() {
    let types = parse_event_types(&["member.added".into(), "activity.created".into(), "member.added".into()]).unwrap();
    assert_eq!(types, ["activity.created", "member.added"]);
    assert_eq!(parse_event_types(&["member.deleted".into()]).unwrap_err().code, "unknown_event_type");
}

#[test]
fn an_empty_filter_wants_everything() {
    let mut e = WebhookEndpoint {
        endpoint_id: WebhookId::new(),
        org_id: OrgId::new(),
        url: WebhookUrl::parse("https://example.com").unwrap(),
        event_types: vec![],
        description: String::new(),
        enabled: true,
        disabled_reason: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    assert!(e.wants("member.added"));
    e.event_types = vec!["activity.created".into()];
    assert!(!e.wants("member.added"));
    assert!(e.wants("activity.created"));
}
