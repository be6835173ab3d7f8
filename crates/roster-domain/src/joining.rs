//! What joining and leaving an organization does besides the membership row:
//! the extras of a join (a training plan, a group and the plans the group
//! enrolls its athletes in), the group joins of a member added to a group
//! later, and what leaving ends.
//!
//! The rules decide here, over facts the store reads inside the write's own
//! transaction with the member locked ([`JoinFacts`], [`LeaveFacts`]): which
//! extras apply, which are skipped and why, and every audit event. The store
//! then writes the decision in that transaction and guards only what makes
//! races safe (no overlapping assignment, one group membership per group).

use crate::entities::{AuditEvent, JoinExtras};
use crate::error::{Conflict, DomainError, FieldError};
use crate::ids::{ApiKeyId, AssignmentId, GroupId, OrgId, PlanId, UserId};
use crate::plans::{PlanAssignment, TrainingPlan, overlaps};
use crate::role::Role;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

/// How a join treats an extra it cannot apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinMode {
    /// A coach adding a member: an unknown group or plan, an archived plan,
    /// a start date in the past or an overlap refuses the whole join.
    Strict,
    /// An athlete accepting an invitation: the membership is made even when
    /// the plan was archived or its start date passed since the invitation
    /// was made; the skipped extra is a `member.join_extra_skipped` event.
    Lenient,
}

/// A group's plan for its athletes, those who join later included.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrollment {
    /// The plan.
    pub plan_id: PlanId,
    /// Its first day.
    pub start_date: NaiveDate,
    /// Who enrolled the group: the account, with the API key when a key did.
    /// An assignment it makes is recorded as theirs.
    pub enrolled_by: (UserId, Option<ApiKeyId>),
    /// The plan as it is now; `None` when it is no longer in the library.
    pub plan: Option<TrainingPlan>,
}

/// A group a member is joining, as the store found it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupFacts {
    /// The group.
    pub group_id: GroupId,
    /// The member is in it already: joining again changes nothing.
    pub already_member: bool,
    /// Its enrollments, oldest first.
    pub enrollments: Vec<Enrollment>,
}

/// What a join's decision rests on, read in the join's transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinFacts {
    /// Today in the organization's time zone.
    pub today: NaiveDate,
    /// The joiner's role there; `None` when they are not a live member
    /// (then nothing is enrolled).
    pub role: Option<Role>,
    /// The joiner's assignments there that are not cancelled.
    pub assignments: Vec<PlanAssignment>,
    /// The requested plan, when it is one of the organization's.
    pub plan: Option<TrainingPlan>,
    /// The requested group, when it is one of the organization's.
    pub group: Option<GroupFacts>,
}

/// Who makes a change happen: the account the audit trail names, with the
/// API key when a key acts.
pub type Author = (UserId, Option<ApiKeyId>);

/// A decided join (or group join): what to write, in this order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JoinDecision {
    /// New plan assignments.
    pub assignments: Vec<PlanAssignment>,
    /// The group to put the member in.
    pub join_group: Option<GroupId>,
    /// The audit events, in the order they happened.
    pub events: Vec<AuditEvent>,
}

/// One join, for [`decide_join`] and [`decide_group_join`].
#[derive(Debug, Clone, Copy)]
pub struct Joiner {
    /// The organization.
    pub org_id: OrgId,
    /// The member.
    pub user_id: UserId,
    /// Who made it happen.
    pub author: Author,
    /// When.
    pub now: DateTime<Utc>,
}

/// Decides what a join brings besides the membership, for `extras` and the
/// `facts` read in its transaction. The plan comes first (from its start
/// date, else today), then the group with its enrollments. `Strict` answers
/// the first refusal: an unknown plan or group (`422` naming
/// `training_plan.plan_id` / `group_id`), `plan_archived`,
/// `start_date_in_past`, `plan_assignment_overlap`. `Lenient` skips the
/// refused extra with a `member.join_extra_skipped` event naming its code.
pub fn decide_join(
    joiner: Joiner,
    extras: &JoinExtras,
    mode: JoinMode,
    facts: JoinFacts,
) -> Result<JoinDecision, DomainError> {
    let mut decision = JoinDecision::default();
    let mut taken: Vec<(NaiveDate, NaiveDate)> = facts.assignments.iter().map(span).collect();
    if let Some(wanted) = extras.training_plan {
        let plan = facts.plan.as_ref().filter(|p| p.plan_id == wanted.plan_id);
        let assigned = plan
            .ok_or_else(|| {
                unknown("training_plan.plan_id", "unknown_plan", "no such training plan in this organization")
            })
            .and_then(|plan| assign(joiner, plan, wanted.start_date, joiner.author, facts.today, &taken));
        match (assigned, mode) {
            (Ok((a, event)), _) => {
                taken.push(span(&a));
                decision.assignments.push(a);
                decision.events.push(event);
            }
            (Err(e), JoinMode::Strict) => return Err(e),
            (Err(e), JoinMode::Lenient) => {
                decision.events.push(skipped(joiner, json!({"training_plan": wanted, "code": e.code()})));
            }
        }
    }
    if let Some(group_id) = extras.group_id {
        match facts.group.filter(|g| g.group_id == group_id) {
            None if mode == JoinMode::Strict => {
                return Err(unknown("group_id", "unknown_group", "no such group in this organization"));
            }
            None => decision.events.push(skipped(joiner, json!({"group_id": group_id, "code": "unknown_group"}))),
            Some(group) => {
                let joined = decide_group_join(joiner, facts.role, facts.today, &group, &mut taken);
                decision.join_group = joined.join_group;
                decision.assignments.extend(joined.assignments);
                decision.events.extend(joined.events);
            }
        }
    }
    Ok(decision)
}

/// Decides what putting a member into `group` does: nothing when they are in
/// it already; else the `group.member_added` event and, for an athlete, the
/// group's enrolled plans. An enrolled plan that cannot be assigned
/// (archived, started already, overlapping) is skipped with a
/// `plan.enrollment_skipped` event; plans are for athletes, so a coach gets
/// none. `taken` holds the member's assignment spans and gains the new ones.
pub fn decide_group_join(
    joiner: Joiner,
    role: Option<Role>,
    today: NaiveDate,
    group: &GroupFacts,
    taken: &mut Vec<(NaiveDate, NaiveDate)>,
) -> JoinDecision {
    let mut decision = JoinDecision::default();
    if group.already_member {
        return decision;
    }
    let (actor, group_id) = (joiner.author.0, group.group_id);
    decision.join_group = Some(group_id);
    decision.events.push(AuditEvent::new(
        joiner.org_id,
        actor,
        "group.member_added",
        Some(joiner.user_id),
        json!({"group_id": group_id}),
        joiner.now,
    ));
    if role != Some(Role::Athlete) {
        return decision;
    }
    for enrollment in &group.enrollments {
        let assigned = enrollment
            .plan
            .as_ref()
            .ok_or_else(|| unknown("plan_id", "unknown_plan", "no such training plan in this organization"))
            .and_then(|plan| assign(joiner, plan, Some(enrollment.start_date), enrollment.enrolled_by, today, taken));
        match assigned {
            Ok((a, event)) => {
                taken.push(span(&a));
                decision.assignments.push(a);
                decision.events.push(event);
            }
            Err(e) => decision.events.push(AuditEvent::new(
                joiner.org_id,
                actor,
                "plan.enrollment_skipped",
                Some(joiner.user_id),
                json!({
                    "group_id": group_id, "plan_id": enrollment.plan_id,
                    "start_date": enrollment.start_date, "code": e.code(),
                }),
                joiner.now,
            )),
        }
    }
    decision
}

/// What leaving rests on, read in the leave's transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaveFacts {
    /// Today in the organization's time zone.
    pub today: NaiveDate,
    /// The groups the member is in.
    pub groups: Vec<GroupId>,
    /// The member's assignments that are not cancelled.
    pub assignments: Vec<PlanAssignment>,
}

/// A decided leave: what to end, with its audit events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeaveDecision {
    /// The groups to take the member out of.
    pub leave_groups: Vec<GroupId>,
    /// The assignments to cancel: current and upcoming (finished ones stay
    /// as history).
    pub cancel: Vec<AssignmentId>,
    /// `group.member_removed` and `plan.cancelled`, in that order.
    pub events: Vec<AuditEvent>,
}

/// Decides what a member's leaving ends: every group membership, and the
/// plan assignments that have not finished by `today`.
pub fn decide_leave(joiner: Joiner, facts: LeaveFacts) -> LeaveDecision {
    let (org_id, actor, user_id, now) = (joiner.org_id, joiner.author.0, joiner.user_id, joiner.now);
    let mut decision = LeaveDecision::default();
    for group_id in facts.groups {
        let changes = json!({"group_id": group_id});
        decision.events.push(AuditEvent::new(org_id, actor, "group.member_removed", Some(user_id), changes, now));
        decision.leave_groups.push(group_id);
    }
    for a in facts.assignments.iter().filter(|a| a.cancelled_at.is_none() && a.end_date() >= facts.today) {
        let changes = json!({"assignment_id": a.assignment_id, "status": {"old": null, "new": "cancelled"}});
        decision.events.push(AuditEvent::new(org_id, actor, "plan.cancelled", Some(user_id), changes, now));
        decision.cancel.push(a.assignment_id);
    }
    decision
}

/// A new assignment of `plan` with its `plan.assigned` event, when the plan
/// takes it ([`PlanAssignment::decide`]) and it overlaps none of `taken`.
fn assign(
    joiner: Joiner,
    plan: &TrainingPlan,
    start: Option<NaiveDate>,
    assigned_by: Author,
    today: NaiveDate,
    taken: &[(NaiveDate, NaiveDate)],
) -> Result<(PlanAssignment, AuditEvent), DomainError> {
    let (mut a, event) = PlanAssignment::decide(plan, joiner.user_id, start, today, joiner.author.0, joiner.now)?;
    (a.assigned_by, a.assigned_by_key) = assigned_by;
    if taken.iter().any(|t| overlaps(*t, span(&a))) {
        return Err(Conflict::PlanAssignmentOverlap.into());
    }
    Ok((a, event))
}

fn span(a: &PlanAssignment) -> (NaiveDate, NaiveDate) {
    (a.start_date, a.end_date())
}

fn unknown(field: &str, code: &str, message: &str) -> DomainError {
    DomainError::Validation(vec![FieldError::new(field, code, message)])
}

fn skipped(joiner: Joiner, what: serde_json::Value) -> AuditEvent {
    AuditEvent::new(joiner.org_id, joiner.author.0, "member.join_extra_skipped", Some(joiner.user_id), what, joiner.now)
}

#[cfg(test)]
mod tests;
