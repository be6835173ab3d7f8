//! The athlete profile (`GET …/members/{user_id}/profile`) and activity file
//! import (`POST …/members/{user_id}/activities/import`).

pub mod dto;
pub use roster_import::multipart;

use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::athlete::dto::ActivityDto;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use dto::{ProfileDto, TrainingPlansDto};
use multipart::{FormType, Part};
use roster_domain::policy::Action;
use roster_domain::services::athlete as svc;
use roster_domain::services::profile as profile_svc;
use roster_domain::{OrgId, UserId};
use roster_import::{ImportError, MAX_FILE_BYTES};

const MEMBER: &str = "/organizations/{org_id}/members/{user_id}";

/// The largest import body: the largest file plus room for the form's headers and fields.
pub const MAX_IMPORT_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;

/// Registers this module's routes under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig, _rate_limit: &crate::startup::RateLimit) {
    cfg.service(web::resource(format!("{MEMBER}/activities/import")).route(web::post().to(import_activity)))
        .service(web::resource(format!("{MEMBER}/profile")).route(web::get().to(get_profile)));
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(import_activity, get_profile),
    components(schemas(
        ProfileDto, TrainingPlansDto, ImportForm, roster_domain::insights::Insight,
        roster_domain::attention::AttentionSignal, roster_domain::attention::SignalCode,
        roster_domain::attention::Severity,
    )),
    tags((name = "profile", description = "One view of an athlete, and activity files. Coaches of the \
        organization and the athlete read the profile; the head coach imports for anyone, an assistant \
        coach only for athletes assigned to them (`403 not_assigned_to_you`), an athlete for themselves; \
        another athlete or a non-member gets `404`."))
)]
pub struct Api;

/// The import form (`multipart/form-data`).
// Deserialize only so that `deny_unknown_fields` tells utoipa the form is
// closed: the handler refuses other parts (`400 unknown_field`).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // documents the form; the handler reads the parts itself
pub struct ImportForm {
    /// A GPX, TCX or FIT file, at most 20 MiB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Overrides the sport the file names: `run`, `bike`, `swim`, `strength` or `other`.
    #[schema(value_type = Option<roster_domain::Sport>)]
    sport: Option<String>,
    /// Overrides the file's own title (up to 200 characters).
    title: Option<String>,
}

fn import_problem(e: &ImportError) -> ApiError {
    let status = if matches!(e, ImportError::FileTooLarge { .. }) {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ApiError::new(status, e.code(), e.to_string())
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("The file is larger than {} MiB.", MAX_FILE_BYTES / (1024 * 1024)),
    )
}

pub(crate) fn text_field(part: &Part<'_>) -> Result<String, ApiError> {
    String::from_utf8(part.data.to_vec())
        .map_err(|_| ApiError::bad_request("invalid_type", &part.name, format!("{} must be UTF-8 text", part.name)))
}

/// What the form holds: the file (and its name) and the overrides.
struct Form {
    file: Vec<u8>,
    file_name: Option<String>,
    sport: Option<String>,
    title: Option<String>,
}

/// The parts of a `multipart/form-data` body (`415` for another type, `400`
/// for a malformed one).
pub(crate) fn form_parts<'a>(req: &HttpRequest, body: &'a [u8]) -> Result<Vec<Part<'a>>, ApiError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let boundary = match multipart::form_type(content_type) {
        FormType::Multipart(b) => b,
        FormType::NoBoundary => {
            return Err(ApiError::bad_request(
                "malformed_multipart",
                "Content-Type",
                "multipart/form-data needs a boundary parameter",
            ));
        }
        FormType::Other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the file as multipart/form-data with a `file` part.",
            ));
        }
    };
    multipart::parse(body, &boundary).map_err(|reason| ApiError::bad_request("malformed_multipart", "body", reason))
}

/// The whole body, at most `max` bytes (`too_large` past that, whatever
/// `Content-Length` says).
pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    max: usize,
    too_large: ApiError,
) -> Result<web::Bytes, ApiError> {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max) {
        return Err(too_large);
    }
    match payload.to_bytes_limited(max).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            Err(ApiError::bad_request("malformed_multipart", "body", format!("The body could not be read: {e}")))
        }
        Err(_) => Err(too_large),
    }
}

fn read_form(req: &HttpRequest, body: &[u8]) -> Result<Form, ApiError> {
    let parts = form_parts(req, body)?;
    let mut form = Form { file: Vec::new(), file_name: None, sport: None, title: None };
    let mut has_file = false;
    for part in &parts {
        match part.name.as_str() {
            "file" if !has_file => {
                if part.data.len() > MAX_FILE_BYTES {
                    return Err(too_large());
                }
                has_file = true;
                form.file = part.data.to_vec();
                form.file_name = part.file_name.clone();
            }
            "sport" if form.sport.is_none() => form.sport = Some(text_field(part)?.trim().to_owned()),
            "title" if form.title.is_none() => form.title = Some(text_field(part)?),
            "file" | "sport" | "title" => {
                return Err(ApiError::bad_request(
                    "duplicate_field",
                    &part.name,
                    format!("{} is sent twice", part.name),
                ));
            }
            other => {
                return Err(ApiError::bad_request("unknown_field", other, format!("Unknown form field `{other}`.")));
            }
        }
    }
    if !has_file {
        return Err(ApiError::bad_request(
            "missing_field",
            "file",
            "Field `file` is required (a GPX, TCX or FIT file).",
        ));
    }
    Ok(form)
}

/// Import a GPX, TCX or FIT file as an activity (coaches who may write for
/// the athlete, the athlete). `multipart/form-data` with a `file` part and
/// optional `sport` and `title` fields that override what the file says.
/// Stored with source `manual` and the SHA-256 of the file as `external_id`:
/// importing the same file again answers `200` with the stored activity.
/// The body is capped at 20 MiB (plus 64 KiB for the form). Who may write is
/// checked before the body is read: a caller refused with `404` or `403`
/// gets that answer whatever they sent.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/{user_id}/activities/import", tag = "profile",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ActivityDto), (status = 200, description = "the same file again", body = ActivityDto),
        (status = 400, description = "missing_field (file), unknown_field, malformed_multipart", body = Problem),
        (status = 403, description = "not_assigned_to_you, insufficient_scope: an API key without activities:write", body = Problem),
        (status = 404, body = Problem),
        (status = 413, description = "payload_too_large, file_too_large", body = Problem),
        (status = 415, description = "not multipart/form-data", body = Problem),
        (status = 422, description = "unsupported_format, malformed_file, empty_track, missing_timestamps, \
            too_many_points, or a validation problem of the activity", body = Problem)))]
pub async fn import_activity(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete) = path.into_inner();
    // Who may write comes first: a caller told 404 or 403 has sent nothing
    // the server reads, and learns nothing from how a file would have parsed.
    user.clone()
        .run(&state, org_id, move |s, me| svc::authorized_athlete(&s.cx(me), org_id, athlete, Action::WriteAthleteData))
        .await?;
    let body = read_body(&req, payload, MAX_IMPORT_BODY_BYTES, too_large()).await?;
    let form = read_form(&req, &body)?;
    drop(body);
    let Form { file, file_name, sport, title } = form;
    let (imported, hash) = web::block(move || {
        let imported = roster_import::import(&file, file_name.as_deref());
        imported.map(|a| (a, roster_import::file_hash(&file)))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| import_problem(&e))?;
    let input = roster_import::activity_input(imported, hash, sport, title);
    let inserted =
        user.run(&state, org_id, move |s, me| svc::create_activity(&s.cx(me), org_id, athlete, &input)).await?;
    let mut res = if inserted.is_created() { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(res.json(ActivityDto::from(inserted.into_inner())))
}

/// The athlete profile (coaches, the athlete): the member, current and
/// upcoming plans, the goal race with its target pace, integrations, the
/// latest 10 activities, 12 weeks of distance (oldest first, empty weeks
/// included), insights and attention signals (thresholds from the
/// `attention` settings). Read in a fixed number of queries: 12 for a coach,
/// 11 for the athlete themselves, however much data the athlete has. The
/// athlete's own view has neither `private_notes` nor `labels`, nor the
/// signals that come from labels (`injury_watch`).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members/{user_id}/profile", tag = "profile",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("user_id" = UserId, Path)),
    responses((status = 200, body = ProfileDto),
        (status = 403, description = "insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, description = "not a member, or another athlete", body = Problem)))]
pub async fn get_profile(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, UserId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, athlete) = path.into_inner();
    let profile = user
        .run(&state, org_id, move |s, me| {
            let thresholds = s.settings.attention_thresholds();
            profile_svc::profile(&s.cx(me), &s.insights, &thresholds, org_id, athlete)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProfileDto::from(profile)))
}
