//! Connecting and disconnecting integrations: only athletes, once each,
//! with their audit events.

use super::*;

fn athlete_account(org: OrgId) -> MockAccountRepo {
    let mut accounts = MockAccountRepo::new();
    accounts.expect_memberships_of().returning(move |_| {
        Ok(vec![NamedMembership { membership: membership(org, UserId::new(), Role::Athlete), org_name: "Club".into() }])
    });
    accounts
}

#[test]
fn only_athletes_record_integrations() {
    let mut accounts = MockAccountRepo::new();
    accounts.expect_memberships_of().returning(|_| Ok(Vec::new()));
    accounts.expect_user_by_id().returning(|user_id| {
        Ok(Some(crate::entities::User {
            user_id,
            email: crate::values::Email::parse("coach@example.com").unwrap(),
            first_name: crate::values::PersonName::parse("Coach").unwrap(),
            last_name: None,
            email_verified: false,
            created_at: chrono::Utc::now(),
        }))
    });
    let athletes = MockAthleteRepo::new();
    let err = connect_integration(
        &Mocks { accounts: &accounts, athletes: &athletes, ..Mocks::none() }.cx(UserId::new(), &clock()),
        Provider::Strava,
        &ConnectInput::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn a_caller_without_an_account_is_unauthenticated_not_forbidden() {
    let mut accounts = MockAccountRepo::new();
    accounts.expect_memberships_of().returning(|_| Ok(Vec::new()));
    accounts.expect_user_by_id().returning(|_| Ok(None));
    let athletes = MockAthleteRepo::new();
    let err = disconnect_integration(
        &Mocks { accounts: &accounts, athletes: &athletes, ..Mocks::none() }.cx(UserId::new(), &clock()),
        Provider::Strava,
    )
    .unwrap_err();
    assert_eq!(err.code(), "unauthenticated");
}

#[test]
fn connecting_writes_an_event_and_repeating_it_writes_nothing() {
    let org = OrgId::new();
    let me = UserId::new();
    let accounts = athlete_account(org);
    let mut athletes = MockAthleteRepo::new();
    athletes.expect_integrations().times(1).returning(|_| Ok(Vec::new()));
    athletes
        .expect_put_integration()
        .withf(move |i, e| {
            i.status == IntegrationStatus::Connected && e.action == "integration.connected" && e.org_id == org
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let first = connect_integration(
        &Mocks { accounts: &accounts, athletes: &athletes, ..Mocks::none() }.cx(me, &clock()),
        Provider::Garmin,
        &ConnectInput::default(),
    )
    .unwrap();
    athletes.checkpoint();
    athletes.expect_integrations().returning(move |_| Ok(vec![first.clone()]));
    athletes.expect_put_integration().never();
    connect_integration(
        &Mocks { accounts: &accounts, athletes: &athletes, ..Mocks::none() }.cx(me, &clock()),
        Provider::Garmin,
        &ConnectInput::default(),
    )
    .unwrap();
    // Disconnecting what was never connected changes nothing either.
    disconnect_integration(
        &Mocks { accounts: &accounts, athletes: &athletes, ..Mocks::none() }.cx(me, &clock()),
        Provider::Strava,
    )
    .unwrap();
}

#[test]
fn disconnecting_marks_the_connection_disconnected() {
    let org = OrgId::new();
    let me = UserId::new();
    let accounts = athlete_account(org);
    let mut athletes = MockAthleteRepo::new();
    let up = Integration::connect(None, me, Provider::Strava, &ConnectInput::default(), clock().now()).unwrap();
    athletes.expect_integrations().returning(move |_| Ok(vec![up.clone()]));
    athletes
        .expect_put_integration()
        .withf(|i, e| i.status == IntegrationStatus::Disconnected && e.action == "integration.disconnected")
        .times(1)
        .returning(|_, _| Ok(()));
    disconnect_integration(
        &Mocks { accounts: &accounts, athletes: &athletes, ..Mocks::none() }.cx(me, &clock()),
        Provider::Strava,
    )
    .unwrap();
}
