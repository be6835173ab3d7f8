//! `/organizations/{org_id}/coaches`, `/head-coach` and `/user-lookup`.

use crate::auth::{AuthUser, Principal};
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use roster_domain::entities::CoachView;
use roster_domain::services::coaches::{self, AccountRef};
use roster_domain::values::Email;
use roster_domain::{DomainError, OrgId, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Names an existing account: exactly one of `email` and `user_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRefBody {
    /// E-mail (exact, case-insensitive).
    pub email: Option<String>,
    /// Account id.
    pub user_id: Option<UserId>,
}

impl AccountRefBody {
    /// The account reference, or a validation error naming the fields.
    pub fn parse(&self) -> Result<AccountRef, DomainError> {
        use roster_domain::FieldError;
        match (&self.email, self.user_id) {
            (Some(email), None) => {
                Email::parse(email).map(AccountRef::Email).map_err(|e| DomainError::invalid("email", e))
            }
            (None, Some(id)) => Ok(AccountRef::Id(id)),
            _ => Err(DomainError::Validation(vec![FieldError::new(
                "email",
                "email_or_user_id",
                "give exactly one of `email` and `user_id`",
            )])),
        }
    }
}

/// Head-coach transfer body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// An assistant coach of this organization.
    pub user_id: UserId,
}

/// A coach.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoachDto {
    /// Account.
    pub user_id: UserId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail.
    pub email: String,
    /// `head_coach` or `assistant_coach`.
    #[schema(value_type = String, example = "assistant_coach")]
    pub role: Role,
    /// Live athletes assigned to them.
    #[schema(minimum = 0)]
    pub assigned_athletes: i64,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

impl From<CoachView> for CoachDto {
    fn from(c: CoachView) -> Self {
        Self {
            user_id: c.user_id,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            role: c.role,
            assigned_athletes: c.assigned_athletes,
            joined_at: c.joined_at,
        }
    }
}

/// `{data: [Coach]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoachListDto {
    /// The coaches, head coach first.
    pub data: Vec<CoachDto>,
}

/// List the coaches (coaches only; an API key of the organization with `members:read`).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/coaches", tag = "coaches", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)),
    responses((status = 200, body = CoachListDto),
        (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without members:read",
            body = Problem),
        (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let coaches = user.run(&state, org_id, move |s, me| coaches::list(&s.cx(me), org_id)).await?;
    Ok(HttpResponse::Ok().json(CoachListDto { data: coaches.into_iter().map(Into::into).collect() }))
}

/// Add an existing account as an assistant coach (head coach). The account is e-mailed which organization
/// and which coach added it, and how to leave (`DELETE /organizations/{org_id}/coaches/{its user_id}`).
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/coaches", tag = "coaches", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)), request_body = AccountRefBody,
    responses((status = 201, body = CoachDto), (status = 403, body = Problem),
        (status = 404, description = "user_not_found", body = Problem),
        (status = 409, description = "already_member", body = Problem), (status = 422, body = Problem)))]
pub async fn add(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<OrgId>,
    body: Json<AccountRefBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, body) = (path.into_inner(), body.into_inner());
    let coach = user
        .run(&state, move |s, me| {
            let target = body.parse()?;
            coaches::add(&s.cx(me), org_id, &target, &s.settings.public_base_url)
        })
        .await?;
    Ok(HttpResponse::Created().json(CoachDto::from(coach)))
}

/// Remove an assistant coach (head coach), or leave as an assistant coach (`user_id` is the caller's own);
/// their athletes become unassigned.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/coaches/{user_id}", tag = "coaches",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "head_coach_required", body = Problem)))]
pub async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, coach) = path.into_inner();
    user.run(&state, move |s, me| coaches::remove(&s.cx(me), org_id, coach)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Hand the head-coach role to an assistant coach; the two swap roles.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/head-coach", tag = "coaches", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)), request_body = TransferBody,
    responses((status = 200, body = CoachListDto), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "already_head_coach", body = Problem),
        (status = 422, description = "not_a_coach", body = Problem)))]
pub async fn transfer(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<OrgId>,
    body: Json<TransferBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, to) = (path.into_inner(), body.user_id);
    let coaches = user
        .run(&state, move |s, me| {
            coaches::transfer_head_coach(&s.cx(me), org_id, to)?;
            Ok(roster_domain::ports::OrganizationRepo::coaches(&s.store, org_id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CoachListDto { data: coaches.into_iter().map(Into::into).collect() }))
}

/// `?email=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    /// Exact e-mail, any case.
    #[param(format = Email)]
    pub email: String,
}

/// The account found.
#[derive(Debug, Serialize, ToSchema)]
pub struct LookupUserDto {
    /// Account.
    pub user_id: UserId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail.
    pub email: String,
}

/// Its membership here.
#[derive(Debug, Serialize, ToSchema)]
pub struct LookupMembershipDto {
    /// Role.
    #[schema(value_type = String)]
    pub role: Role,
    /// Standing.
    #[schema(value_type = String)]
    pub status: roster_domain::MembershipStatus,
}

/// `user-lookup` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct LookupDto {
    /// The account.
    pub user: LookupUserDto,
    /// Its live membership in this organization, if any.
    pub membership: Option<LookupMembershipDto>,
}

/// Find an account by e-mail (coaches). It tells whether an e-mail has an account, so it is limited per
/// calling account (`rate_limit.user_lookup_per_minute`, then `429 rate_limited` with `Retry-After`) and
/// every lookup is in the audit trail as `user.looked_up` (`changes: {found}`, the account found as its
/// subject; the e-mail asked for is not kept).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/user-lookup", tag = "coaches", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), LookupQuery),
    responses((status = 200, body = LookupDto), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "user_not_found", body = Problem),
        (status = 429, description = "rate_limited", body = Problem,
            headers(("Retry-After" = u32, description = "Seconds to wait (at least 1)")))))]
pub async fn lookup(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<OrgId>,
    query: crate::routes::query::Query<LookupQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let email =
        Email::parse(&query.email).map_err(|e| ApiError::bad_request("invalid_parameter", "email", e.message))?;
    // Counted per account in the same use case, after the session check.
    let outcome = user
        .run(&state, move |s, me| match crate::throttle::user_lookup(s, me)? {
            Some(wait) => Ok(Err(wait)),
            None => coaches::lookup(&s.cx(me), org_id, &email).map(Ok),
        })
        .await?;
    let (found, membership) = match outcome {
        Ok(found) => found,
        Err(wait) => return Ok(wait.response("Too many account lookups; retry after the time in Retry-After.")),
    };
    Ok(HttpResponse::Ok().json(LookupDto {
        user: LookupUserDto {
            user_id: found.user_id,
            first_name: found.first_name.into_inner(),
            last_name: found.last_name.map(|l| l.into_inner()),
            email: found.email.into_inner(),
        },
        membership: membership.map(|m| LookupMembershipDto { role: m.role, status: m.status }),
    }))
}
