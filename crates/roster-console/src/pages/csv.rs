//! The roster as CSV from the console: **Export CSV** (the file of
//! `GET /api/v1/…/members.csv`, with the Athletes page's filters) and
//! **Import CSV** (upload, a dry run's preview, confirm), over the domain's
//! use cases (`services::roster_export`, `services::roster_import`) and its
//! file format (`roster_csv::file`).
//!
//! Between the preview and **Confirm import** the file travels in the
//! preview page's form (base64 in a hidden field): the domain keeps no dry
//! run, and a hidden field needs no server-side state that could expire or
//! be read by another session. The preview also carries a random
//! `Idempotency-Key`, so a second **Confirm import** answers the import
//! already kept instead of importing twice.

use super::athletes::Filters;
use crate::view::{Chrome, posted, render, signed_in};
use crate::{Console, PageError};
use ::roster_import::multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::{StreamExt, stream};
use rand::RngCore;
use roster_domain::member::RosterQuery;
use roster_domain::policy::{Action, Target};
use roster_domain::roster_csv::file;
use roster_domain::roster_csv::import::{ImportMode, ImportReport, ImportRequest, RowReport};
use roster_domain::services::{roster_export, roster_import};
use roster_domain::{Clock, DomainError, ImportId};
use serde::Deserialize;
use std::sync::Arc;

/// The largest file an import reads (the API's limit).
const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// The upload's body: the file and the form around it.
const MAX_UPLOAD_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;
/// The confirmation's body: the file in base64, URL-encoded (`+`, `/` and
/// `=` take three bytes each), and the form around it.
pub(super) const MAX_CONFIRM_BYTES: usize = MAX_FILE_BYTES / 3 * 4 * 2 + 64 * 1024;
/// Rows per query while the export streams.
const PAGE: u32 = 200;

/// **Export CSV**: `/athletes.csv` with the Athletes page's filters (and
/// `bom=true` for spreadsheet programs). The header and the first page are
/// read before the answer starts, so a refusal is still a page; then one
/// page of rows per query.
pub(super) async fn export(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let bom = pairs.iter().any(|(k, v)| k == "bom" && v == "true");
    let filters = Filters::from_pairs(pairs);
    let (me, org_id, query, lookups, with_notes, mut first) = signed_in(&c, &req, move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let query = RosterQuery {
            limit: PAGE,
            after: None,
            include_profile_status: false,
            attention: c.config.attention.clone(),
            now: Some(c.clock.now()),
            ..filters.query()?
        };
        let (lookups, with_notes) = roster_export::start(&c.cx(me), org_id)?;
        let first = roster_export::page(&c.cx(me), org_id, query.clone())?;
        Ok((me, org_id, query, lookups, with_notes, first))
    })
    .await?;
    let mut head = if bom { file::BOM.to_vec() } else { Vec::new() };
    head.extend(file::write_rows([roster_export::header(with_notes)]).map_err(PageError::internal)?);
    head.extend(roster_export::page_csv(&lookups, with_notes, &mut first).map_err(PageError::internal)?);
    let lookups = Arc::new(lookups);
    let rest = stream::unfold((c, query, first.next.take()), move |(c, mut query, next)| {
        let lookups = Arc::clone(&lookups);
        async move {
            query.after = Some(next?);
            let ask = query.clone();
            let page = crate::run(&c, move |c| roster_export::page(&c.cx(me), org_id, ask)).await;
            let chunk = page.and_then(|mut page| {
                let bytes = roster_export::page_csv(&lookups, with_notes, &mut page).map_err(PageError::internal)?;
                Ok((bytes, page.next.take()))
            });
            match chunk {
                Ok((bytes, next)) => Some((Ok(web::Bytes::from(bytes)), (c, query, next))),
                // Mid-stream the status is sent: the download is cut off.
                Err(e) => Some((Err(actix_web::Error::from(e)), (c, query, None))),
            }
        }
    });
    let body = stream::once(async move { Ok::<_, actix_web::Error>(web::Bytes::from(head)) });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"members.csv\""))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body.chain(rest)))
}

/// One row of the preview or the result.
struct Line {
    line: u64,
    email: String,
    outcome: &'static str,
    user_id: Option<String>,
    /// `column: message` each.
    errors: Vec<String>,
}

fn lines(rows: &[RowReport]) -> Vec<Line> {
    rows.iter()
        .map(|r| Line {
            line: r.line,
            email: r.email.clone(),
            outcome: r.outcome.as_str(),
            user_id: r.user_id.map(|u| u.to_string()),
            errors: r
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.column.as_deref().unwrap_or("row"), crate::form::capitalize(&e.message)))
                .collect(),
        })
        .collect()
}

/// What the import page shows: the upload form, a dry run's preview with
/// **Confirm import**, or a real run's result.
#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    mode: &'static str,
    /// Beside the file field.
    error: Option<String>,
    report: Option<Report>,
}

struct Report {
    /// A dry run (the preview) or a real run.
    dry_run: bool,
    /// Whether a real run kept its changes.
    committed: bool,
    totals: [(&'static str, u32); 4],
    lines: Vec<Line>,
    /// The preview's **Confirm import** form: the file and the key.
    file_b64: String,
    key: String,
    skip_invalid: bool,
    /// The kept import's result CSV.
    result_url: Option<String>,
}

impl Report {
    fn of(report: &ImportReport, file: &[u8], key: String) -> Self {
        let t = report.totals;
        Self {
            dry_run: report.dry_run,
            committed: report.committed,
            totals: [("create", t.create), ("update", t.update), ("unchanged", t.unchanged), ("error", t.error)],
            lines: lines(&report.rows),
            file_b64: if report.dry_run { BASE64.encode(file) } else { String::new() },
            key,
            // Rows with errors are left out on confirm (said on the page);
            // without this, one bad row would keep nothing at all.
            skip_invalid: t.error > 0,
            result_url: report.import_id.map(|id| format!("/athletes/import/{id}/result.csv")),
        }
    }

    /// Rows a confirm would import.
    fn good(&self) -> u32 {
        self.totals.iter().filter(|(k, _)| *k != "error").map(|(_, n)| n).sum()
    }
}

fn mode_name(mode: ImportMode) -> &'static str {
    match mode {
        ImportMode::CreateOnly => "create_only",
        ImportMode::Upsert => "upsert",
        ImportMode::UpdateOnly => "update_only",
    }
}

/// **Import CSV**: the upload form (coaches).
pub(super) async fn page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |_, viewer| {
        viewer.authorize(Action::ImportRoster, Target::Organization)?;
        Ok(ImportPage { chrome: viewer.chrome("/athletes"), mode: "upsert", error: None, report: None })
    })
    .await?;
    render(&page)
}

/// The page with `error` beside the file field, as `422`.
async fn again(
    c: &web::Data<Console>,
    req: &HttpRequest,
    mode: &'static str,
    error: String,
) -> Result<HttpResponse, PageError> {
    let page = signed_in(c, req, move |_, viewer| {
        Ok(ImportPage { chrome: viewer.chrome("/athletes"), mode, error: Some(error), report: None })
    })
    .await?;
    let mut res = render(&page)?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

/// A refusal of the whole file (its columns, its key) as the file field's message.
fn file_error(e: DomainError) -> Result<String, DomainError> {
    match e {
        DomainError::Validation(errors) => {
            Ok(errors.iter().map(|e| crate::form::capitalize(&e.message)).collect::<Vec<_>>().join(" "))
        }
        other => Err(other),
    }
}

/// Runs the import; a refusal of the whole file comes back as its message.
fn run_import(
    c: &Console,
    viewer: &crate::view::Viewer,
    file: &[u8],
    mode: ImportMode,
    dry_run: bool,
    skip_invalid: bool,
    key: Option<String>,
) -> Result<Result<ImportReport, String>, DomainError> {
    let table = match file::read_table(file) {
        Ok(table) => table,
        Err(e) => return Ok(Err(e.message)),
    };
    let request = ImportRequest {
        table,
        mode,
        dry_run,
        skip_invalid,
        idempotency_key: key,
        fingerprint: file::fingerprint(file, mode, skip_invalid),
    };
    let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
    let base = &c.config.public_base_url;
    match roster_import::import(&c.cx(me), &c.links, org_id, request, base) {
        Ok(report) => Ok(Ok(report)),
        Err(e) => file_error(e).map(Err),
    }
}

/// A fresh `Idempotency-Key` for one preview's confirmation.
fn new_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The upload: the file is read and run as a dry run; the preview shows
/// each row's outcome.
pub(super) async fn preview(
    c: web::Data<Console>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    // Only a coach's session gets its file read.
    signed_in(&c, &req, |_, viewer| viewer.authorize(Action::ImportRoster, Target::Organization)).await?;
    let too_big = || format!("Choose a file of at most {} MiB.", MAX_FILE_BYTES / (1024 * 1024));
    let body = match payload.to_bytes_limited(MAX_UPLOAD_BYTES).await {
        Ok(Ok(body)) => body,
        _ => return again(&c, &req, "upsert", too_big()).await,
    };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let multipart::FormType::Multipart(boundary) = multipart::form_type(content_type) else {
        return Err(PageError::bad_form());
    };
    let parts = multipart::parse(&body, &boundary).map_err(|_| PageError::bad_form())?;
    let (mut csrf, mut file, mut mode) = (String::new(), Vec::new(), ImportMode::Upsert);
    for part in parts {
        let text = || String::from_utf8_lossy(part.data).trim().to_owned();
        match part.name.as_str() {
            "csrf" => csrf = text(),
            "mode" => mode = text().parse().unwrap_or(ImportMode::Upsert),
            "file" => file = part.data.to_vec(),
            _ => {}
        }
    }
    drop(body);
    let name = mode_name(mode);
    if file.is_empty() {
        return again(&c, &req, name, "Choose a CSV file.".into()).await;
    }
    if file.len() > MAX_FILE_BYTES {
        return again(&c, &req, name, too_big()).await;
    }
    let page = posted(&c, &req, csrf, move |c, viewer| {
        let (error, report) = match run_import(c, &viewer, &file, mode, true, false, None)? {
            Ok(report) => (None, Some(Report::of(&report, &file, new_key()))),
            Err(message) => (Some(message), None),
        };
        Ok(ImportPage { chrome: viewer.chrome("/athletes"), mode: name, error, report })
    })
    .await?;
    let mut res = render(&page)?;
    if page.error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// **Confirm import**'s form: the previewed file and its options.
#[derive(Debug, Deserialize)]
pub(super) struct ConfirmForm {
    csrf: String,
    file_b64: String,
    mode: String,
    key: String,
    #[serde(default)]
    skip_invalid: Option<String>,
}

/// **Confirm import**: the real run, under the preview's key. A repeat
/// answers the import already kept; a run that kept nothing (the roster
/// changed since the preview) shows why.
pub(super) async fn confirm(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, PageError> {
    let ConfirmForm { csrf, file_b64, mode, key, skip_invalid } = form.into_inner();
    let mode: ImportMode = mode.parse().map_err(|()| PageError::bad_form())?;
    let file = BASE64.decode(file_b64.trim()).map_err(|_| PageError::bad_form())?;
    let key =
        Some(key.trim().to_owned()).filter(|k| !k.is_empty() && k.len() <= 255).ok_or_else(PageError::bad_form)?;
    let skip_invalid = skip_invalid.as_deref() == Some("true");
    let page = posted(&c, &req, csrf, move |c, viewer| {
        let (error, report) = match run_import(c, &viewer, &file, mode, false, skip_invalid, Some(key))? {
            Ok(report) => (None, Some(Report::of(&report, &file, String::new()))),
            Err(message) => (Some(message), None),
        };
        Ok(ImportPage { chrome: viewer.chrome("/athletes"), mode: mode_name(mode), error, report })
    })
    .await?;
    let kept = page.report.as_ref().is_some_and(|r| r.committed);
    let mut res = render(&page)?;
    if !kept {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// A kept import's result as CSV (`line, email, outcome, user_id,
/// invitation_id, errors`), the API's `result.csv`.
pub(super) async fn result(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let import_id: ImportId = path.into_inner().parse().map_err(|_| PageError::not_found())?;
    let report = signed_in(&c, &req, move |c, viewer| {
        roster_import::stored_report(&c.cx(viewer.user.user_id), viewer.org_id()?, import_id)
    })
    .await?;
    let bytes = file::report_csv(&report).map_err(PageError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"import-result.csv\""))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
