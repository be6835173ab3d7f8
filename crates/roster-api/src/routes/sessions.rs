//! Sessions and passwords: `/auth/refresh`, `/auth/logout`,
//! `/auth/logout-all`, `/auth/password`, `/auth/password-reset` and its
//! `/confirm`.
//!
//! Access tokens are short-lived (`auth.token_ttl_s`) and name their session;
//! refresh tokens (`auth.refresh_ttl_s`) rotate on every use. Signing out,
//! signing out everywhere, changing or resetting the password revoke
//! sessions, and a revoked session's access tokens are refused at once.

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, json_error};
use crate::routes::Json;
use crate::routes::accounts::SessionDto;
use crate::routes::invitations::OsTokens;
use crate::state::{AppState, run, run_unpinned};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use roster_domain::entities::User;
use roster_domain::services::sessions::IssuedSession;
use roster_domain::services::{password_reset, sessions};
use roster_domain::session::SessionError;
use roster_domain::{Clock, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The status of each session refusal.
pub fn status_of(e: SessionError) -> StatusCode {
    match e {
        SessionError::RefreshTokenInvalid | SessionError::RefreshTokenReused => StatusCode::UNAUTHORIZED,
        SessionError::WrongPassword | SessionError::ReauthenticationRequired => StatusCode::FORBIDDEN,
        SessionError::ResetTokenInvalid => StatusCode::BAD_REQUEST,
        SessionError::ResetTokenUsed | SessionError::ResetTokenExpired => StatusCode::GONE,
    }
}

fn refresh_ttl(state: &AppState) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(state.settings.auth.refresh_ttl_s).unwrap_or(i64::MAX / 4))
}

/// A fresh pair of tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensDto {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// When the access token stops working.
    pub expires_at: DateTime<Utc>,
    /// Exchange it at `POST /auth/refresh` for a new pair; it works once.
    pub refresh_token: String,
    /// When the refresh token stops working.
    pub refresh_expires_at: DateTime<Utc>,
}

fn tokens(state: &AppState, issued: IssuedSession) -> Result<TokensDto, ApiError> {
    let (access_token, expires_at) = state.tokens.issue(issued.user_id, issued.session_id, state.clock.now())?;
    Ok(TokensDto {
        access_token,
        token_type: "Bearer",
        expires_at,
        refresh_token: issued.refresh_token.as_str().to_owned(),
        refresh_expires_at: issued.refresh_expires_at,
    })
}

/// Starts a session for `user` (signing up, in, or accepting an invitation
/// as a new account) and issues its tokens.
pub async fn start(state: &web::Data<AppState>, user: User) -> Result<SessionDto, ApiError> {
    let user_id: UserId = user.user_id;
    let issued = run(state, move |s| sessions::start(&s.store, &OsTokens, &s.clock, user_id, refresh_ttl(s))).await?;
    let t = tokens(state, issued)?;
    Ok(SessionDto {
        user: user.into(),
        access_token: t.access_token,
        token_type: t.token_type,
        expires_at: t.expires_at,
        refresh_token: t.refresh_token,
        refresh_expires_at: t.refresh_expires_at,
    })
}

/// `POST /auth/refresh` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The refresh token last received.
    pub refresh_token: String,
}

/// Exchange a refresh token for a new access token and refresh token.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "accounts", request_body = RefreshBody,
    description = "Each refresh token works once. Presenting one that was already exchanged revokes its whole \
        session: the newer refresh token and every access token of the session stop working.",
    responses((status = 200, body = TokensDto),
        (status = 401, description = "refresh_token_invalid (unknown, expired or revoked), refresh_token_reused",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = Problem, content_type = "application/problem+json")))]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshBody>) -> Result<HttpResponse, ApiError> {
    let presented = body.into_inner().refresh_token;
    let issued =
        run(&state, move |s| sessions::refresh(&s.store, &OsTokens, &s.clock, &presented, refresh_ttl(s))).await?;
    Ok(HttpResponse::Ok().json(tokens(&state, issued)?))
}

/// `POST /auth/logout` body (optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutBody {
    /// Also (or instead of the access token) ends the session of this refresh token.
    pub refresh_token: Option<String>,
}

/// Sign out of this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = []), ()),
    request_body(content = Option<LogoutBody>, description = "Optional: a refresh token whose session ends too \
        (a client whose access token expired signs out with its refresh token alone)."),
    responses((status = 204, description = "The session is revoked: its access and refresh tokens are refused."),
        (status = 400, description = "malformed_json, unknown_field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated (no good access token and no refresh token), refresh_token_invalid",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = Problem, content_type = "application/problem+json")))]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    // A missing, expired or revoked access token is no caller: the refresh
    // token in the body may still name the session to end.
    caller: Option<AuthUser>,
    body: web::Bytes,
) -> Result<HttpResponse, actix_web::Error> {
    let body: LogoutBody = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| json_error(actix_web::error::JsonPayloadError::Deserialize(e), &req))?
    };
    run(&state, move |s| {
        let session = match caller {
            Some(caller) => caller.live_session(s)?,
            None => None,
        };
        sessions::logout(&s.store, &s.clock, session, body.refresh_token.as_deref())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out of every session of the account, this one included.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "accounts", security(("bearer" = [])),
    responses((status = 204, description = "Every session of the account is revoked."),
        (status = 401, description = "unauthenticated", body = Problem, content_type = "application/problem+json")))]
pub async fn logout_all(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    user.run(&state, move |s, me| sessions::logout_all(&s.store, &s.clock, me)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /auth/password` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    /// The password in use.
    pub current_password: String,
    /// 8–128 characters with an upper-case letter, a lower-case letter and a digit.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// Change the password; every other session is signed out at once.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "accounts", security(("bearer" = [])),
    request_body = ChangePasswordBody,
    responses((status = 204, description = "Changed. This session goes on; every other one is revoked."),
        (status = 400, description = "malformed_json, unknown_field, missing_field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "wrong_password: the current password is wrong (the session stays valid)",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "weak_password (field `new_password`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<ChangePasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    user.run_unpinned(&state, move |s, me, session| {
        sessions::change_password(
            &s.store,
            &s.hasher,
            &s.clock,
            me,
            session,
            &body.current_password,
            &body.new_password,
        )
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /auth/password-reset` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetBody {
    /// The account's e-mail.
    pub email: String,
}

/// Ask for a password reset e-mail.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", request_body = PasswordResetBody,
    description = "Always `202`, after the same work whether an account has this e-mail or not. If one has, it \
        receives a single-use reset token (valid `auth.password_reset_ttl_s`, 30 minutes by default) and a link to `/reset-password`; \
        an account with 3 open (unused, unexpired) tokens gets no further e-mail until one is used or expires.",
    responses((status = 202, description = "Accepted: an e-mail is on its way if the address has an account."),
        (status = 400, description = "malformed_json, unknown_field, missing_field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = Problem, content_type = "application/problem+json")))]
pub async fn request_reset(
    state: web::Data<AppState>,
    body: Json<PasswordResetBody>,
) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().email;
    run(&state, move |s| {
        let ttl = chrono::Duration::seconds(i64::try_from(s.settings.auth.password_reset_ttl_s).unwrap_or(1800));
        password_reset::request(&s.store, &OsTokens, &s.clock, &email, &s.settings.public_base_url, ttl)
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// `POST /auth/password-reset/confirm` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmResetBody {
    /// The token from the e-mail.
    pub token: String,
    /// The new password: 8–128 characters with an upper-case letter, a lower-case letter and a digit.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// Set a new password with a reset token; every session of the account is signed out.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "accounts", request_body = ConfirmResetBody,
    responses((status = 204, description = "The password is set; every session of the account is revoked. Sign in."),
        (status = 400, description = "reset_token_invalid (no such token), malformed_json, unknown_field",
            body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "reset_token_used, reset_token_expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "weak_password (the token is not used up)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_reset(state: web::Data<AppState>, body: Json<ConfirmResetBody>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    run_unpinned(&state, move |s| password_reset::confirm(&s.store, &s.hasher, &s.clock, &body.token, &body.password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this module's routes under `/api/v1`. The ones that take a
/// secret (a refresh token, a password, a reset token) or send mail are rate
/// limited per client address like login.
pub fn configure(cfg: &mut web::ServiceConfig, rate_limit: &crate::startup::RateLimit) {
    let limit = || rate_limit.middleware();
    cfg.service(web::resource("/auth/refresh").wrap(limit()).route(web::post().to(refresh)))
        .service(web::resource("/auth/logout").wrap(limit()).route(web::post().to(logout)))
        .service(web::resource("/auth/logout-all").route(web::post().to(logout_all)))
        .service(web::resource("/auth/password").wrap(limit()).route(web::post().to(change_password)))
        .service(web::resource("/auth/password-reset").wrap(limit()).route(web::post().to(request_reset)))
        .service(web::resource("/auth/password-reset/confirm").wrap(limit()).route(web::post().to(confirm_reset)));
}

const RESET_PAGE: &str = include_str!("sessions/reset.html");

/// `GET /reset-password`: the page the reset e-mail links to. The token is
/// in the URL fragment (`#token=…`), read by the page's own script and never
/// sent to a server in a URL or a Referer.
pub async fn reset_page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; \
             form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(RESET_PAGE)
}

/// Registers the reset page at the root (outside `/api/v1`).
pub fn configure_root(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/reset-password").route(web::get().to(reset_page)));
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(refresh, logout, logout_all, change_password, request_reset, confirm_reset),
    components(schemas(TokensDto, RefreshBody, LogoutBody, ChangePasswordBody, PasswordResetBody, ConfirmResetBody))
)]
pub struct Api;
