//! The roster: adding existing accounts, listing and filtering, reading and
//! updating a member's organization-only attributes, assigning coaches,
//! removing members and leaving.
//!
//! Who may do what (the contract's *Roles*): the head coach everything; an
//! assistant coach sees the whole roster but edits and removes only the
//! athletes assigned to them (`not_assigned_to_you`), and filters by no coach
//! but themselves; an athlete reads their own membership (without private
//! notes and labels) and may leave. A caller who is not a member gets 404.

use super::coaches::{AccountRef, added_mail, resolve_account};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{AuditEvent, JoinExtras, Membership};
use crate::error::{Conflict, DomainError, FieldError};
use crate::ids::{OrgId, UserId};
use crate::member::{
    CoachFilter, DisplayName, Labels, MemberLevel, MemberRepo, MemberView, PrivateNotes, RosterPage, RosterQuery,
};
use crate::policy::{Action, Actor, Target, authorize};
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

impl MemberAccess {
    /// What `actor`, allowed to read a member, sees: a coach everything; an
    /// API key too (it reads for the organization, as its coaches do); the
    /// athlete their own view.
    pub fn of(actor: &Actor) -> Self {
        if actor.is_coach() || actor.is_api_key() { MemberAccess::Coach } else { MemberAccess::Own }
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
/// themselves; naming another coach is the head coach's call (403). The
/// account is e-mailed who added it and how to leave (links under
/// `public_base_url`), in the same transaction.
pub fn add(
    cx: &Context<'_, impl OrganizationRepo + AccountRepo + MemberRepo>,
    org_id: OrgId,
    new: NewMember,
    public_base_url: &str,
) -> Result<MemberView, DomainError> {
    let (orgs, accounts, members, clock, caller) = (cx.store, cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    let caller = actor.user_id();
    let coach = match new.assigned_to_coach_id {
        None if actor.role() == Some(Role::AssistantCoach) => Some(caller),
        None => None,
        Some(explicit) => explicit,
    };
    authorize(&actor, Action::AddMember, Target::CoachedBy(coach))?;
    if actor.is_api_key() {
        // A coach's role covers the extras; a key's scopes are separate: the
        // plan takes what assigning it would (`plans:write`), the group what
        // putting a member in it would (`groups:write`). The new athlete is
        // nobody's yet, so the decision is about the organization.
        if new.extras.training_plan.is_some() {
            authorize(&actor, Action::AssignPlan, Target::Organization)?;
        }
        if new.extras.group_id.is_some() {
            authorize(&actor, Action::ManageGroupMembers, Target::Organization)?;
        }
    }
    // The caller was just checked; a second read could only find them
    // removed since (the store refuses that write as `not_found`).
    if let Some(coach) = coach
        && coach != caller
    {
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
    let added_by = if actor.is_api_key() { None } else { Some(caller) };
    let mail = added_mail(cx.store, added_by, org_id, &user, Role::Athlete, public_base_url, now)?;
    members.add_member(&m, &new.extras, (caller, actor.key_id()), &event, &mail)?;
    Ok(MemberView {
        membership: m,
        first_name: user.first_name.into_inner(),
        last_name: user.last_name.map(|l| l.into_inner()),
        email: user.email.into_inner(),
        last_activity_at: None,
    })
}

/// A page of the roster (coaches). `Me` becomes the caller; an assistant
/// coach filtering by another coach is refused (403). Statuses are those at
/// the query's instant, else at the clock's now.
pub fn list(
    cx: &Context<'_, impl OrganizationRepo + MemberRepo>,
    org_id: OrgId,
    mut query: RosterQuery,
) -> Result<RosterPage, DomainError> {
    let (orgs, members, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    query.now.get_or_insert_with(|| clock.now());
    if query.coach == CoachFilter::Me {
        // A key coaches nobody: `me` finds no athlete for it.
        query.coach = CoachFilter::Coach(actor.user_id());
    }
    let coach = match query.coach {
        CoachFilter::Coach(coach) => Some(coach),
        _ => None,
    };
    authorize(&actor, Action::ListMembers, Target::CoachedBy(coach))?;
    Ok(members.roster(org_id, &query)?)
}

/// One member (coaches, or the athlete themselves without private notes and labels).
pub fn get(
    cx: &Context<'_, impl OrganizationRepo + MemberRepo>,
    org_id: OrgId,
    user_id: UserId,
) -> Result<(MemberView, MemberAccess), DomainError> {
    let (orgs, members, caller) = (cx.store, cx.store, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, Action::ReadMember, Target::Someone(user_id))?;
    let access = MemberAccess::of(&actor);
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
pub fn update(
    cx: &Context<'_, impl OrganizationRepo + MemberRepo>,
    org_id: OrgId,
    user_id: UserId,
    patch: MemberPatch,
    expected_version: Option<i64>,
) -> Result<MemberView, DomainError> {
    let (orgs, members, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    super::latest_wins(expected_version, || {
        let view = members.member(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
        update_as(&actor, members, clock, view, patch.clone(), expected_version)
    })
}

/// [`update`] for a caller already resolved and a member already read (the
/// bulk action and the import, which read many at once). The write still
/// checks that the stored version is the one read.
pub(crate) fn update_as(
    actor: &Actor,
    members: &impl MemberRepo,
    clock: &impl Clock,
    mut view: MemberView,
    patch: MemberPatch,
    expected_version: Option<i64>,
) -> Result<MemberView, DomainError> {
    authorize(actor, Action::UpdateMember, Target::Member(&view.membership))?;
    let old_version = view.membership.version;
    if expected_version.is_some_and(|v| v != old_version) {
        return Err(Conflict::VersionMismatch.into());
    }
    let m = &mut view.membership;
    let changes = apply_patch(m, patch);
    if changes.is_empty() {
        return Ok(view);
    }
    let now = clock.now();
    m.version = old_version + 1;
    m.updated_at = now;
    let (org_id, user_id) = (m.org_id, m.user_id);
    let event = AuditEvent::new(org_id, actor.user_id(), "member.updated", Some(user_id), Value::Object(changes), now);
    members.update_member(m, old_version, &event)?;
    Ok(view)
}

/// [`update_as`] on a member read earlier (a bulk action's or an import's
/// read of many at once), with the patch `make` builds from the member: if
/// someone changed the member since, reads them again and applies the patch
/// made from the fresh row, once. Whether the member changed.
pub(crate) fn update_read_earlier(
    actor: &Actor,
    members: &impl MemberRepo,
    clock: &impl Clock,
    view: MemberView,
    make: impl Fn(&Membership) -> Result<MemberPatch, DomainError>,
) -> Result<bool, DomainError> {
    let (org_id, user_id, read) = (view.membership.org_id, view.membership.user_id, view.membership.version);
    let patch = make(&view.membership)?;
    match update_as(actor, members, clock, view, patch, None) {
        Err(DomainError::Conflict(Conflict::VersionMismatch)) => {
            let fresh = members.member(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
            let (read, patch) = (fresh.membership.version, make(&fresh.membership)?);
            Ok(update_as(actor, members, clock, fresh, patch, None)?.membership.version != read)
        }
        other => Ok(other?.membership.version != read),
    }
}

/// Applies `patch` to `m`; the fields it changed, as the audit event shows
/// them (empty when it changes nothing).
pub(crate) fn apply_patch(m: &mut Membership, patch: MemberPatch) -> Map<String, Value> {
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
    changes
}

/// Assigns an athlete to a coach of the organization, or unassigns them
/// (`None`). Head coach only; the coach must be a coach here (`not_a_coach`).
pub fn assign_coach(
    cx: &Context<'_, impl OrganizationRepo + MemberRepo>,
    org_id: OrgId,
    user_id: UserId,
    coach: Option<UserId>,
) -> Result<MemberView, DomainError> {
    let (orgs, members, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, Action::AssignCoach, Target::Someone(user_id))?;
    let caller = actor.user_id();
    // The route takes no version: racing another write, it applies to the latest.
    super::latest_wins(None, || {
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
    })
}

/// Ends an athlete's membership (head coach, the assigned assistant coach, or
/// the athlete leaving). The account stays; re-adding starts a new membership.
/// Coaches leave through the coaches resource; the head coach cannot leave
/// (`head_coach_required`).
pub fn remove(
    cx: &Context<'_, impl OrganizationRepo + MemberRepo>,
    org_id: OrgId,
    user_id: UserId,
) -> Result<(), DomainError> {
    let (orgs, members, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    let caller = actor.user_id();
    let target = orgs.live_membership(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
    authorize(&actor, Action::RemoveMember, Target::Member(&target))?;
    if target.role == Role::HeadCoach {
        return Err(DomainError::HeadCoachRequired);
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
#[path = "members_tests.rs"]
mod tests;
