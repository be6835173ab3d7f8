//! Signed-out pages: **Sign in**, **Create account**, **Forgot password**;
//! and **Sign out**.

use super::OsTokens;
use crate::form::{Errors, redirect};
use crate::session::{self, FORM_COOKIE, SESSION_COOKIE};
use crate::view::{posted, render};
use crate::{Console, PageError, assets};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::entities::User;
use roster_domain::services::accounts::{self, NewAccount, SignupInput};
use roster_domain::services::{password_reset, sessions};
use roster_domain::{DomainError, UserId};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignIn {
    css: &'static str,
    csrf: String,
    email: String,
    next: String,
    /// Said once above the form (after deleting an account).
    notice: Option<&'static str>,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "create_account.html")]
struct CreateAccount {
    css: &'static str,
    csrf: String,
    form: AccountForm,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPassword {
    css: &'static str,
    csrf: String,
    email: String,
    sent: bool,
}

/// The signed-out forms' token: the cookie's if the browser has one, else a
/// fresh one the answer sets.
fn form_token(req: &HttpRequest) -> (String, bool) {
    match session::cookie(req, FORM_COOKIE) {
        Some(token) => (token, false),
        None => (session::fresh_form_token(), true),
    }
}

fn signed_out_page(
    c: &Console,
    req: &HttpRequest,
    page: impl FnOnce(String) -> Result<HttpResponse, PageError>,
) -> Result<HttpResponse, PageError> {
    let (token, fresh) = form_token(req);
    let mut res = page(token.clone())?;
    if fresh {
        let (name, value) = session::set_cookie(FORM_COOKIE, &token, 60 * 60 * 24, c.config.secure_cookie());
        res.headers_mut().append(name, value.parse().map_err(PageError::internal)?);
    }
    Ok(res)
}

/// Only a path on this server: never an open redirect. Printable ASCII
/// only, as a browser sends a path: browsers drop tabs and line breaks from
/// a `Location` (`/\t/evil.com` would lead off-site), and a control
/// character cannot go in a header at all.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
    /// Set after **Delete account**.
    deleted: Option<String>,
}

pub(super) async fn sign_in_page(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(q.next.as_deref());
    signed_out_page(&c, &req, |csrf| {
        let notice = q
            .deleted
            .is_some()
            .then_some("Your account is deleted. A confirmation is on its way to the e-mail address it had.");
        render(&SignIn {
            css: assets::url("console.css"),
            csrf,
            email: String::new(),
            next,
            notice,
            errors: Errors::none(),
        })
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct SignInForm {
    csrf: String,
    email: String,
    password: String,
    next: Option<String>,
}

/// Starts a session for `user` and answers with its cookie and a redirect.
async fn start_session(c: &web::Data<Console>, user_id: UserId, to: &str) -> Result<HttpResponse, PageError> {
    let issued =
        crate::run(c, move |c| sessions::start(&c.store, &OsTokens, &c.clock, user_id, c.config.session_ttl)).await?;
    let max_age = c.config.session_ttl.num_seconds();
    let cookie = session::set_cookie(SESSION_COOKIE, issued.refresh_token.as_str(), max_age, c.config.secure_cookie());
    let mut res = redirect(to);
    res.headers_mut().append(cookie.0, cookie.1.parse().map_err(PageError::internal)?);
    Ok(res)
}

/// Runs a use case that mostly hashes a password, without holding a pooled connection.
async fn hashing<T, F>(c: &web::Data<Console>, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&Console) -> T + Send + 'static,
{
    let c = c.clone().into_inner();
    web::block(move || f(&c)).await.map_err(PageError::internal)
}

pub(super) async fn sign_in(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    if !session::form_token_ok(&req, &form.csrf) {
        return Err(PageError::bad_form());
    }
    let again = |message: String, status: StatusCode| -> Result<HttpResponse, PageError> {
        let page = SignIn {
            css: assets::url("console.css"),
            csrf: form.csrf.clone(),
            email: form.email.clone(),
            next: safe_next(form.next.as_deref()),
            notice: None,
            errors: Errors::one("", message),
        };
        let mut res = render(&page)?;
        *res.status_mut() = status;
        Ok(res)
    };
    if let Some(seconds) = c.logins.wait(&req, &form.email).await.map_err(PageError::unavailable)? {
        let mut res = again(
            format!("Too many failed sign-ins. Wait {seconds} s, then try again."),
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, seconds.into());
        return Ok(res);
    }
    let (email, password) = (form.email.clone(), form.password.clone());
    let found: Result<User, DomainError> =
        hashing(&c, move |c| accounts::login(&c.store, &c.hasher(), &email, &password)).await?;
    match found {
        Ok(user) => {
            c.logins.record(&req, &form.email, true).await;
            start_session(&c, user.user_id, &safe_next(form.next.as_deref())).await
        }
        Err(DomainError::InvalidCredentials) => {
            c.logins.record(&req, &form.email, false).await;
            again("Wrong e-mail or password.".into(), StatusCode::UNAUTHORIZED)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
}

pub(super) async fn create_account_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    signed_out_page(&c, &req, |csrf| {
        render(&CreateAccount {
            css: assets::url("console.css"),
            csrf,
            form: AccountForm::default(),
            errors: Errors::none(),
        })
    })
}

pub(super) async fn create_account(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, PageError> {
    let mut form = form.into_inner();
    if !session::form_token_ok(&req, &form.csrf) {
        return Err(PageError::bad_form());
    }
    let (email, password, first, last) =
        (form.email.clone(), form.password.clone(), form.first_name.clone(), form.last_name.clone());
    let made = hashing(&c, move |c| {
        let last = Some(last.as_str()).filter(|l| !l.trim().is_empty());
        let input = SignupInput { email: &email, password: &password, first_name: &first, last_name: last };
        let new = NewAccount::parse(&input)?;
        accounts::signup(&c.store, &c.hasher(), &c.clock, new, false)
    })
    .await?;
    match made {
        Ok(user) => start_session(&c, user.user_id, "/").await,
        Err(e) => {
            let errors = Errors::from_domain(e, &["first_name", "last_name", "email", "password"])?;
            form.password.clear();
            let mut res =
                render(&CreateAccount { css: assets::url("console.css"), csrf: form.csrf.clone(), form, errors })?;
            *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
    }
}

pub(super) async fn forgot_password_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    signed_out_page(&c, &req, |csrf| {
        render(&ForgotPassword { css: assets::url("console.css"), csrf, email: String::new(), sent: false })
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct ForgotForm {
    csrf: String,
    email: String,
}

/// Sends the API's reset e-mail; its link opens `/reset-password`. The
/// answer is the same whether an account has the e-mail or not.
pub(super) async fn forgot_password(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    if !session::form_token_ok(&req, &form.csrf) {
        return Err(PageError::bad_form());
    }
    let email = form.email.clone();
    crate::run(&c, move |c| {
        let base = &c.config.public_base_url;
        password_reset::request(&c.store, &OsTokens, &c.clock, &email, base, c.config.password_reset_ttl)
    })
    .await?;
    render(&ForgotPassword { css: assets::url("console.css"), csrf: form.csrf, email: form.email, sent: true })
}

#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    pub csrf: String,
}

pub(super) async fn sign_out(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    posted(&c, &req, form.into_inner().csrf, |c, viewer| {
        sessions::logout(&c.store, &c.clock, Some(viewer.session_id), None)
    })
    .await?;
    let mut res = redirect("/sign-in");
    let (name, value) = session::set_cookie(SESSION_COOKIE, "", 0, c.config.secure_cookie());
    res.headers_mut().append(name, value.parse().map_err(PageError::internal)?);
    Ok(res)
}
