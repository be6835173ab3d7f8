//! The athlete's own pages: **My club** (their profile as they may see it),
//! **My activities** and **Leave club**.

use super::auth::CsrfForm;
use super::profile::profile_data;
use crate::form::redirect;
use crate::view::{Chrome, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::services::{athlete, members};

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
        let (list, _) = athlete::activities(&c.store, &c.store, me, viewer.org_id()?, me, None, 50)?;
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
        Ok(Leave { chrome: viewer.chrome("/me"), org_name: viewer.org()?.org_name.clone() })
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
        members::remove(&c.store, &c.store, &c.clock, me, viewer.org_id()?, me)
    })
    .await?;
    Ok(redirect("/"))
}
