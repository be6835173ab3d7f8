//! Routes for invitations: `/organizations/{org_id}/invitations…`, the public
//! `/invitations/{token}` preview and accept, and the `/join/{token}` page.

mod dto;
mod join;

pub use dto::*;

use super::{decode_cursor, encode_cursor, page_limit};
use crate::auth::{MaybeAuthUser, Principal};
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::routes::members::dto::MemberDto;
use crate::routes::organizations::OrganizationDto;
use crate::state::{AppState, run, run_unpinned};
use actix_web::{HttpResponse, web};
use rand::RngCore;
use roster_domain::invitation::{InvitationFilter, InvitationToken, KeyedLinks, LinkKey, TokenGenerator};
use roster_domain::services::invitations;
use roster_domain::services::members::MemberAccess;
use roster_domain::{Clock, InvitationId, OrgId};

/// The servers' invitation links: the key comes from the server secret
/// (`auth.jwt_secret`, under a label of its own), the nonces from the
/// operating system's CSPRNG. A changed secret leaves old links working (they
/// are looked up by hash) but unable to be shown again.
pub fn links_for(server_secret: &[u8]) -> KeyedLinks {
    KeyedLinks::new(LinkKey::derive(server_secret), || {
        let mut bytes = [0u8; roster_domain::invitation::link::NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes
    })
}

/// Session secrets and reset tokens from the operating system's CSPRNG: 256 bits each.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsTokens;

impl TokenGenerator for OsTokens {
    fn generate(&self) -> InvitationToken {
        let mut bytes = [0u8; roster_domain::invitation::token::TOKEN_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        InvitationToken::from_random_bytes(bytes)
    }
}

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig, rate_limit: &crate::startup::RateLimit) {
    cfg.service(
        web::resource("/organizations/{org_id}/invitations").route(web::get().to(list)).route(web::post().to(create)),
    )
    .service(
        web::resource("/organizations/{org_id}/invitations/{invitation_id}")
            .route(web::get().to(get))
            .route(web::delete().to(revoke)),
    )
    .service(web::resource("/organizations/{org_id}/invitations/{invitation_id}/resend").route(web::post().to(resend)))
    .service(web::resource("/organizations/{org_id}/invitations/{invitation_id}/link").route(web::get().to(link)))
    .service(web::resource("/invitations/{token}").wrap(rate_limit.middleware()).route(web::get().to(preview)))
    .service(web::resource("/invitations/{token}/accept").wrap(rate_limit.middleware()).route(web::post().to(accept)));
}

/// Registers this module's routes at the root (the `/join/{token}` page).
pub fn configure_root(cfg: &mut web::ServiceConfig, rate_limit: &crate::startup::RateLimit) {
    cfg.service(web::resource("/join/{token}").wrap(rate_limit.middleware()).route(web::get().to(join::page)));
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(create, list, get, resend, link, revoke, preview, accept),
    components(schemas(
        CreateInvitationBody, TrainingPlanDto, InvitationDto, IssuedDto, LinkDto, InvitationListDto, PreviewDto,
        PreviewOrgDto, AcceptBody, AcceptedDto
    )),
    tags((name = "invitations", description = "Single-use e-mail invitations and multi-use links. \
        A resent invitation's old link reads as `revoked`. Revoking a revoked invitation changes nothing (204); \
        an accepted one is `410 invitation_already_used`. Resending a multi-use link is `422 not_single_use`."))
)]
pub struct Api;

fn issued(state: &AppState, issued: invitations::Issued) -> IssuedDto {
    let invite_url = issued.token.link(&state.settings.public_base_url);
    IssuedDto { invitation: InvitationDto::new(issued.invitation, state.clock.now()), invite_url }
}

/// Invite one athlete (or, head coach only, an assistant coach) by e-mail, or make a multi-use link.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/invitations", tag = "invitations",
    security(("bearer" = [])), params(("org_id" = OrgId, Path)), request_body = CreateInvitationBody,
    responses((status = 201, body = IssuedDto), (status = 400, body = Problem),
        (status = 403, description = "forbidden: athletes; assistant coaches inviting coaches; \
            insufficient_scope: an API key without invitations:write", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "already_member, invitation_pending", body = Problem),
        (status = 422, description = "invalid values; expires_at_in_past; invalid_max_uses; not_allowed", body = Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    body: Json<CreateInvitationBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, body) = (path.into_inner(), body.into_inner());
    let out = user
        .run(&state, org_id, move |s, me| {
            let new = body.parse()?;
            let base = s.settings.public_base_url.clone();
            let made = invitations::create(&s.cx(me), &s.links, org_id, new, &base)?;
            Ok(issued(s, made))
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// The organization's invitations, newest first (coaches).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/invitations", tag = "invitations",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ListQuery),
    responses((status = 200, body = InvitationListDto), (status = 400, body = Problem),
        (status = 403, description = "forbidden, insufficient_scope: an API key without invitations:write", body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    query: crate::routes::query::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let (status, kind) = query.filters()?;
    let limit = page_limit(query.limit)?;
    let before = query.cursor.as_deref().map(decode_cursor::<InvitationId>).transpose()?;
    let (page, more, now) = user
        .run(&state, org_id, move |s, me| {
            let now = s.clock.now();
            let filter = InvitationFilter { status, kind, before, limit, now };
            let (page, more) = invitations::list(&s.cx(me), org_id, &filter)?;
            Ok((page, more, now))
        })
        .await?;
    let next_cursor = if more { page.last().map(|i| encode_cursor(&i.invitation_id.to_string())) } else { None };
    let data = page.into_iter().map(|i| InvitationDto::new(i, now)).collect();
    Ok(HttpResponse::Ok().json(InvitationListDto { data, next_cursor }))
}

/// One invitation (coaches).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/invitations/{invitation_id}", tag = "invitations",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("invitation_id" = InvitationId, Path)),
    responses((status = 200, body = InvitationDto), (status = 403, description = "forbidden, insufficient_scope: an API key without invitations:write", body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, InvitationId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let dto = user
        .run(&state, org_id, move |s, me| {
            Ok(InvitationDto::new(invitations::get(&s.cx(me), org_id, id)?, s.clock.now()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(dto))
}

/// Send a pending single-use invitation again with a new link; the old link stops working.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/invitations/{invitation_id}/resend",
    tag = "invitations", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("invitation_id" = InvitationId, Path)),
    responses((status = 200, body = IssuedDto), (status = 403, description = "forbidden, insufficient_scope: an API key without invitations:write", body = Problem), (status = 404, body = Problem),
        (status = 410, description = "invitation_expired, invitation_revoked, invitation_already_used", body = Problem),
        (status = 422, description = "not_single_use", body = Problem)))]
pub async fn resend(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, InvitationId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let out = user
        .run(&state, org_id, move |s, me| {
            let base = s.settings.public_base_url.clone();
            Ok(issued(s, invitations::resend(&s.cx(me), &s.links, org_id, id, &base)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The link of a pending invitation again, to copy it: the one given when it
/// was made or last resent.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/invitations/{invitation_id}/link",
    tag = "invitations", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("invitation_id" = InvitationId, Path)),
    responses((status = 200, body = LinkDto),
        (status = 403, description = "forbidden: athletes; assistant coaches, for an assistant coach's invitation; \
            insufficient_scope: an API key without invitations:write", body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "link_unavailable: the link was made before links could be shown again, or \
            under another server secret; create a new link or resend the invitation", body = Problem),
        (status = 410, description = "invitation_expired, invitation_revoked, invitation_exhausted, \
            invitation_already_used", body = Problem)))]
pub async fn link(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, InvitationId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    let link = user
        .run(&state, org_id, move |s, me| {
            let base = &s.settings.public_base_url;
            invitations::link(&s.cx(me), &s.links, org_id, id, base)
        })
        .await?;
    Ok(HttpResponse::Ok().json(LinkDto { link }))
}

/// Revoke an invitation; its link stops working at once.
#[utoipa::path(delete, path = "/api/v1/organizations/{org_id}/invitations/{invitation_id}", tag = "invitations",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("invitation_id" = InvitationId, Path)),
    responses((status = 204), (status = 403, description = "forbidden, insufficient_scope: an API key without invitations:write", body = Problem), (status = 404, body = Problem),
        (status = 410, description = "invitation_already_used", body = Problem)))]
pub async fn revoke(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, InvitationId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, id) = path.into_inner();
    user.run(&state, org_id, move |s, me| invitations::revoke(&s.cx(me), org_id, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Public preview of an invitation link (rate limited).
#[utoipa::path(get, path = "/api/v1/invitations/{token}", tag = "invitations",
    params(("token" = String, Path)),
    responses((status = 200, body = PreviewDto), (status = 404, description = "invitation_not_found", body = Problem),
        (status = 429, body = Problem)))]
pub async fn preview(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let token = InvitationToken::from_link(&path.into_inner());
    let p = run(&state, move |s| invitations::preview(&s.store, &s.clock, &token)).await?;
    Ok(HttpResponse::Ok().json(PreviewDto {
        organization: PreviewOrgDto { org_id: p.invitation.org_id, name: p.org_name },
        kind: p.invitation.kind.as_str(),
        role: p.invitation.role.as_str(),
        first_name: p.invitation.first_name.map(|f| f.into_inner()),
        email_hint: p.invitation.email.map(|e| e.hint()),
        expires_at: p.invitation.expires_at,
        status: p.status.as_str(),
    }))
}

/// Accept an invitation: signed in with `{}`, or signing up with a password (rate limited).
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "invitations",
    params(("token" = String, Path)), request_body = AcceptBody,
    responses((status = 201, body = AcceptedDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, description = "invitation_email_mismatch", body = Problem),
        (status = 404, description = "invitation_not_found", body = Problem),
        (status = 409, description = "already_member, member_of_another_organization, email_taken", body = Problem),
        (status = 410, description = "invitation_expired, invitation_revoked, invitation_exhausted, invitation_already_used", body = Problem),
        (status = 422, description = "weak_password, required, already_signed_in, ...", body = Problem),
        (status = 429, body = Problem)))]
pub async fn accept(
    state: web::Data<AppState>,
    caller: MaybeAuthUser,
    path: web::Path<String>,
    body: Json<AcceptBody>,
) -> Result<HttpResponse, ApiError> {
    let token = InvitationToken::from_link(&path.into_inner());
    let body = body.into_inner();
    let accepted = run_unpinned(&state, move |s| {
        let acceptor = body.acceptor(caller.0)?;
        let accepted = invitations::accept(&s.store, &s.hasher, &s.clock, &token, acceptor)?;
        let (org_id, user_id) = (accepted.membership.org_id, accepted.membership.user_id);
        let view = roster_domain::member::MemberRepo::member(&s.store, org_id, user_id)?
            .ok_or(roster_domain::DomainError::NotFound("member"))?;
        Ok((accepted, crate::routes::members::with_groups(s, view)?))
    })
    .await?;
    let (accepted, (view, group_ids)) = accepted;
    // The member as a coach reads them, minus private notes (the reader is the athlete).
    let mut member = MemberDto::new(view, MemberAccess::Coach, None).with_group_ids(group_ids);
    member.private_notes = None;
    let mut out = AcceptedDto {
        member,
        organization: OrganizationDto::from(accepted.organization),
        user: None,
        access_token: None,
        token_type: None,
        expires_at: None,
        refresh_token: None,
        refresh_expires_at: None,
    };
    if accepted.new_account {
        let session = crate::routes::accounts::session(&state, accepted.user).await?;
        out.user = Some(session.user);
        out.access_token = Some(session.access_token);
        out.token_type = Some(session.token_type);
        out.expires_at = Some(session.expires_at);
        out.refresh_token = Some(session.refresh_token);
        out.refresh_expires_at = Some(session.refresh_expires_at);
    }
    Ok(HttpResponse::Created().json(out))
}
