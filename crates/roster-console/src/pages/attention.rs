//! **Needs attention**: the attention queue (athletes with open signals,
//! most severe first; an assistant coach's holds their own athletes: the
//! use case decides) and **Acknowledge** on each signal, with an optional
//! note, which hides it until the data behind it changes.

use super::athletes::member_name;
use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::attention::{QueueCursor, QueueQuery, SignalCode};
use roster_domain::policy::{Action, Target};
use roster_domain::services::attention as svc;
use roster_domain::{Clock, DomainError, UserId};
use serde::Deserialize;
use serde::de::IntoDeserializer;

/// Athletes a page by default; `?limit=` takes 1–200, as the API's queue.
const DEFAULT_LIMIT: u32 = 50;

/// One open signal with its **Acknowledge** form.
struct Signal {
    code: &'static str,
    severity: &'static str,
    message: String,
}

/// One athlete of the queue.
struct Entry {
    user_id: String,
    name: String,
    /// The latest activity's date, or that there never was one.
    last_activity: String,
    signals: Vec<Signal>,
    may_acknowledge: bool,
}

#[derive(Template)]
#[template(path = "attention.html")]
struct Queue {
    chrome: Chrome,
    entries: Vec<Entry>,
    next_page: Option<String>,
    /// A refused acknowledgement (a note too long), above the queue.
    errors: Errors,
}

/// `?limit=&after=`: a bad limit is the default one, a mangled cursor the first page.
fn paging(req: &HttpRequest) -> (u32, Option<QueueCursor>) {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let limit = value("limit").and_then(|l| l.parse().ok()).filter(|l| (1..=200).contains(l)).unwrap_or(DEFAULT_LIMIT);
    let after = value("after").and_then(|text| {
        let (order, id) = text.split_once('.')?;
        Some(QueueCursor { order: order.parse().ok()?, membership_id: id.parse().ok()? })
    });
    (limit, after)
}

fn queue_page(
    c: &Console,
    viewer: &Viewer,
    (limit, after): (u32, Option<QueueCursor>),
    errors: Errors,
) -> Result<Queue, DomainError> {
    let query = QueueQuery { coach: None, limit, after, thresholds: c.config.attention.clone(), now: c.clock.now() };
    let page = svc::queue(&c.cx(viewer.user.user_id), viewer.org_id()?, query)?;
    let entries = page
        .entries
        .iter()
        .map(|e| Entry {
            user_id: e.member.membership.user_id.to_string(),
            name: member_name(&e.member),
            last_activity: e
                .member
                .last_activity_at
                .map_or_else(|| "No activity yet".into(), |at| format!("Last activity {}", at.format("%Y-%m-%d"))),
            signals: e
                .signals
                .iter()
                .map(|s| Signal { code: s.code.as_str(), severity: s.severity.as_str(), message: s.message.clone() })
                .collect(),
            may_acknowledge: viewer.may(Action::AcknowledgeSignal, Target::Member(&e.member.membership)),
        })
        .collect();
    let limit_part = if limit == DEFAULT_LIMIT { String::new() } else { format!("limit={limit}&") };
    let next_page = page.next.map(|n| format!("/attention?{limit_part}after={}.{}", n.order, n.membership_id));
    Ok(Queue { chrome: viewer.chrome("/attention"), entries, next_page, errors })
}

pub(super) async fn page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let paging = paging(&req);
    let page = signed_in(&c, &req, move |c, viewer| queue_page(c, &viewer, paging, Errors::none())).await?;
    render(&page)
}

#[derive(Debug, Deserialize)]
pub(super) struct AckForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

/// **Acknowledge**: the use case checks the signal is open now and the
/// viewer may (head coach, or the athlete's assigned coach).
pub(super) async fn acknowledge(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<AckForm>,
) -> Result<HttpResponse, PageError> {
    let (athlete, signal) = path.into_inner();
    let athlete: UserId = athlete.parse().map_err(|_| PageError::not_found())?;
    let code = SignalCode::deserialize(signal.as_str().into_deserializer())
        .map_err(|_: serde::de::value::Error| PageError::not_found())?;
    let AckForm { csrf, note } = form.into_inner();
    let note = Some(note).filter(|n| !n.trim().is_empty());
    posted(&c, &req, csrf, move |c, viewer| {
        let target = (viewer.org_id()?, athlete);
        match svc::acknowledge(&c.cx(viewer.user.user_id), target, (code, note), &c.config.attention) {
            Ok(_) => Ok(Outcome::Redirect("/attention".into())),
            Err(e @ DomainError::Validation(_)) => {
                let errors = Errors::from_domain(e, &[])?;
                Ok(Outcome::Again(queue_page(c, &viewer, (DEFAULT_LIMIT, None), errors)?))
            }
            Err(e) => Err(e),
        }
    })
    .await?
    .respond()
}
