//! Settings → **API keys** (the head coach's): the organization's keys, a
//! form to make one (shown once, with a copy button) and **Revoke** behind a
//! confirmation page. The use cases are the API's (`services::api_keys`).

use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::RngCore;
use roster_domain::api_keys::{ApiKeySecret, DEFAULT_LIFETIME, MAX_LIFETIME};
use roster_domain::error::FieldError;
use roster_domain::policy::{Action, Scope, Target};
use roster_domain::services::api_keys::{self, NewApiKey};
use roster_domain::services::coaches;
use roster_domain::{ApiKeyId, Clock, DomainError};

const FIELDS: &[&str] = &["name", "scopes", "expires_at"];

/// What each scope lets a key do, in the words of the create form.
fn meaning(scope: Scope) -> &'static str {
    match scope {
        Scope::MembersRead => "Read the roster, training plans, groups and athletes' data.",
        Scope::MembersWrite => "Add, change and remove athletes.",
        Scope::InvitationsWrite => "Invite athletes and manage invitations and join links.",
        Scope::PlansWrite => "Write training plans and assign them.",
        Scope::GroupsWrite => "Manage groups and their members.",
        Scope::ActivitiesWrite => "Record athletes' activities, goals and zones.",
        Scope::AuditRead => "Read the audit log.",
        Scope::WebhooksManage => "Manage webhook endpoints.",
    }
}

/// The create form as typed (scopes are repeated checkboxes).
#[derive(Debug, Default, Clone)]
pub(super) struct KeyForm {
    csrf: String,
    name: String,
    scopes: Vec<String>,
    expires_at: String,
}

impl KeyForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "name" => form.name = value,
                "scopes" => form.scopes.push(value),
                "expires_at" => form.expires_at = value,
                _ => {}
            }
        }
        form
    }
}

/// One scope checkbox.
pub(super) struct ScopeChoice {
    value: &'static str,
    meaning: &'static str,
    checked: bool,
}

/// A key as a table row.
pub(super) struct KeyRow {
    key_id: String,
    name: String,
    scopes: Vec<&'static str>,
    prefix: String,
    created_by: String,
    created_at: String,
    expires_at: String,
    expired: bool,
    last_used_at: String,
}

#[derive(Template)]
#[template(path = "api_keys.html")]
struct KeysPage {
    chrome: Chrome,
    keys: Vec<KeyRow>,
    form: KeyForm,
    scope_choices: Vec<ScopeChoice>,
    errors: Errors,
    /// The last day a key may expire on.
    max_date: String,
    /// The day after today.
    min_date: String,
    /// A key just made: shown this once.
    created: Option<String>,
    revoked: bool,
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn page_data(c: &Console, viewer: &Viewer, form: KeyForm, errors: Errors) -> Result<KeysPage, DomainError> {
    let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
    let now = c.clock.now();
    let people = coaches::list(&c.cx(me), org_id)?;
    let keys = api_keys::list(&c.cx(me), org_id)?
        .into_iter()
        .map(|k| KeyRow {
            key_id: k.key_id.to_string(),
            name: k.name,
            scopes: k.scopes.iter().map(|s| s.as_str()).collect(),
            prefix: k.prefix,
            // The key outlives its maker's membership.
            created_by: people.iter().find(|p| p.user_id == k.created_by).map_or_else(
                || "A former coach".to_owned(),
                |p| format!("{} {}", p.first_name, p.last_name.as_deref().unwrap_or("")).trim().to_owned(),
            ),
            created_at: minute(k.created_at),
            expires_at: minute(k.expires_at),
            expired: k.expires_at <= now,
            last_used_at: k.last_used_at.map_or_else(|| "Never".to_owned(), minute),
        })
        .collect();
    let scope_choices = Scope::ALL
        .iter()
        .map(|s| ScopeChoice {
            value: s.as_str(),
            meaning: meaning(*s),
            checked: form.scopes.iter().any(|f| f == s.as_str()),
        })
        .collect();
    let today = now.date_naive();
    Ok(KeysPage {
        chrome: viewer.chrome("/settings"),
        keys,
        form,
        scope_choices,
        errors,
        max_date: (today + MAX_LIFETIME).to_string(),
        min_date: (today + Duration::days(1)).to_string(),
        created: None,
        revoked: false,
    })
}

/// An empty form: no scope ticked, the default expiry filled in.
fn fresh_form(c: &Console) -> KeyForm {
    KeyForm { expires_at: (c.clock.now().date_naive() + DEFAULT_LIFETIME).to_string(), ..KeyForm::default() }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ListQuery {
    revoked: Option<String>,
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let revoked = q.revoked.is_some();
    let page = signed_in(&c, &req, move |c, viewer| {
        viewer.authorize(Action::ManageApiKeys, Target::Organization)?;
        let mut page = page_data(c, &viewer, fresh_form(c), Errors::none())?;
        page.revoked = revoked;
        Ok(page)
    })
    .await?;
    render(&page)
}

/// The expiry day: the key works until that day starts (UTC), so the
/// latest day offered is within the year the rule allows.
fn expiry(text: &str) -> Result<Option<DateTime<Utc>>, DomainError> {
    match text.trim() {
        "" => Ok(None),
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Some(d.and_utc()))
            .ok_or_else(|| {
                let e = FieldError::new("expires_at", "invalid_date", "use a date such as 2027-03-01");
                DomainError::Validation(vec![e])
            }),
    }
}

pub(super) async fn create(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = KeyForm::from_pairs(form.into_inner());
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = ApiKeySecret::from_random(bytes);
        let made = expiry(&form.expires_at).and_then(|expires_at| {
            let new = NewApiKey { name: form.name.clone(), scopes: form.scopes.clone(), expires_at };
            api_keys::create(&c.cx(me), org_id, new, &secret)
        });
        match made {
            Ok(_) => {
                let mut page = page_data(c, &viewer, fresh_form(c), Errors::none())?;
                page.created = Some(secret.as_str().to_owned());
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

#[derive(Template)]
#[template(path = "api_key_revoke.html")]
struct RevokePage {
    chrome: Chrome,
    key_id: String,
    name: String,
    prefix: String,
}

pub(super) async fn revoke_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let key_id: ApiKeyId = path.into_inner().parse().map_err(|_| PageError::not_found())?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let key = api_keys::list(&c.cx(viewer.user.user_id), viewer.org_id()?)?
            .into_iter()
            .find(|k| k.key_id == key_id)
            .ok_or(DomainError::NotFound("API key"))?;
        Ok(RevokePage {
            chrome: viewer.chrome("/settings"),
            key_id: key_id.to_string(),
            name: key.name,
            prefix: key.prefix,
        })
    })
    .await?;
    render(&page)
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn revoke(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let key_id: ApiKeyId = path.into_inner().parse().map_err(|_| PageError::not_found())?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        api_keys::revoke(&c.cx(viewer.user.user_id), viewer.org_id()?, key_id)
    })
    .await?;
    Ok(crate::form::redirect("/settings/api-keys?revoked=1"))
}
