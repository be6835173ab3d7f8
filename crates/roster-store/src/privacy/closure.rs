//! Closing an organization.

use crate::DbConn;
use crate::error::StoreError;
use crate::invitations::{MailKey, enqueue};
use crate::rows::{insert_event, to_db};
use crate::schema::{
    api_keys, group_plan_enrollments, invitations, memberships, org_group_members, org_groups, organizations, outbox,
    plan_assignments, training_plans, workout_adjustments,
};
use diesel::prelude::*;
use roster_domain::DomainError;
use roster_domain::privacy::OrgClosure;

pub(super) fn close(conn: &mut DbConn, key: Option<&MailKey>, c: &OrgClosure) -> Result<(), StoreError> {
    let org = c.org_id.to_string();
    let now = to_db(c.at);
    let closed = diesel::update(organizations::table.find(&org).filter(organizations::closed_at.is_null()))
        .set((
            organizations::closed_at.eq(Some(now)),
            organizations::updated_at.eq(now),
            organizations::version.eq(organizations::version + 1),
        ))
        .execute(conn)?;
    if closed == 0 {
        return Err(StoreError::Refused(Box::new(DomainError::NotFound("organization"))));
    }
    diesel::update(memberships::table.filter(memberships::org_id.eq(&org)).filter(memberships::removed_at.is_null()))
        .set((
            memberships::removed_at.eq(Some(now)),
            memberships::assigned_to_coach_id.eq(None::<String>),
            memberships::updated_at.eq(now),
            memberships::version.eq(memberships::version + 1),
        ))
        .execute(conn)?;
    // Its integrations lose their keys with the club: no write through a
    // key may land in a closed club.
    diesel::update(api_keys::table.filter(api_keys::org_id.eq(&org)).filter(api_keys::revoked_at.is_null()))
        .set(api_keys::revoked_at.eq(Some(now)))
        .execute(conn)?;
    let pending = invitations::table
        .filter(invitations::org_id.eq(&org))
        .filter(invitations::status.eq("pending"))
        .select(invitations::invitation_id);
    // A revoked invitation's e-mail not yet sent never goes out.
    diesel::delete(
        outbox::table
            .filter(outbox::invitation_id.eq_any(pending.nullable()))
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null()),
    )
    .execute(conn)?;
    diesel::update(invitations::table.filter(invitations::org_id.eq(&org)).filter(invitations::status.eq("pending")))
        .set((invitations::status.eq("revoked"), invitations::revoked_at.eq(Some(now))))
        .execute(conn)?;
    diesel::delete(workout_adjustments::table.filter(workout_adjustments::org_id.eq(&org))).execute(conn)?;
    diesel::delete(plan_assignments::table.filter(plan_assignments::org_id.eq(&org))).execute(conn)?;
    diesel::delete(group_plan_enrollments::table.filter(group_plan_enrollments::org_id.eq(&org))).execute(conn)?;
    diesel::delete(org_group_members::table.filter(org_group_members::org_id.eq(&org))).execute(conn)?;
    diesel::delete(org_groups::table.filter(org_groups::org_id.eq(&org))).execute(conn)?;
    diesel::delete(training_plans::table.filter(training_plans::org_id.eq(&org))).execute(conn)?;
    for event in &c.events {
        insert_event(conn, event)?;
    }
    for mail in &c.mails {
        enqueue(conn, mail, key)?;
    }
    Ok(())
}
