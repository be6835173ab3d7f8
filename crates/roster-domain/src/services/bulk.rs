//! One action on many athletes: each member changes through the use case a
//! single request runs (its own transaction and audit event), so the rules
//! are those of `members`, `groups` and `plans`. An assistant coach's request
//! skips athletes not assigned to them (`not_assigned_to_you`).

use super::roster_export::RosterStore;
use super::{groups as group_svc, members, plans as plan_svc};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::Membership;
use crate::error::{DomainError, FieldError};
use crate::ids::{GroupId, OrgId, PlanId, UserId};
use crate::member::{Label, Labels, MemberLevel, MemberView, RosterQuery};
use crate::plans::{AssignmentRepo, PlanRepo};
use crate::policy::{Action, Actor, Denied, Target, authorize};
use crate::ports::UnitOfWork;
use crate::role::{MembershipStatus, Role};
use crate::services::members::MemberPatch;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The most ids one request may name.
pub const MAX_IDS: usize = 500;
/// The most members a filter may match.
pub const MAX_MATCHES: usize = 5_000;

/// What to do to each member.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkAction {
    /// Add these labels.
    AddLabels(Vec<Label>),
    /// Take these labels off.
    RemoveLabels(Vec<Label>),
    /// Set the standing.
    SetStatus(MembershipStatus),
    /// Set (or clear) the tier.
    SetMemberLevel(Option<MemberLevel>),
    /// Assign to a coach, or unassign (head coach only).
    AssignCoach(Option<UserId>),
    /// Put into a group.
    AddToGroup(GroupId),
    /// Take out of a group.
    RemoveFromGroup(GroupId),
    /// Assign a training plan from a date.
    AssignPlan {
        /// The plan.
        plan_id: PlanId,
        /// Its first day.
        start_date: NaiveDate,
    },
    /// End the membership.
    Remove,
}

/// Whom the action is for.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkTarget {
    /// These members (at most [`MAX_IDS`]).
    Ids(Vec<UserId>),
    /// Every athlete the roster's filters match (at most [`MAX_MATCHES`]).
    Filter(Box<RosterQuery>),
}

/// What became of one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// Changed.
    Done,
    /// Left as it was (`code` says why).
    Skipped,
    /// Refused (`code` says why).
    Error,
}

/// One member's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    /// The member.
    pub user_id: UserId,
    /// What became of them.
    pub outcome: BulkOutcome,
    /// Why they were skipped or refused; `null` when done.
    pub code: Option<String>,
}

/// Everything a bulk action reads and writes.
pub trait BulkStore: RosterStore + PlanRepo + AssignmentRepo + UnitOfWork {}
impl<T: RosterStore + PlanRepo + AssignmentRepo + UnitOfWork> BulkStore for T {}

fn too_many(field: &str, message: String) -> DomainError {
    DomainError::Validation(vec![FieldError::new(field, "too_many_members", message)])
}

/// Whether `actor` may run `action` at all, decided once for the whole
/// request before anything is read: a bulk edit is for coaches (or a key
/// with `members:write`), assigning coaches the head coach's. A coach's role
/// covers every action; a key's scopes are separate from one another, so an
/// action whose own route takes another scope takes it here too: assigning
/// a plan `plans:write`, a group change `groups:write` (else the whole
/// request is `insufficient_scope`, naming it).
fn allowed(actor: &Actor, action: &BulkAction) -> Result<(), DomainError> {
    authorize(actor, Action::BulkEditRoster, Target::Organization)?;
    if matches!(action, BulkAction::AssignCoach(_)) {
        authorize(actor, Action::BulkAssignCoach, Target::Organization)?;
    }
    if actor.is_api_key() {
        let also = match action {
            BulkAction::AssignPlan { .. } => Some(Action::AssignPlan),
            BulkAction::AddToGroup(_) | BulkAction::RemoveFromGroup(_) => Some(Action::ManageGroupMembers),
            _ => None,
        };
        if let Some(also) = also {
            authorize(actor, also, Target::Organization)?;
        }
    }
    Ok(())
}

/// The members `target` names for `action` (coaches, or a key; refused as
/// [`apply`] would refuse the action, before anything is read). A filter's
/// matches are the roster list's, with its rules: a key's filter reads the
/// roster, so it takes `members:read` too (ids alone do not).
pub fn targets(
    cx: &Context<'_, impl RosterStore>,
    org_id: OrgId,
    action: &BulkAction,
    target: BulkTarget,
) -> Result<Vec<UserId>, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(store, org_id, caller)?;
    allowed(&actor, action)?;
    match target {
        BulkTarget::Ids(ids) if ids.len() > MAX_IDS => {
            Err(too_many("user_ids", format!("at most {MAX_IDS} user_ids in one request")))
        }
        BulkTarget::Ids(ids) => {
            let mut seen = HashSet::new();
            Ok(ids.into_iter().filter(|id| seen.insert(*id)).collect())
        }
        BulkTarget::Filter(query) => {
            // Said before the first page is read (`members::list` would say it there).
            authorize(&actor, Action::ListMembers, Target::Organization)?;
            let mut query = *query;
            query.limit = 200;
            query.after = None;
            let mut ids = Vec::new();
            loop {
                let page =
                    members::list(&Context::new(store, actor.caller()).with_clock(clock), org_id, query.clone())?;
                if usize::try_from(page.total).unwrap_or(usize::MAX) > MAX_MATCHES {
                    let message = format!("the filter matches {} members; at most {MAX_MATCHES}", page.total);
                    return Err(too_many("filter", message));
                }
                ids.extend(page.members.iter().map(|m| m.membership.user_id));
                match page.next {
                    Some(next) => query.after = Some(next),
                    None => return Ok(ids),
                }
            }
        }
    }
}

/// Applies `action` to each of `user_ids` in turn (coaches, or a key with
/// the scopes the action takes; assigning coaches is the head coach's). A
/// store outage stops the request and keeps nothing; any other refusal is
/// that member's `error`.
///
/// The whole request is one transaction and each member a savepoint in it:
/// a refused member leaves no trace, the others keep their change and their
/// own audit event, and the request pays for one commit instead of one per
/// member. The members are read once, up front.
pub fn apply(
    cx: &Context<'_, impl BulkStore>,
    org_id: OrgId,
    user_ids: &[UserId],
    action: &BulkAction,
) -> Result<Vec<BulkResult>, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(store, org_id, caller)?;
    allowed(&actor, action)?;
    store.atomically(|| {
        let group_members: HashSet<UserId> = match action {
            BulkAction::AddToGroup(group) | BulkAction::RemoveFromGroup(group) => {
                store.group_members(org_id, *group)?.into_iter().map(|m| m.user_id).collect()
            }
            _ => HashSet::new(),
        };
        let mut views: HashMap<UserId, MemberView> =
            store.members(org_id, user_ids)?.into_iter().map(|v| (v.membership.user_id, v)).collect();
        let one = Member { store, clock, actor: &actor, org_id, group_members };
        let mut results = Vec::with_capacity(user_ids.len());
        for &user_id in user_ids {
            let outcome = match views.remove(&user_id) {
                None => Err(DomainError::NotFound("member")),
                Some(v) if v.membership.role != Role::Athlete => Ok(Some("not_an_athlete")),
                // The single-member rule decides; here it skips instead of refusing.
                Some(v) => match authorize(&actor, Action::UpdateMember, Target::Member(&v.membership)) {
                    Err(Denied::NotAssignedToYou) => Ok(Some("not_assigned_to_you")),
                    _ => one.apply(v, action),
                },
            };
            let (outcome, code) = match outcome {
                Ok(None) => (BulkOutcome::Done, None),
                Ok(Some(why)) => (BulkOutcome::Skipped, Some(why.to_owned())),
                Err(e) if e.is_outage() => return Err(e),
                Err(e) => (BulkOutcome::Error, Some(e.code().to_owned())),
            };
            results.push(BulkResult { user_id, outcome, code });
        }
        Ok((results, true))
    })
}

struct Member<'a, S, C> {
    store: &'a S,
    clock: &'a C,
    actor: &'a Actor,
    org_id: OrgId,
    group_members: HashSet<UserId>,
}

const UNCHANGED: Option<&str> = Some("unchanged");

impl<S: BulkStore, C: Clock> Member<'_, S, C> {
    /// `None` when done, `Some(code)` when skipped. Each change is its own
    /// savepoint, so a refusal leaves the member as it was.
    fn apply(&self, view: MemberView, action: &BulkAction) -> Result<Option<&'static str>, DomainError> {
        self.store.atomically(|| match self.change(view, action) {
            Ok(outcome) => Ok((Ok(outcome), true)),
            Err(e) if e.is_outage() => Err(e),
            Err(e) => Ok((Err(e), false)),
        })?
    }

    fn change(&self, view: MemberView, action: &BulkAction) -> Result<Option<&'static str>, DomainError> {
        // A key is handed on as it stands, so its events name it.
        let (store, clock, caller, org_id) = (self.store, self.clock, self.actor.caller(), self.org_id);
        let user_id = view.membership.user_id;
        match action {
            BulkAction::AddLabels(labels) | BulkAction::RemoveLabels(labels) => {
                let labels = labels.clone();
                let add = matches!(action, BulkAction::AddLabels(_));
                self.patch(view, move |m| {
                    let mut set: Vec<Label> = m.labels.as_slice().to_vec();
                    if add {
                        set.extend(labels.iter().cloned());
                    } else {
                        set.retain(|l| !labels.contains(l));
                    }
                    let names: Vec<String> = set.iter().map(|l| l.as_str().to_owned()).collect();
                    let labels = Labels::parse(names.iter().map(String::as_str))
                        .map_err(|e| DomainError::Validation(vec![FieldError::from_invalid("params.labels", e)]))?;
                    Ok(MemberPatch { labels: Some(labels), ..MemberPatch::default() })
                })
            }
            BulkAction::SetStatus(status) => {
                self.patch(view, |_| Ok(MemberPatch { status: Some(*status), ..MemberPatch::default() }))
            }
            BulkAction::SetMemberLevel(level) => {
                self.patch(view, |_| Ok(MemberPatch { member_level: Some(level.clone()), ..MemberPatch::default() }))
            }
            BulkAction::AssignCoach(coach) if view.membership.assigned_to_coach_id == *coach => Ok(UNCHANGED),
            BulkAction::AssignCoach(coach) => {
                members::assign_coach(&Context::new(store, caller).with_clock(clock), org_id, user_id, *coach)?;
                Ok(None)
            }
            BulkAction::AddToGroup(_) if self.group_members.contains(&user_id) => Ok(UNCHANGED),
            BulkAction::AddToGroup(group) => {
                group_svc::add_member(&Context::new(store, caller).with_clock(clock), org_id, *group, user_id)?;
                Ok(None)
            }
            BulkAction::RemoveFromGroup(_) if !self.group_members.contains(&user_id) => Ok(UNCHANGED),
            BulkAction::RemoveFromGroup(group) => {
                group_svc::remove_member(&Context::new(store, caller).with_clock(clock), org_id, *group, user_id)?;
                Ok(None)
            }
            BulkAction::AssignPlan { plan_id, start_date } => {
                plan_svc::assign(
                    &Context::new(store, caller).with_clock(clock),
                    org_id,
                    user_id,
                    *plan_id,
                    *start_date,
                )?;
                Ok(None)
            }
            BulkAction::Remove => {
                members::remove(&Context::new(store, caller).with_clock(clock), org_id, user_id)?;
                Ok(None)
            }
        }
    }

    /// Writes the patch `make` builds from the member as read (read again
    /// if someone changed them since).
    fn patch(
        &self,
        view: MemberView,
        make: impl Fn(&Membership) -> Result<MemberPatch, DomainError>,
    ) -> Result<Option<&'static str>, DomainError> {
        let changed = members::update_read_earlier(self.actor, self.store, self.clock, view, make)?;
        Ok(if changed { None } else { UNCHANGED })
    }
}

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
