//! **My integrations**: Strava, Garmin Connect and Apple Health with the
//! state the API reports for each. roster does not talk to the providers: a
//! watch or phone app records the connection through the API. The API lets
//! the athlete record a connection (optionally with their id there) and
//! disconnect (`PUT`/`DELETE /me/integrations/{provider}`), so the page offers
//! the same, saying plainly what each does.

use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::DomainError;
use roster_domain::athlete::{ConnectInput, Integration, IntegrationStatus, Provider};
use roster_domain::services::athlete;
use serde::Deserialize;

const CURRENT: &str = "/me/integrations";

/// One provider on the page.
pub(in crate::pages) struct Row {
    /// The wire name (`apple_health`), for the forms' addresses and ids.
    provider: &'static str,
    name: &'static str,
    /// `connected`, `error`, `disconnected` or `none` (never recorded).
    state: &'static str,
    /// The state in words.
    state_text: &'static str,
    facts: Vec<(&'static str, String)>,
    /// Whether **Disconnect** applies (else **Record connection**).
    up: bool,
    /// The connect form's input and message.
    external: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "my_integrations.html")]
struct IntegrationsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    errors: Errors,
}

fn name(p: Provider) -> &'static str {
    match p {
        Provider::Strava => "Strava",
        Provider::Garmin => "Garmin Connect",
        Provider::AppleHealth => "Apple Health",
    }
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

fn row(p: Provider, found: Option<&Integration>, posted: Option<(&str, &Errors)>) -> Row {
    let (state, state_text) = match found.map(|i| i.status) {
        None => ("none", "Not connected"),
        Some(IntegrationStatus::Connected) => ("connected", "Connected"),
        Some(IntegrationStatus::Error) => ("error", "Connected, but the last sync failed"),
        Some(IntegrationStatus::Disconnected) => ("disconnected", "Disconnected"),
    };
    let mut facts = Vec::new();
    if let Some(i) = found {
        let up = i.status != IntegrationStatus::Disconnected;
        if let Some(t) = when(i.connected_at).filter(|_| up) {
            facts.push(("Connected since", t));
        }
        if let Some(t) = when(i.last_sync_at) {
            facts.push(("Last sync", t));
        }
        if let Some(id) = &i.external_athlete_id {
            facts.push(("Your id there", id.clone()));
        }
        if !up {
            facts.push(("Disconnected", i.updated_at.format("%Y-%m-%d %H:%M UTC").to_string()));
        }
    }
    let (external, error) = match posted {
        Some((text, errors)) => (text.to_owned(), errors.get("external_athlete_id").map(str::to_owned)),
        None => (found.and_then(|i| i.external_athlete_id.clone()).unwrap_or_default(), None),
    };
    Row {
        provider: p.as_str(),
        name: name(p),
        state,
        state_text,
        facts,
        up: found.is_some_and(|i| i.status != IntegrationStatus::Disconnected),
        external,
        error,
    }
}

/// The page; `posted` is a connect form that came back (its provider, input and messages).
fn integrations_page(
    c: &Console,
    viewer: &Viewer,
    posted: Option<(Provider, &str, Errors)>,
) -> Result<IntegrationsPage, DomainError> {
    let me = viewer.user.user_id;
    let list = athlete::integrations(&c.cx(me), viewer.org_id()?, me)?;
    let rows = Provider::ALL
        .into_iter()
        .map(|p| {
            let mine = posted.as_ref().filter(|(q, _, _)| *q == p).map(|(_, text, errors)| (*text, errors));
            row(p, list.iter().find(|i| i.provider == p), mine)
        })
        .collect();
    let errors = posted.map(|(_, _, e)| e).unwrap_or_default();
    Ok(IntegrationsPage { chrome: viewer.chrome(CURRENT), rows, errors })
}

pub(in crate::pages) async fn page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |c, viewer| integrations_page(c, &viewer, None)).await?;
    render(&page)
}

fn provider(path: &str) -> Result<Provider, PageError> {
    path.parse().map_err(|_| PageError::not_found())
}

#[derive(Debug, Deserialize)]
pub(in crate::pages) struct ConnectForm {
    csrf: String,
    #[serde(default)]
    external_athlete_id: String,
}

pub(in crate::pages) async fn connect(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ConnectForm>,
) -> Result<HttpResponse, PageError> {
    let provider = provider(&path)?;
    let ConnectForm { csrf, external_athlete_id } = form.into_inner();
    posted(&c, &req, csrf, move |c, viewer| {
        let text = external_athlete_id.trim();
        let input = ConnectInput {
            external_athlete_id: Some(text.to_owned()).filter(|t| !t.is_empty()),
            ..ConnectInput::default()
        };
        match athlete::connect_integration(&c.cx(viewer.user.user_id), provider, &input) {
            Ok(_) => Ok(Outcome::Redirect(CURRENT.into())),
            Err(e) => {
                let errors = Errors::from_domain(e, &["external_athlete_id"])?;
                Ok(Outcome::Again(integrations_page(c, &viewer, Some((provider, &external_athlete_id, errors)))?))
            }
        }
    })
    .await?
    .respond()
}

pub(in crate::pages) async fn disconnect(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<crate::pages::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let provider = provider(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        athlete::disconnect_integration(&c.cx(viewer.user.user_id), provider)
    })
    .await?;
    Ok(crate::form::redirect(CURRENT))
}
