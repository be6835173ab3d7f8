//! The profile's **Assign plan** and **Cancel** of an assignment.

use super::{PlanForm, athlete_id, profile_with};
use crate::form::{Errors, Outcome, redirect};
use crate::view::posted;
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use roster_domain::error::FieldErrors;
use roster_domain::services::plans;
use roster_domain::{AssignmentId, DomainError, PlanId};

pub(in crate::pages) async fn assign_plan(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, PageError> {
    let athlete = athlete_id(&path)?;
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let mut errors = FieldErrors::new();
        let picked = plan_and_start(&mut errors, &form.plan, &form.start_date);
        let assigned = errors.finish().and_then(|()| match picked {
            Some((plan, start)) => plans::assign(&c.cx(me), org_id, athlete, plan, start),
            None => Err(DomainError::Validation(Vec::new())),
        });
        match assigned {
            Ok(_) => Ok(Outcome::Redirect(format!("/athletes/{athlete}"))),
            Err(e) => {
                let errors = Errors::from_domain(e, &["plan", "start_date"])?;
                Ok(Outcome::Again(profile_with(c, &viewer, athlete, None, Some((form, errors)))?))
            }
        }
    })
    .await?
    .respond()
}

/// The plan and start date of an **Assign plan** form (an athlete's or a
/// group's), each checked; a bad one is noted in `errors` by its field.
pub(in crate::pages) fn plan_and_start(
    errors: &mut FieldErrors,
    plan: &str,
    start_date: &str,
) -> Option<(PlanId, NaiveDate)> {
    let plan = errors.check("plan", plan.parse::<PlanId>().map_err(|_| choose("choose a plan from the library")));
    let start = errors.check(
        "start_date",
        NaiveDate::parse_from_str(start_date, "%Y-%m-%d").map_err(|_| choose("use a date such as 2026-12-07")),
    );
    plan.zip(start)
}

fn choose(message: &str) -> roster_domain::values::InvalidValue {
    roster_domain::values::InvalidValue { code: "invalid_value", message: message.into() }
}

pub(in crate::pages) async fn cancel_plan(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<crate::pages::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (athlete, assignment) = path.into_inner();
    let athlete = athlete_id(&athlete)?;
    let assignment: AssignmentId = assignment.parse().map_err(|_| PageError::not_found())?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        plans::cancel(&c.cx(viewer.user.user_id), viewer.org_id()?, athlete, assignment)
    })
    .await?;
    Ok(redirect(&format!("/athletes/{athlete}")))
}
