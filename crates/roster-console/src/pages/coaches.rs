//! **Coaches**: the club's coaches; for the head coach, **Add assistant
//! coach** by e-mail, **Remove** and **Transfer head coach** (each removal and
//! the transfer behind a confirmation page). The use cases are the API's
//! (`services::coaches`): a forged post is refused there.

use super::athletes::person_name;
use crate::form::{Errors, Outcome, redirect};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::entities::CoachView;
use roster_domain::error::Conflict;
use roster_domain::policy::{Action, Target};
use roster_domain::services::coaches::{self, AccountRef};
use roster_domain::values::Email;
use roster_domain::{DomainError, Role, UserId};
use serde::Deserialize;

/// A coach as a table row.
pub(super) struct CoachRow {
    user_id: String,
    name: String,
    email: String,
    role: &'static str,
    athletes: i64,
    /// The viewer may remove them or hand them the head-coach role.
    controls: bool,
}

#[derive(Template)]
#[template(path = "coaches.html")]
struct CoachesPage {
    chrome: Chrome,
    rows: Vec<CoachRow>,
    /// The viewer is the head coach: the add form and the row controls.
    manage: bool,
    email: String,
    errors: Errors,
    notice: Option<&'static str>,
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::HeadCoach => "Head coach",
        Role::AssistantCoach => "Assistant coach",
        Role::Athlete => "Athlete",
    }
}

fn page_data(c: &Console, viewer: &Viewer, email: String, errors: Errors) -> Result<CoachesPage, DomainError> {
    let list = coaches::list(&c.cx(viewer.user.user_id), viewer.org_id()?)?;
    let manage = viewer.may(Action::AddCoach, Target::Organization);
    let rows = list
        .into_iter()
        .map(|k| CoachRow {
            user_id: k.user_id.to_string(),
            name: person_name(&k.first_name, k.last_name.as_deref()),
            controls: manage && k.role == Role::AssistantCoach,
            role: role_name(k.role),
            email: k.email,
            athletes: k.assigned_athletes,
        })
        .collect();
    Ok(CoachesPage { chrome: viewer.chrome("/coaches"), rows, manage, email, errors, notice: None })
}

#[derive(Debug, Deserialize)]
pub(super) struct Notice {
    done: Option<String>,
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<Notice>,
) -> Result<HttpResponse, PageError> {
    let notice = match q.done.as_deref() {
        Some("added") => Some("The assistant coach was added and told by e-mail."),
        Some("removed") => Some("The coach was removed; their athletes are unassigned."),
        Some("transferred") => Some("The head-coach role was handed over: you are now an assistant coach."),
        _ => None,
    };
    let page = signed_in(&c, &req, move |c, viewer| {
        let mut page = page_data(c, &viewer, String::new(), Errors::none())?;
        page.notice = notice;
        Ok(page)
    })
    .await?;
    render(&page)
}

#[derive(Debug, Deserialize)]
pub(super) struct AddForm {
    csrf: String,
    #[serde(default)]
    email: String,
}

pub(super) async fn add(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let added = Email::parse(&form.email)
            .map_err(|e| DomainError::invalid("email", e))
            .and_then(|email| coaches::add(&c.cx(me), org_id, &AccountRef::Email(email), &c.config.public_base_url));
        let errors = match added {
            Ok(_) => return Ok(Outcome::Redirect("/coaches?done=added".into())),
            Err(DomainError::UserNotFound) => {
                Errors::one("email", "No account has this e-mail. Ask them to create an account first, then add them.")
            }
            Err(DomainError::Conflict(Conflict::AlreadyMember)) => {
                Errors::one("email", "This account is already a member of the club.")
            }
            Err(e) => Errors::from_domain(e, &["email"])?,
        };
        Ok(Outcome::Again(page_data(c, &viewer, form.email, errors)?))
    })
    .await?
    .respond()
}

/// The confirmation of a removal or a transfer.
#[derive(Template)]
#[template(path = "coach_confirm.html")]
struct Confirm {
    chrome: Chrome,
    user_id: String,
    name: String,
    /// `remove` or `transfer`.
    what: &'static str,
}

fn coach_id(path: &str) -> Result<UserId, PageError> {
    path.parse().map_err(|_| PageError::not_found())
}

/// The assistant coach `coach` of the viewer's club, once the viewer may `action`.
fn assistant(c: &Console, viewer: &Viewer, coach: UserId, action: Action) -> Result<CoachView, DomainError> {
    viewer.authorize(action, Target::Someone(coach))?;
    coaches::list(&c.cx(viewer.user.user_id), viewer.org_id()?)?
        .into_iter()
        .find(|k| k.user_id == coach && k.role == Role::AssistantCoach)
        .ok_or(DomainError::NotFound("coach"))
}

async fn confirm_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    (action, what): (Action, &'static str),
) -> Result<HttpResponse, PageError> {
    let coach = coach_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let k = assistant(c, &viewer, coach, action)?;
        Ok(Confirm {
            chrome: viewer.chrome("/coaches"),
            user_id: coach.to_string(),
            name: person_name(&k.first_name, k.last_name.as_deref()),
            what,
        })
    })
    .await?;
    render(&page)
}

pub(super) async fn remove_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    confirm_page(c, req, path, (Action::RemoveCoach, "remove")).await
}

pub(super) async fn transfer_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    confirm_page(c, req, path, (Action::TransferHeadCoach, "transfer")).await
}

pub(super) async fn remove(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<super::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let coach = coach_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        coaches::remove(&c.cx(viewer.user.user_id), viewer.org_id()?, coach)
    })
    .await?;
    Ok(redirect("/coaches?done=removed"))
}

pub(super) async fn transfer(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<super::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let coach = coach_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        coaches::transfer_head_coach(&c.cx(viewer.user.user_id), viewer.org_id()?, coach)
    })
    .await?;
    Ok(redirect("/coaches?done=transferred"))
}
