//! The athlete's own pages: **My club** (their profile as they may see it),
//! **My activities**, **Upload activity** and **Leave club**; **My goal
//! race**, **My zones** and **My integrations** in their own modules. Every
//! one is about the signed-in account (no id in the address): a coach gets
//! what the use cases give a coach about themself, the member `404`.

pub(super) mod goal_race;
pub(super) mod integrations;
pub(super) mod zones;

use super::auth::CsrfForm;
use super::profile::profile_data;
use crate::form::redirect;
use crate::view::{Chrome, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::services::{athlete, members};
use roster_import::{MAX_FILE_BYTES, multipart};

pub(super) async fn club(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |c, viewer| profile_data(c, &viewer, viewer.user.user_id, None)).await?;
    render(&page)
}

#[derive(Template)]
#[template(path = "my_activities.html")]
struct MyActivities {
    chrome: Chrome,
    rows: Vec<[String; 4]>,
}

pub(super) async fn activities(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |c, viewer| {
        let me = viewer.user.user_id;
        let (list, _) = athlete::activities(&c.cx(me), viewer.org_id()?, me, None, 50)?;
        let rows = list
            .into_iter()
            .map(|a| {
                [
                    a.start_time.format("%Y-%m-%d").to_string(),
                    a.title.unwrap_or_else(|| a.sport.to_string()),
                    format!("{:.1} km", a.distance_m / 1000.0),
                    format!("{} min", a.duration_s / 60),
                ]
            })
            .collect();
        Ok(MyActivities { chrome: viewer.chrome("/me/activities"), rows })
    })
    .await?;
    render(&page)
}

#[derive(Template)]
#[template(path = "leave.html")]
struct Leave {
    chrome: Chrome,
    org_name: String,
}

pub(super) async fn leave_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |_, viewer| {
        Ok(Leave { chrome: viewer.chrome("/me/leave"), org_name: viewer.org()?.org_name.clone() })
    })
    .await?;
    render(&page)
}

pub(super) async fn leave(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    posted(&c, &req, form.into_inner().csrf, |c, viewer| {
        let me = viewer.user.user_id;
        members::remove(&c.cx(me), viewer.org_id()?, me)
    })
    .await?;
    Ok(redirect("/"))
}

#[derive(Template)]
#[template(path = "upload.html")]
struct Upload {
    chrome: Chrome,
    error: Option<String>,
}

pub(super) async fn upload_page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |_, viewer| Ok(Upload { chrome: viewer.chrome("/me/upload"), error: None })).await?;
    render(&page)
}

/// The upload form's parts: the CSRF token, the file and an optional title.
struct UploadForm {
    csrf: String,
    file: Vec<u8>,
    file_name: Option<String>,
    title: Option<String>,
}

fn read_upload(req: &HttpRequest, body: &[u8]) -> Option<UploadForm> {
    let content_type = req.headers().get(actix_web::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let multipart::FormType::Multipart(boundary) = multipart::form_type(content_type) else { return None };
    let parts = multipart::parse(body, &boundary).ok()?;
    let mut form = UploadForm { csrf: String::new(), file: Vec::new(), file_name: None, title: None };
    for part in parts {
        let text = || String::from_utf8(part.data.to_vec()).ok();
        match part.name.as_str() {
            "csrf" => form.csrf = text()?,
            "title" => form.title = text().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
            "file" => {
                form.file = part.data.to_vec();
                form.file_name = part.file_name.clone();
            }
            _ => {}
        }
    }
    Some(form)
}

/// **Upload activity**: a GPX, TCX or FIT file becomes an activity of the
/// athlete's own (the same import and use case as the API's).
pub(super) async fn upload(
    c: web::Data<Console>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    // Only a member's session gets its file read and parsed.
    signed_in(&c, &req, |_, viewer| viewer.org_id().map(drop)).await?;
    let body = match payload.to_bytes_limited(MAX_FILE_BYTES + 64 * 1024).await {
        Ok(Ok(body)) => body,
        _ => return again(&c, &req, format!("Choose a file of at most {} MiB.", MAX_FILE_BYTES / (1024 * 1024))).await,
    };
    let Some(form) = read_upload(&req, &body) else { return Err(PageError::bad_form()) };
    drop(body);
    if form.file.is_empty() {
        return again(&c, &req, "Choose a GPX, TCX or FIT file.".into()).await;
    }
    let UploadForm { csrf, file, file_name, title } = form;
    let imported = web::block(move || {
        roster_import::import(&file, file_name.as_deref()).map(|a| (a, roster_import::file_hash(&file)))
    })
    .await
    .map_err(PageError::internal)?;
    let (activity, hash) = match imported {
        Ok(found) => found,
        Err(e) => return again(&c, &req, crate::form::capitalize(&e.to_string())).await,
    };
    let input = roster_import::activity_input(activity, hash, None, title);
    posted(&c, &req, csrf, move |c, viewer| {
        let me = viewer.user.user_id;
        athlete::create_activity(&c.cx(me), viewer.org_id()?, me, &input)
    })
    .await?;
    Ok(redirect("/me/activities"))
}

/// The upload page again with `error` beside the file field.
async fn again(c: &web::Data<Console>, req: &HttpRequest, error: String) -> Result<HttpResponse, PageError> {
    let page =
        signed_in(c, req, move |_, viewer| Ok(Upload { chrome: viewer.chrome("/me/upload"), error: Some(error) }))
            .await?;
    let mut res = render(&page)?;
    *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}
