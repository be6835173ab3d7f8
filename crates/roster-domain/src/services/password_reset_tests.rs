use super::*;
use crate::context::Mocks;
use crate::entities::{User, UserCredentials};
use crate::invitation::token::MockTokenGenerator;
use crate::ports::{MockAccountRepo, MockPasswordHasher};
use crate::session::{MockPasswordResetRepo, TokenHash};
use crate::values::PersonName;
use crate::{FixedClock, UserId};
use mockall::predicate::*;

const NOW: &str = "2026-12-06T10:00:00Z";

fn clock() -> FixedClock {
    FixedClock::at(NOW)
}

fn tokens() -> MockTokenGenerator {
    let mut t = MockTokenGenerator::new();
    t.expect_generate().times(1).returning(|| SecretToken::from_link("tok"));
    t
}

fn hash(text: &str) -> TokenHash {
    SecretToken::from_link(text).hash()
}

fn account(email: &str) -> UserCredentials {
    UserCredentials {
        user: User {
            user_id: UserId::new(),
            email: Email::parse(email).unwrap(),
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: None,
            email_verified: false,
            created_at: clock().now(),
        },
        password_hash: "h".into(),
    }
}

fn open_reset(user_id: Option<UserId>) -> PasswordReset {
    PasswordReset {
        token_hash: hash("tok"),
        user_id,
        created_at: clock().now(),
        expires_at: clock().now() + RESET_TTL,
        used_at: None,
    }
}

#[test]
fn a_reset_for_an_account_records_the_token_hash_and_queues_the_mail_with_the_link() {
    let creds = account("ada@example.com");
    let user_id = creds.user.user_id;
    let mut accounts = MockAccountRepo::new();
    accounts.expect_user_by_email().returning(move |_| Ok(Some(creds.clone())));
    let mut resets = MockPasswordResetRepo::new();
    resets.expect_open_resets().with(eq(user_id), eq(clock().now())).times(1).returning(|_, _| Ok(2));
    resets
        .expect_insert_reset()
        .withf(move |r, mail| {
            let mail = mail.as_ref().unwrap();
            r.user_id == Some(user_id)
                && r.token_hash == hash("tok")
                && r.expires_at == clock().now() + Duration::minutes(30)
                && mail.to == "ada@example.com"
                && mail.text.contains("http://x/reset-password#token=tok")
                && mail.org_id.is_none()
        })
        .times(1)
        .returning(|_, _| Ok(()));
    request(
        &Mocks { accounts: &accounts, resets: &resets, ..Mocks::none() },
        &tokens(),
        &clock(),
        " Ada@Example.com",
        "http://x/",
        RESET_TTL,
    )
    .unwrap();
}

#[test]
fn a_reset_for_an_unknown_email_does_the_same_work_and_sends_nothing() {
    let mut accounts = MockAccountRepo::new();
    accounts.expect_user_by_email().times(1).returning(|_| Ok(None));
    let mut resets = MockPasswordResetRepo::new();
    // Counted too, under an id no account has: the same queries either way.
    resets.expect_open_resets().times(1).returning(|_, _| Ok(0));
    resets
        .expect_insert_reset()
        .withf(|r, mail| r.user_id.is_none() && mail.is_none())
        .times(1)
        .returning(|_, _| Ok(()));
    request(
        &Mocks { accounts: &accounts, resets: &resets, ..Mocks::none() },
        &tokens(),
        &clock(),
        "ghost@example.com",
        "http://x",
        RESET_TTL,
    )
    .unwrap();
}

#[test]
fn a_reset_for_a_malformed_email_is_like_an_unknown_one() {
    let accounts = MockAccountRepo::new();
    let mut resets = MockPasswordResetRepo::new();
    resets.expect_open_resets().returning(|_, _| Ok(0));
    resets.expect_insert_reset().withf(|r, mail| r.user_id.is_none() && mail.is_none()).returning(|_, _| Ok(()));
    request(
        &Mocks { accounts: &accounts, resets: &resets, ..Mocks::none() },
        &tokens(),
        &clock(),
        "not an email",
        "http://x",
        RESET_TTL,
    )
    .unwrap();
}

#[test]
fn an_account_with_enough_open_requests_gets_no_more_mail() {
    let creds = account("ada@example.com");
    let mut accounts = MockAccountRepo::new();
    accounts.expect_user_by_email().returning(move |_| Ok(Some(creds.clone())));
    let mut resets = MockPasswordResetRepo::new();
    resets.expect_open_resets().returning(|_, _| Ok(MAX_OPEN_RESETS));
    resets
        .expect_insert_reset()
        .withf(|r, mail| r.user_id.is_none() && mail.is_none())
        .times(1)
        .returning(|_, _| Ok(()));
    request(
        &Mocks { accounts: &accounts, resets: &resets, ..Mocks::none() },
        &tokens(),
        &clock(),
        "ada@example.com",
        "http://x",
        RESET_TTL,
    )
    .unwrap();
}

#[test]
fn confirming_sets_the_password_through_the_conditional_completion() {
    let user = UserId::new();
    let mut resets = MockPasswordResetRepo::new();
    resets.expect_reset_by_hash().with(eq(hash("tok"))).returning(move |_| Ok(Some(open_reset(Some(user)))));
    resets
        .expect_complete_reset()
        .withf(move |h, u, p, now| *h == hash("tok") && *u == user && p == "NEW" && *now == clock().now())
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_hash().returning(|_| Ok("NEW".into()));
    confirm(&resets, &hasher, &clock(), "tok", "Newpass123").unwrap();
}

#[test]
fn an_unknown_token_or_one_made_for_no_account_is_reset_token_invalid() {
    for found in [None, Some(open_reset(None))] {
        let mut resets = MockPasswordResetRepo::new();
        resets.expect_reset_by_hash().returning(move |_| Ok(found.clone()));
        resets.expect_complete_reset().never();
        let err = confirm(&resets, &MockPasswordHasher::new(), &clock(), "tok", "Newpass123").unwrap_err();
        assert_eq!(err.code(), "reset_token_invalid");
    }
}

#[test]
fn a_used_token_is_reset_token_used() {
    let mut resets = MockPasswordResetRepo::new();
    resets
        .expect_reset_by_hash()
        .returning(|_| Ok(Some(PasswordReset { used_at: Some(clock().now()), ..open_reset(Some(UserId::new())) })));
    resets.expect_complete_reset().never();
    let err = confirm(&resets, &MockPasswordHasher::new(), &clock(), "tok", "Newpass123").unwrap_err();
    assert_eq!(err.code(), "reset_token_used");
}

#[test]
fn a_token_past_its_expiry_is_reset_token_expired() {
    let mut resets = MockPasswordResetRepo::new();
    resets.expect_reset_by_hash().returning(|_| {
        Ok(Some(PasswordReset { expires_at: clock().now() - Duration::seconds(1), ..open_reset(Some(UserId::new())) }))
    });
    resets.expect_complete_reset().never();
    let err = confirm(&resets, &MockPasswordHasher::new(), &clock(), "tok", "Newpass123").unwrap_err();
    assert_eq!(err.code(), "reset_token_expired");
}

#[test]
fn losing_a_confirmation_race_is_reset_token_used() {
    let mut resets = MockPasswordResetRepo::new();
    resets.expect_reset_by_hash().returning(|_| Ok(Some(open_reset(Some(UserId::new())))));
    resets.expect_complete_reset().returning(|_, _, _, _| Ok(false));
    let mut hasher = MockPasswordHasher::new();
    hasher.expect_hash().returning(|_| Ok("NEW".into()));
    let err = confirm(&resets, &hasher, &clock(), "tok", "Newpass123").unwrap_err();
    assert_eq!(err.code(), "reset_token_used");
}

#[test]
fn a_weak_password_does_not_use_the_token_up() {
    let resets = MockPasswordResetRepo::new();
    let err = confirm(&resets, &MockPasswordHasher::new(), &clock(), "tok", "weak").unwrap_err();
    assert_eq!(err.code(), "weak_password");
}
