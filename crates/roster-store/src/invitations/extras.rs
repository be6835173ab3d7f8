//! An invitation's group and training plan are checked when it is made, in
//! its transaction: they must be of this organization, the plan not archived,
//! and a given start date not before today in the organization's time zone.
//! (Accepting stays lenient: what changed since is skipped and audited.)

use crate::StoreError;
use crate::conn::DbConn;
use crate::groups::group_exists;
use crate::plans::{org_today, plan_in};
use roster_domain::invitation::Invitation;
use roster_domain::{DomainError, FieldError};

/// Every problem with `invitation`'s extras at once, as a `422` naming the
/// fields: `group_id` `unknown_group`; `training_plan.plan_id` `unknown_plan`
/// or `plan_archived`; `training_plan.start_date` `start_date_in_past`.
pub(super) fn check_extras(conn: &mut DbConn, invitation: &Invitation) -> Result<(), StoreError> {
    let org = invitation.org_id.to_string();
    let mut errors = Vec::new();
    if let Some(group) = invitation.group_id
        && !group_exists(conn, &org, &group.to_string())?
    {
        errors.push(FieldError::new("group_id", "unknown_group", "no such group in this organization"));
    }
    if let Some(plan) = invitation.training_plan {
        match plan_in(conn, &org, &plan.plan_id.to_string())? {
            None => errors.push(FieldError::new(
                "training_plan.plan_id",
                "unknown_plan",
                "no such training plan in this organization",
            )),
            Some(p) if p.archived_at.is_some() => {
                errors.push(FieldError::new("training_plan.plan_id", "plan_archived", "the training plan is archived"))
            }
            Some(_) => {}
        }
        if let Some(start) = plan.start_date
            && start < org_today(conn, &org, invitation.created_at)?
        {
            errors.push(FieldError::new(
                "training_plan.start_date",
                "start_date_in_past",
                "the start date is before today in the organization's time zone",
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(errors).into()) }
}
