//! Many athletes at once: the roster as CSV (`members.csv`), CSV imports and
//! bulk actions. The rules are the domain's (`services::roster_export`,
//! `roster_import`, `bulk`); this module reads and writes the formats.

pub mod bulk;
pub mod imports;

use super::members::query;
use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use roster_domain::OrgId;
use roster_domain::member::{RosterPage, RosterQuery};
use roster_domain::roster_csv;
use roster_domain::services::roster_export::{self, RosterLookups};
use std::sync::Arc;

/// Registers this module's routes under `/api/v1` (before `members`, whose
/// `/members/{user_id}` would otherwise take `/members/bulk`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/organizations/{org_id}/members.csv").route(web::get().to(export)))
        .service(web::resource("/organizations/{org_id}/members/bulk").route(web::post().to(bulk::run)))
        .service(
            web::resource("/organizations/{org_id}/imports")
                .app_data(web::PayloadConfig::new(imports::MAX_BODY_BYTES))
                .route(web::post().to(imports::import)),
        )
        .service(
            web::resource("/organizations/{org_id}/imports/{import_id}/result.csv")
                .route(web::get().to(imports::result)),
        );
}

/// This module's part of the OpenAPI document.
#[derive(Debug, utoipa::OpenApi)]
#[openapi(
    paths(export, imports::import, imports::result, bulk::run),
    components(schemas(
        imports::ImportForm,
        roster_domain::roster_csv::import::ImportReport,
        roster_domain::roster_csv::import::ImportMode,
        roster_domain::roster_csv::import::ImportTotals,
        roster_domain::roster_csv::import::RowReport,
        roster_domain::roster_csv::import::RowOutcome,
        roster_domain::roster_csv::import::RowError,
        bulk::BulkBody,
        bulk::BulkFilter,
        bulk::BulkParams,
        bulk::BulkAnswer,
        roster_domain::services::bulk::BulkResult,
        roster_domain::services::bulk::BulkOutcome,
    )),
    tags((name = "roster-csv", description = "Many athletes at once: the roster as CSV, CSV imports and bulk \
        actions (coaches, or an API key with members:write; see docs/api-keys.md). See docs/csv.md for the \
        file format."))
)]
pub struct Api;

/// Rows fetched per query while streaming.
const PAGE: u32 = 200;

/// Writes rows as RFC 4180 CSV (the domain's writer, shared with the console).
pub fn csv_bytes<I, R, S>(rows: I) -> Result<Vec<u8>, ApiError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    roster_csv::file::write_rows(rows).map_err(ApiError::internal)
}

/// The export's query: the roster list's parameters and `bom`.
fn export_query(req: &HttpRequest) -> Result<(RosterQuery, bool), ApiError> {
    let pairs = query::pairs(req)?;
    let mut bom = None;
    let mut rest = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        if name != "bom" {
            rest.push((name, value));
            continue;
        }
        bom = match (bom, value.as_str()) {
            (None, "true") => Some(true),
            (None, "false") => Some(false),
            (Some(_), _) => {
                return Err(ApiError::bad_request("invalid_parameter", "bom", "bom may be given only once"));
            }
            _ => return Err(ApiError::bad_request("invalid_parameter", "bom", "bom is true or false")),
        };
    }
    let mut roster_query = query::parse(rest)?;
    roster_query.limit = PAGE;
    roster_query.include_profile_status = false;
    Ok((roster_query, bom.unwrap_or(false)))
}

fn page_bytes(lookups: &RosterLookups, with_notes: bool, page: &mut RosterPage) -> Result<Vec<u8>, ApiError> {
    roster_export::page_csv(lookups, with_notes, page).map_err(ApiError::internal)
}

/// What the stream carries from one page to the next.
struct Export {
    state: web::Data<AppState>,
    user: Principal,
    org_id: OrgId,
    query: RosterQuery,
    lookups: Arc<RosterLookups>,
    with_notes: bool,
}

/// The roster as CSV (coaches), with the list's filters and sort: `email, first_name, last_name, display_name,
/// member_level, labels, status, assigned_coach_email, groups, joined_at, private_notes`. RFC 4180, UTF-8
/// (`bom=true` puts a byte-order mark first for spreadsheet programs). A cell a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or CR) is written with a `'` first, as is one starting with
/// `'`; the import takes exactly that `'` off. Lists (labels, groups) are separated by `;`. Streamed page by
/// page. An API key of the organization with `members:read` exports the whole roster as a coach sees it
/// (private notes included).
#[utoipa::path(get, path = "/api/v1/organizations/{org_id}/members.csv", tag = "roster-csv",
    security(("bearer" = [])),
    params(("org_id" = OrgId, Path), query::RosterParams,
        ("bom" = Option<bool>, Query, description = "put a UTF-8 byte-order mark first")),
    responses((status = 200, description = "the roster as CSV", content_type = "text/csv", body = String),
        (status = 400, body = Problem),
        (status = 403, description = "forbidden: not a coach, or an assistant coach filtering by another coach; \
            insufficient_scope: an API key without members:read", body = Problem),
        (status = 404, body = Problem)))]
pub async fn export(
    state: web::Data<AppState>,
    user: Principal,
    req: HttpRequest,
    path: web::Path<OrgId>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let (query, bom) = export_query(&req)?;
    let first_query = query.clone();
    // The first page before the answer starts: a refusal is still a problem answer.
    let (lookups, with_notes, mut first) = user
        .clone()
        .run(&state, org_id, move |s, me| {
            let (lookups, with_notes) = roster_export::start(&s.cx(me.clone()), org_id)?;
            let page = roster_export::page(&s.cx(me), org_id, first_query)?;
            Ok((lookups, with_notes, page))
        })
        .await?;
    let mut head = if bom { roster_csv::file::BOM.to_vec() } else { Vec::new() };
    head.extend(csv_bytes([roster_export::header(with_notes)])?);
    head.extend(page_bytes(&lookups, with_notes, &mut first)?);
    let next = first.next.take();
    let export = Export { state, user, org_id, query, lookups: Arc::new(lookups), with_notes };
    let rest = stream::unfold((export, next), |(export, next)| async move {
        let after = next?;
        let mut query = export.query.clone();
        query.after = Some(after);
        let org_id = export.org_id;
        let page = export
            .user
            .clone()
            .run(&export.state, org_id, move |s, me| roster_export::page(&s.cx(me), org_id, query))
            .await;
        let chunk = page.and_then(|mut page| {
            let bytes = page_bytes(&export.lookups, export.with_notes, &mut page)?;
            Ok((bytes, page.next.take()))
        });
        match chunk {
            Ok((bytes, next)) => Some((Ok(web::Bytes::from(bytes)), (export, next))),
            // Mid-stream the status is sent: the client sees a cut-off body.
            Err(e) => Some((Err(actix_web::Error::from(e)), (export, None))),
        }
    });
    let body = stream::once(async move { Ok::<_, actix_web::Error>(web::Bytes::from(head)) });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"members.csv\""))
        .streaming(futures_util::StreamExt::chain(body, rest)))
}
