//! Signing up, signing in, and who am I.

use crate::clock::Clock;
use crate::entities::{MembershipSummary, NamedMembership, User};
use crate::error::{Conflict, DomainError, FieldErrors};
use crate::ids::UserId;
use crate::ports::{AccountRepo, PasswordHasher};
use crate::role::Role;
use crate::values::{Email, Password, PersonName};

/// Raw sign-up input, parsed field by field.
#[derive(Debug, Clone)]
pub struct SignupInput<'a> {
    /// E-mail.
    pub email: &'a str,
    /// Password.
    pub password: &'a str,
    /// First name.
    pub first_name: &'a str,
    /// Last name.
    pub last_name: Option<&'a str>,
}

/// Parsed sign-up values.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// E-mail.
    pub email: Email,
    /// Password.
    pub password: Password,
    /// First name.
    pub first_name: PersonName,
    /// Last name.
    pub last_name: Option<PersonName>,
}

impl NewAccount {
    /// Parses every field and reports every bad one.
    pub fn parse(input: &SignupInput<'_>) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(input.email));
        let password = errors.check("password", Password::parse(input.password));
        let first_name = errors.check("first_name", PersonName::parse(input.first_name));
        let last_name = match input.last_name {
            Some(l) => errors.check("last_name", PersonName::parse(l)).map(Some),
            None => Some(None),
        };
        errors.finish()?;
        match (email, password, first_name, last_name) {
            (Some(email), Some(password), Some(first_name), Some(last_name)) => {
                Ok(Self { email, password, first_name, last_name })
            }
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

/// Creates an account. `email_verified` is true only when the e-mail was
/// proven another way (a single-use invitation).
pub fn signup(
    accounts: &impl AccountRepo,
    hasher: &impl PasswordHasher,
    clock: &impl Clock,
    new: NewAccount,
    email_verified: bool,
) -> Result<User, DomainError> {
    if accounts.user_by_email(&new.email)?.is_some() {
        return Err(Conflict::EmailTaken.into());
    }
    let hash = hasher.hash(&new.password)?;
    let user = User {
        user_id: UserId::new(),
        email: new.email,
        first_name: new.first_name,
        last_name: new.last_name,
        email_verified,
        created_at: clock.now(),
    };
    accounts.insert_user(&user, &hash)?;
    Ok(user)
}

/// Checks an e-mail and password. A wrong e-mail and a wrong password give
/// the same answer after the same work.
pub fn login(
    accounts: &impl AccountRepo,
    hasher: &impl PasswordHasher,
    email: &str,
    password: &str,
) -> Result<User, DomainError> {
    let found = match Email::parse(email) {
        Ok(email) => accounts.user_by_email(&email)?,
        Err(_) => None,
    };
    match found {
        Some(creds) if hasher.verify(password, Some(creds.password_hash.clone())) => Ok(creds.user),
        Some(_) => Err(DomainError::InvalidCredentials),
        None => {
            hasher.verify(password, None);
            Err(DomainError::InvalidCredentials)
        }
    }
}

/// The signed-in account and where it belongs.
pub fn me(accounts: &impl AccountRepo, user_id: UserId) -> Result<(User, Vec<MembershipSummary>), DomainError> {
    let user = accounts.user_by_id(user_id)?.ok_or(DomainError::Unauthenticated)?;
    let memberships = accounts.memberships_of(user_id)?.iter().map(NamedMembership::summary).collect();
    Ok((user, memberships))
}

/// The membership an account's console shows, of its live memberships
/// oldest first: the organization it heads, else one it coaches in, else
/// the oldest it is an athlete of; `None` for an account in no organization.
pub fn home_of(mut live: Vec<NamedMembership>) -> Option<NamedMembership> {
    // A stable sort: within a role, the oldest membership first.
    live.sort_by_key(|m| match m.membership.role {
        Role::HeadCoach => 0,
        Role::AssistantCoach => 1,
        Role::Athlete => 2,
    });
    live.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::UserCredentials;
    use crate::ports::{MockAccountRepo, MockPasswordHasher};
    use crate::{FixedClock, RepoError};
    use mockall::predicate::*;

    fn input<'a>(email: &'a str, password: &'a str) -> SignupInput<'a> {
        SignupInput { email, password, first_name: "Ada", last_name: None }
    }

    fn user(email: &str) -> User {
        User {
            user_id: UserId::new(),
            email: Email::parse(email).unwrap(),
            first_name: PersonName::parse("Ada").unwrap(),
            last_name: None,
            email_verified: false,
            created_at: FixedClock::at("2026-01-01T00:00:00Z").now(),
        }
    }

    #[test]
    fn signup_reports_every_bad_field() {
        let err =
            NewAccount::parse(&SignupInput { email: "x", password: "weak", first_name: " ", last_name: Some("") })
                .unwrap_err();
        let DomainError::Validation(errors) = err else { panic!("validation expected") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "first_name", "last_name"]);
    }

    #[test]
    fn weak_password_is_refused_with_its_code() {
        let err = NewAccount::parse(&input("a@b.io", "password")).unwrap_err();
        assert_eq!(err.code(), "weak_password");
    }

    #[test]
    fn signup_stores_lower_cased_email_and_hash() {
        let mut repo = MockAccountRepo::new();
        repo.expect_user_by_email().returning(|_| Ok(None));
        repo.expect_insert_user()
            .withf(|u, hash| u.email.as_str() == "ada@example.com" && hash == "HASH")
            .times(1)
            .returning(|_, _| Ok(()));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_hash().returning(|_| Ok("HASH".into()));
        let new = NewAccount::parse(&input("Ada@Example.com", "Secret123")).unwrap();
        let user = signup(&repo, &hasher, &FixedClock::at("2026-11-28T10:00:00Z"), new, false).unwrap();
        assert_eq!(user.email.as_str(), "ada@example.com");
        assert!(!user.email_verified);
    }

    #[test]
    fn signup_with_taken_email_is_email_taken() {
        let mut repo = MockAccountRepo::new();
        repo.expect_user_by_email()
            .returning(|e| Ok(Some(UserCredentials { user: user(e.as_str()), password_hash: "h".into() })));
        repo.expect_insert_user().never();
        let hasher = MockPasswordHasher::new();
        let new = NewAccount::parse(&input("ada@example.com", "Secret123")).unwrap();
        let err = signup(&repo, &hasher, &FixedClock::at("2026-11-28T10:00:00Z"), new, false).unwrap_err();
        assert_eq!(err.code(), "email_taken");
    }

    #[test]
    fn signup_race_lost_at_the_store_is_email_taken() {
        let mut repo = MockAccountRepo::new();
        repo.expect_user_by_email().returning(|_| Ok(None));
        repo.expect_insert_user().returning(|_, _| Err(RepoError::Conflict(Conflict::EmailTaken)));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_hash().returning(|_| Ok("HASH".into()));
        let new = NewAccount::parse(&input("ada@example.com", "Secret123")).unwrap();
        let err = signup(&repo, &hasher, &FixedClock::at("2026-11-28T10:00:00Z"), new, false).unwrap_err();
        assert_eq!(err.code(), "email_taken");
    }

    #[test]
    fn login_with_unknown_email_does_the_dummy_work_and_is_invalid_credentials() {
        let mut repo = MockAccountRepo::new();
        repo.expect_user_by_email().returning(|_| Ok(None));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().with(eq("Secret123"), eq(None)).times(1).return_const(false);
        let err = login(&repo, &hasher, "nobody@example.com", "Secret123").unwrap_err();
        assert_eq!(err.code(), "invalid_credentials");
    }

    #[test]
    fn login_with_wrong_password_is_invalid_credentials() {
        let mut repo = MockAccountRepo::new();
        repo.expect_user_by_email()
            .returning(|e| Ok(Some(UserCredentials { user: user(e.as_str()), password_hash: "h".into() })));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().return_const(false);
        assert_eq!(login(&repo, &hasher, "ada@example.com", "nope").unwrap_err().code(), "invalid_credentials");
    }

    #[test]
    fn login_with_malformed_email_is_invalid_credentials_not_validation() {
        let repo = MockAccountRepo::new();
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().times(1).return_const(false);
        assert_eq!(login(&repo, &hasher, "not an email", "x").unwrap_err().code(), "invalid_credentials");
    }

    #[test]
    fn login_with_right_password_returns_the_account() {
        let mut repo = MockAccountRepo::new();
        repo.expect_user_by_email()
            .returning(|e| Ok(Some(UserCredentials { user: user(e.as_str()), password_hash: "h".into() })));
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().with(eq("Secret123"), eq(Some("h".to_owned()))).return_const(true);
        let user = login(&repo, &hasher, " ADA@example.com", "Secret123").unwrap();
        assert_eq!(user.email.as_str(), "ada@example.com");
    }

    #[test]
    fn the_home_membership_is_the_headed_club_then_a_coached_one_then_the_oldest_athletes() {
        let me = UserId::new();
        let named = |role: Role, name: &str| NamedMembership {
            membership: crate::entities::Membership::start(
                crate::OrgId::new(),
                me,
                role,
                FixedClock::at("2026-01-01T00:00:00Z").now(),
            ),
            org_name: name.into(),
        };
        let home = |live: Vec<NamedMembership>| home_of(live).map(|m| m.org_name);
        let athlete_a = named(Role::Athlete, "A");
        let athlete_b = named(Role::Athlete, "B");
        let assisted = named(Role::AssistantCoach, "Assisted");
        let headed = named(Role::HeadCoach, "Headed");
        assert_eq!(home(vec![athlete_a.clone(), assisted.clone(), headed]).as_deref(), Some("Headed"));
        assert_eq!(home(vec![athlete_a.clone(), assisted]).as_deref(), Some("Assisted"));
        assert_eq!(home(vec![athlete_a, athlete_b]).as_deref(), Some("A"));
        assert_eq!(home(Vec::new()), None);
    }
}
