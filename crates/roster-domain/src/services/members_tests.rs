use super::*;
use crate::context::{Context, Mocks};
use crate::entities::{User, UserCredentials};
use crate::member::{Label, MockMemberRepo, RosterSort};
use crate::ports::{MockAccountRepo, MockOrganizationRepo};
use crate::services::organizations::tests::{clock, view};
use crate::values::{Email, PersonName};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

struct Club {
    org: OrgId,
    head: UserId,
    assistant: UserId,
    other_assistant: UserId,
    own_athlete: UserId,
    other_athlete: UserId,
    roster: Arc<Mutex<HashMap<UserId, Membership>>>,
}

impl Club {
    fn new() -> Self {
        let org = OrgId::new();
        let (head, assistant, other_assistant) = (UserId::new(), UserId::new(), UserId::new());
        let (own_athlete, other_athlete) = (UserId::new(), UserId::new());
        let now = clock().now();
        let mut map = HashMap::new();
        for (u, r) in
            [(head, Role::HeadCoach), (assistant, Role::AssistantCoach), (other_assistant, Role::AssistantCoach)]
        {
            map.insert(u, Membership::start(org, u, r, now));
        }
        let mut own = Membership::start(org, own_athlete, Role::Athlete, now);
        own.assigned_to_coach_id = Some(assistant);
        map.insert(own_athlete, own);
        let mut other = Membership::start(org, other_athlete, Role::Athlete, now);
        other.assigned_to_coach_id = Some(other_assistant);
        map.insert(other_athlete, other);
        Self { org, head, assistant, other_assistant, own_athlete, other_athlete, roster: Arc::new(Mutex::new(map)) }
    }

    fn orgs(&self) -> MockOrganizationRepo {
        let (org, roster) = (self.org, self.roster.clone());
        let mut repo = MockOrganizationRepo::new();
        repo.expect_live_membership()
            .returning(move |o, u| Ok(roster.lock().unwrap().get(&u).filter(|_| o == org).cloned()));
        let head = self.head;
        repo.expect_organization().returning(move |o| Ok((o == org).then(|| view(org, head))));
        repo
    }

    /// A member repo that reads the club and accepts the writes it is told to expect.
    fn members(&self) -> MockMemberRepo {
        let (org, roster) = (self.org, self.roster.clone());
        let mut repo = MockMemberRepo::new();
        repo.expect_member().returning(move |o, u| {
            Ok(roster.lock().unwrap().get(&u).filter(|_| o == org).cloned().map(|membership| MemberView {
                membership,
                first_name: "Kim".into(),
                last_name: None,
                email: "kim@example.com".into(),
                last_activity_at: None,
            }))
        });
        repo
    }
}

fn account(user_id: UserId, email: &str, first: &str, last: Option<&str>) -> User {
    User {
        user_id,
        email: Email::parse(email).unwrap(),
        first_name: PersonName::parse(first).unwrap(),
        last_name: last.map(|l| PersonName::parse(l).unwrap()),
        email_verified: false,
        created_at: clock().now(),
    }
}

impl Club {
    /// The account `user_id` (`new@example.com`) and the club's coaches (all
    /// named Casey Coach, as the e-mail to a new member names its sender).
    fn accounts(&self, user_id: UserId) -> MockAccountRepo {
        let user = account(user_id, "new@example.com", "New", None);
        let coaches = [self.head, self.assistant, self.other_assistant];
        let mut accounts = MockAccountRepo::new();
        let by_email = user.clone();
        accounts.expect_user_by_email().returning(move |e| {
            Ok((*e == by_email.email).then(|| UserCredentials { user: by_email.clone(), password_hash: "h".into() }))
        });
        accounts.expect_user_by_id().returning(move |id| {
            Ok(if id == user.user_id {
                Some(user.clone())
            } else {
                coaches.contains(&id).then(|| account(id, "coach@example.com", "Casey", Some("Coach")))
            })
        });
        accounts
    }
}

const BASE: &str = "http://roster.test";

fn new_member(target: AccountRef) -> NewMember {
    NewMember {
        target,
        extras: JoinExtras::default(),
        display_name: None,
        member_level: None,
        labels: Labels::default(),
        private_notes: None,
        assigned_to_coach_id: None,
    }
}

#[test]
fn assistant_coach_who_adds_an_athlete_becomes_their_coach() {
    let club = Club::new();
    let newcomer = UserId::new();
    let mut members = club.members();
    let assistant = club.assistant;
    members
        .expect_add_member()
        .withf(move |m, _, actor, e, _| {
            m.assigned_to_coach_id == Some(assistant)
                && m.role == Role::Athlete
                && *actor == (assistant, None)
                && e.action == "member.added"
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(()));
    let view = add(
        &Mocks { orgs: &club.orgs(), accounts: &club.accounts(newcomer), members: &members, ..Mocks::none() }
            .cx(assistant, &clock()),
        club.org,
        new_member(AccountRef::Id(newcomer)),
        BASE,
    )
    .unwrap();
    assert_eq!(view.membership.assigned_to_coach_id, Some(assistant));
}

#[test]
fn assistant_coach_may_add_an_unassigned_athlete_but_not_assign_another_coach() {
    let club = Club::new();
    let newcomer = UserId::new();
    let mut members = club.members();
    members
        .expect_add_member()
        .withf(|m, _, _, _, _| m.assigned_to_coach_id.is_none())
        .times(1)
        .returning(|_, _, _, _, _| Ok(()));
    let mut new = new_member(AccountRef::Id(newcomer));
    new.assigned_to_coach_id = Some(None);
    add(
        &Mocks { orgs: &club.orgs(), accounts: &club.accounts(newcomer), members: &members, ..Mocks::none() }
            .cx(club.assistant, &clock()),
        club.org,
        new.clone(),
        BASE,
    )
    .unwrap();
    new.assigned_to_coach_id = Some(Some(club.other_assistant));
    let err = add(
        &Mocks { orgs: &club.orgs(), accounts: &club.accounts(newcomer), members: &members, ..Mocks::none() }
            .cx(club.assistant, &clock()),
        club.org,
        new,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn head_coach_adds_unassigned_by_default_and_audits_without_note_text() {
    let club = Club::new();
    let newcomer = UserId::new();
    let mut members = club.members();
    members
        .expect_add_member()
        .withf(|m, _, _, e, mail| {
            m.assigned_to_coach_id.is_none()
                && e.changes["private_notes"] == json!({"changed": true})
                && !e.changes.to_string().contains("secret note")
                && mail.to == "new@example.com"
                && mail.subject == "Casey Coach added you to Riverside Runners on roster"
                && mail.text.contains(&format!("/members/{}", m.user_id))
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(()));
    let mut new = new_member(AccountRef::Email(Email::parse("NEW@example.com").unwrap()));
    new.private_notes = Some(PrivateNotes::parse("secret note").unwrap());
    add(
        &Mocks { orgs: &club.orgs(), accounts: &club.accounts(newcomer), members: &members, ..Mocks::none() }
            .cx(club.head, &clock()),
        club.org,
        new,
        BASE,
    )
    .unwrap();
}

#[test]
fn adding_names_a_coach_who_is_not_a_coach_is_not_a_coach() {
    let club = Club::new();
    let mut new = new_member(AccountRef::Id(UserId::new()));
    new.assigned_to_coach_id = Some(Some(club.own_athlete));
    let err = add(
        &Mocks {
            orgs: &club.orgs(),
            accounts: &club.accounts(UserId::new()),
            members: &club.members(),
            ..Mocks::none()
        }
        .cx(club.head, &clock()),
        club.org,
        new,
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_a_coach");
}

#[test]
fn adding_an_unknown_account_is_user_not_found_and_a_member_is_already_member() {
    let club = Club::new();
    let accounts = club.accounts(club.own_athlete);
    let err = add(
        &Mocks { orgs: &club.orgs(), accounts: &accounts, members: &club.members(), ..Mocks::none() }
            .cx(club.head, &clock()),
        club.org,
        new_member(AccountRef::Id(UserId::new())),
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "user_not_found");
    let err = add(
        &Mocks { orgs: &club.orgs(), accounts: &accounts, members: &club.members(), ..Mocks::none() }
            .cx(club.head, &clock()),
        club.org,
        new_member(AccountRef::Id(club.own_athlete)),
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "already_member");
}

#[test]
fn athlete_cannot_add_or_list_and_strangers_get_not_found() {
    let club = Club::new();
    let err = add(
        &Mocks { orgs: &club.orgs(), accounts: &MockAccountRepo::new(), members: &club.members(), ..Mocks::none() }
            .cx(club.own_athlete, &clock()),
        club.org,
        new_member(AccountRef::Id(UserId::new())),
        BASE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let err = list(
        &Mocks { orgs: &club.orgs(), members: &club.members(), ..Mocks::none() }.cx(club.own_athlete, &clock()),
        club.org,
        RosterQuery::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let err = list(
        &Mocks { orgs: &club.orgs(), members: &club.members(), ..Mocks::none() }.cx(UserId::new(), &clock()),
        club.org,
        RosterQuery::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[test]
fn assistant_coach_cannot_filter_by_another_coach_but_me_means_themselves() {
    let club = Club::new();
    let assistant = club.assistant;
    let mut members = club.members();
    members
        .expect_roster()
        .withf(move |_, q| {
            matches!(q.coach, CoachFilter::Coach(c) if c == assistant) || q.coach == CoachFilter::Unassigned
        })
        .times(2)
        .returning(|_, _| {
            Ok(RosterPage { members: vec![], next: None, total: 0, profile_status: None, group_ids: HashMap::new() })
        });
    let query = |coach| RosterQuery { coach, limit: 50, sort: RosterSort::Name, ..Default::default() };
    list(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(assistant, &clock()),
        club.org,
        query(CoachFilter::Me),
    )
    .unwrap();
    list(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(assistant, &clock()),
        club.org,
        query(CoachFilter::Unassigned),
    )
    .unwrap();
    let err = list(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(assistant, &clock()),
        club.org,
        query(CoachFilter::Coach(club.other_assistant)),
    )
    .unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn a_roster_page_is_evaluated_at_the_clocks_now_unless_the_query_names_an_instant() {
    let club = Club::new();
    let (now, earlier) = (clock().now(), clock().now() - chrono::Duration::days(3));
    let mut members = club.members();
    members.expect_roster().withf(move |_, q| q.now == Some(now)).times(1).returning(|_, _| {
        Ok(RosterPage { members: vec![], next: None, total: 0, profile_status: None, group_ids: HashMap::new() })
    });
    members.expect_roster().withf(move |_, q| q.now == Some(earlier)).times(1).returning(|_, _| {
        Ok(RosterPage { members: vec![], next: None, total: 0, profile_status: None, group_ids: HashMap::new() })
    });
    let query = RosterQuery { limit: 50, ..Default::default() };
    list(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        query.clone(),
    )
    .unwrap();
    list(
        &Mocks { orgs: &club.orgs(), members: &members, ..Mocks::none() }.cx(club.head, &clock()),
        club.org,
        RosterQuery { now: Some(earlier), ..query },
    )
    .unwrap();
}

#[test]
fn athlete_reads_own_membership_without_notes_and_labels_but_not_others() {
    let club = Club::new();
    {
        let mut roster = club.roster.lock().unwrap();
        let m = roster.get_mut(&club.own_athlete).unwrap();
        m.private_notes = Some(PrivateNotes::parse("knee").unwrap());
        m.labels = Labels::parse(["@injury-watch"]).unwrap();
    }
    let (view, access) = get(
        &Context::new(&Mocks { orgs: &club.orgs(), members: &club.members(), ..Mocks::none() }, club.own_athlete),
        club.org,
        club.own_athlete,
    )
    .unwrap();
    assert_eq!(access, MemberAccess::Own);
    assert!(view.membership.private_notes.is_none() && view.membership.labels.is_empty());
    let (view, access) = get(
        &Context::new(&Mocks { orgs: &club.orgs(), members: &club.members(), ..Mocks::none() }, club.assistant),
        club.org,
        club.own_athlete,
    )
    .unwrap();
    assert_eq!(access, MemberAccess::Coach);
    assert_eq!(view.membership.labels.as_slice(), [Label::parse("@injury-watch").unwrap()]);
    let err = get(
        &Context::new(&Mocks { orgs: &club.orgs(), members: &club.members(), ..Mocks::none() }, club.own_athlete),
        club.org,
        club.other_athlete,
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
    let err = get(
        &Context::new(&Mocks { orgs: &club.orgs(), members: &club.members(), ..Mocks::none() }, club.head),
        club.org,
        UserId::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[path = "members_edit_tests.rs"]
mod edits;

#[path = "members_key_tests.rs"]
mod keys;
