//! `/auth/signup`, `/auth/login`, `/auth/me`.

use crate::auth::AuthUser;
use crate::client_addr::ClientAddr;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::{AppState, run_unpinned};
use crate::throttle::LoginAttempt;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use roster_domain::entities::{MembershipSummary, User};
use roster_domain::services::accounts::{self, NewAccount, SignupInput};
use roster_domain::{MembershipStatus, OrgId, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Sign-up body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    /// Trimmed and lower-cased.
    #[schema(format = "email", max_length = 254)]
    pub email: String,
    /// 8–128 characters with an upper-case letter, a lower-case letter and a digit.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// First name.
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    /// Last name.
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
}

/// Login body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
}

/// An account as clients see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Id.
    pub user_id: UserId,
    /// E-mail.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// Whether the e-mail was proven.
    pub email_verified: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            user_id: u.user_id,
            email: u.email.into_inner(),
            first_name: u.first_name.into_inner(),
            last_name: u.last_name.map(|l| l.into_inner()),
            email_verified: u.email_verified,
            created_at: u.created_at,
        }
    }
}

/// An account with a fresh access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    /// The account.
    pub user: UserDto,
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// Exchange it at `POST /auth/refresh` for a new access and refresh token; it works once.
    pub refresh_token: String,
    /// When the refresh token stops working.
    pub refresh_expires_at: DateTime<Utc>,
}

/// Starts a session for `user` and issues its tokens.
pub async fn session(state: &web::Data<AppState>, user: User) -> Result<SessionDto, ApiError> {
    crate::routes::sessions::start(state, user).await
}

/// A membership line of `/auth/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipSummaryDto {
    /// Organization.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Role there.
    #[schema(value_type = String, example = "head_coach")]
    pub role: Role,
    /// Standing there.
    #[schema(value_type = String, example = "active")]
    pub status: MembershipStatus,
}

impl From<MembershipSummary> for MembershipSummaryDto {
    fn from(m: MembershipSummary) -> Self {
        Self { org_id: m.org_id, org_name: m.org_name, role: m.role, status: m.status }
    }
}

/// `/auth/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    /// The account.
    pub user: UserDto,
    /// Where it belongs.
    pub memberships: Vec<MembershipSummaryDto>,
}

/// Create an account.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts", request_body = SignupBody,
    responses((status = 201, body = SessionDto), (status = 409, description = "email_taken", body = Problem),
        (status = 422, description = "weak_password, invalid_email, ...", body = Problem),
        (status = 429, description = "rate limited", body = Problem)))]
pub async fn signup(state: web::Data<AppState>, body: Json<SignupBody>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let user = run_unpinned(&state, move |s| {
        let new = NewAccount::parse(&SignupInput {
            email: &body.email,
            password: &body.password,
            first_name: &body.first_name,
            last_name: body.last_name.as_deref(),
        })?;
        accounts::signup(&s.store, &s.hasher, &s.clock, new, false)
    })
    .await?;
    Ok(HttpResponse::Created().json(session(&state, user).await?))
}

/// Sign in. Repeated failures slow down the account (from addresses it has not signed in from) and the
/// client address: `429 rate_limited` with `Retry-After` until the delay ends (see the README).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginBody,
    responses((status = 200, body = SessionDto), (status = 401, description = "invalid_credentials", body = Problem),
        (status = 429, description = "rate_limited: too many requests, or too many failed logins", body = Problem,
            headers(("Retry-After" = u32, description = "Seconds to wait (at least 1)")))))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let attempt = LoginAttempt::new(&body.email, ClientAddr::of(&req));
    if let Some(wait) = attempt.refused(&state).await? {
        return Ok(wait.response("Too many failed logins; retry after the time in Retry-After."));
    }
    let result = run_unpinned(&state, move |s| accounts::login(&s.store, &s.hasher, &body.email, &body.password)).await;
    attempt.record(&state, result.as_ref().map(|_| ()).map_err(ApiError::code)).await;
    let user = result?;
    Ok(HttpResponse::Ok().json(session(&state, user).await?))
}

/// The signed-in account and its memberships.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = MeDto), (status = 401, description = "unauthenticated", body = Problem)))]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let (user, memberships) = user.run(&state, move |s, me| accounts::me(&s.store, me)).await?;
    Ok(HttpResponse::Ok()
        .json(MeDto { user: user.into(), memberships: memberships.into_iter().map(Into::into).collect() }))
}
