//! Training plan use cases: the library and assignments.

use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{AuditEvent, Membership};
use crate::error::{Conflict, DomainError};
use crate::ids::{AssignmentId, OrgId, PlanId, UserId};
use crate::plans::{AssignmentRepo, PlanAssignment, PlanChoice, PlanContent, PlanFilter, PlanRepo, TrainingPlan};
use crate::policy::{Action, Actor, Caller, Target, authorize};
use crate::ports::OrganizationRepo;
use crate::role::Role;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

/// Today in the organization's time zone.
pub fn org_today(orgs: &impl OrganizationRepo, clock: &impl Clock, org_id: OrgId) -> Result<NaiveDate, DomainError> {
    let view = orgs.organization(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    Ok(view.org.timezone.today(clock.now()))
}

/// Adds a plan to the library (coaches).
pub fn create_plan(
    cx: &Context<'_, impl OrganizationRepo + PlanRepo>,
    org_id: OrgId,
    content: PlanContent,
) -> Result<TrainingPlan, DomainError> {
    let (orgs, plans, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, Action::CreatePlan, Target::Organization)?;
    let caller = actor.user_id();
    let now = clock.now();
    let plan = TrainingPlan {
        plan_id: PlanId::new(),
        org_id,
        content,
        created_by: caller,
        created_by_key: actor.key_id(),
        created_at: now,
        updated_at: now,
        archived_at: None,
        version: 1,
    };
    let changes = json!({
        "plan_id": plan.plan_id, "name": {"old": null, "new": plan.content.name.as_str()},
        "duration_weeks": {"old": null, "new": plan.content.duration_weeks},
    });
    let event = AuditEvent::new(org_id, caller, "plan.created", None, changes, now);
    plans.insert_plan(&plan, &event)?;
    Ok(plan)
}

/// The library: coaches see every plan, athletes only those assigned to them.
pub fn list_plans(
    cx: &Context<'_, impl OrganizationRepo + PlanRepo>,
    org_id: OrgId,
    filter: PlanFilter,
) -> Result<Vec<TrainingPlan>, DomainError> {
    let (orgs, plans, caller) = (cx.store, cx.store, cx.caller.clone());
    Ok(plans.plans(org_id, &library_filter(orgs, caller, org_id, filter)?)?)
}

/// [`list_plans`] by name only (each plan's id and name), for pages that
/// offer plans as choices without reading their workouts.
pub fn plan_names(
    cx: &Context<'_, impl OrganizationRepo + PlanRepo>,
    org_id: OrgId,
    filter: PlanFilter,
) -> Result<Vec<PlanChoice>, DomainError> {
    let (orgs, plans, caller) = (cx.store, cx.store, cx.caller.clone());
    Ok(plans.plan_names(org_id, &library_filter(orgs, caller, org_id, filter)?)?)
}

/// `filter` as the caller may list the library: an athlete, only the plans
/// assigned to them.
fn library_filter(
    orgs: &impl OrganizationRepo,
    caller: impl Into<Caller>,
    org_id: OrgId,
    mut filter: PlanFilter,
) -> Result<PlanFilter, DomainError> {
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, Action::ListPlans, Target::Organization)?;
    if actor.role() == Some(Role::Athlete) {
        filter.assigned_to = Some(actor.user_id());
    }
    Ok(filter)
}

/// One plan: coaches, or an athlete it is assigned to (404 otherwise).
pub fn get_plan(
    cx: &Context<'_, impl OrganizationRepo + PlanRepo + AssignmentRepo>,
    org_id: OrgId,
    plan_id: PlanId,
) -> Result<TrainingPlan, DomainError> {
    let (orgs, plans, assignments, caller) = (cx.store, cx.store, cx.store, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    let caller = actor.user_id();
    let plan = plans.plan(org_id, plan_id)?.ok_or(DomainError::NotFound("training plan"))?;
    // Only an athlete's own assignments matter, so only theirs are read.
    let held_by_caller = actor.role() == Some(Role::Athlete)
        && assignments.assignments_of(org_id, caller)?.iter().any(|a| a.plan_id == plan_id && a.cancelled_at.is_none());
    authorize(&actor, Action::ReadPlan, Target::Plan { author: plan.created_by, held_by_caller })?;
    Ok(plan)
}

/// Changes a plan (its author or the head coach); `content` replaces the old
/// one. With `if_match`, a stale version is `version_mismatch`; without it,
/// the edit applies to the latest version.
pub fn update_plan(
    cx: &Context<'_, impl OrganizationRepo + PlanRepo>,
    org_id: OrgId,
    plan_id: PlanId,
    edit: impl Fn(&PlanContent) -> Result<PlanContent, DomainError>,
    if_match: Option<i64>,
) -> Result<TrainingPlan, DomainError> {
    let (orgs, plans, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    super::latest_wins(if_match, || {
        let (caller, mut plan) = editable_plan(orgs, plans, caller.clone(), org_id, plan_id)?;
        let loaded = plan.version;
        if if_match.is_some_and(|v| v != loaded) {
            return Err(Conflict::VersionMismatch.into());
        }
        let content = edit(&plan.content)?;
        let old = &plan.content;
        let mut changes = Map::new();
        let mut note = |field: &str, old: Value, new: Value| {
            if old != new {
                changes.insert(field.into(), json!({"old": old, "new": new}));
            }
        };
        note("name", json!(old.name.as_str()), json!(content.name.as_str()));
        note("description", json!(old.description.as_str()), json!(content.description.as_str()));
        note("sport", json!(old.sport), json!(content.sport));
        note("level", json!(old.level), json!(content.level));
        note("duration_weeks", json!(old.duration_weeks), json!(content.duration_weeks));
        if old.workouts != content.workouts {
            changes.insert("workouts".into(), json!({"old": old.workouts.len(), "new": content.workouts.len()}));
        }
        if changes.is_empty() {
            return Ok(plan);
        }
        changes.insert("plan_id".into(), json!(plan_id));
        let now = clock.now();
        plan.content = content;
        plan.updated_at = now;
        plan.version = loaded + 1;
        let event = AuditEvent::new(org_id, caller, "plan.updated", None, Value::Object(changes), now);
        plans.update_plan(&plan, loaded, &event)?;
        Ok(plan)
    })
}

/// Archives a plan (its author or the head coach): existing assignments stay,
/// new ones are refused. Archiving an archived plan changes nothing.
pub fn archive_plan(
    cx: &Context<'_, impl OrganizationRepo + PlanRepo>,
    org_id: OrgId,
    plan_id: PlanId,
) -> Result<(), DomainError> {
    let (orgs, plans, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (caller, mut plan) = editable_plan(orgs, plans, caller, org_id, plan_id)?;
    if plan.archived_at.is_some() {
        return Ok(());
    }
    let now = clock.now();
    let loaded = plan.version;
    plan.archived_at = Some(now);
    plan.updated_at = now;
    plan.version = loaded + 1;
    let event = AuditEvent::new(
        org_id,
        caller,
        "plan.archived",
        None,
        json!({"plan_id": plan_id, "archived_at": {"old": null, "new": now}}),
        now,
    );
    plans.update_plan(&plan, loaded, &event)?;
    Ok(())
}

/// The plan, once the caller may change it: athletes are refused before the
/// read (a `404` would tell them which plans exist).
fn editable_plan(
    orgs: &impl OrganizationRepo,
    plans: &impl PlanRepo,
    caller: impl Into<Caller>,
    org_id: OrgId,
    plan_id: PlanId,
) -> Result<(UserId, TrainingPlan), DomainError> {
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, Action::EditPlan, Target::Organization)?;
    let plan = plans.plan(org_id, plan_id)?.ok_or(DomainError::NotFound("training plan"))?;
    authorize(&actor, Action::EditPlan, Target::Plan { author: plan.created_by, held_by_caller: false })?;
    Ok((actor.user_id(), plan))
}

/// The live athlete membership of `user_id`, or 404.
fn athlete_member(orgs: &impl OrganizationRepo, org_id: OrgId, user_id: UserId) -> Result<Membership, DomainError> {
    orgs.live_membership(org_id, user_id)?.filter(|m| m.role == Role::Athlete).ok_or(DomainError::NotFound("member"))
}

/// An athlete's assignments, newest first, with today's date in the
/// organization's time zone (for status and week). Coaches, or the athlete.
pub fn list_assignments(
    cx: &Context<'_, impl OrganizationRepo + AssignmentRepo>,
    org_id: OrgId,
    user_id: UserId,
) -> Result<(Vec<PlanAssignment>, NaiveDate), DomainError> {
    let (orgs, assignments, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    authorize(&Actor::resolve(orgs, org_id, caller)?, Action::ListAssignments, Target::Someone(user_id))?;
    athlete_member(orgs, org_id, user_id)?;
    let today = org_today(orgs, clock, org_id)?;
    Ok((assignments.assignments_of(org_id, user_id)?, today))
}

/// Assigns a plan to an athlete from `start_date` (head coach, or the
/// athlete's coach). Refuses `start_date_in_past`, `plan_archived` and
/// `plan_assignment_overlap`.
pub fn assign(
    cx: &Context<'_, impl OrganizationRepo + PlanRepo + AssignmentRepo>,
    org_id: OrgId,
    user_id: UserId,
    plan_id: PlanId,
    start_date: NaiveDate,
) -> Result<(PlanAssignment, NaiveDate), DomainError> {
    let (orgs, plans, assignments, clock, caller) = (cx.store, cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    let caller = actor.user_id();
    let athlete = athlete_member(orgs, org_id, user_id)?;
    authorize(&actor, Action::AssignPlan, Target::Member(&athlete))?;
    let plan = plans.plan(org_id, plan_id)?.ok_or_else(|| {
        DomainError::Validation(vec![crate::FieldError::new("plan_id", "unknown_plan", "no such training plan")])
    })?;
    let today = org_today(orgs, clock, org_id)?;
    let (mut assignment, event) = PlanAssignment::decide(&plan, user_id, Some(start_date), today, caller, clock.now())?;
    assignment.assigned_by_key = actor.key_id();
    assignments.assign(&assignment, &event)?;
    Ok((assignment, today))
}

/// Cancels an assignment (head coach, or the athlete's coach); it stays as history.
pub fn cancel(
    cx: &Context<'_, impl OrganizationRepo + AssignmentRepo>,
    org_id: OrgId,
    user_id: UserId,
    assignment_id: AssignmentId,
) -> Result<(), DomainError> {
    let (orgs, assignments, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    let caller = actor.user_id();
    let athlete = athlete_member(orgs, org_id, user_id)?;
    authorize(&actor, Action::CancelAssignment, Target::Member(&athlete))?;
    let now = clock.now();
    let event = AuditEvent::new(
        org_id,
        caller,
        "plan.cancelled",
        Some(user_id),
        json!({"assignment_id": assignment_id, "status": {"old": null, "new": "cancelled"}}),
        now,
    );
    if !assignments.cancel_assignment(org_id, user_id, assignment_id, now, &event)? {
        return Err(DomainError::NotFound("plan assignment"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "plans_tests.rs"]
pub(crate) mod tests;
