//! One webhook endpoint's page (`/settings/webhooks/{id}`): edit it, rotate
//! its secret (shown once), send a test event, delete it (behind a
//! confirmation page), and its deliveries with **Redeliver**.

use super::webhooks::{EventChoice, FIELDS, HookForm, check_reachable, endpoint_id};
use crate::form::{Errors, Outcome, redirect};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::services::webhooks::{self, PREVIOUS_SECRET_GRACE, WebhookPatch};
use roster_domain::webhooks::Delivery;
use roster_domain::{Clock, DeliveryId, DomainError, WebhookId};
use serde::Deserialize;

/// Deliveries a page shows.
const PAGE: u32 = 50;
/// How much of an answer the table shows (the log keeps 4 KiB).
const ANSWER_SHOWN: usize = 120;

/// A delivery as a table row (its latest attempt).
pub(super) struct DeliveryRow {
    id: String,
    event_type: String,
    status: &'static str,
    http: String,
    latency: String,
    at: String,
    attempts: i32,
    detail: String,
}

impl DeliveryRow {
    fn of(d: Delivery) -> Self {
        let last = d.log.first();
        let detail = last.map_or_else(String::new, |a| match &a.error {
            Some(error) => error.clone(),
            None if a.response_body.chars().count() > ANSWER_SHOWN => {
                a.response_body.chars().take(ANSWER_SHOWN).collect::<String>() + "…"
            }
            None => a.response_body.clone(),
        });
        Self {
            id: d.delivery_id.to_string(),
            event_type: d.event_type,
            status: d.status.as_str(),
            http: last.and_then(|a| a.status_code).map_or_else(String::new, |s| s.to_string()),
            latency: last.map_or_else(String::new, |a| format!("{} ms", a.latency_ms)),
            at: last.map_or(d.created_at, |a| a.attempted_at).format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            attempts: d.attempts,
            detail,
        }
    }
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct HookPage {
    chrome: Chrome,
    id: String,
    url: String,
    disabled_reason: Option<String>,
    form: HookForm,
    event_choices: Vec<EventChoice>,
    errors: Errors,
    deliveries: Vec<DeliveryRow>,
    /// The id to ask for older deliveries with.
    older: Option<String>,
    /// A secret just made, and until when the old one signs too.
    secret: Option<(String, String)>,
    notice: Option<&'static str>,
}

fn page_data(
    c: &Console,
    viewer: &Viewer,
    id: WebhookId,
    form: Option<HookForm>,
    errors: Errors,
    before: Option<DeliveryId>,
) -> Result<HookPage, DomainError> {
    let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
    let endpoint = webhooks::get(&c.cx(me), org_id, id)?;
    let (page, more) = webhooks::deliveries(&c.cx(me), (org_id, id), before, PAGE)?;
    let older = if more { page.last().map(|d| d.delivery_id.to_string()) } else { None };
    let form = form.unwrap_or_else(|| HookForm::of(&endpoint));
    Ok(HookPage {
        chrome: viewer.chrome("/settings"),
        id: id.to_string(),
        url: endpoint.url.as_str().to_owned(),
        disabled_reason: endpoint.disabled_reason,
        event_choices: form.choices(),
        form,
        errors,
        deliveries: page.into_iter().map(DeliveryRow::of).collect(),
        older,
        secret: None,
        notice: None,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct PageQuery {
    before: Option<String>,
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "saved" => "Saved.",
        "created" => "The endpoint was added.",
        "test" => "A test event was queued: it shows below once sent (reload the page).",
        "redelivered" => "The delivery was queued again.",
        _ => return None,
    })
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let id = endpoint_id(&path)?;
    let q = q.into_inner();
    let before = match q.before.as_deref() {
        Some(b) => Some(b.parse::<DeliveryId>().map_err(|_| PageError::not_found())?),
        None => None,
    };
    let page = signed_in(&c, &req, move |c, viewer| {
        let mut page = page_data(c, &viewer, id, None, Errors::none(), before)?;
        page.notice = notice(q.done.as_deref());
        Ok(page)
    })
    .await?;
    render(&page)
}

pub(super) async fn save(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let id = endpoint_id(&path)?;
    let form = HookForm::from_pairs(form.into_inner());
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let saved =
            WebhookPatch::parse(Some(&form.url), Some(&form.event_types), Some(&form.description), Some(form.enabled))
                .and_then(|patch| {
                    if let Some(url) = &patch.url {
                        check_reachable(c, url.as_str())?;
                    }
                    webhooks::update(&c.cx(me), (org_id, id), patch)
                });
        match saved {
            Ok(_) => Ok(Outcome::Redirect(format!("/settings/webhooks/{id}?done=saved"))),
            Err(e) => {
                let errors = Errors::from_domain(e, FIELDS)?;
                Ok(Outcome::Again(page_data(c, &viewer, id, Some(form), errors, None)?))
            }
        }
    })
    .await?
    .respond()
}

#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn rotate(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let id = endpoint_id(&path)?;
    let page = posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let secret = (c.webhooks.new_secret)();
        webhooks::rotate_secret(&c.cx(me), org_id, id, &secret)?;
        let until = (c.clock.now() + PREVIOUS_SECRET_GRACE).format("%Y-%m-%d %H:%M UTC").to_string();
        let mut page = page_data(c, &viewer, id, None, Errors::none(), None)?;
        page.secret = Some((secret, until));
        Ok(page)
    })
    .await?;
    render(&page)
}

pub(super) async fn test(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let id = endpoint_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        webhooks::send_test(&c.cx(viewer.user.user_id), viewer.org_id()?, id)
    })
    .await?;
    Ok(redirect(&format!("/settings/webhooks/{id}?done=test")))
}

pub(super) async fn redeliver(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (id, delivery) = path.into_inner();
    let id = endpoint_id(&id)?;
    let delivery_id: DeliveryId = delivery.parse().map_err(|_| PageError::not_found())?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        webhooks::redeliver(&c.cx(viewer.user.user_id), (viewer.org_id()?, id), delivery_id)
    })
    .await?;
    Ok(redirect(&format!("/settings/webhooks/{id}?done=redelivered")))
}

#[derive(Template)]
#[template(path = "webhook_delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: String,
    url: String,
}

pub(super) async fn delete_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = endpoint_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let endpoint = webhooks::get(&c.cx(viewer.user.user_id), viewer.org_id()?, id)?;
        Ok(DeletePage { chrome: viewer.chrome("/settings"), id: id.to_string(), url: endpoint.url.as_str().to_owned() })
    })
    .await?;
    render(&page)
}

pub(super) async fn delete(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let id = endpoint_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        webhooks::delete(&c.cx(viewer.user.user_id), viewer.org_id()?, id)
    })
    .await?;
    Ok(redirect("/settings/webhooks?deleted=1"))
}
