//! Group use cases: the groups of an organization, their members, and
//! assigning a plan to a whole group.

use super::plans::org_today;
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::AuditEvent;
use crate::error::{Conflict, DomainError, FieldError};
use crate::groups::{Group, GroupName, GroupPlanRequest, GroupRepo, GroupView, MemberOutcome, Outcome};
use crate::ids::{GroupId, OrgId, PlanId, UserId};
use crate::plans::{PlanRepo, check_assignable};
use crate::policy::{Action, Actor, Caller, Denied, Target, authorize};
use crate::ports::OrganizationRepo;
use crate::role::Role;
use crate::values::Description;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

/// The caller, once they may do `action` in the organization.
fn allowed(
    orgs: &impl OrganizationRepo,
    org_id: OrgId,
    caller: impl Into<Caller>,
    action: Action,
) -> Result<Actor, DomainError> {
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, action, Target::Organization)?;
    Ok(actor)
}

fn find(groups: &impl GroupRepo, org_id: OrgId, group_id: GroupId) -> Result<GroupView, DomainError> {
    groups.group(org_id, group_id)?.ok_or(DomainError::NotFound("group"))
}

/// Creates a group (coaches); `group_name_taken` if another has the name.
pub fn create(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    name: GroupName,
    description: Description,
) -> Result<GroupView, DomainError> {
    let (orgs, groups, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let caller = allowed(orgs, org_id, caller, Action::ManageGroups)?.user_id();
    let now = clock.now();
    let group =
        Group { group_id: GroupId::new(), org_id, name, description, created_at: now, updated_at: now, version: 1 };
    let event = AuditEvent::new(
        org_id,
        caller,
        "group.created",
        None,
        json!({"group_id": group.group_id, "name": {"old": null, "new": group.name.as_str()}}),
        now,
    );
    groups.insert_group(&group, &event)?;
    Ok(GroupView { group, member_count: 0 })
}

/// The organization's groups (coaches), a page after `after`.
pub fn list(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    after: Option<GroupId>,
    limit: u32,
) -> Result<Vec<GroupView>, DomainError> {
    let (orgs, groups, caller) = (cx.store, cx.store, cx.caller.clone());
    allowed(orgs, org_id, caller, Action::ReadGroups)?;
    Ok(groups.groups(org_id, after, limit)?)
}

/// The organization's first `limit` groups without their member counts
/// (coaches), for pages that name or offer them.
pub fn names(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    limit: u32,
) -> Result<Vec<Group>, DomainError> {
    let (orgs, groups, caller) = (cx.store, cx.store, cx.caller.clone());
    allowed(orgs, org_id, caller, Action::ReadGroups)?;
    Ok(groups.group_names(org_id, limit)?)
}

/// One group (coaches).
pub fn get(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    group_id: GroupId,
) -> Result<GroupView, DomainError> {
    let (orgs, groups, caller) = (cx.store, cx.store, cx.caller.clone());
    allowed(orgs, org_id, caller, Action::ReadGroups)?;
    find(groups, org_id, group_id)
}

/// Renames or re-describes a group (coaches). Honours `if_match`; without
/// it, the change applies to the latest version.
pub fn update(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    group_id: GroupId,
    name: Option<GroupName>,
    description: Option<Description>,
    if_match: Option<i64>,
) -> Result<GroupView, DomainError> {
    let (orgs, groups, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let caller = allowed(orgs, org_id, caller, Action::ManageGroups)?.user_id();
    super::latest_wins(if_match, || {
        let mut view = find(groups, org_id, group_id)?;
        let loaded = view.group.version;
        if if_match.is_some_and(|v| v != loaded) {
            return Err(Conflict::VersionMismatch.into());
        }
        let g = &mut view.group;
        let mut changes = Map::new();
        if let Some(name) = name.clone().filter(|n| *n != g.name) {
            changes.insert("name".into(), json!({"old": g.name.as_str(), "new": name.as_str()}));
            g.name = name;
        }
        if let Some(description) = description.clone().filter(|d| *d != g.description) {
            changes.insert("description".into(), json!({"old": g.description.as_str(), "new": description.as_str()}));
            g.description = description;
        }
        if changes.is_empty() {
            return Ok(view);
        }
        changes.insert("group_id".into(), json!(group_id));
        let now = clock.now();
        g.updated_at = now;
        g.version = loaded + 1;
        let event = AuditEvent::new(org_id, caller, "group.updated", None, Value::Object(changes), now);
        groups.update_group(g, loaded, &event)?;
        Ok(view)
    })
}

/// Deletes a group (coaches); its members stay in the organization.
pub fn delete(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    group_id: GroupId,
) -> Result<(), DomainError> {
    let (orgs, groups, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let caller = allowed(orgs, org_id, caller, Action::ManageGroups)?.user_id();
    let view = find(groups, org_id, group_id)?;
    let event = AuditEvent::new(
        org_id,
        caller,
        "group.deleted",
        None,
        json!({"group_id": group_id, "name": {"old": view.group.name.as_str(), "new": null}}),
        clock.now(),
    );
    groups.delete_group(org_id, group_id, &event)?;
    Ok(())
}

/// Puts a live member into a group (coaches); idempotent. Joining applies the
/// group's enrollments (plans for members who join later).
pub fn add_member(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    group_id: GroupId,
    user_id: UserId,
) -> Result<(), DomainError> {
    let event = group_member_event(cx, org_id, group_id, user_id, "group.member_added")?;
    cx.store.add_group_member(org_id, group_id, user_id, &event)?;
    Ok(())
}

/// Takes a member out of a group (coaches); idempotent.
pub fn remove_member(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    group_id: GroupId,
    user_id: UserId,
) -> Result<(), DomainError> {
    let event = group_member_event(cx, org_id, group_id, user_id, "group.member_removed")?;
    cx.store.remove_group_member(org_id, group_id, user_id, &event)?;
    Ok(())
}

/// Checks a group-membership change (a coach of the organization, an existing
/// group, a live member) and makes its audit event.
fn group_member_event(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo>,
    org_id: OrgId,
    group_id: GroupId,
    user_id: UserId,
    action: &'static str,
) -> Result<AuditEvent, DomainError> {
    let (orgs, groups, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    authorize(&actor, Action::ManageGroupMembers, Target::Someone(user_id))?;
    let caller = actor.user_id();
    find(groups, org_id, group_id)?;
    orgs.live_membership(org_id, user_id)?.ok_or(DomainError::NotFound("member"))?;
    Ok(AuditEvent::new(org_id, caller, action, Some(user_id), json!({"group_id": group_id}), clock.now()))
}

/// Assigns a plan to every current member of a group (coaches). Per member:
/// `assigned`, or `skipped` with `already_assigned` (the same plan and start
/// date were already assigned: a repeat changes nothing), `not_assigned_to_you`
/// (an assistant coach's request, athletes not assigned to them),
/// `not_an_athlete`, or `plan_assignment_overlap`. The start date must not be
/// in the past and the plan not archived; both refuse the whole request.
pub fn assign_plan(
    cx: &Context<'_, impl OrganizationRepo + GroupRepo + PlanRepo>,
    org_id: OrgId,
    group_id: GroupId,
    plan_id: PlanId,
    start_date: NaiveDate,
    enroll_future_members: bool,
) -> Result<Vec<MemberOutcome>, DomainError> {
    let (orgs, groups, plans, clock, caller) = (cx.store, cx.store, cx.store, &cx.clock, cx.caller.clone());
    let actor = allowed(orgs, org_id, caller, Action::AssignGroupPlan)?;
    let caller = actor.user_id();
    find(groups, org_id, group_id)?;
    let plan = plans.plan(org_id, plan_id)?.ok_or_else(|| {
        DomainError::Validation(vec![FieldError::new("plan_id", "unknown_plan", "no such training plan")])
    })?;
    let today = org_today(orgs, clock, org_id)?;
    check_assignable(&plan, start_date, today)?;
    let mut skipped = Vec::new();
    let mut candidates = Vec::new();
    for m in groups.group_members(org_id, group_id)? {
        if m.role != Role::Athlete {
            skipped.push(skip(m.user_id, "not_an_athlete"));
        } else if let Err(denied) = authorize(&actor, Action::AssignPlan, Target::Member(&m)) {
            let code = if denied == Denied::NotAssignedToYou { "not_assigned_to_you" } else { "forbidden" };
            skipped.push(skip(m.user_id, code));
        } else {
            candidates.push(m.user_id);
        }
    }
    let now = clock.now();
    let request = GroupPlanRequest {
        org_id,
        group_id,
        plan_id,
        start_date,
        today,
        enroll_future_members,
        assigned_by: caller,
        assigned_by_key: actor.key_id(),
        at: now,
    };
    let event = AuditEvent::new(
        org_id,
        caller,
        "group.plan_assigned",
        None,
        json!({"group_id": group_id, "plan_id": plan_id, "start_date": start_date,
               "enroll_future_members": enroll_future_members}),
        now,
    );
    let mut results = groups.assign_plan_to_group(&request, &candidates, &event)?;
    results.extend(skipped);
    results.sort_by_key(|r| r.user_id);
    Ok(results)
}

fn skip(user_id: UserId, code: &'static str) -> MemberOutcome {
    MemberOutcome { user_id, outcome: Outcome::Skipped, code: Some(code) }
}

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
