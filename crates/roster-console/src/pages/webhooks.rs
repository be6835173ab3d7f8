//! Settings → **Webhooks** (the head coach's): the organization's endpoints
//! and a form to add one, whose signing secret is shown once with a copy
//! button. One endpoint's own page is in `webhook`. The use cases are the
//! API's (`services::webhooks`); the secret and the refusal of internal
//! addresses are the API's too (`Console::webhooks`).

use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::error::FieldError;
use roster_domain::policy::{Action, Target};
use roster_domain::services::webhooks::{self, NewWebhook};
use roster_domain::webhooks::{EVENT_TYPES, WebhookEndpoint};
use roster_domain::{DomainError, WebhookId};

pub(super) const FIELDS: &[&str] = &["url", "event_types", "description", "enabled"];

/// The endpoint form as typed (event types are repeated checkboxes).
#[derive(Debug, Default, Clone)]
pub(super) struct HookForm {
    pub csrf: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: String,
    pub enabled: bool,
}

impl HookForm {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "url" => form.url = value,
                "event_types" => form.event_types.push(value),
                "description" => form.description = value,
                "enabled" => form.enabled = true,
                _ => {}
            }
        }
        form
    }

    pub fn of(e: &WebhookEndpoint) -> Self {
        Self {
            csrf: String::new(),
            url: e.url.as_str().to_owned(),
            event_types: e.event_types.clone(),
            description: e.description.clone(),
            enabled: e.enabled,
        }
    }

    /// A checkbox per event type, ticked as in the form.
    pub fn choices(&self) -> Vec<EventChoice> {
        EVENT_TYPES.iter().map(|t| EventChoice { value: t, checked: self.event_types.iter().any(|f| f == t) }).collect()
    }
}

/// One event type checkbox.
pub(super) struct EventChoice {
    pub value: &'static str,
    pub checked: bool,
}

/// The URL refused when its host is an internal address, as a field error
/// beside the URL (the API's `address_not_allowed`).
pub(super) fn check_reachable(c: &Console, url: &str) -> Result<(), DomainError> {
    (c.webhooks.check_address)(url).map_err(|address| {
        let why = format!("{address} is an address in a private or internal network, which roster does not send to; use the receiver's public address");
        DomainError::Validation(vec![FieldError::new("url", "address_not_allowed", why)])
    })
}

/// An endpoint as a table row.
pub(super) struct HookRow {
    id: String,
    url: String,
    event_types: String,
    enabled: bool,
    disabled_reason: Option<String>,
    description: String,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct HooksPage {
    chrome: Chrome,
    hooks: Vec<HookRow>,
    form: HookForm,
    event_choices: Vec<EventChoice>,
    errors: Errors,
    /// Just made: its page and secret, shown this once.
    created: Option<(String, String)>,
    deleted: bool,
}

pub(super) fn event_summary(types: &[String]) -> String {
    if types.is_empty() { "All events".to_owned() } else { types.join(", ") }
}

fn page_data(c: &Console, viewer: &Viewer, form: HookForm, errors: Errors) -> Result<HooksPage, DomainError> {
    let hooks = webhooks::list(&c.cx(viewer.user.user_id), viewer.org_id()?)?
        .into_iter()
        .map(|e| HookRow {
            id: e.endpoint_id.to_string(),
            url: e.url.as_str().to_owned(),
            event_types: event_summary(&e.event_types),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            description: e.description,
        })
        .collect();
    let event_choices = form.choices();
    Ok(HooksPage {
        chrome: viewer.chrome("/settings"),
        hooks,
        form,
        event_choices,
        errors,
        created: None,
        deleted: false,
    })
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ListQuery {
    deleted: Option<String>,
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let deleted = q.deleted.is_some();
    let page = signed_in(&c, &req, move |c, viewer| {
        viewer.authorize(Action::ManageWebhooks, Target::Organization)?;
        let mut page = page_data(c, &viewer, HookForm { enabled: true, ..HookForm::default() }, Errors::none())?;
        page.deleted = deleted;
        Ok(page)
    })
    .await?;
    render(&page)
}

pub(super) async fn create(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = HookForm::from_pairs(form.into_inner());
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let secret = (c.webhooks.new_secret)();
        let made =
            NewWebhook::parse(&form.url, &form.event_types, Some(&form.description), Some(true)).and_then(|new| {
                check_reachable(c, new.url.as_str())?;
                webhooks::create(&c.cx(me), org_id, new, &secret)
            });
        match made {
            Ok(endpoint) => {
                let fresh = HookForm { enabled: true, ..HookForm::default() };
                let mut page = page_data(c, &viewer, fresh, Errors::none())?;
                page.created = Some((endpoint.endpoint_id.to_string(), secret));
                Ok(Outcome::Show(page))
            }
            Err(e) => {
                let errors = Errors::from_domain(e, FIELDS)?;
                Ok(Outcome::Again(page_data(c, &viewer, form, errors)?))
            }
        }
    })
    .await?
    .respond()
}

/// The endpoint id of a path, or the 404 page.
pub(super) fn endpoint_id(text: &str) -> Result<WebhookId, PageError> {
    text.parse().map_err(|_| PageError::not_found())
}
