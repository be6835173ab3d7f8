//! The attention queue (`GET /organizations/{org_id}/attention`) and a
//! coach's acknowledgement of one signal of an athlete.

use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::members::dto::MemberDto;
use crate::routes::{Json, decode_cursor, encode_cursor, json_ok, page_limit, to_json};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use roster_domain::attention::{AttentionSignal, QueueCursor, QueuePage, QueueQuery, Severity, SignalCode};
use roster_domain::services::attention as svc;
use roster_domain::services::members::MemberAccess;
use roster_domain::{ApiKeyId, Clock, OrgId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/organizations/{org_id}/attention").route(web::get().to(get_queue))).service(
        web::resource("/organizations/{org_id}/members/{user_id}/attention/{signal}/acknowledge")
            .route(web::post().to(acknowledge)),
    );
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(get_queue, acknowledge),
    components(schemas(QueueDto, QueueEntryDto, AcknowledgeBody, AcknowledgementDto)),
    tags((name = "attention", description = "Who needs a coach today. The queue lists the organization's \
        athletes with open attention signals, most severe first, then most open signals (an assistant coach's \
        queue holds only the athletes assigned to them). A coach acknowledges a signal, with an optional note \
        (audited as `attention.acknowledged`): it leaves the queue until the data behind it changes (any write \
        to the athlete's activities, plans, moves and excuses, integrations, zones, race goals or labels) or \
        it grows more severe. The signals `low_compliance` and `missed_workouts` read the last 28 days of \
        planned workouts (settings `attention.low_compliance_pct`, `attention.low_compliance_min_sessions`, \
        `attention.missed_workouts_in_a_row`)."))
)]
pub struct Api;

/// `?limit=&cursor=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An athlete with open signals.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueEntryDto {
    /// The athlete as the roster shows them.
    pub member: MemberDto,
    /// The most severe open signal's severity.
    pub max_severity: Option<Severity>,
    /// The open signals, most severe first.
    pub signals: Vec<AttentionSignal>,
}

/// A page of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDto {
    /// The athletes, most severe first.
    pub data: Vec<QueueEntryDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<QueuePage> for QueueDto {
    fn from(page: QueuePage) -> Self {
        Self {
            data: page
                .entries
                .into_iter()
                .map(|e| QueueEntryDto {
                    member: MemberDto::new(e.member, MemberAccess::Coach, None),
                    max_severity: e.signals.iter().map(|s| s.severity).max(),
                    signals: e.signals,
                })
                .collect(),
            next_cursor: page.next.map(|c| encode_cursor(&format!("{}.{}", c.order, c.membership_id))),
        }
    }
}

fn decode(cursor: &str) -> Result<QueueCursor, ApiError> {
    let bad = || ApiError::bad_request("invalid_parameter", "cursor", "cursor is not one this server issued");
    let text: String = decode_cursor(cursor)?;
    let (order, id) = text.split_once('.').ok_or_else(bad)?;
    Ok(QueueCursor { order: order.parse().map_err(|_| bad())?, membership_id: id.parse().map_err(|_| bad())? })
}

/// The organization's attention queue (coaches; an assistant coach sees the
/// athletes assigned to them; an API key with `members:read`, like the head
/// coach, the whole organization's).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/attention", tag = "attention",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), QueueParams),
    responses((status = 200, body = QueueDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, description = "forbidden (athletes), insufficient_scope: an API key without members:read",
            body = Problem),
        (status = 404, body = Problem)))]
pub async fn get_queue(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    params: crate::routes::query::Query<QueueParams>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let params = params.into_inner();
    let limit = page_limit(params.limit)?;
    let after = params.cursor.as_deref().map(decode).transpose()?;
    let page = user
        .run(&state, org_id, move |s, me| {
            let query = QueueQuery {
                coach: None,
                limit,
                after,
                thresholds: s.settings.attention_thresholds(),
                now: s.clock.now(),
            };
            svc::queue(&s.cx(me), org_id, query)
        })
        .await?;
    let capacity = 1_024 * (page.entries.len() + 1);
    json_ok(to_json(&QueueDto::from(page), capacity))
}

/// Acknowledge a signal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeBody {
    /// Why it needs nothing more for now, at most 1 000 characters (`422 invalid_note`).
    #[schema(max_length = 1000)]
    #[serde(default)]
    pub note: Option<String>,
}

/// An acknowledgement.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementDto {
    /// The signal.
    pub code: SignalCode,
    /// Its severity when acknowledged.
    pub severity: Severity,
    /// The coach's note.
    pub note: Option<String>,
    /// The coach; null when an organization API key acknowledged it (see `acknowledged_by_key_id`).
    pub acknowledged_by: Option<UserId>,
    /// The organization API key that acknowledged it, if one did (then `acknowledged_by` is null).
    pub acknowledged_by_key_id: Option<ApiKeyId>,
    /// When.
    pub acknowledged_at: DateTime<Utc>,
}

/// Acknowledge an athlete's open signal, with an optional note (head coach, or the athlete's assigned
/// coach). It leaves the queue until the data behind it changes or it grows more severe. A signal the
/// athlete does not have now: `404`.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/{user_id}/attention/{signal}/acknowledge",
    tag = "attention", security(("bearer" = [])),
    params(("org_id" = OrgId, Path), ("user_id" = UserId, Path), ("signal" = SignalCode, Path)),
    request_body = AcknowledgeBody,
    responses((status = 200, body = AcknowledgementDto), (status = 400, body = Problem),
        (status = 401, body = Problem),
        (status = 403, description = "forbidden, not_assigned_to_you, insufficient_scope: an API key without members:write", body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn acknowledge(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId, String)>,
    body: Json<AcknowledgeBody>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete, signal) = path.into_inner();
    let code: SignalCode =
        serde_json::from_value(serde_json::Value::String(signal)).map_err(|_| ApiError::not_found("signal"))?;
    let note = body.into_inner().note;
    let ack = user
        .run(&state, org_id, move |s, me| {
            let thresholds = s.settings.attention_thresholds();
            svc::acknowledge(&s.cx(me), (org_id, athlete), (code, note), &thresholds)
        })
        .await?;
    Ok(HttpResponse::Ok().json(AcknowledgementDto {
        code: ack.code,
        severity: ack.severity,
        note: ack.note,
        acknowledged_by: ack.by_key.is_none().then_some(ack.by),
        acknowledged_by_key_id: ack.by_key,
        acknowledged_at: ack.at,
    }))
}
