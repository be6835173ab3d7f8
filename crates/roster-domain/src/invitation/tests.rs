use super::*;
use crate::role::MembershipStatus;
use chrono::TimeZone;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap()
}

fn single(expires_at: Option<DateTime<Utc>>) -> Invitation {
    Invitation::single_use(
        OrgId::new(),
        UserId::new(),
        Invitee { email: Email::parse("jo@example.com").unwrap(), first_name: PersonName::parse("Jo").unwrap() },
        Role::Athlete,
        JoinExtras::default(),
        expires_at,
        now(),
    )
}

fn summary(org_id: OrgId, role: Role) -> MembershipSummary {
    MembershipSummary { org_id, org_name: "X".into(), role, status: MembershipStatus::Active }
}

#[test]
fn single_use_lasts_fourteen_days_by_default() {
    let inv = single(None);
    assert_eq!(inv.expires_at, Some(now() + Duration::days(14)));
    assert_eq!(inv.redeem(now() + Duration::days(13)), Ok(()));
    assert_eq!(inv.redeem(now() + Duration::days(14)), Err(InvitationGone::Expired));
    assert_eq!(inv.status_at(now() + Duration::days(15)), InvitationStatus::Expired);
}

#[test]
fn expired_invitation_is_invitation_expired() {
    let inv = single(Some(now() + Duration::hours(1)));
    assert_eq!(DomainError::from(inv.redeem(now() + Duration::hours(2)).unwrap_err()).code(), "invitation_expired");
}

#[test]
fn revoked_invitation_is_invitation_revoked_even_when_expired() {
    let mut inv = single(Some(now() + Duration::hours(1)));
    inv.recorded_status = InvitationStatus::Revoked;
    assert_eq!(inv.redeem(now()), Err(InvitationGone::Revoked));
    assert_eq!(inv.redeem(now() + Duration::days(1)), Err(InvitationGone::Revoked));
}

#[test]
fn used_single_use_invitation_is_already_used() {
    let mut inv = single(None);
    inv.use_count = 1;
    inv.recorded_status = InvitationStatus::Accepted;
    assert_eq!(inv.redeem(now()), Err(InvitationGone::AlreadyUsed));
    assert_eq!(inv.redeem(now() + Duration::days(30)), Err(InvitationGone::AlreadyUsed));
}

#[test]
fn multi_use_link_is_exhausted_at_max_uses_and_unlimited_without() {
    let mut link = Invitation::multi_use(OrgId::new(), UserId::new(), None, Some(3), None, now());
    link.use_count = 2;
    assert_eq!(link.redeem(now()), Ok(()));
    link.use_count = 3;
    assert_eq!(link.redeem(now()), Err(InvitationGone::Exhausted));
    let mut unlimited = Invitation::multi_use(OrgId::new(), UserId::new(), None, None, None, now());
    unlimited.use_count = 1_000_000;
    assert_eq!(unlimited.redeem(now() + Duration::days(10_000)), Ok(()));
}

#[test]
fn single_use_email_must_match() {
    let inv = single(None);
    assert!(check_email(&inv, &Email::parse("jo@example.com").unwrap()).is_ok());
    assert_eq!(
        check_email(&inv, &Email::parse("other@example.com").unwrap()).unwrap_err().code(),
        "invitation_email_mismatch"
    );
    let link = Invitation::multi_use(OrgId::new(), UserId::new(), None, None, None, now());
    assert!(check_email(&link, &Email::parse("anyone@example.com").unwrap()).is_ok());
}

#[test]
fn already_a_member_cannot_join_again() {
    let org = OrgId::new();
    let err = check_joinable(org, Role::Athlete, &[summary(org, Role::AssistantCoach)]).unwrap_err();
    assert_eq!(err.code(), "already_member");
}

#[test]
fn athlete_of_another_organization_cannot_join_as_athlete() {
    let err = check_joinable(OrgId::new(), Role::Athlete, &[summary(OrgId::new(), Role::Athlete)]).unwrap_err();
    assert_eq!(err.code(), "member_of_another_organization");
    // A coach may coach in one organization and be an athlete in another.
    assert!(check_joinable(OrgId::new(), Role::Athlete, &[summary(OrgId::new(), Role::HeadCoach)]).is_ok());
    assert!(check_joinable(OrgId::new(), Role::AssistantCoach, &[summary(OrgId::new(), Role::Athlete)]).is_ok());
}

#[test]
fn athletes_invited_by_an_assistant_coach_are_assigned_to_them() {
    let inv = single(None);
    assert_eq!(assigned_coach(&inv, Some(Role::AssistantCoach)), Some(inv.created_by));
    assert_eq!(assigned_coach(&inv, Some(Role::HeadCoach)), None);
    assert_eq!(assigned_coach(&inv, None), None, "a coach who left assigns nobody");
}

#[test]
fn kinds_and_statuses_round_trip_through_text() {
    for k in [InvitationKind::SingleUse, InvitationKind::MultiUse] {
        assert_eq!(k.as_str().parse::<InvitationKind>(), Ok(k));
    }
    for s in [
        InvitationStatus::Pending,
        InvitationStatus::Accepted,
        InvitationStatus::Expired,
        InvitationStatus::Revoked,
        InvitationStatus::Exhausted,
    ] {
        assert_eq!(s.as_str().parse::<InvitationStatus>(), Ok(s));
    }
    assert!("used".parse::<InvitationStatus>().is_err());
}

#[test]
fn tokens_hash_and_link() {
    let token = InvitationToken::from_random_bytes([1u8; 32]);
    assert_eq!(token.link("http://h:8080/"), format!("http://h:8080/join/{}", token.as_str()));
    assert_ne!(token.hash().as_str(), token.as_str());
    assert!(!format!("{token:?}").contains(token.as_str()));
}

proptest! {
    #[test]
    fn a_link_is_redeemable_iff_pending_unexpired_and_under_max(
        max in proptest::option::of(1i64..20), used in 0i64..25, hours in -48i64..48, revoked in any::<bool>()
    ) {
        let mut link = Invitation::multi_use(OrgId::new(), UserId::new(), None, max, Some(now() + Duration::hours(hours)), now());
        link.use_count = used;
        if revoked { link.recorded_status = InvitationStatus::Revoked; }
        let ok = !revoked && hours > 0 && max.is_none_or(|m| used < m);
        prop_assert_eq!(link.redeem(now()).is_ok(), ok);
        if revoked { prop_assert_eq!(link.redeem(now()), Err(InvitationGone::Revoked)); }
    }

    #[test]
    fn invitation_names_are_trimmed_and_bounded(s in "\\PC{0,150}") {
        if let Ok(name) = InvitationName::parse(&s) {
            prop_assert_eq!(name.as_str(), name.as_str().trim());
            prop_assert!((1..=120).contains(&name.as_str().chars().count()));
        }
    }
}

#[test]
fn a_counted_use_records_accepted_or_exhausted_once_used_up() {
    let mut inv = single(None);
    assert_eq!(inv.status_after_use(), None);
    inv.use_count = 1;
    assert_eq!(inv.status_after_use(), Some(InvitationStatus::Accepted));
    let mut link = Invitation::multi_use(OrgId::new(), UserId::new(), None, Some(2), None, now());
    link.use_count = 1;
    assert_eq!(link.status_after_use(), None);
    link.use_count = 2;
    assert_eq!(link.status_after_use(), Some(InvitationStatus::Exhausted));
    let mut unlimited = Invitation::multi_use(OrgId::new(), UserId::new(), None, None, None, now());
    unlimited.use_count = 1_000;
    assert_eq!(unlimited.status_after_use(), None);
    // A revoked invitation keeps its status.
    link.recorded_status = InvitationStatus::Revoked;
    assert_eq!(link.status_after_use(), None);
}
