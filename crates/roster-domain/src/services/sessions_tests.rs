use super::*;
use crate::FixedClock;
use crate::Role;
use crate::entities::NamedMembership;
use crate::invitation::token::MockTokenGenerator;
use crate::ports::MockPasswordHasher;
use crate::session::{CookieSession, MockSessionRepo, RefreshRecord, TokenHash};
use mockall::predicate::*;

const NOW: &str = "2026-12-06T10:00:00Z";

fn clock() -> FixedClock {
    FixedClock::at(NOW)
}

fn tokens(text: &'static str) -> MockTokenGenerator {
    let mut t = MockTokenGenerator::new();
    t.expect_generate().returning(move || SecretToken::from_link(text));
    t
}

fn hash(text: &str) -> TokenHash {
    SecretToken::from_link(text).hash()
}

fn record(session_id: SessionId, user_id: UserId) -> RefreshRecord {
    RefreshRecord {
        session_id,
        user_id,
        rotated: false,
        session_revoked: false,
        expires_at: clock().now() + Duration::days(30),
    }
}

#[test]
fn start_stores_the_session_with_the_hash_of_its_refresh_token_only() {
    let user = UserId::new();
    let mut repo = MockSessionRepo::new();
    repo.expect_insert_session()
        .withf(move |s, refresh| {
            s.user_id == user && s.expires_at == clock().now() + Duration::days(30) && *refresh == Some(hash("r1"))
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let issued = start(&repo, &tokens("r1"), &clock(), user, Duration::days(30)).unwrap();
    assert_eq!(issued.refresh_token.as_str(), "r1");
    assert_eq!(issued.refresh_expires_at, clock().now() + Duration::days(30));
}

#[test]
fn an_operator_session_has_no_refresh_token() {
    let mut repo = MockSessionRepo::new();
    repo.expect_insert_session().withf(|_, refresh| refresh.is_none()).times(1).returning(|_, _| Ok(()));
    start_unrefreshable(&repo, &clock(), UserId::new(), clock().now() + Duration::hours(1)).unwrap();
}

#[test]
fn refresh_rotates_the_token_and_moves_the_expiry() {
    let (sid, user) = (SessionId::new(), UserId::new());
    let mut repo = MockSessionRepo::new();
    repo.expect_refresh_token().with(eq(hash("old"))).returning(move |_| Ok(Some(record(sid, user))));
    repo.expect_rotate_refresh()
        .with(eq(sid), eq(hash("old")), eq(hash("new")), eq(clock().now()), eq(clock().now() + Duration::days(30)))
        .times(1)
        .returning(|_, _, _, _, _| Ok(true));
    repo.expect_revoke_session().never();
    let issued = refresh(&repo, &tokens("new"), &clock(), "old", Duration::days(30)).unwrap();
    assert_eq!((issued.session_id, issued.user_id), (sid, user));
    assert_eq!(issued.refresh_token.as_str(), "new");
}

#[test]
fn an_unknown_refresh_token_is_refused_and_revokes_nothing() {
    let mut repo = MockSessionRepo::new();
    repo.expect_refresh_token().returning(|_| Ok(None));
    repo.expect_revoke_session().never();
    let err = refresh(&repo, &tokens("new"), &clock(), "forged", Duration::days(30)).unwrap_err();
    assert_eq!(err.code(), "refresh_token_invalid");
}

#[test]
fn reusing_a_rotated_refresh_token_revokes_its_whole_session() {
    let (sid, user) = (SessionId::new(), UserId::new());
    let mut repo = MockSessionRepo::new();
    repo.expect_refresh_token().returning(move |_| Ok(Some(RefreshRecord { rotated: true, ..record(sid, user) })));
    repo.expect_revoke_session().with(eq(sid), eq(clock().now())).times(1).returning(|_, _| Ok(()));
    repo.expect_rotate_refresh().never();
    let err = refresh(&repo, &tokens("new"), &clock(), "old", Duration::days(30)).unwrap_err();
    assert_eq!(err.code(), "refresh_token_reused");
}

#[test]
fn losing_a_rotation_race_counts_as_reuse_and_revokes_the_session() {
    let (sid, user) = (SessionId::new(), UserId::new());
    let mut repo = MockSessionRepo::new();
    repo.expect_refresh_token().returning(move |_| Ok(Some(record(sid, user))));
    repo.expect_rotate_refresh().returning(|_, _, _, _, _| Ok(false));
    repo.expect_revoke_session().with(eq(sid), always()).times(1).returning(|_, _| Ok(()));
    let err = refresh(&repo, &tokens("new"), &clock(), "old", Duration::days(30)).unwrap_err();
    assert_eq!(err.code(), "refresh_token_reused");
}

#[test]
fn a_revoked_or_expired_session_cannot_be_refreshed() {
    let (sid, user) = (SessionId::new(), UserId::new());
    for dead in [
        RefreshRecord { session_revoked: true, ..record(sid, user) },
        RefreshRecord { expires_at: clock().now(), ..record(sid, user) },
        // A revoked session's rotated token is just dead, not "reused" again.
        RefreshRecord { session_revoked: true, rotated: true, ..record(sid, user) },
    ] {
        let mut repo = MockSessionRepo::new();
        repo.expect_refresh_token().returning(move |_| Ok(Some(dead.clone())));
        repo.expect_rotate_refresh().never();
        repo.expect_revoke_session().never();
        let err = refresh(&repo, &tokens("new"), &clock(), "old", Duration::days(30)).unwrap_err();
        assert_eq!(err.code(), "refresh_token_invalid");
    }
}

#[test]
fn authenticate_refuses_a_session_that_is_not_live() {
    let mut repo = MockSessionRepo::new();
    repo.expect_session_is_live().returning(|_, _| Ok(false));
    assert_eq!(authenticate(&repo, UserId::new(), SessionId::new()).unwrap_err().code(), "unauthenticated");
    let mut repo = MockSessionRepo::new();
    repo.expect_session_is_live().returning(|_, _| Ok(true));
    authenticate(&repo, UserId::new(), SessionId::new()).unwrap();
}

#[test]
fn logout_revokes_the_callers_session() {
    let sid = SessionId::new();
    let mut repo = MockSessionRepo::new();
    repo.expect_revoke_session().with(eq(sid), always()).times(1).returning(|_, _| Ok(()));
    logout(&repo, &clock(), Some(sid), None).unwrap();
}

#[test]
fn logout_with_a_refresh_token_alone_revokes_its_session() {
    let (sid, user) = (SessionId::new(), UserId::new());
    let mut repo = MockSessionRepo::new();
    repo.expect_refresh_token().with(eq(hash("r"))).returning(move |_| Ok(Some(record(sid, user))));
    repo.expect_revoke_session().with(eq(sid), always()).times(1).returning(|_, _| Ok(()));
    logout(&repo, &clock(), None, Some("r")).unwrap();
}

#[test]
fn logout_with_both_of_one_session_revokes_it_once() {
    let (sid, user) = (SessionId::new(), UserId::new());
    let mut repo = MockSessionRepo::new();
    repo.expect_refresh_token().returning(move |_| Ok(Some(record(sid, user))));
    repo.expect_revoke_session().times(1).returning(|_, _| Ok(()));
    logout(&repo, &clock(), Some(sid), Some("r")).unwrap();
}

#[test]
fn logout_with_an_unknown_refresh_token_is_refused() {
    let mut repo = MockSessionRepo::new();
    repo.expect_refresh_token().returning(|_| Ok(None));
    repo.expect_revoke_session().never();
    assert_eq!(logout(&repo, &clock(), Some(SessionId::new()), Some("x")).unwrap_err().code(), "refresh_token_invalid");
}

#[test]
fn logout_with_nothing_is_unauthenticated() {
    let repo = MockSessionRepo::new();
    assert_eq!(logout(&repo, &clock(), None, None).unwrap_err().code(), "unauthenticated");
}

#[test]
fn logout_all_revokes_every_session_of_the_account() {
    let user = UserId::new();
    let mut repo = MockSessionRepo::new();
    repo.expect_revoke_sessions_of().with(eq(user), eq(None), eq(clock().now())).times(1).returning(|_, _, _| Ok(3));
    assert_eq!(logout_all(&repo, &clock(), user).unwrap(), 3);
}

#[test]
fn changing_the_password_keeps_the_callers_session_and_revokes_the_others() {
    let (user, sid) = (UserId::new(), SessionId::new());
    let mut repo = MockSessionRepo::new();
    repo.expect_password_hash().with(eq(user)).returning(|_| Ok(Some("OLD".into())));
    repo.expect_set_password()
        .withf(move |u, h, keep, _| *u == user && h == "NEW" && *keep == Some(sid))
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_verify().with(eq("Current123"), eq(Some("OLD".to_owned()))).return_const(true);
    hasher.expect_hash().returning(|_| Ok("NEW".into()));
    change_password(&repo, &hasher, &clock(), user, sid, "Current123", "Newpass123").unwrap();
}

#[test]
fn a_wrong_current_password_changes_nothing() {
    let mut repo = MockSessionRepo::new();
    repo.expect_password_hash().returning(|_| Ok(Some("OLD".into())));
    repo.expect_set_password().never();
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_verify().return_const(false);
    hasher.expect_hash().never();
    let err = change_password(&repo, &hasher, &clock(), UserId::new(), SessionId::new(), "Wrong1234", "Newpass123")
        .unwrap_err();
    assert_eq!(err.code(), "wrong_password");
}

#[test]
fn a_weak_new_password_is_refused_naming_the_field_before_any_hashing() {
    let repo = MockSessionRepo::new();
    let hasher = MockPasswordHasher::new();
    let err =
        change_password(&repo, &hasher, &clock(), UserId::new(), SessionId::new(), "Current123", "weak").unwrap_err();
    assert_eq!(err.code(), "weak_password");
    let DomainError::Validation(errors) = err else { panic!("validation expected") };
    assert_eq!(errors[0].field, "new_password");
}

fn account(user_id: UserId) -> User {
    User {
        user_id,
        email: crate::values::Email::parse("ada@example.com").unwrap(),
        first_name: crate::values::PersonName::parse("Ada").unwrap(),
        last_name: None,
        email_verified: false,
        created_at: clock().now(),
    }
}

#[test]
fn a_cookie_names_its_live_session_account_and_home_in_one_lookup() {
    let (sid, user) = (SessionId::new(), UserId::new());
    let membership = |role| NamedMembership {
        membership: crate::entities::Membership::start(crate::OrgId::new(), user, role, clock().now()),
        org_name: format!("{role:?}"),
    };
    let memberships = vec![membership(Role::Athlete), membership(Role::AssistantCoach)];
    let mut repo = MockSessionRepo::new();
    let found = CookieSession { record: record(sid, user), user: account(user), memberships: memberships.clone() };
    repo.expect_cookie_session().with(eq(hash("c1"))).times(1).return_once(move |_| Ok(Some(found)));
    repo.expect_refresh_token().never();
    repo.expect_session_is_live().never();
    let signed_in = session_of_cookie(&repo, &clock(), "c1").unwrap();
    assert_eq!(signed_in, SignedIn { user: account(user), session_id: sid, home: Some(memberships[1].clone()) });
}

#[test]
fn a_cookie_of_an_ended_session_is_refused() {
    let (sid, user) = (SessionId::new(), UserId::new());
    for ended in [
        RefreshRecord { session_revoked: true, ..record(sid, user) },
        RefreshRecord { rotated: true, ..record(sid, user) },
        RefreshRecord { expires_at: clock().now(), ..record(sid, user) },
    ] {
        let mut repo = MockSessionRepo::new();
        let found = CookieSession { record: ended, user: account(user), memberships: Vec::new() };
        repo.expect_cookie_session().return_once(move |_| Ok(Some(found)));
        assert!(matches!(session_of_cookie(&repo, &clock(), "c1"), Err(DomainError::Unauthenticated)));
    }
    // An unknown token, or one whose account is gone.
    let mut unknown = MockSessionRepo::new();
    unknown.expect_cookie_session().returning(|_| Ok(None));
    assert!(matches!(session_of_cookie(&unknown, &clock(), "c1"), Err(DomainError::Unauthenticated)));
}
