//! `/organizations/{org_id}/audit-events`.

use super::{decode_cursor, encode_cursor, page_limit};
use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use roster_domain::entities::{AuditEvent, AuditFilter};
use roster_domain::services::audit;
use roster_domain::{EventId, OrgId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only events by this account.
    pub actor_id: Option<UserId>,
    /// Only events about this account.
    pub subject_user_id: Option<UserId>,
    /// Only this action, e.g. `member.added`.
    pub action: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// From `next_cursor`.
    pub cursor: Option<String>,
}

/// An audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    /// Id.
    pub event_id: EventId,
    /// Who.
    pub actor_user_id: UserId,
    /// What.
    pub action: String,
    /// About whom.
    pub subject_user_id: Option<UserId>,
    /// Field names with old and new values.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        Self {
            event_id: e.event_id,
            actor_user_id: e.actor_user_id,
            action: e.action,
            subject_user_id: e.subject_user_id,
            changes: e.changes,
            created_at: e.created_at,
        }
    }
}

/// A page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageDto {
    /// Newest first.
    pub data: Vec<AuditEventDto>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// The audit trail (head coach).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/audit-events", tag = "audit", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), AuditQuery),
    responses((status = 200, body = AuditPageDto), (status = 400, body = Problem), (status = 403, description = "forbidden (not the head coach), insufficient_scope: an API key without audit:read", body = Problem),
        (status = 404, body = Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    query: crate::routes::query::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, q) = (path.into_inner(), query.into_inner());
    let filter = AuditFilter {
        actor_id: q.actor_id,
        subject_user_id: q.subject_user_id,
        action: q.action,
        before: q.cursor.as_deref().map(decode_cursor::<EventId>).transpose()?,
        limit: page_limit(q.limit)?,
    };
    let (events, more) = user.run(&state, org_id, move |s, me| audit::list(&s.cx(me), org_id, &filter)).await?;
    let next_cursor = if more { events.last().map(|e| encode_cursor(&e.event_id.to_string())) } else { None };
    Ok(HttpResponse::Ok().json(AuditPageDto { data: events.into_iter().map(Into::into).collect(), next_cursor }))
}
