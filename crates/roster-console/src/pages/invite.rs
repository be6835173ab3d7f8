//! **Invite athlete** (an e-mail invitation), **Create invite link** (a
//! multi-use link, shown with a copy button; **Invitations** shows it again) and **Add existing user**.

use super::athletes::Choice;
use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use roster_domain::entities::{JoinExtras, PlanStart};
use roster_domain::error::FieldErrors;
use roster_domain::invitation::InvitationName;
use roster_domain::services::coaches::AccountRef;
use roster_domain::services::groups;
use roster_domain::services::invitations::{self, NewInvitation};
use roster_domain::services::members::{self, NewMember};
use roster_domain::values::{Email, InvalidValue, PersonName};
use roster_domain::{Clock, DomainError, GroupId, PlanId, Role};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub(super) struct InviteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    max_uses: String,
    #[serde(default)]
    expires: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    start_date: String,
}

/// The three ways onto the roster, one page each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// **Invite athlete**: a single-use invitation by e-mail.
    Email,
    /// **Create invite link**: a multi-use link.
    Link,
    /// **Add existing user**: an account that already exists.
    Existing,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Email => "/athletes/invite",
            Kind::Link => "/athletes/invite-link",
            Kind::Existing => "/athletes/add",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Email => "Invite athlete",
            Kind::Link => "Create invite link",
            Kind::Existing => "Add existing user",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Email => &["first_name", "email", "group", "plan", "start_date"],
            Kind::Link => &["name", "max_uses", "expires", "group", "plan", "start_date"],
            Kind::Existing => &["email", "group", "plan", "start_date"],
        }
    }
}

#[derive(Template)]
#[template(path = "invite.html")]
struct Invite {
    chrome: Chrome,
    kind: &'static str,
    title: &'static str,
    action: &'static str,
    form: InviteForm,
    errors: Errors,
    group_choices: Vec<Choice>,
    plan_choices: Vec<Choice>,
    /// A link just created, shown with a copy button.
    created_link: Option<String>,
}

fn invite_page_data(
    c: &Console,
    viewer: &Viewer,
    kind: Kind,
    form: InviteForm,
    errors: Errors,
) -> Result<Invite, DomainError> {
    let org_id = viewer.org_id()?;
    let group_list = groups::names(&c.cx(viewer.caller()), org_id, 200)?;
    let group_choices = super::athletes::group_choices(&group_list, Some("No group"));
    let plan_choices = super::athletes::plan_choices(c, viewer, Some("No training plan"))?;
    let kind_name = match kind {
        Kind::Email => "email",
        Kind::Link => "link",
        Kind::Existing => "existing",
    };
    Ok(Invite {
        chrome: viewer.chrome("/athletes"),
        kind: kind_name,
        title: kind.title(),
        action: kind.path(),
        form,
        errors,
        group_choices,
        plan_choices,
        created_link: None,
    })
}

async fn page(c: web::Data<Console>, req: HttpRequest, kind: Kind) -> Result<HttpResponse, PageError> {
    let page =
        signed_in(&c, &req, move |c, viewer| invite_page_data(c, &viewer, kind, InviteForm::default(), Errors::none()))
            .await?;
    render(&page)
}

pub(super) async fn invite_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    page(c, req, Kind::Email).await
}

pub(super) async fn link_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    page(c, req, Kind::Link).await
}

pub(super) async fn add_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    page(c, req, Kind::Existing).await
}

fn invalid(message: &str) -> InvalidValue {
    InvalidValue { code: "invalid_value", message: message.into() }
}

fn optional<T>(
    errors: &mut FieldErrors,
    name: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Option<T> {
    match text.trim() {
        "" => None,
        t => errors.check(name, parse(t)),
    }
}

fn date(text: &str) -> Result<NaiveDate, InvalidValue> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid("use a date such as 2026-12-07"))
}

/// The group and plan every way of joining may name.
fn extras(errors: &mut FieldErrors, form: &InviteForm) -> JoinExtras {
    let group_id = optional(errors, "group", &form.group, |t| {
        t.parse::<GroupId>().map_err(|_| invalid("choose a group from the list"))
    });
    let plan_id = optional(errors, "plan", &form.plan, |t| {
        t.parse::<PlanId>().map_err(|_| invalid("choose a plan from the list"))
    });
    let start_date = optional(errors, "start_date", &form.start_date, date);
    JoinExtras { group_id, training_plan: plan_id.map(|plan_id| PlanStart { plan_id, start_date }) }
}

fn parse_invitation(form: &InviteForm, kind: Kind, c: &Console) -> Result<NewInvitation, DomainError> {
    let mut errors = FieldErrors::new();
    let extras = extras(&mut errors, form);
    let new = match kind {
        Kind::Link => {
            let name = optional(&mut errors, "name", &form.name, InvitationName::parse);
            let max_uses = optional(&mut errors, "max_uses", &form.max_uses, |t| {
                t.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| invalid("a whole number of at least 1, or empty for unlimited"))
            });
            let expires = optional(&mut errors, "expires", &form.expires, date);
            let expires_at = expires.and_then(|d| d.and_hms_opt(23, 59, 59)).map(|t| t.and_utc());
            if expires.is_some_and(|d| d <= c.clock.now().date_naive()) {
                errors.check::<()>("expires", Err(invalid("choose a day after today, or none")));
            }
            Some(NewInvitation::MultiUse { name, max_uses, expires_at, extras })
        }
        _ => {
            let email = errors.check("email", Email::parse(&form.email));
            let first_name = errors.check("first_name", PersonName::parse(&form.first_name));
            email.zip(first_name).map(|(email, first_name)| NewInvitation::SingleUse {
                email,
                first_name,
                role: Role::Athlete,
                extras,
                expires_at: None,
            })
        }
    };
    errors.finish()?;
    new.ok_or(DomainError::Validation(Vec::new()))
}

fn parse_existing(form: &InviteForm) -> Result<NewMember, DomainError> {
    let mut errors = FieldErrors::new();
    let extras = extras(&mut errors, form);
    let email = errors.check("email", Email::parse(&form.email));
    errors.finish()?;
    let email = email.ok_or(DomainError::Validation(Vec::new()))?;
    Ok(NewMember {
        target: AccountRef::Email(email),
        extras,
        display_name: None,
        member_level: None,
        labels: Default::default(),
        private_notes: None,
        assigned_to_coach_id: None,
    })
}

async fn send(
    c: web::Data<Console>,
    req: HttpRequest,
    form: InviteForm,
    kind: Kind,
) -> Result<HttpResponse, PageError> {
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let base = &c.config.public_base_url;
        let done = match kind {
            Kind::Existing => parse_existing(&form)
                .and_then(|new| members::add(&c.cx(me), org_id, new, base))
                .map(|view| Outcome::Redirect(format!("/athletes/{}", view.membership.user_id))),
            Kind::Email | Kind::Link => parse_invitation(&form, kind, c)
                .and_then(|new| invitations::create(&c.cx(me), &c.links, org_id, new, base))
                .and_then(|issued| {
                    if kind == Kind::Email {
                        return Ok(Outcome::Redirect("/invitations?sent=1".into()));
                    }
                    let mut page = invite_page_data(c, &viewer, kind, InviteForm::default(), Errors::none())?;
                    page.created_link = Some(issued.token.link(base));
                    Ok(Outcome::Show(page))
                }),
        };
        match done {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                let errors = Errors::from_domain(e, kind.fields())?;
                Ok(Outcome::Again(invite_page_data(c, &viewer, kind, form, errors)?))
            }
        }
    })
    .await?
    .respond()
}

pub(super) async fn invite(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    send(c, req, form.into_inner(), Kind::Email).await
}

pub(super) async fn create_link(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    send(c, req, form.into_inner(), Kind::Link).await
}

pub(super) async fn add_existing(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    send(c, req, form.into_inner(), Kind::Existing).await
}
