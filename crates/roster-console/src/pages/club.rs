//! The start page, **Create your club** and **Settings**.

use crate::form::{Errors, Outcome, redirect};
use crate::view::{Chrome, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::error::FieldErrors;
use roster_domain::policy::{Action, Target};
use roster_domain::services::organizations::{self, NewOrganization, OrganizationPatch};
use roster_domain::services::privacy;
use roster_domain::values::{Description, OrgName, Timezone};
use roster_domain::{DomainError, Role};
use serde::Deserialize;

/// `/`: where the account's console starts.
pub(super) async fn home(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let to = signed_in(&c, &req, |_, viewer| {
        Ok(match viewer.org.as_ref().map(|m| m.role) {
            None => "/club/new",
            Some(Role::Athlete) => "/me",
            Some(_) => "/athletes",
        })
    })
    .await?;
    Ok(redirect(to))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ClubForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    version: Option<i64>,
}

#[derive(Template)]
#[template(path = "club_new.html")]
struct NewClub {
    chrome: Chrome,
    form: ClubForm,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct Settings {
    chrome: Chrome,
    form: ClubForm,
    errors: Errors,
    may_edit: bool,
    /// The head coach: the **Close club** section.
    may_close: bool,
    /// The head coach: links to **API keys** and **Webhooks**.
    may_keys: bool,
    may_webhooks: bool,
    saved: bool,
}

const CLUB_FIELDS: &[&str] = &["name", "description", "timezone"];

pub(super) async fn new_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let chrome = signed_in(&c, &req, |_, viewer| Ok(viewer.chrome("/club/new"))).await?;
    let form = ClubForm { timezone: "UTC".into(), ..ClubForm::default() };
    render(&NewClub { chrome, form, errors: Errors::none() })
}

fn parse_club(form: &ClubForm) -> Result<(OrgName, Description, Timezone), DomainError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", OrgName::parse(&form.name));
    let description = errors.check("description", Description::parse(&form.description));
    let timezone = errors.check("timezone", Timezone::parse(form.timezone.trim()));
    errors.finish()?;
    match (name, description, timezone) {
        (Some(n), Some(d), Some(t)) => Ok((n, d, t)),
        _ => Err(DomainError::Validation(Vec::new())),
    }
}

pub(super) async fn create(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<ClubForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let made = parse_club(&form).and_then(|(name, description, timezone)| {
            let new = NewOrganization { name, description, timezone };
            organizations::create(&c.store, &c.clock, viewer.user.user_id, new)
        });
        match made {
            Ok(_) => Ok(Outcome::Redirect("/athletes".into())),
            Err(e) => {
                let errors = Errors::from_domain(e, CLUB_FIELDS)?;
                Ok(Outcome::Again(NewClub { chrome: viewer.chrome("/club/new"), form, errors }))
            }
        }
    })
    .await?
    .respond()
}

#[derive(Debug, Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

pub(super) async fn settings_page(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    let saved = q.saved.is_some();
    let page = signed_in(&c, &req, move |c, viewer| {
        let view = organizations::get(&c.cx(viewer.user.user_id), viewer.org_id()?)?;
        let org = view.org;
        let form = ClubForm {
            csrf: String::new(),
            name: org.name.as_str().to_owned(),
            description: org.description.as_str().to_owned(),
            timezone: org.timezone.as_str().to_owned(),
            version: Some(org.version),
        };
        let may_edit = viewer.may(Action::UpdateOrganization, Target::Organization);
        let may_close = viewer.may(Action::CloseOrganization, Target::Organization);
        Ok(Settings {
            chrome: viewer.chrome("/settings"),
            form,
            errors: Errors::none(),
            may_edit,
            may_close,
            may_keys: viewer.may(Action::ManageApiKeys, Target::Organization),
            may_webhooks: viewer.may(Action::ManageWebhooks, Target::Organization),
            saved,
        })
    })
    .await?;
    render(&page)
}

pub(super) async fn save_settings(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<ClubForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let org_id = viewer.org_id()?;
        let saved = parse_club(&form).and_then(|(name, description, timezone)| {
            let patch =
                OrganizationPatch { name: Some(name), description: Some(description), timezone: Some(timezone) };
            organizations::update(&c.cx(viewer.user.user_id), org_id, patch, form.version)
        });
        match saved {
            Ok(_) => Ok(Outcome::Redirect("/settings?saved=1".into())),
            Err(e) => {
                let stale = matches!(e, DomainError::Conflict(roster_domain::error::Conflict::VersionMismatch));
                let mut errors = Errors::from_domain(e, CLUB_FIELDS)?;
                let mut form = form;
                if stale {
                    // Someone saved first: show their version's number so a
                    // second save is deliberate, and keep this user's input.
                    form.version = Some(organizations::get(&c.cx(viewer.user.user_id), org_id)?.org.version);
                    errors = Errors::one(
                        "",
                        "Someone else saved these settings first. Your input is kept: save again to replace theirs.",
                    );
                }
                Ok(Outcome::Again(Settings {
                    chrome: viewer.chrome("/settings"),
                    form,
                    errors,
                    may_edit: true,
                    may_close: viewer.may(Action::CloseOrganization, Target::Organization),
                    may_keys: viewer.may(Action::ManageApiKeys, Target::Organization),
                    may_webhooks: viewer.may(Action::ManageWebhooks, Target::Organization),
                    saved: false,
                }))
            }
        }
    })
    .await?
    .respond()
}

#[derive(Template)]
#[template(path = "close_club.html")]
struct CloseClub {
    chrome: Chrome,
    org_name: String,
    confirm_name: String,
    errors: Errors,
}

pub(super) async fn close_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |_, viewer| {
        viewer.authorize(Action::CloseOrganization, Target::Organization)?;
        let org_name = viewer.org()?.org_name.clone();
        Ok(CloseClub {
            chrome: viewer.chrome("/settings"),
            org_name,
            confirm_name: String::new(),
            errors: Errors::none(),
        })
    })
    .await?;
    render(&page)
}

#[derive(Debug, Deserialize)]
pub(super) struct CloseForm {
    csrf: String,
    #[serde(default)]
    confirm_name: String,
}

/// **Close club**: with the club's name typed exactly, the club is closed
/// and the head coach lands where an account without a club starts.
pub(super) async fn close(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, PageError> {
    let CloseForm { csrf, confirm_name } = form.into_inner();
    posted(&c, &req, csrf, move |c, viewer| {
        let org = viewer.org()?.clone();
        match privacy::close_organization(&c.cx(viewer.user.user_id), org.org_id, &confirm_name) {
            Ok(()) => Ok(Outcome::Redirect("/".into())),
            Err(DomainError::Conflict(roster_domain::error::Conflict::ConfirmNameMismatch)) => {
                let errors = Errors::one("confirm_name", format!("Type the club's name exactly: {}", org.org_name));
                Ok(Outcome::Again(CloseClub {
                    chrome: viewer.chrome("/settings"),
                    org_name: org.org_name,
                    confirm_name,
                    errors,
                }))
            }
            Err(e) => Err(e),
        }
    })
    .await?
    .respond()
}
