//! The decisions: one arm per action, built from a few rules.

use super::{Action, Actor, Denied, Scope, Target, required_scope};
use crate::entities::Membership;
use crate::role::Role;

/// The head coach's alone.
pub const ONLY_HEAD_COACH: &str = "only the head coach may do this";
const ONLY_COACHES: &str = "only coaches may do this";
const COACHES_MANAGE_INVITATIONS: &str = "only coaches may manage invitations";
const COACHES_MANAGE_GROUPS: &str = "only coaches may manage groups";
const ONLY_ATHLETES_INTEGRATE: &str = "only an athlete records integrations";
const NOT_WITH_A_KEY: &str = "an API key may not do this; sign in as a person";

/// Decides whether `actor` may do `action` about `target`.
///
/// Visibility comes first: an outsider is told the organization does not
/// exist, an athlete asking about another member that the member does not.
/// Then the role, and for some actions the target (an assistant coach acts
/// only for the athletes assigned to them; a plan is changed by its author or
/// the head coach; only the head coach invites coaches).
pub fn authorize(actor: &Actor, action: Action, target: Target<'_>) -> Result<(), Denied> {
    let proxy;
    let me = match actor {
        Actor::Member(me) => me,
        Actor::ApiKey { org_id, scopes, .. } => {
            key_has_scope(scopes, action)?;
            // With the scope, a key acts for the whole organization: it is
            // decided as the head coach would be, so that what the target
            // itself rules out (a coach's athlete data, removing a coach
            // through the roster) reads the same for a key. The proxy's
            // account id is nobody's: "oneself" never matches a key.
            proxy = Membership::start(*org_id, actor.user_id(), Role::HeadCoach, chrono::DateTime::UNIX_EPOCH);
            &proxy
        }
        Actor::Outsider(_) if action == Action::ManageOwnIntegrations => {
            return Err(Denied::Forbidden(ONLY_ATHLETES_INTEGRATE));
        }
        Actor::Outsider(_) => return Err(Denied::Hidden("organization")),
    };
    use Action::*;
    match action {
        // The organization.
        ReadOrganization => Ok(()),
        UpdateOrganization | CloseOrganization | ReadAuditTrail | ManageWebhooks | ManageApiKeys => {
            head_coach(me, ONLY_HEAD_COACH)
        }

        // Coaches.
        ListCoaches | LookupUser => coach(me, ONLY_COACHES),
        AddCoach | TransferHeadCoach => head_coach(me, ONLY_HEAD_COACH),
        RemoveCoach => {
            hide_other_members(me, target)?;
            head_coach(me, ONLY_HEAD_COACH)
        }
        // Only oneself, only a coach: anyone else is told there is no such coach.
        LeaveAsCoach if me.role.is_coach() && target.person() == Some(me.user_id) => Ok(()),
        LeaveAsCoach => Err(Denied::Hidden("coach")),

        // The roster.
        ListMembers => {
            coach(me, ONLY_COACHES)?;
            own_athletes_only(me, target, "assistant coaches may filter the roster by themselves only")
        }
        AddMember => {
            coach(me, ONLY_COACHES)?;
            own_athletes_only(me, target, "only the head coach may assign athletes to other coaches")
        }
        ReadMember => hide_other_members(me, target),
        ExportRoster | ImportRoster | BulkEditRoster => coach(me, ONLY_COACHES),
        BulkAssignCoach => head_coach(me, ONLY_HEAD_COACH),
        UpdateMember => athletes_coach(me, target, "only coaches may change memberships"),
        AssignCoach => {
            hide_other_members(me, target)?;
            head_coach(me, "only the head coach may assign athletes to coaches")
        }
        RemoveMember => {
            hide_other_members(me, target)?;
            match target {
                // The service answers `head_coach_required`: nobody removes
                // the head coach, and saying so leaks nothing to a coach.
                Target::Member(m) if m.role == Role::HeadCoach => Ok(()),
                Target::Member(m) if m.role == Role::AssistantCoach => {
                    Err(Denied::Forbidden("coaches are removed through /coaches"))
                }
                _ if target.person() == Some(me.user_id) => Ok(()),
                _ => assigned_to_me(me, target),
            }
        }

        // Invitations and join links.
        ListInvitations => coach(me, COACHES_MANAGE_INVITATIONS),
        CreateInvitation => may_invite(me, target),
        CreateJoinLink => may_invite(me, Target::Invitation(Role::Athlete)),
        // Seeing a link hands out what a resend would: the same people may.
        ResendInvitation | RevokeInvitation | ShowInvitationLink => {
            coach(me, COACHES_MANAGE_INVITATIONS)?;
            may_invite(me, target)
        }

        // Training plans.
        ListPlans => Ok(()),
        ReadPlan => match target {
            Target::Plan { held_by_caller: false, .. } if me.role == Role::Athlete => {
                Err(Denied::Hidden("training plan"))
            }
            _ => Ok(()),
        },
        CreatePlan => coach(me, ONLY_COACHES),
        EditPlan => {
            coach(me, ONLY_COACHES)?;
            match target {
                Target::Plan { author, .. } if author != me.user_id && me.role != Role::HeadCoach => {
                    Err(Denied::Forbidden("only the plan's author or the head coach may change it"))
                }
                _ => Ok(()),
            }
        }
        ListAssignments => hide_other_members(me, target),
        AssignPlan => athletes_coach(me, target, "only coaches may assign training plans"),
        CancelAssignment => athletes_coach(me, target, "only coaches may cancel training plans"),

        // Groups.
        ReadGroups | ManageGroups | AssignGroupPlan => coach(me, COACHES_MANAGE_GROUPS),
        ManageGroupMembers => {
            hide_other_members(me, target)?;
            coach(me, COACHES_MANAGE_GROUPS)
        }

        // Athlete data, profile, calendar.
        ReadAthleteData | ReadProfile | ReadCalendar => athlete_data(me, target, false),
        WriteAthleteData => athlete_data(me, target, true),
        MoveOrExcuseWorkout => {
            athlete_data(me, target, true)?;
            coach(me, "only coaches move or excuse planned workouts")
        }
        ReadAttentionQueue => coach(me, ONLY_COACHES),
        AcknowledgeSignal => {
            athlete_data(me, target, true)?;
            coach(me, ONLY_COACHES)
        }
        ManageOwnIntegrations if me.role == Role::Athlete => Ok(()),
        ManageOwnIntegrations => Err(Denied::Forbidden(ONLY_ATHLETES_INTEGRATE)),
    }
}

/// A key may do an action iff one of its scopes allows it; actions no scope
/// allows (managing keys among them) are refused whatever its scopes.
fn key_has_scope(scopes: &[Scope], action: Action) -> Result<(), Denied> {
    match required_scope(action) {
        Some(needed) if scopes.contains(&needed) => Ok(()),
        Some(needed) => Err(Denied::InsufficientScope(needed)),
        None => Err(Denied::Forbidden(NOT_WITH_A_KEY)),
    }
}

fn coach(me: &Membership, why: &'static str) -> Result<(), Denied> {
    if me.role.is_coach() { Ok(()) } else { Err(Denied::Forbidden(why)) }
}

fn head_coach(me: &Membership, why: &'static str) -> Result<(), Denied> {
    if me.role == Role::HeadCoach { Ok(()) } else { Err(Denied::Forbidden(why)) }
}

/// An athlete is told nothing about any other member: whatever the role would
/// allow, asking about someone else is `404`, exactly as for an id that does
/// not exist (a `403` would say the member exists).
fn hide_other_members(me: &Membership, target: Target<'_>) -> Result<(), Denied> {
    match target.person() {
        Some(other) if me.role == Role::Athlete && other != me.user_id => Err(Denied::Hidden("member")),
        _ => Ok(()),
    }
}

/// Acting for a member: hidden from athletes, refused to them (`why`), and
/// for an assistant coach only with the athletes assigned to them.
fn athletes_coach(me: &Membership, target: Target<'_>, why: &'static str) -> Result<(), Denied> {
    hide_other_members(me, target)?;
    coach(me, why)?;
    assigned_to_me(me, target)
}

/// The head coach acts for every athlete; an assistant coach for those
/// assigned to them only.
fn assigned_to_me(me: &Membership, target: Target<'_>) -> Result<(), Denied> {
    match (me.role, target) {
        (Role::HeadCoach, _) => Ok(()),
        (Role::AssistantCoach, Target::Member(m)) if m.assigned_to_coach_id == Some(me.user_id) => Ok(()),
        (Role::AssistantCoach, _) => Err(Denied::NotAssignedToYou),
        (Role::Athlete, _) => Err(Denied::Forbidden("athletes may not change memberships")),
    }
}

/// An assistant coach names no coach but themselves.
fn own_athletes_only(me: &Membership, target: Target<'_>, why: &'static str) -> Result<(), Denied> {
    match target {
        Target::CoachedBy(Some(coach)) if me.role == Role::AssistantCoach && coach != me.user_id => {
            Err(Denied::Forbidden(why))
        }
        _ => Ok(()),
    }
}

/// Coaches invite athletes; only the head coach invites assistant coaches;
/// athletes invite nobody; nobody is invited as head coach.
fn may_invite(me: &Membership, target: Target<'_>) -> Result<(), Denied> {
    match (me.role, target) {
        (Role::Athlete, _) => Err(Denied::Forbidden("only coaches may invite")),
        (_, Target::Invitation(Role::HeadCoach)) => Err(Denied::Forbidden("nobody can be invited as head coach")),
        (Role::AssistantCoach, Target::Invitation(Role::AssistantCoach)) => {
            Err(Denied::Forbidden("only the head coach may invite coaches"))
        }
        _ => Ok(()),
    }
}

/// An athlete's own data: coaches read every athlete's, the head coach writes
/// for anyone, an assistant coach for the athletes assigned to them; an
/// athlete reads and writes their own. Coaches have none (`404`).
fn athlete_data(me: &Membership, target: Target<'_>, write: bool) -> Result<(), Denied> {
    let athlete = match target {
        Target::Member(m) if m.role == Role::Athlete => m,
        _ => return Err(Denied::Hidden("member")),
    };
    match me.role {
        Role::HeadCoach => Ok(()),
        Role::AssistantCoach if !write => Ok(()),
        Role::AssistantCoach => assigned_to_me(me, target),
        Role::Athlete if athlete.user_id == me.user_id => Ok(()),
        Role::Athlete => Err(Denied::Hidden("member")),
    }
}
