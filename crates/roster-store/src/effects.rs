//! What joining and leaving an organization does besides the membership row:
//! joining the invitation's (or the request's) group and starting its training
//! plan, and on leaving, ending group memberships and cancelling current and
//! upcoming plan assignments. Both run inside the caller's write transaction,
//! so the whole join or leave commits or nothing does.

use crate::conn::DbConn;
use crate::groups::{group_exists, insert_group_member};
use crate::plans::{date_text, insert_assignment, org_today, plan_in};
use crate::rows::{insert_event, to_db};
use crate::schema::{group_plan_enrollments, memberships, org_group_members, plan_assignments};
use crate::{Store, StoreError, write_tx};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use roster_domain::entities::{AuditEvent, JoinExtras};
use roster_domain::plans::PlanAssignment;
use roster_domain::{ApiKeyId, DomainError, FieldError, GroupId, OrgId, PlanId, Role, UserId};
use serde_json::json;

/// How a refused extra is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinMode {
    /// A coach adding a member: a bad group or plan refuses the whole write
    /// (`StoreError::Refused` with the domain error).
    Strict,
    /// An athlete accepting an invitation: the membership is created even when
    /// the plan was archived or its start date passed since the invitation was
    /// made; the skipped extra is recorded in the audit trail instead.
    Lenient,
}

fn unknown(field: &str, code: &str, message: &str) -> StoreError {
    DomainError::Validation(vec![FieldError::new(field, code, message)]).into()
}

/// The code of a refusal that lenient joining skips, or `None` for a real failure.
fn skippable(e: &StoreError) -> Option<String> {
    match e {
        StoreError::Refused(d) => Some(d.code().to_owned()),
        StoreError::Conflict(c) => Some(DomainError::Conflict(*c).code().to_owned()),
        _ => None,
    }
}

/// Assigns `plan_id` to `user_id` from `start` with every rule checked:
/// unknown plan (422 naming `field`), `plan_archived`, `start_date_in_past`,
/// overlap. Writes `plan.assigned`.
#[allow(clippy::too_many_arguments)]
fn assign_checked(
    conn: &mut DbConn,
    org_id: OrgId,
    user_id: UserId,
    plan_id: PlanId,
    start: Option<NaiveDate>,
    field: &str,
    (actor, assigned_by): (UserId, (UserId, Option<ApiKeyId>)),
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let org = org_id.to_string();
    let today = org_today(conn, &org, now)?;
    let plan = plan_in(conn, &org, &plan_id.to_string())?
        .ok_or_else(|| unknown(field, "unknown_plan", "no such training plan in this organization"))?;
    let (mut a, event) = PlanAssignment::decide(&plan, user_id, start, today, actor, now)?;
    (a.assigned_by, a.assigned_by_key) = assigned_by;
    insert_assignment(conn, &a, false)?;
    insert_event(conn, &event)
}

fn skipped_event(
    conn: &mut DbConn,
    org_id: OrgId,
    user_id: UserId,
    actor: UserId,
    now: DateTime<Utc>,
    what: serde_json::Value,
) -> Result<(), StoreError> {
    insert_event(conn, &AuditEvent::new(org_id, actor, "member.join_extra_skipped", Some(user_id), what, now))
}

/// Applies `extras` for `user_id`, who just joined `org_id`, in the caller's
/// transaction. `actor` is who made it happen (for the audit trail), with
/// the API key when a key did (the plan assignment then names the key).
///
/// The plan is assigned first (start: the given date, else today in the
/// organization's time zone), then the group is joined with its enrollments.
/// `Strict` refuses with the first refusal: an unknown plan or group (`422`
/// naming `training_plan.plan_id` / `group_id`), `plan_archived`,
/// `start_date_in_past`, `plan_assignment_overlap`. `Lenient` skips the
/// refused extra and writes a `member.join_extra_skipped` event with its code.
pub(crate) fn apply_join_effects(
    conn: &mut DbConn,
    org_id: OrgId,
    user_id: UserId,
    extras: &JoinExtras,
    mode: JoinMode,
    (actor, actor_key): (UserId, Option<ApiKeyId>),
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(plan) = extras.training_plan {
        let result = assign_checked(
            conn,
            org_id,
            user_id,
            plan.plan_id,
            plan.start_date,
            "training_plan.plan_id",
            (actor, (actor, actor_key)),
            now,
        );
        match result {
            Ok(()) => {}
            Err(e) if mode == JoinMode::Lenient && skippable(&e).is_some() => {
                let code = skippable(&e).unwrap_or_default();
                skipped_event(conn, org_id, user_id, actor, now, json!({"training_plan": plan, "code": code}))?;
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(group_id) = extras.group_id {
        let (org, group) = (org_id.to_string(), group_id.to_string());
        if !group_exists(conn, &org, &group)? {
            if mode == JoinMode::Strict {
                return Err(unknown("group_id", "unknown_group", "no such group in this organization"));
            }
            skipped_event(conn, org_id, user_id, actor, now, json!({"group_id": group_id, "code": "unknown_group"}))?;
        } else if insert_group_member(conn, &org, &group, &user_id.to_string(), to_db(now))? {
            let event =
                AuditEvent::new(org_id, actor, "group.member_added", Some(user_id), json!({"group_id": group_id}), now);
            insert_event(conn, &event)?;
            apply_enrollments(conn, org_id, group_id, user_id, actor, now)?;
        }
    }
    Ok(())
}

/// Gives `user_id`, who just joined `group_id`, the group's enrolled plans
/// whose start date has not passed (athletes only). A plan that cannot be assigned (archived,
/// overlap, started already) is skipped with a `plan.enrollment_skipped` event.
pub(crate) fn apply_enrollments(
    conn: &mut DbConn,
    org_id: OrgId,
    group_id: GroupId,
    user_id: UserId,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let role: Option<String> = memberships::table
        .filter(memberships::org_id.eq(org_id.to_string()))
        .filter(memberships::user_id.eq(user_id.to_string()))
        .filter(memberships::removed_at.is_null())
        .select(memberships::role)
        .first(conn)
        .optional()?;
    if role.as_deref() != Some(Role::Athlete.as_str()) {
        return Ok(()); // plans are for athletes; a coach in a group gets none
    }
    type Enrollment = (String, String, Option<String>, Option<String>);
    let enrollments: Vec<Enrollment> = group_plan_enrollments::table
        .filter(group_plan_enrollments::group_id.eq(group_id.to_string()))
        .order(group_plan_enrollments::enrollment_id.asc())
        .select((
            group_plan_enrollments::plan_id,
            group_plan_enrollments::start_date,
            group_plan_enrollments::created_by,
            group_plan_enrollments::created_by_key_id,
        ))
        .load(conn)?;
    for (plan_id, start, enrolled_by, enrolled_by_key) in enrollments {
        let plan_id: PlanId = crate::error::parse("group_plan_enrollments.plan_id", plan_id.parse())?;
        let start = crate::plans::parse_date("group_plan_enrollments.start_date", &start)?;
        // The assignment is the enrollment's doing: it is recorded as assigned
        // by the account or API key that enrolled the group, while the audit
        // trail names whoever added the member (which may be another key).
        let enrolled_by =
            crate::rows::author_from_db("group_plan_enrollments.created_by", enrolled_by, enrolled_by_key)?;
        match assign_checked(conn, org_id, user_id, plan_id, Some(start), "plan_id", (actor, enrolled_by), now) {
            Ok(()) => {}
            Err(e) if skippable(&e).is_some() => {
                let code = skippable(&e).unwrap_or_default();
                let event = AuditEvent::new(
                    org_id,
                    actor,
                    "plan.enrollment_skipped",
                    Some(user_id),
                    json!({"group_id": group_id, "plan_id": plan_id, "start_date": start, "code": code}),
                    now,
                );
                insert_event(conn, &event)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Ends `user_id`'s group memberships and cancels their current and upcoming
/// plan assignments in `org_id`, in the caller's transaction. Writes
/// `group.member_removed` and `plan.cancelled` events.
pub(crate) fn end_member_effects(
    conn: &mut DbConn,
    org_id: OrgId,
    user_id: UserId,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (org, user) = (org_id.to_string(), user_id.to_string());
    let groups: Vec<String> = org_group_members::table
        .filter(org_group_members::org_id.eq(&org))
        .filter(org_group_members::user_id.eq(&user))
        .select(org_group_members::group_id)
        .load(conn)?;
    diesel::delete(
        org_group_members::table
            .filter(org_group_members::org_id.eq(&org))
            .filter(org_group_members::user_id.eq(&user)),
    )
    .execute(conn)?;
    for group_id in groups {
        let event =
            AuditEvent::new(org_id, actor, "group.member_removed", Some(user_id), json!({"group_id": group_id}), now);
        insert_event(conn, &event)?;
    }
    let today = date_text(org_today(conn, &org, now)?);
    let live = plan_assignments::table
        .filter(plan_assignments::org_id.eq(&org))
        .filter(plan_assignments::user_id.eq(&user))
        .filter(plan_assignments::cancelled_at.is_null())
        .filter(plan_assignments::end_date.ge(today));
    let ids: Vec<String> = live.clone().select(plan_assignments::assignment_id).load(conn)?;
    diesel::update(live).set(plan_assignments::cancelled_at.eq(Some(to_db(now)))).execute(conn)?;
    for assignment_id in ids {
        let event = AuditEvent::new(
            org_id,
            actor,
            "plan.cancelled",
            Some(user_id),
            json!({"assignment_id": assignment_id, "status": {"old": null, "new": "cancelled"}}),
            now,
        );
        insert_event(conn, &event)?;
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
            write_tx(conn, |conn| apply_join_effects(conn, org_id, user_id, extras, mode, (actor, None), now))
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
        self.on_conn(|conn| write_tx(conn, |conn| end_member_effects(conn, org_id, user_id, actor, now)))
    }
}
