//! Editing, coach assignment and removal: who may, what is audited, and
//! what a stale or empty change does.

use super::*;
use crate::context::Mocks;

#[test]
fn assistant_coach_edits_only_assigned_athletes() {
    let club = Club::new();
    let mut members = club.members();
    members.expect_update_member().times(1).returning(|_, _, _| Ok(()));
    let patch = MemberPatch { member_level: Some(Some(MemberLevel::parse("elite").unwrap())), ..Default::default() };
    let view = update(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.assistant, &clock()),
        club.org,
        club.own_athlete,
        patch.clone(),
        None,
    )
    .unwrap();
    assert_eq!(view.membership.version, 2);
    let err = update(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.assistant, &clock()),
        club.org,
        club.other_athlete,
        patch.clone(),
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_assigned_to_you");
    let err = update(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.own_athlete, &clock()),
        club.org,
        club.own_athlete,
        patch,
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn stale_if_match_is_version_mismatch_and_writes_nothing() {
    let club = Club::new();
    let mut members = club.members();
    members.expect_update_member().never();
    let patch = MemberPatch { status: Some(MembershipStatus::Inactive), ..Default::default() };
    let err = update(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        club.own_athlete,
        patch,
        Some(7),
    )
    .unwrap_err();
    assert_eq!(err.code(), "version_mismatch");
}

#[test]
fn update_audits_changed_fields_only_and_never_note_text() {
    let club = Club::new();
    let mut members = club.members();
    members
        .expect_update_member()
        .withf(|m, expected, e| {
            *expected == 1
                && m.version == 2
                && e.action == "member.updated"
                && e.changes.get("status").is_none()
                && e.changes["display_name"] == json!({"old": null, "new": "Speedy"})
                && e.changes["private_notes"] == json!({"changed": true})
                && !e.changes.to_string().contains("hamstring")
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let patch = MemberPatch {
        display_name: Some(Some(DisplayName::parse("Speedy").unwrap())),
        private_notes: Some(Some(PrivateNotes::parse("hamstring").unwrap())),
        status: Some(MembershipStatus::Active),
        ..Default::default()
    };
    update(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        club.own_athlete,
        patch,
        Some(1),
    )
    .unwrap();
}

#[test]
fn a_patch_that_changes_nothing_writes_nothing() {
    let club = Club::new();
    let mut members = club.members();
    members.expect_update_member().never();
    let patch =
        MemberPatch { status: Some(MembershipStatus::Active), labels: Some(Labels::default()), ..Default::default() };
    let view = update(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        club.own_athlete,
        patch,
        None,
    )
    .unwrap();
    assert_eq!(view.membership.version, 1);
}

#[test]
fn assistant_coach_cannot_assign_coaches() {
    let club = Club::new();
    let err = assign_coach(
        &Mocks { orgs: &club.orgs(), members: &club.members(), ..Mocks::none() }.cx(club.assistant, &clock()),
        club.org,
        club.other_athlete,
        Some(club.assistant),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn head_coach_assigns_a_coach_who_must_be_a_coach() {
    let club = Club::new();
    let mut members = club.members();
    let assistant = club.assistant;
    members
        .expect_update_member()
        .withf(move |m, _, e| m.assigned_to_coach_id == Some(assistant) && e.action == "coach.assigned")
        .times(1)
        .returning(|_, _, _| Ok(()));
    assign_coach(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        club.other_athlete,
        Some(assistant),
    )
    .unwrap();
    let err = assign_coach(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        club.other_athlete,
        Some(club.own_athlete),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_a_coach");
    let err = assign_coach(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        club.assistant,
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_an_athlete");
}

#[test]
fn removal_permissions() {
    let club = Club::new();
    let mut members = club.members();
    members.expect_remove_member().times(3).returning(|_, _, _, _, _| Ok(()));
    let orgs = club.orgs();
    // The athlete leaves; the assigned assistant and the head coach remove.
    remove(
        &Mocks { orgs: &orgs, members: &members, ..Mocks::none() }.cx(club.own_athlete, &clock()),
        club.org,
        club.own_athlete,
    )
    .unwrap();
    remove(
        &Mocks { orgs: &orgs, members: &members, ..Mocks::none() }.cx(club.assistant, &clock()),
        club.org,
        club.own_athlete,
    )
    .unwrap();
    remove(
        &Mocks { orgs: &orgs, members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        club.other_athlete,
    )
    .unwrap();
    let code = |caller, target| {
        remove(&Mocks { orgs: &orgs, members: &members, ..Mocks::none() }.cx(caller, &clock()), club.org, target)
            .unwrap_err()
            .code()
            .to_owned()
    };
    assert_eq!(code(club.assistant, club.other_athlete), "not_assigned_to_you");
    assert_eq!(code(club.own_athlete, club.other_athlete), "not_found");
    assert_eq!(code(club.head, club.head), "head_coach_required");
    assert_eq!(code(club.head, UserId::new()), "not_found");
    assert_eq!(code(UserId::new(), club.own_athlete), "not_found");
}
