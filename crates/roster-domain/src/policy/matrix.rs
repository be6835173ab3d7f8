//! The whole matrix: every action × six callers, against an explicit table,
//! and the same table as `docs/architecture.md` prints it.
//!
//! The cast: a head coach; the athlete's assigned assistant coach (who also
//! wrote the plan); another assistant coach; the athlete; another athlete;
//! an outsider; an API key with the scope the action needs (all scopes when
//! none does); an API key with every scope but that one. A new action without rows does not compile (`expected`
//! matches every action). After changing a rule, run the test with
//! `ROSTER_BLESS=1` to rewrite the docs' table.

use super::*;
use crate::DomainError;
use crate::entities::Membership;
use crate::ids::{ApiKeyId, OrgId, UserId};
use crate::ports::MockOrganizationRepo;
use crate::role::Role;
use Action::*;

/// What a caller gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// Allowed.
    Y,
    /// `404`.
    H,
    /// `403 forbidden`.
    F,
    /// `403 not_assigned_to_you`.
    N,
    /// `403 insufficient_scope`.
    S,
}
use Cell::*;

/// What an action is about, in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum About {
    Org,
    /// The athlete, loaded.
    Athlete,
    /// The athlete, by id.
    AthleteById,
    /// The other assistant coach, by id.
    OtherCoach,
    /// The caller themself.
    Themself,
    /// The athletes of the assigned assistant coach.
    AssignedCoachsAthletes,
    /// The plan the assigned assistant wrote, assigned to the athlete.
    Plan,
    AthleteInvitation,
    CoachInvitation,
}

impl About {
    fn words(self) -> &'static str {
        match self {
            About::Org => "the organization",
            About::Athlete | About::AthleteById => "the athlete",
            About::OtherCoach => "the other assistant",
            About::Themself => "themself",
            About::AssignedCoachsAthletes => "the assigned assistant's athletes",
            About::Plan => "the assigned assistant's plan, assigned to the athlete",
            About::AthleteInvitation => "an athlete's invitation",
            About::CoachInvitation => "an assistant coach's invitation",
        }
    }
}

/// The callers, in the table's column order.
const CALLERS: [&str; 8] = [
    "Head coach",
    "Assigned assistant",
    "Other assistant",
    "The athlete",
    "Another athlete",
    "Outsider",
    "Key with the scope",
    "Key without it",
];

/// What no API key may do, whatever its scopes (written out here, not read
/// from `required_scope`, so the table checks the scope mapping).
const NO_KEY: &[Action] = &[
    UpdateOrganization,
    CloseOrganization,
    LookupUser,
    AddCoach,
    RemoveCoach,
    LeaveAsCoach,
    TransferHeadCoach,
    ManageOwnIntegrations,
    ManageApiKeys,
];

/// A row of the table: the people's cells, then the keys'.
fn row(action: Action, people: [Cell; 6]) -> [Cell; 8] {
    let keys = if NO_KEY.contains(&action) { [F, F] } else { [Y, S] };
    let mut cells = [Y; 8];
    cells[..6].copy_from_slice(&people);
    cells[6..].copy_from_slice(&keys);
    cells
}

/// The expected table: at least one row per action.
fn expected(action: Action) -> Vec<(About, [Cell; 8])> {
    people(action).into_iter().map(|(about, cells)| (about, row(action, cells))).collect()
}

/// The people's columns of the table.
fn people(action: Action) -> Vec<(About, [Cell; 6])> {
    use About::*;
    match action {
        ReadOrganization => vec![(Org, [Y, Y, Y, Y, Y, H])],
        UpdateOrganization | CloseOrganization | ReadAuditTrail | AddCoach | TransferHeadCoach | ManageWebhooks
        | ManageApiKeys => {
            vec![(Org, [Y, F, F, F, F, H])]
        }
        ListCoaches | LookupUser => vec![(Org, [Y, Y, Y, F, F, H])],
        RemoveCoach => vec![(OtherCoach, [Y, F, F, H, H, H])],
        LeaveAsCoach => vec![(Themself, [Y, Y, Y, H, H, H])],
        ListMembers => vec![(Org, [Y, Y, Y, F, F, H]), (AssignedCoachsAthletes, [Y, Y, F, F, F, H])],
        AddMember => vec![(AssignedCoachsAthletes, [Y, Y, F, F, F, H])],
        ReadMember => vec![(AthleteById, [Y, Y, Y, Y, H, H])],
        ExportRoster | ImportRoster | BulkEditRoster => vec![(Org, [Y, Y, Y, F, F, H])],
        BulkAssignCoach => vec![(Org, [Y, F, F, F, F, H])],
        UpdateMember => vec![(Athlete, [Y, Y, N, F, H, H])],
        AssignCoach => vec![(AthleteById, [Y, F, F, F, H, H])],
        RemoveMember => vec![(Athlete, [Y, Y, N, Y, H, H])],
        ListInvitations | CreateJoinLink => vec![(Org, [Y, Y, Y, F, F, H])],
        CreateInvitation | ResendInvitation | RevokeInvitation | ShowInvitationLink => {
            vec![(AthleteInvitation, [Y, Y, Y, F, F, H]), (CoachInvitation, [Y, F, F, F, F, H])]
        }
        ListPlans => vec![(Org, [Y, Y, Y, Y, Y, H])],
        ReadPlan => vec![(Plan, [Y, Y, Y, Y, H, H])],
        CreatePlan => vec![(Org, [Y, Y, Y, F, F, H])],
        EditPlan => vec![(Plan, [Y, Y, F, F, F, H])],
        ListAssignments => vec![(AthleteById, [Y, Y, Y, Y, H, H])],
        AssignPlan | CancelAssignment => vec![(Athlete, [Y, Y, N, F, H, H])],
        ReadGroups | ManageGroups | AssignGroupPlan => vec![(Org, [Y, Y, Y, F, F, H])],
        ManageGroupMembers => vec![(AthleteById, [Y, Y, Y, F, H, H])],
        ReadAthleteData | ReadProfile | ReadCalendar => vec![(Athlete, [Y, Y, Y, Y, H, H])],
        WriteAthleteData => vec![(Athlete, [Y, Y, N, Y, H, H])],
        MoveOrExcuseWorkout | AcknowledgeSignal => vec![(Athlete, [Y, Y, N, F, H, H])],
        ReadAttentionQueue => vec![(Org, [Y, Y, Y, F, F, H])],
        ManageOwnIntegrations => vec![(Themself, [F, F, F, Y, Y, F])],
    }
}

struct Cast {
    members: [Membership; 5],
    outsider: UserId,
}

impl Cast {
    fn new() -> Cast {
        let (org, now) = (OrgId::new(), chrono::Utc::now());
        let member = |role| Membership::start(org, UserId::new(), role, now);
        let head = member(Role::HeadCoach);
        let assigned = member(Role::AssistantCoach);
        let other = member(Role::AssistantCoach);
        let mut athlete = member(Role::Athlete);
        athlete.assigned_to_coach_id = Some(assigned.user_id);
        let another = member(Role::Athlete);
        Cast { members: [head, assigned, other, athlete, another], outsider: UserId::new() }
    }

    fn actor(&self, action: Action, column: usize) -> Actor {
        let needed = required_scope(action);
        let key = |keep: &dyn Fn(Scope) -> bool| Actor::ApiKey {
            key_id: ApiKeyId::new(),
            org_id: self.members[0].org_id,
            scopes: Scope::ALL.iter().copied().filter(|s| keep(*s)).collect(),
        };
        match column {
            0..5 => Actor::Member(self.members[column].clone()),
            5 => Actor::Outsider(self.outsider),
            6 => key(&|s| needed.is_none_or(|n| n == s)),
            _ => key(&|s| Some(s) != needed),
        }
    }

    fn cell(&self, action: Action, about: About, column: usize) -> Cell {
        let actor = self.actor(action, column);
        let [_, assigned, other, athlete, _] = &self.members;
        let own = actor.membership().cloned().unwrap_or_else(|| athlete.clone());
        let target = match about {
            About::Org => Target::Organization,
            About::Athlete => Target::Member(athlete),
            About::AthleteById => Target::Someone(athlete.user_id),
            About::OtherCoach => Target::Someone(other.user_id),
            About::Themself => Target::Member(&own),
            About::AssignedCoachsAthletes => Target::CoachedBy(Some(assigned.user_id)),
            About::Plan => {
                Target::Plan { author: assigned.user_id, held_by_caller: actor.user_id() == athlete.user_id }
            }
            About::AthleteInvitation => Target::Invitation(Role::Athlete),
            About::CoachInvitation => Target::Invitation(Role::AssistantCoach),
        };
        match authorize(&actor, action, target) {
            Ok(()) => Y,
            Err(Denied::Hidden(_)) => H,
            Err(Denied::Forbidden(_)) => F,
            Err(Denied::NotAssignedToYou) => N,
            Err(Denied::InsufficientScope(_)) => S,
        }
    }
}

#[test]
fn every_action_against_every_caller_matches_the_table() {
    let cast = Cast::new();
    let mut wrong = Vec::new();
    for &action in Action::ALL {
        for (about, row) in expected(action) {
            for (column, want) in row.into_iter().enumerate() {
                let got = cast.cell(action, about, column);
                if got != want {
                    wrong.push(format!(
                        "{action:?} about {about:?}, {}: expected {want:?}, got {got:?}",
                        CALLERS[column]
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_key_is_an_outsider_elsewhere_and_names_the_scope_it_lacks() {
    let (org, elsewhere, key_id) = (OrgId::new(), OrgId::new(), ApiKeyId::new());
    let err = Actor::for_key(key_id, org, Scope::ALL.to_vec(), elsewhere).unwrap_err();
    assert!(matches!(err, DomainError::NotFound("organization")), "{err:?}");
    let key = Actor::for_key(key_id, org, vec![Scope::MembersRead], org).unwrap();
    let refused = authorize(&key, UpdateMember, Target::Organization).unwrap_err();
    assert!(matches!(DomainError::from(refused), DomainError::InsufficientScope("members:write")));
    assert_eq!(key.user_id().as_uuid(), key_id.as_uuid(), "the audit trail names the key");
}

#[test]
fn resolving_an_outsider_answers_what_authorize_would() {
    let mut orgs = MockOrganizationRepo::new();
    orgs.expect_live_membership().returning(|_, _| Ok(None));
    let err = Actor::resolve(&orgs, OrgId::new(), UserId::new()).unwrap_err();
    assert!(matches!(err, DomainError::NotFound("organization")), "{err:?}");
    let outsider = Actor::Outsider(UserId::new());
    for &action in Action::ALL.iter().filter(|a| **a != ManageOwnIntegrations) {
        assert_eq!(authorize(&outsider, action, Target::Organization), Err(Denied::Hidden("organization")));
    }
}

const START: &str = "<!-- authorization-matrix: generated by roster-domain's policy::matrix test -->";
const END: &str = "<!-- /authorization-matrix -->";

/// The table as the docs print it.
fn render() -> String {
    let word = |cell: Cell| match cell {
        Y => "yes",
        H => "404",
        F => "403",
        N => "403 ¹",
        S => "403 ²",
    };
    let mut out = format!("| Action | About | {} | API key scope |\n", CALLERS.join(" | "));
    out.push_str(&"|---".repeat(CALLERS.len() + 3));
    out.push_str("|\n");
    for &action in Action::ALL {
        let scope = required_scope(action).map_or("—".to_owned(), |s| format!("`{s}`"));
        for (about, row) in expected(action) {
            let cells: Vec<&str> = row.into_iter().map(word).collect();
            out.push_str(&format!("| {} | {} | {} | {scope} |\n", action.describe(), about.words(), cells.join(" | ")));
        }
    }
    out.push_str("\n¹ `not_assigned_to_you`: an assistant coach acts only for the athletes assigned to them.\n");
    out.push_str("\n² `insufficient_scope`, naming the scope the key lacks.\n");
    out
}

#[test]
fn the_docs_print_this_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/architecture.md");
    let doc = std::fs::read_to_string(path).expect("docs/architecture.md");
    let (before, rest) = doc.split_once(START).expect("the table's start marker");
    let (current, after) = rest.split_once(END).expect("the table's end marker");
    let table = format!("\n{}", render());
    if current == table {
        return;
    }
    if std::env::var_os("ROSTER_BLESS").is_some() {
        std::fs::write(path, format!("{before}{START}{table}{END}{after}")).expect("write docs/architecture.md");
        return;
    }
    panic!("docs/architecture.md's authorization table is stale; rerun with ROSTER_BLESS=1. Expected:\n{table}");
}

#[test]
fn refusals_say_why() {
    let cast = Cast::new();
    let [_, assigned, other, athlete, _] = &cast.members;
    let said = |column: usize, action: Action, target: Target<'_>| match authorize(
        &cast.actor(action, column),
        action,
        target,
    ) {
        Err(Denied::Forbidden(why)) => why,
        other => panic!("{action:?}: {other:?}"),
    };
    let (assistant, athlete_column) = (2, 3);
    let org = Target::Organization;
    assert_eq!(said(assistant, UpdateOrganization, org), "only the head coach may do this");
    assert_eq!(said(athlete_column, ListCoaches, org), "only coaches may do this");
    let others = Target::CoachedBy(Some(assigned.user_id));
    assert_eq!(said(assistant, ListMembers, others), "assistant coaches may filter the roster by themselves only");
    assert_eq!(said(assistant, AddMember, others), "only the head coach may assign athletes to other coaches");
    assert_eq!(said(athlete_column, UpdateMember, Target::Member(athlete)), "only coaches may change memberships");
    let coach = Target::Member(other);
    assert_eq!(said(0, RemoveMember, coach), "coaches are removed through /coaches");
    assert_eq!(said(athlete_column, ListInvitations, org), "only coaches may manage invitations");
    assert_eq!(said(athlete_column, CreateJoinLink, org), "only coaches may invite");
    assert_eq!(said(0, CreateInvitation, Target::Invitation(Role::HeadCoach)), "nobody can be invited as head coach");
    let coach_invitation = Target::Invitation(Role::AssistantCoach);
    assert_eq!(said(assistant, RevokeInvitation, coach_invitation), "only the head coach may invite coaches");
    let plan = Target::Plan { author: assigned.user_id, held_by_caller: false };
    assert_eq!(said(assistant, EditPlan, plan), "only the plan's author or the head coach may change it");
    let own = Target::Member(athlete);
    assert_eq!(said(athlete_column, AssignPlan, own), "only coaches may assign training plans");
    assert_eq!(said(athlete_column, CancelAssignment, own), "only coaches may cancel training plans");
    assert_eq!(said(athlete_column, ManageGroups, org), "only coaches may manage groups");
    assert_eq!(said(athlete_column, MoveOrExcuseWorkout, own), "only coaches move or excuse planned workouts");
    assert_eq!(said(0, ManageOwnIntegrations, org), "only an athlete records integrations");
}
