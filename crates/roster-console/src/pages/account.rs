//! **Account**: the signed-in person's own data: **Export my data** (the
//! same ZIP as `GET /api/v1/me/export`) and **Delete account** (the same
//! use case as `DELETE /api/v1/me`).

use crate::form::{Errors, redirect};
use crate::session::{self, SESSION_COOKIE};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::services::privacy;
use roster_domain::session::SessionError;
use roster_domain::{Clock, DomainError, Role};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct Account {
    chrome: Chrome,
    name: String,
    email: String,
    since: String,
    /// The club the account heads: it cannot be deleted before it hands over.
    heads: Option<String>,
    errors: Errors,
}

impl Account {
    fn of(viewer: &Viewer, errors: Errors) -> Self {
        let user = &viewer.user;
        let last = user.last_name.as_ref().map_or("", |l| l.as_str());
        Self {
            chrome: viewer.chrome("/account"),
            name: format!("{} {last}", user.first_name.as_str()).trim().to_owned(),
            email: user.email.as_str().to_owned(),
            since: user.created_at.format("%Y-%m-%d").to_string(),
            heads: viewer.org.as_ref().filter(|m| m.role == Role::HeadCoach).map(|m| m.org_name.clone()),
            errors,
        }
    }

    /// The page again with `errors`, as `422`.
    fn again(self) -> Result<HttpResponse, PageError> {
        let mut res = render(&self)?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(res)
    }
}

pub(super) async fn page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |_, viewer| Ok(Account::of(&viewer, Errors::none()))).await?;
    render(&page)
}

#[derive(Debug, Deserialize)]
pub(super) struct PasswordForm {
    csrf: String,
    #[serde(default)]
    password: String,
    /// Delete only: the "I understand" box.
    #[serde(default)]
    confirm: Option<String>,
}

/// A refusal about the password, shown beside `field`; others stay errors.
fn password_errors(e: DomainError, field: &str) -> Result<Errors, DomainError> {
    match e {
        DomainError::Session(SessionError::WrongPassword) => Ok(Errors::one(field, "That is not your password.")),
        DomainError::Session(SessionError::ReauthenticationRequired) => {
            Ok(Errors::one(field, "Enter your password: you signed in more than 5 minutes ago."))
        }
        other => Errors::from_domain(other, &[]),
    }
}

/// **Export my data**: the password (or a sign-in of the last 5 minutes),
/// then the archive streams as the download.
pub(super) async fn export(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let PasswordForm { csrf, password, .. } = form.into_inner();
    let allowed = posted(&c, &req, csrf, move |c, viewer| {
        let me = viewer.user.user_id;
        let password = Some(password).filter(|p| !p.is_empty());
        match privacy::authorize_export(&c.store, &c.hasher(), &c.clock, me, viewer.session_id, password.as_deref()) {
            Ok(()) => Ok(Ok(me)),
            Err(e) => Ok(Err(Account::of(&viewer, password_errors(e, "export-password")?))),
        }
    })
    .await?;
    match allowed {
        Ok(me) => Ok(roster_export::download(c.store.clone(), me, c.clock.now().date_naive())),
        Err(page) => page.again(),
    }
}

/// **Delete account**: with the password and the box ticked, the account
/// is gone; the browser lands on **Sign in** with the cookie cleared.
pub(super) async fn delete(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let PasswordForm { csrf, password, confirm } = form.into_inner();
    let refused = posted(&c, &req, csrf, move |c, viewer| {
        if confirm.is_none() {
            let errors = Errors::one("confirm", "Tick the box to confirm that your account is deleted for good.");
            return Ok(Some(Account::of(&viewer, errors)));
        }
        match privacy::delete_account(&c.store, &c.hasher(), &c.clock, viewer.user.user_id, &password) {
            Ok(()) => Ok(None),
            Err(e) => Ok(Some(Account::of(&viewer, password_errors(e, "delete-password")?))),
        }
    })
    .await?;
    match refused {
        Some(page) => page.again(),
        None => {
            let mut res = redirect("/sign-in?deleted=1");
            let (name, value) = session::set_cookie(SESSION_COOKIE, "", 0, c.config.secure_cookie());
            res.headers_mut().append(name, value.parse().map_err(PageError::internal)?);
            Ok(res)
        }
    }
}
