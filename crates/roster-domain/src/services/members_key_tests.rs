//! The roster's use cases with an organization API key as the caller.

use super::*;
use crate::context::Mocks;
use crate::entities::PlanStart;
use crate::ids::{ApiKeyId, GroupId, PlanId};
use crate::policy::Caller;
use crate::policy::Scope;

fn key(club: &Club, scopes: &[Scope]) -> (ApiKeyId, Caller) {
    let key_id = ApiKeyId::new();
    (key_id, Caller::Key(Actor::ApiKey { key_id, org_id: club.org, scopes: scopes.to_vec() }))
}

#[test]
fn a_key_reads_members_as_a_coach_does() {
    let club = Club::new();
    let (_, Caller::Key(actor)) = key(&club, &[Scope::MembersRead]) else { unreachable!() };
    assert_eq!(MemberAccess::of(&actor), MemberAccess::Coach);
    let athlete = club.roster.lock().unwrap()[&club.own_athlete].clone();
    assert_eq!(MemberAccess::of(&Actor::Member(athlete)), MemberAccess::Own);
}

/// A key's extras take the scopes their own routes take, checked before
/// anything is read; the join's plan assignment is then the key's.
#[test]
fn a_keys_plan_and_group_on_adding_take_their_own_scopes() {
    let club = Club::new();
    let newcomer = UserId::new();
    let mut new = new_member(AccountRef::Id(newcomer));
    new.extras.training_plan = Some(PlanStart { plan_id: PlanId::new(), start_date: None });
    let untouched = MockMemberRepo::new();
    let add_as = |caller: Caller, new: NewMember, members: &MockMemberRepo| {
        add(
            &Mocks { orgs: &club.orgs(), accounts: &club.accounts(newcomer), members, ..Mocks::none() }
                .cx(caller, &clock()),
            club.org,
            new,
            BASE,
        )
    };
    let (_, adder) = key(&club, &[Scope::MembersWrite]);
    let err = add_as(adder.clone(), new.clone(), &untouched).unwrap_err();
    assert_eq!((err.code(), err.to_string().contains("plans:write")), ("insufficient_scope", true), "{err}");
    let mut grouped = new_member(AccountRef::Id(newcomer));
    grouped.extras.group_id = Some(GroupId::new());
    let err = add_as(adder, grouped, &untouched).unwrap_err();
    assert_eq!((err.code(), err.to_string().contains("groups:write")), ("insufficient_scope", true), "{err}");

    let (key_id, planner) = key(&club, &[Scope::MembersWrite, Scope::PlansWrite]);
    let as_user = UserId::from_uuid(key_id.as_uuid());
    let mut members = club.members();
    members
        .expect_add_member()
        .withf(move |m, extras, actor, e, _| {
            m.assigned_to_coach_id.is_none()
                && extras.training_plan.is_some()
                && *actor == (as_user, Some(key_id))
                && e.actor_user_id == as_user
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(()));
    add_as(planner, new, &members).unwrap();
}
