//! The roster: adding existing accounts, listing and filtering, reading and
//! updating a member's organization-only attributes, assigning coaches,
//! removing members and leaving.
//!
//! Who may do what (the contract's *Roles*): the head coach everything; an
//! assistant coach sees the whole roster but edits and removes only the
//! athletes assigned to them (`not_assigned_to_you`), and filters by no coach
//! but themselves; an athlete reads their own membership (without private
//! notes and labels) and may leave. A caller who is not a member gets 404.

use super::coaches::{AccountRef, resolve_account};
use crate::clock::Clock;
use crate::entities::{AuditEvent, JoinExtras, Membership};
use crate::error::{Conflict, DomainError, FieldError};
use crate::ids::{OrgId, UserId};
use crate::member::{
    CoachFilter, DisplayName, Labels, MemberLevel, MemberRepo, MemberView, PrivateNotes, RosterPage, RosterQuery,
};
use crate::ports::{AccountRepo, OrganizationRepo};
use crate::role::{MembershipStatus, Role};
use serde_json::{Map, Value, json};

/// An existing account to add to the roster, with its optional attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMember {
    /// The account.
    pub target: AccountRef,
    /// A group to join and a plan to start.
    pub extras: JoinExtras,
    /// Nickname.
    pub display_name: Option<DisplayName>,
    /// Tier.
    pub member_level: Option<MemberLevel>,
    /// Labels.
    pub labels: Labels,
    /// Coaches' notes.
    pub private_notes: Option<PrivateNotes>,
    /// `None`: the default (an assistant coach who adds becomes the coach;
    /// a head coach's addition is unassigned). `Some(x)`: exactly `x`.
    pub assigned_to_coach_id: Option<Option<UserId>>,
}

/// A change to a member's attributes. `None` leaves a field as it is;
/// `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MemberPatch {
    /// Nickname.
    pub display_name: Option<Option<DisplayName>>,
    /// Tier.
    pub member_level: Option<Option<MemberLevel>>,
    /// Replaces the whole set.
    pub labels: Option<Labels>,
    /// Coaches' notes.
    pub private_notes: Option<Option<PrivateNotes>>,
    /// Standing.
    pub status: Option<MembershipStatus>,
}

/// How much of a member the caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAccess {
    /// A coach: everything.
    Coach,
    /// The athlete themselves: without private notes and labels.
    Own,
}

/// The caller's live membership in `org_id`, or 404 (no existence leak).
fn caller_membership(orgs: &impl OrganizationRepo, org_id: OrgId, caller: UserId) -> Result<Membership, DomainError> {
    orgs.live_membership(org_id, caller)?.ok_or(DomainError::NotFound("organization"))
}

/// The caller as a coach of `org_id`.
fn coach_role(orgs: &impl OrganizationRepo, org_id: OrgId, caller: UserId) -> Result<Role, DomainError> {
    let me = caller_membership(orgs, org_id, caller)?;
    if me.role.is_coach() { Ok(me.role) } else { Err(DomainError::Forbidden("only coaches may do this")) }
}

/// Whether `role` (the caller `caller`) may edit or remove `target`.
fn may_manage(role: Role, caller: UserId, target: &Membership) -> Result<(), DomainError> {
    match role {
        Role::HeadCoach => Ok(()),
        Role::AssistantCoach if target.assigned_to_coach_id == Some(caller) => Ok(()),
        Role::AssistantCoach => Err(DomainError::NotAssignedToYou),
        Role::Athlete => Err(DomainError::Forbidden("athletes may not change memberships")),
    }
}

/// `coach` must be a live coach of `org_id`: `not_a_coach` otherwise.
fn ensure_coach(orgs: &impl OrganizationRepo, org_id: OrgId, coach: UserId) -> Result<(), DomainError> {
    match orgs.live_membership(org_id, coach)? {
        Some(m) if m.role.is_coach() => Ok(()),
        _ => Err(DomainError::NotACoach),
    }
}

fn text<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref().map_or(Value::Null, |v| Value::String(v.to_string()))
}

/// Adds an existing account as an athlete (coaches). An assistant coach's
/// athlete is assigned to them unless the request names no coach (`null`) or
/// themselves; naming another coach is the head coach's call (403).
#[allow(clippy::too_many_arguments)]
pub fn add(
    orgs: &impl OrganizationRepo,
    accounts: &impl AccountRepo,
    members: &impl MemberRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    new: NewMember,
) -> Result<MemberView, DomainError> {
    let role = coach_role(orgs, org_id, caller)?;
    let coach = match new.assigned_to_coach_id {
        None if role == Role::AssistantCoach => Some(caller),
        None => None,
        Some(Some(other)) if role == Role::AssistantCoach && other != caller => {
            return Err(DomainError::Forbidden("only the head coach may assign athletes to other coaches"));
        }
        Some(explicit) => explicit,
    };
    if let Some(coach) = coach {
        ensure_coach(orgs, org_id, coach)?;
    }
    let user = resolve_account(accounts, &new.target)?;
    if orgs.live_membership(org_id, user.user_id)?.is_some() {
        return Err(Conflict::AlreadyMember.into());
    }
    let now = clock.now();
    let mut m = Membership::start(org_id, user.user_id, Role::Athlete, now);
    m.assigned_to_coach_id = coach;
    m.display_name = new.display_name;
    m.member_level = new.member_level;
    m.labels = new.labels;
    m.private_notes = new.private_notes;
    let mut changes = json!({
        "role": {"old": null, "new": Role::Athlete.as_str()},
        "status": {"old": null, "new": m.status.as_str()},
        "assigned_to_coach_id": {"old": null, "new": text(&m.assigned_to_coach_id)},
        "display_name": {"old": null, "new": text(&m.display_name)},
        "member_level": {"old": null, "new": text(&m.member_level)},
        "labels": {"old": [], "new": m.labels.to_strings()},
        "private_notes": {"changed": m.private_notes.is_some()},
    });
    if let Some(group) = new.extras.group_id {
        changes["group_id"] = json!({"old": null, "new": group});
    }
    if let Some(plan) = new.extras.training_plan {
        changes["training_plan"] = json!({"old": null, "new": plan});
    }
    let event = AuditEvent::new(org_id, caller, "member.added", Some(user.user_id), changes, now);
    members.add_member(&m, &new.extras, caller, &event)?;
    Ok(MemberView {
        membership: m,
        first_name: user.first_name.into_inner(),
        last_name: user.last_name.map(|l| l.into_inner()),
        email: user.email.into_inner(),
    })
}

/// A page of the roster (coaches). `Me` becomes the caller; an assistant
/// coach filtering by another coach is refused (403).
pub fn list(
    orgs: &impl OrganizationRepo,
    members: &impl MemberRepo,
    caller: UserId,
    org_id: OrgId,
    mut query: RosterQuery,
) -> Result<RosterPage, DomainError> {
    let role = coach_role(orgs, org_id, caller)?;
    query.coach = match query.coach {
        CoachFilter::Me => CoachFilter::Coach(caller),
        CoachFilter::Coach(other) if role == Role::AssistantCoach && other != caller => {
            return Err(DomainError::Forbidden("assistant coaches may filter the roster by themselves only"));
        }
        other => other,
    };
    Ok(members.roster(org_id, &query)?)
}

/// One member (coaches, or the athlete themselves without private notes and labels).
pub fn get(
    orgs: &impl OrganizationRepo,
    members: &impl MemberRepo,
    caller: UserId,
    org_id: OrgId,
    user_id: UserId,
) -> Result<(MemberView, MemberAccess), DomainError> {
    let me = caller_membership(orgs, org_id, caller)?;
    let access = if me.role.is_coach() {
        MemberAccess::Coach
    } else if user_id == caller {
        MemberAccess::Own
    } else {
        return Err(DomainError::Forbidden("athletes may read only their own membership"));
    };
    let mut view = members.member(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
    if access == MemberAccess::Own {
        view.membership.private_notes = None;
        view.membership.labels = Labels::default();
    }
    Ok((view, access))
}

fn record<T: PartialEq + Clone>(
    changes: &mut Map<String, Value>,
    name: &str,
    slot: &mut T,
    new: Option<T>,
    show: impl Fn(&T) -> Value,
) {
    if let Some(new) = new
        && *slot != new
    {
        changes.insert(name.to_owned(), json!({"old": show(slot), "new": show(&new)}));
        *slot = new;
    }
}

/// Changes a member's attributes (head coach, or the assigned assistant
/// coach). With `expected_version`, a stale version is `version_mismatch`.
/// A patch that changes nothing writes nothing and answers the member as is.
#[allow(clippy::too_many_arguments)]
pub fn update(
    orgs: &impl OrganizationRepo,
    members: &impl MemberRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    user_id: UserId,
    patch: MemberPatch,
    expected_version: Option<i64>,
) -> Result<MemberView, DomainError> {
    let me = caller_membership(orgs, org_id, caller)?;
    if !me.role.is_coach() {
        return Err(DomainError::Forbidden("only coaches may change memberships"));
    }
    let mut view = members.member(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
    may_manage(me.role, caller, &view.membership)?;
    let old_version = view.membership.version;
    if expected_version.is_some_and(|v| v != old_version) {
        return Err(Conflict::VersionMismatch.into());
    }
    let m = &mut view.membership;
    let mut changes = Map::new();
    record(&mut changes, "display_name", &mut m.display_name, patch.display_name, text);
    record(&mut changes, "member_level", &mut m.member_level, patch.member_level, text);
    record(&mut changes, "labels", &mut m.labels, patch.labels, |l| json!(l.to_strings()));
    record(&mut changes, "status", &mut m.status, patch.status, |s| json!(s.as_str()));
    if let Some(notes) = patch.private_notes
        && m.private_notes != notes
    {
        changes.insert("private_notes".into(), json!({"changed": true}));
        m.private_notes = notes;
    }
    if changes.is_empty() {
        return Ok(view);
    }
    let now = clock.now();
    m.version = old_version + 1;
    m.updated_at = now;
    let event = AuditEvent::new(org_id, caller, "member.updated", Some(user_id), Value::Object(changes), now);
    members.update_member(m, old_version, &event)?;
    Ok(view)
}

/// Assigns an athlete to a coach of the organization, or unassigns them
/// (`None`). Head coach only; the coach must be a coach here (`not_a_coach`).
#[allow(clippy::too_many_arguments)]
pub fn assign_coach(
    orgs: &impl OrganizationRepo,
    members: &impl MemberRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    user_id: UserId,
    coach: Option<UserId>,
) -> Result<MemberView, DomainError> {
    let me = caller_membership(orgs, org_id, caller)?;
    if me.role != Role::HeadCoach {
        return Err(DomainError::Forbidden("only the head coach may assign athletes to coaches"));
    }
    let mut view = members.member(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
    if view.membership.role != Role::Athlete {
        return Err(DomainError::Validation(vec![FieldError::new(
            "user_id",
            "not_an_athlete",
            "only athletes are assigned to coaches",
        )]));
    }
    if let Some(coach) = coach {
        ensure_coach(orgs, org_id, coach)?;
    }
    let m = &mut view.membership;
    if m.assigned_to_coach_id == coach {
        return Ok(view);
    }
    let now = clock.now();
    let old_version = m.version;
    let changes = json!({"assigned_to_coach_id": {"old": text(&m.assigned_to_coach_id), "new": text(&coach)}});
    m.assigned_to_coach_id = coach;
    m.version = old_version + 1;
    m.updated_at = now;
    let event = AuditEvent::new(org_id, caller, "coach.assigned", Some(user_id), changes, now);
    members.update_member(m, old_version, &event)?;
    Ok(view)
}

/// Ends an athlete's membership (head coach, the assigned assistant coach, or
/// the athlete leaving). The account stays; re-adding starts a new membership.
/// Coaches leave through the coaches resource; the head coach cannot leave
/// (`head_coach_required`).
pub fn remove(
    orgs: &impl OrganizationRepo,
    members: &impl MemberRepo,
    clock: &impl Clock,
    caller: UserId,
    org_id: OrgId,
    user_id: UserId,
) -> Result<(), DomainError> {
    let me = caller_membership(orgs, org_id, caller)?;
    if me.role == Role::Athlete && user_id != caller {
        return Err(DomainError::Forbidden("athletes may only leave themselves"));
    }
    let target = orgs.live_membership(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
    match target.role {
        Role::HeadCoach => return Err(DomainError::HeadCoachRequired),
        Role::AssistantCoach => return Err(DomainError::Forbidden("coaches are removed through /coaches")),
        Role::Athlete => {}
    }
    if user_id != caller {
        may_manage(me.role, caller, &target)?;
    }
    let now = clock.now();
    let changes = json!({
        "role": {"old": Role::Athlete.as_str(), "new": null},
        "assigned_to_coach_id": {"old": text(&target.assigned_to_coach_id), "new": null},
        "left": user_id == caller,
    });
    let event = AuditEvent::new(org_id, caller, "member.removed", Some(user_id), changes, now);
    members.remove_member(org_id, user_id, caller, now, &event)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{User, UserCredentials};
    use crate::member::{Label, MockMemberRepo, RosterSort};
    use crate::ports::{MockAccountRepo, MockOrganizationRepo};
    use crate::services::organizations::tests::clock;
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
            Self {
                org,
                head,
                assistant,
                other_assistant,
                own_athlete,
                other_athlete,
                roster: Arc::new(Mutex::new(map)),
            }
        }

        fn orgs(&self) -> MockOrganizationRepo {
            let (org, roster) = (self.org, self.roster.clone());
            let mut repo = MockOrganizationRepo::new();
            repo.expect_live_membership()
                .returning(move |o, u| Ok(roster.lock().unwrap().get(&u).filter(|_| o == org).cloned()));
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
                }))
            });
            repo
        }
    }

    fn accounts_with(user_id: UserId) -> MockAccountRepo {
        let user = User {
            user_id,
            email: Email::parse("new@example.com").unwrap(),
            first_name: PersonName::parse("New").unwrap(),
            last_name: None,
            email_verified: false,
            created_at: clock().now(),
        };
        let mut accounts = MockAccountRepo::new();
        let by_email = user.clone();
        accounts.expect_user_by_email().returning(move |e| {
            Ok((*e == by_email.email).then(|| UserCredentials { user: by_email.clone(), password_hash: "h".into() }))
        });
        accounts.expect_user_by_id().returning(move |id| Ok((id == user.user_id).then(|| user.clone())));
        accounts
    }

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
            .withf(move |m, _, actor, e| {
                m.assigned_to_coach_id == Some(assistant)
                    && m.role == Role::Athlete
                    && *actor == assistant
                    && e.action == "member.added"
            })
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let view = add(
            &club.orgs(),
            &accounts_with(newcomer),
            &members,
            &clock(),
            assistant,
            club.org,
            new_member(AccountRef::Id(newcomer)),
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
            .withf(|m, _, _, _| m.assigned_to_coach_id.is_none())
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let mut new = new_member(AccountRef::Id(newcomer));
        new.assigned_to_coach_id = Some(None);
        add(&club.orgs(), &accounts_with(newcomer), &members, &clock(), club.assistant, club.org, new.clone()).unwrap();
        new.assigned_to_coach_id = Some(Some(club.other_assistant));
        let err =
            add(&club.orgs(), &accounts_with(newcomer), &members, &clock(), club.assistant, club.org, new).unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    #[test]
    fn head_coach_adds_unassigned_by_default_and_audits_without_note_text() {
        let club = Club::new();
        let newcomer = UserId::new();
        let mut members = club.members();
        members
            .expect_add_member()
            .withf(|m, _, _, e| {
                m.assigned_to_coach_id.is_none()
                    && e.changes["private_notes"] == json!({"changed": true})
                    && !e.changes.to_string().contains("secret note")
            })
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let mut new = new_member(AccountRef::Email(Email::parse("NEW@example.com").unwrap()));
        new.private_notes = Some(PrivateNotes::parse("secret note").unwrap());
        add(&club.orgs(), &accounts_with(newcomer), &members, &clock(), club.head, club.org, new).unwrap();
    }

    #[test]
    fn adding_names_a_coach_who_is_not_a_coach_is_not_a_coach() {
        let club = Club::new();
        let mut new = new_member(AccountRef::Id(UserId::new()));
        new.assigned_to_coach_id = Some(Some(club.own_athlete));
        let err = add(&club.orgs(), &accounts_with(UserId::new()), &club.members(), &clock(), club.head, club.org, new)
            .unwrap_err();
        assert_eq!(err.code(), "not_a_coach");
    }

    #[test]
    fn adding_an_unknown_account_is_user_not_found_and_a_member_is_already_member() {
        let club = Club::new();
        let accounts = accounts_with(club.own_athlete);
        let err = add(
            &club.orgs(),
            &accounts,
            &club.members(),
            &clock(),
            club.head,
            club.org,
            new_member(AccountRef::Id(UserId::new())),
        )
        .unwrap_err();
        assert_eq!(err.code(), "user_not_found");
        let err = add(
            &club.orgs(),
            &accounts,
            &club.members(),
            &clock(),
            club.head,
            club.org,
            new_member(AccountRef::Id(club.own_athlete)),
        )
        .unwrap_err();
        assert_eq!(err.code(), "already_member");
    }

    #[test]
    fn athlete_cannot_add_or_list_and_strangers_get_not_found() {
        let club = Club::new();
        let err = add(
            &club.orgs(),
            &MockAccountRepo::new(),
            &club.members(),
            &clock(),
            club.own_athlete,
            club.org,
            new_member(AccountRef::Id(UserId::new())),
        )
        .unwrap_err();
        assert_eq!(err.code(), "forbidden");
        let err = list(&club.orgs(), &club.members(), club.own_athlete, club.org, RosterQuery::default()).unwrap_err();
        assert_eq!(err.code(), "forbidden");
        let err = list(&club.orgs(), &club.members(), UserId::new(), club.org, RosterQuery::default()).unwrap_err();
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
            .returning(|_, _| Ok(RosterPage { members: vec![], next: None, total: 0, profile_status: None }));
        let query = |coach| RosterQuery { coach, limit: 50, sort: RosterSort::Name, ..Default::default() };
        list(&club.orgs(), &members, assistant, club.org, query(CoachFilter::Me)).unwrap();
        list(&club.orgs(), &members, assistant, club.org, query(CoachFilter::Unassigned)).unwrap();
        let err = list(&club.orgs(), &members, assistant, club.org, query(CoachFilter::Coach(club.other_assistant)))
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
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
        let (view, access) = get(&club.orgs(), &club.members(), club.own_athlete, club.org, club.own_athlete).unwrap();
        assert_eq!(access, MemberAccess::Own);
        assert!(view.membership.private_notes.is_none() && view.membership.labels.is_empty());
        let (view, access) = get(&club.orgs(), &club.members(), club.assistant, club.org, club.own_athlete).unwrap();
        assert_eq!(access, MemberAccess::Coach);
        assert_eq!(view.membership.labels.as_slice(), [Label::parse("@injury-watch").unwrap()]);
        let err = get(&club.orgs(), &club.members(), club.own_athlete, club.org, club.other_athlete).unwrap_err();
        assert_eq!(err.code(), "forbidden");
        let err = get(&club.orgs(), &club.members(), club.head, club.org, UserId::new()).unwrap_err();
        assert_eq!(err.code(), "not_found");
    }

    #[test]
    fn assistant_coach_edits_only_assigned_athletes() {
        let club = Club::new();
        let mut members = club.members();
        members.expect_update_member().times(1).returning(|_, _, _| Ok(()));
        let patch =
            MemberPatch { member_level: Some(Some(MemberLevel::parse("elite").unwrap())), ..Default::default() };
        let view =
            update(&club.orgs(), &members, &clock(), club.assistant, club.org, club.own_athlete, patch.clone(), None)
                .unwrap();
        assert_eq!(view.membership.version, 2);
        let err =
            update(&club.orgs(), &members, &clock(), club.assistant, club.org, club.other_athlete, patch.clone(), None)
                .unwrap_err();
        assert_eq!(err.code(), "not_assigned_to_you");
        let err = update(&club.orgs(), &members, &clock(), club.own_athlete, club.org, club.own_athlete, patch, None)
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    #[test]
    fn stale_if_match_is_version_mismatch_and_writes_nothing() {
        let club = Club::new();
        let mut members = club.members();
        members.expect_update_member().never();
        let patch = MemberPatch { status: Some(MembershipStatus::Inactive), ..Default::default() };
        let err = update(&club.orgs(), &members, &clock(), club.head, club.org, club.own_athlete, patch, Some(7))
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
        update(&club.orgs(), &members, &clock(), club.head, club.org, club.own_athlete, patch, Some(1)).unwrap();
    }

    #[test]
    fn a_patch_that_changes_nothing_writes_nothing() {
        let club = Club::new();
        let mut members = club.members();
        members.expect_update_member().never();
        let patch = MemberPatch {
            status: Some(MembershipStatus::Active),
            labels: Some(Labels::default()),
            ..Default::default()
        };
        let view =
            update(&club.orgs(), &members, &clock(), club.head, club.org, club.own_athlete, patch, None).unwrap();
        assert_eq!(view.membership.version, 1);
    }

    #[test]
    fn assistant_coach_cannot_assign_coaches() {
        let club = Club::new();
        let err = assign_coach(
            &club.orgs(),
            &club.members(),
            &clock(),
            club.assistant,
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
        assign_coach(&club.orgs(), &members, &clock(), club.head, club.org, club.other_athlete, Some(assistant))
            .unwrap();
        let err = assign_coach(
            &club.orgs(),
            &members,
            &clock(),
            club.head,
            club.org,
            club.other_athlete,
            Some(club.own_athlete),
        )
        .unwrap_err();
        assert_eq!(err.code(), "not_a_coach");
        let err =
            assign_coach(&club.orgs(), &members, &clock(), club.head, club.org, club.assistant, None).unwrap_err();
        assert_eq!(err.code(), "not_an_athlete");
    }

    #[test]
    fn removal_permissions() {
        let club = Club::new();
        let mut members = club.members();
        members.expect_remove_member().times(3).returning(|_, _, _, _, _| Ok(()));
        let orgs = club.orgs();
        // The athlete leaves; the assigned assistant and the head coach remove.
        remove(&orgs, &members, &clock(), club.own_athlete, club.org, club.own_athlete).unwrap();
        remove(&orgs, &members, &clock(), club.assistant, club.org, club.own_athlete).unwrap();
        remove(&orgs, &members, &clock(), club.head, club.org, club.other_athlete).unwrap();
        let code =
            |caller, target| remove(&orgs, &members, &clock(), caller, club.org, target).unwrap_err().code().to_owned();
        assert_eq!(code(club.assistant, club.other_athlete), "not_assigned_to_you");
        assert_eq!(code(club.own_athlete, club.other_athlete), "forbidden");
        assert_eq!(code(club.head, club.head), "head_coach_required");
        assert_eq!(code(club.head, UserId::new()), "not_found");
        assert_eq!(code(UserId::new(), club.own_athlete), "not_found");
    }
}
