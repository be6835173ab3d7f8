//! `POST /organizations/{org_id}/imports`: members from a CSV file, and the
//! result of a committed import as CSV.

use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::profile::{form_parts, read_body, text_field};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use roster_domain::roster_csv::file;
use roster_domain::roster_csv::import::{ImportMode, ImportReport, ImportRequest, ImportTable};
use roster_domain::services::roster_import;
use roster_domain::{FieldError, ImportId, OrgId};

/// The largest file an import reads.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The largest body: the file and the form around it.
pub const MAX_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;
/// The longest `Idempotency-Key`.
const MAX_KEY_LEN: usize = 255;

/// The import form (`multipart/form-data`).
// Deserialize only so that `deny_unknown_fields` tells utoipa the form is
// closed: the handler refuses other parts (`400 unknown_field`).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // documents the form; the handler reads the parts itself
pub struct ImportForm {
    /// A CSV file in UTF-8 (a byte-order mark is fine), at most 5 MiB and 5 000 rows, with a header row.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `create_only`, `upsert` (default) or `update_only`.
    #[schema(value_type = Option<ImportMode>)]
    mode: Option<String>,
    /// `true`: decide every row, keep nothing, send nothing.
    dry_run: Option<bool>,
    /// `true`: keep the good rows when some fail (else a failing row keeps nothing).
    skip_invalid: Option<bool>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("The file is larger than {} MiB.", MAX_FILE_BYTES / (1024 * 1024)),
    )
}

/// A file that cannot be read as a table: `422` with the code on `file`.
fn unreadable(code: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message.clone())
        .with_errors(vec![FieldError::new("file", code, message)])
}

/// Reads the file as a table (the domain's reader, shared with the
/// console); a file that cannot be read is `422` naming the problem.
pub fn read_table(bytes: &[u8]) -> Result<ImportTable, ApiError> {
    file::read_table(bytes).map_err(|e| unreadable(e.code, e.message))
}

/// What the form holds.
struct Form {
    file: Vec<u8>,
    mode: ImportMode,
    dry_run: bool,
    skip_invalid: bool,
}

fn flag(part: &crate::routes::profile::multipart::Part<'_>) -> Result<bool, ApiError> {
    match text_field(part)?.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::bad_request("invalid_type", &part.name, format!("{} is true or false", part.name))),
    }
}

fn read_form(req: &HttpRequest, body: &[u8]) -> Result<Form, ApiError> {
    let mut form = Form { file: Vec::new(), mode: ImportMode::Upsert, dry_run: false, skip_invalid: false };
    let mut seen = Vec::new();
    for part in form_parts(req, body)? {
        if seen.contains(&part.name) {
            return Err(ApiError::bad_request("duplicate_field", &part.name, format!("{} twice", part.name)));
        }
        seen.push(part.name.clone());
        match part.name.as_str() {
            "file" if part.data.len() > MAX_FILE_BYTES => {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "file_too_large",
                    format!("The file is larger than {} MiB.", MAX_FILE_BYTES / (1024 * 1024)),
                ));
            }
            "file" => form.file = part.data.to_vec(),
            "mode" => {
                form.mode = text_field(&part)?.trim().parse().map_err(|()| {
                    ApiError::bad_request("invalid_mode", "mode", "mode is create_only, upsert or update_only")
                })?
            }
            "dry_run" => form.dry_run = flag(&part)?,
            "skip_invalid" => form.skip_invalid = flag(&part)?,
            other => {
                return Err(ApiError::bad_request("unknown_field", other, format!("unknown form field `{other}`")));
            }
        }
    }
    if !seen.iter().any(|name| name == "file") {
        return Err(ApiError::bad_request("missing_field", "file", "Send the CSV as the `file` part."));
    }
    Ok(form)
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else { return Ok(None) };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        let message = format!("Idempotency-Key is 1-{MAX_KEY_LEN} visible ASCII characters");
        return Err(ApiError::bad_request("invalid_header", "Idempotency-Key", message));
    }
    Ok(Some(key.to_owned()))
}

fn wants_csv(req: &HttpRequest) -> bool {
    req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/csv"))
}

/// The report as CSV: each row with its outcome and errors.
fn report_csv(report: &ImportReport) -> Result<Vec<u8>, ApiError> {
    file::report_csv(report).map_err(ApiError::internal)
}

/// A real run that kept nothing: `422` problem+json whose extension members
/// are the report (RFC 9457 allows them), and each failed row's errors as
/// `errors` named `line N: column`.
fn rejected(report: &ImportReport) -> HttpResponse {
    let errors = report
        .rows
        .iter()
        .flat_map(|row| {
            row.errors.iter().map(move |e| {
                let at = format!("line {}: {}", row.line, e.column.as_deref().unwrap_or("row"));
                FieldError::new(at, e.code.clone(), e.message.clone())
            })
        })
        .collect();
    let message = format!(
        "{} of {} rows failed and nothing was kept; fix them, or send skip_invalid=true to keep the others.",
        report.totals.error,
        report.rows.len()
    );
    let problem = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "import_rejected", message).with_errors(errors);
    let mut body = serde_json::to_value(report).unwrap_or_default();
    if let (Some(body), Ok(serde_json::Value::Object(fields))) =
        (body.as_object_mut(), serde_json::to_value(problem.problem()))
    {
        body.extend(fields);
    }
    HttpResponse::UnprocessableEntity().content_type(crate::error::PROBLEM_JSON).json(body)
}

fn csv_response(status: StatusCode, bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"import-result.csv\""))
        .body(bytes)
}

/// Create, update or invite members from a CSV file (coaches). Rows match members on `email` (case-insensitive,
/// NFC). Each row is `create` (an account that exists is added and told by e-mail; an e-mail without an account
/// is invited, which needs `first_name`), `update`, `unchanged` or `error` with `[{column, code, message}]`.
/// Only the columns present change, and an empty cell leaves its field as it is; `last_name` and `joined_at`
/// are read and ignored, so an export imports back unchanged. A real run keeps every row or none (`422
/// import_rejected`, a problem that carries the report) unless `skip_invalid=true`; a dry run keeps and sends nothing. A committed run answers `201` with its
/// `import_id`; its result downloads as CSV from `Location`. `Accept: text/csv` answers the report as CSV.
/// `Idempotency-Key`: a repeat (by the same account or API key) answers the committed import again; the key with
/// another file or options is `422 idempotency_key_reused`. Audited as one `members.imported` event plus each
/// member's own events. An API key needs `members:write`, and also `groups:write` when a row names a group (a
/// non-empty `groups` cell) and `invitations:write` when a row's e-mail has no account (except in `update_only`
/// mode): without it the whole import, dry run or not, is `403 insufficient_scope` naming the scope, and
/// nothing is written. The audit events name the key; its invitations answer `created_by_key_id`.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/imports", tag = "roster-csv",
    security(("bearer" = [])),
    params(("org_id" = OrgId, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "a repeat answers the committed import again")),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, description = "a dry run's report", body = ImportReport),
        (status = 201, description = "committed", body = ImportReport,
            headers(("Location" = String, description = "the result as CSV"))),
        (status = 400, description = "missing_field (file), unknown_field, duplicate_field, invalid_mode, \
            invalid_type, invalid_header, malformed_multipart", body = Problem),
        (status = 403, description = "forbidden: not a coach; insufficient_scope: an API key without \
            members:write (or, for a file naming a group, groups:write; for a file that invites, \
            invitations:write)", body = Problem),
        (status = 404, body = Problem),
        (status = 413, description = "payload_too_large, file_too_large", body = Problem),
        (status = 415, description = "not multipart/form-data", body = Problem),
        (status = 422, description = "import_rejected: some rows failed and nothing was kept (the problem also \
            carries the report's members: rows, totals, ...); or the file: unsupported_encoding, empty_file, \
            ragged_row, malformed_csv, too_many_rows, unknown_column, duplicate_column, missing_column; or \
            idempotency_key_reused", body = Problem)))]
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Principal,
    path: web::Path<OrgId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let key = idempotency_key(&req)?;
    let body = read_body(&req, payload, MAX_BODY_BYTES, too_large()).await?;
    let Form { file, mode, dry_run, skip_invalid } = read_form(&req, &body)?;
    drop(body);
    let fingerprint = file::fingerprint(&file, mode, skip_invalid);
    let table = web::block(move || read_table(&file)).await.map_err(ApiError::internal)??;
    let request = ImportRequest { table, mode, dry_run, skip_invalid, idempotency_key: key, fingerprint };
    let report = user
        .run(&state, org_id, move |s, me| {
            let base = &s.settings.public_base_url;
            roster_import::import(&s.cx(me), &s.links, org_id, request, base)
        })
        .await?;
    if !report.dry_run && !report.committed {
        return Ok(rejected(&report));
    }
    let status = if report.dry_run { StatusCode::OK } else { StatusCode::CREATED };
    let mut response = if wants_csv(&req) {
        csv_response(status, report_csv(&report)?)
    } else {
        HttpResponse::build(status).json(&report)
    };
    if let Some(id) = report.import_id {
        let location = format!("/api/v1/organizations/{org_id}/imports/{id}/result.csv");
        if let Ok(value) = header::HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    Ok(response)
}

/// A committed import's result as CSV (coaches, or an API key with `members:write`, whoever ran the import):
/// `line, email, outcome, user_id, invitation_id, errors`.
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/imports/{import_id}/result.csv", tag = "roster-csv",
    security(("bearer" = [])), params(("org_id" = OrgId, Path), ("import_id" = ImportId, Path)),
    responses((status = 200, description = "the result", content_type = "text/csv", body = String),
        (status = 403, description = "forbidden: not a coach; insufficient_scope: an API key without members:write",
            body = Problem),
        (status = 404, body = Problem)))]
pub async fn result(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<(OrgId, ImportId)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, import_id) = path.into_inner();
    let report =
        user.run(&state, org_id, move |s, me| roster_import::stored_report(&s.cx(me), org_id, import_id)).await?;
    Ok(csv_response(StatusCode::OK, report_csv(&report)?))
}
