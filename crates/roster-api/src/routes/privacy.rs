//! Privacy: `GET /me/export` (the account's data as a ZIP), `DELETE /me`
//! (the account, for good) and `DELETE /organizations/{org_id}` (closing a
//! club). See `docs/privacy.md`.

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use roster_domain::services::privacy as svc;
use roster_domain::{Clock, OrgId};
use serde::Deserialize;
use utoipa::ToSchema;

/// The header that carries the password for an export from a sign-in older
/// than five minutes (a GET has no body).
pub const PASSWORD_HEADER: &str = "X-Roster-Password";

/// Registers `/me/export` and `/me` under `/api/v1` (`DELETE
/// /organizations/{org_id}` is on the organization's resource). Both take the
/// password, so they are rate limited per client address like login.
pub fn configure(cfg: &mut web::ServiceConfig, rate_limit: &crate::startup::RateLimit) {
    cfg.service(web::resource("/me/export").wrap(rate_limit.middleware()).route(web::get().to(export)))
        .service(web::resource("/me").wrap(rate_limit.middleware()).route(web::delete().to(delete_account)));
}

/// Download every piece of data roster holds about the signed-in account.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts", security(("bearer" = [])),
    params(("X-Roster-Password" = Option<String>, Header,
        description = "The account's password (UTF-8); needed when the session signed in more than 5 minutes ago.")),
    description = "A ZIP streamed as it is written: `account.json`, `memberships.json` (with what each club records \
        about the account, and whether a coach holds private notes, never their text), `plan_assignments.json`, \
        `race_goals.json`, `zones.json`, `integrations.json`, `activities/NNNN.json` and `audit_events/NNNN.json` \
        (1000 rows a file). Needs a sign-in of the last 5 minutes, or the password in `X-Roster-Password`.",
    responses((status = 200, description = "The archive.", content_type = "application/zip", body = Vec<u8>),
        (status = 400, description = "invalid_header", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "reauthentication_required (sign in again or send the password), \
            wrong_password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = Problem, content_type = "application/problem+json")))]
pub async fn export(state: web::Data<AppState>, user: AuthUser, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    // A password may hold any character sign-up took: the header's bytes
    // are read as UTF-8, as clients send them.
    let password = match req.headers().get(PASSWORD_HEADER) {
        Some(value) => Some(std::str::from_utf8(value.as_bytes()).map(str::to_owned).map_err(|_| {
            ApiError::bad_request("invalid_header", PASSWORD_HEADER, "X-Roster-Password must be UTF-8 text.")
        })?),
        None => None,
    };
    let me = user
        .run_unpinned(&state, move |s, me, session| {
            svc::authorize_export(&s.store, &s.hasher, &s.clock, me, session, password.as_deref()).map(|()| me)
        })
        .await?;
    Ok(roster_export::download(state.store.clone(), me, state.clock.now().date_naive()))
}

/// `DELETE /me` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountBody {
    /// The account's password.
    pub password: String,
}

/// Delete the signed-in account for good.
#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    request_body = DeleteAccountBody,
    description = "In one transaction: every membership ends (the athletes an account coached become unassigned); \
        activities, race goals, zones, integrations, plan assignments, sessions, refresh tokens, password resets and \
        pending invitations to the e-mail are erased; the account is anonymised (the e-mail can sign up again as \
        a new account) and every copy of its data in audit details and sent mail is scrubbed. A confirmation goes \
        to the old address. Its access and refresh tokens stop working at once.",
    responses((status = 204, description = "Deleted."),
        (status = 400, description = "malformed_json, unknown_field, missing_field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "wrong_password", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "head_coach_must_transfer: hand the head-coach role over, or close the club, first",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_account(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<DeleteAccountBody>,
) -> Result<HttpResponse, ApiError> {
    let password = body.into_inner().password;
    user.run_unpinned(&state, move |s, me, _| svc::delete_account(&s.store, &s.hasher, &s.clock, me, &password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /organizations/{org_id}` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseOrganizationBody {
    /// The organization's name, exactly as it is.
    pub confirm_name: String,
}

/// Close the organization for good (head coach).
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}", tag = "organizations", security(("bearer" = [])),
    params(("org_id" = OrgId, Path)), request_body = CloseOrganizationBody,
    description = "Every membership ends (the accounts stay), pending invitations are revoked, groups, plans and \
        plan assignments are erased, and every member is e-mailed. Each member's audit trail records the closure.",
    responses((status = 204, description = "Closed."),
        (status = 400, description = "malformed_json, unknown_field, missing_field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "unauthenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "forbidden: only the head coach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not_found", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "confirm_name_mismatch", body = Problem, content_type = "application/problem+json")))]
pub async fn close_organization(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<OrgId>,
    body: Json<CloseOrganizationBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, confirm_name) = (path.into_inner(), body.into_inner().confirm_name);
    user.run(&state, move |s, me| svc::close_organization(&s.cx(me), org_id, &confirm_name)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(export, delete_account, close_organization),
    components(schemas(DeleteAccountBody, CloseOrganizationBody))
)]
pub struct Api;
