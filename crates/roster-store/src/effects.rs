//! Writes what joining and leaving an organization bring besides the
//! membership row, as `roster_domain::joining` decides it: this module reads
//! the facts inside the caller's write transaction, with the member locked
//! (and on PostgreSQL the plans read shared-locked, so none is archived
//! before the commit), asks the domain, and writes the decision. What it
//! writes is guarded only where races meet: an assignment still may not
//! overlap ([`insert_assignment`]), a group membership is made once.

use crate::conn::DbConn;
use crate::dialect::{first_locked, lock_member};
use crate::groups::{group_exists, insert_group_member};
use crate::plans::PlanRow;
use crate::plans::{insert_assignment, live_assignments, org_today};
use crate::rows::{author_from_db, insert_event, to_db};
use crate::schema::{group_plan_enrollments, memberships, org_group_members, plan_assignments, training_plans};
use crate::{Store, StoreError, write_tx};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use roster_domain::entities::JoinExtras;
use roster_domain::joining::{
    Enrollment, GroupFacts, JoinDecision, JoinFacts, JoinMode, Joiner, LeaveFacts, decide_group_join, decide_join,
    decide_leave,
};
use roster_domain::plans::TrainingPlan;
use roster_domain::{GroupId, OrgId, PlanId, Role, UserId};

/// A plan of the organization, shared-locked until the commit on PostgreSQL.
fn plan_locked(conn: &mut DbConn, org_id: &str, plan_id: PlanId) -> Result<Option<TrainingPlan>, StoreError> {
    let plan_id = plan_id.to_string();
    // Inline: `as_select` takes its backend from the arm it lands in.
    let row: Option<PlanRow> = first_locked!(
        conn,
        training_plans::table
            .filter(training_plans::org_id.eq(org_id))
            .filter(training_plans::plan_id.eq(&plan_id))
            .select(PlanRow::as_select()),
        share
    )?;
    row.map(PlanRow::into_plan).transpose()
}

/// The live member's role, `None` for someone who is not a live member.
fn member_role(conn: &mut DbConn, org_id: &str, user_id: &str) -> Result<Option<Role>, StoreError> {
    let role: Option<String> = memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::removed_at.is_null())
        .select(memberships::role)
        .first(conn)
        .optional()?;
    role.map(|r| crate::error::parse("memberships.role", r.parse())).transpose()
}

/// The group as a join needs it: whether the member is in it, and its
/// enrollments with their plans. `None` when it is not the organization's.
fn group_facts(
    conn: &mut DbConn,
    org_id: &str,
    group_id: GroupId,
    user_id: &str,
) -> Result<Option<GroupFacts>, StoreError> {
    let group = group_id.to_string();
    if !group_exists(conn, org_id, &group)? {
        return Ok(None);
    }
    let present: i64 = org_group_members::table
        .filter(org_group_members::group_id.eq(&group))
        .filter(org_group_members::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    type EnrollmentRow = (String, String, Option<String>, Option<String>);
    let rows: Vec<EnrollmentRow> = group_plan_enrollments::table
        .filter(group_plan_enrollments::group_id.eq(&group))
        .order(group_plan_enrollments::enrollment_id.asc())
        .select((
            group_plan_enrollments::plan_id,
            group_plan_enrollments::start_date,
            group_plan_enrollments::created_by,
            group_plan_enrollments::created_by_key_id,
        ))
        .load(conn)?;
    let mut enrollments = Vec::with_capacity(rows.len());
    for (plan_id, start, enrolled_by, enrolled_by_key) in rows {
        let plan_id: PlanId = crate::error::parse("group_plan_enrollments.plan_id", plan_id.parse())?;
        enrollments.push(Enrollment {
            plan_id,
            start_date: crate::plans::parse_date("group_plan_enrollments.start_date", &start)?,
            enrolled_by: author_from_db("group_plan_enrollments.created_by", enrolled_by, enrolled_by_key)?,
            plan: plan_locked(conn, org_id, plan_id)?,
        });
    }
    Ok(Some(GroupFacts { group_id, already_member: present > 0, enrollments }))
}

/// Writes a decided join in the caller's transaction.
fn write_join(conn: &mut DbConn, joiner: Joiner, decision: &JoinDecision) -> Result<(), StoreError> {
    for a in &decision.assignments {
        insert_assignment(conn, a, false)?;
    }
    if let Some(group_id) = decision.join_group {
        let (org, user) = (joiner.org_id.to_string(), joiner.user_id.to_string());
        insert_group_member(conn, &org, &group_id.to_string(), &user, to_db(joiner.now))?;
    }
    for event in &decision.events {
        insert_event(conn, event)?;
    }
    Ok(())
}

/// Applies `extras` for the member who just joined, in the caller's
/// transaction: reads the facts with the member locked, decides
/// ([`decide_join`]: `Strict` refuses, `Lenient` skips) and writes.
pub(crate) fn apply_join_effects(
    conn: &mut DbConn,
    joiner: Joiner,
    extras: &JoinExtras,
    mode: JoinMode,
) -> Result<(), StoreError> {
    if extras.training_plan.is_none() && extras.group_id.is_none() {
        // Nothing to decide: no read either (an import adds many members).
        return Ok(());
    }
    let (org, user) = (joiner.org_id.to_string(), joiner.user_id.to_string());
    lock_member(conn, &org, &user)?;
    let facts = JoinFacts {
        today: org_today(conn, &org, joiner.now)?,
        role: member_role(conn, &org, &user)?,
        assignments: live_assignments(conn, &org, &user)?,
        plan: match extras.training_plan {
            Some(wanted) => plan_locked(conn, &org, wanted.plan_id)?,
            None => None,
        },
        group: match extras.group_id {
            Some(group_id) => group_facts(conn, &org, group_id, &user)?,
            None => None,
        },
    };
    let decision = decide_join(joiner, extras, mode, facts)?;
    write_join(conn, joiner, &decision)
}

/// Puts a live member into an existing group, in the caller's transaction,
/// with the group's enrolled plans ([`decide_group_join`]); `false` when
/// they were in it already. The member is looked up again once locked: a
/// removal that committed meanwhile makes this `NotFound("member")`, so
/// nobody removed stays in a group.
pub(crate) fn apply_group_join(conn: &mut DbConn, joiner: Joiner, group_id: GroupId) -> Result<bool, StoreError> {
    let (org, user) = (joiner.org_id.to_string(), joiner.user_id.to_string());
    lock_member(conn, &org, &user)?;
    let Some(role) = member_role(conn, &org, &user)? else {
        return Err(roster_domain::DomainError::NotFound("member").into());
    };
    let Some(group) = group_facts(conn, &org, group_id, &user)? else {
        return Err(roster_domain::DomainError::NotFound("group").into());
    };
    let role = Some(role);
    let today = org_today(conn, &org, joiner.now)?;
    let mut taken = live_assignments(conn, &org, &user)?.iter().map(|a| (a.start_date, a.end_date())).collect();
    let decision = decide_group_join(joiner, role, today, &group, &mut taken);
    write_join(conn, joiner, &decision)?;
    Ok(decision.join_group.is_some())
}

/// Ends the leaving member's group memberships and cancels their current and
/// upcoming plan assignments ([`decide_leave`]), in the caller's transaction.
pub(crate) fn end_member_effects(conn: &mut DbConn, joiner: Joiner) -> Result<(), StoreError> {
    let (org, user) = (joiner.org_id.to_string(), joiner.user_id.to_string());
    let groups: Vec<String> = org_group_members::table
        .filter(org_group_members::org_id.eq(&org))
        .filter(org_group_members::user_id.eq(&user))
        .select(org_group_members::group_id)
        .load(conn)?;
    let facts = LeaveFacts {
        today: org_today(conn, &org, joiner.now)?,
        groups: groups
            .iter()
            .map(|g| crate::error::parse("org_group_members.group_id", g.parse()))
            .collect::<Result<_, _>>()?,
        assignments: live_assignments(conn, &org, &user)?,
    };
    let decision = decide_leave(joiner, facts);
    diesel::delete(
        org_group_members::table
            .filter(org_group_members::org_id.eq(&org))
            .filter(org_group_members::user_id.eq(&user))
            .filter(org_group_members::group_id.eq_any(decision.leave_groups.iter().map(ToString::to_string))),
    )
    .execute(conn)?;
    let cancel: Vec<String> = decision.cancel.iter().map(ToString::to_string).collect();
    diesel::update(plan_assignments::table.filter(plan_assignments::assignment_id.eq_any(&cancel)))
        .set(plan_assignments::cancelled_at.eq(Some(to_db(joiner.now))))
        .execute(conn)?;
    for event in &decision.events {
        insert_event(conn, event)?;
    }
    Ok(())
}

impl Store {
    /// The join effects (group, plan, enrollments; see `JoinMode`) in a write
    /// transaction of its own; for tests and
    /// tools (the roster and invitation writes call it inside theirs).
    pub fn run_join_effects(
        &self,
        org_id: OrgId,
        user_id: UserId,
        extras: &JoinExtras,
        mode: JoinMode,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.on_conn(|conn| {
            let joiner = Joiner { org_id, user_id, author: (actor, None), now };
            write_tx(conn, |conn| apply_join_effects(conn, joiner, extras, mode))
        })
    }

    /// The leave effects (group memberships end, current and upcoming plans
    /// are cancelled) in a write transaction of its own; for tests and tools.
    pub fn run_leave_effects(
        &self,
        org_id: OrgId,
        user_id: UserId,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let joiner = Joiner { org_id, user_id, author: (actor, None), now };
        self.on_conn(|conn| write_tx(conn, |conn| end_member_effects(conn, joiner)))
    }
}
