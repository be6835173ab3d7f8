//! The other sidebar pages, read-only for now: **Training plans** and
//! **Coaches**. Each is a table over the use case the API serves the same
//! list with.

use super::athletes::person_name;
use crate::view::{Chrome, Viewer, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::DomainError;
use roster_domain::plans::PlanFilter;
use roster_domain::services::{coaches, plans};

#[derive(Template)]
#[template(path = "list.html")]
struct List {
    chrome: Chrome,
    title: &'static str,
    intro: String,
    notice: Option<&'static str>,
    columns: &'static [&'static str],
    rows: Vec<Vec<String>>,
    empty: &'static str,
}

type Table = (String, Vec<Vec<String>>);

async fn list_page(
    c: web::Data<Console>,
    req: HttpRequest,
    (href, title, columns, empty): (&'static str, &'static str, &'static [&'static str], &'static str),
    rows: impl FnOnce(&Console, &Viewer) -> Result<Table, DomainError> + Send + 'static,
) -> Result<HttpResponse, PageError> {
    let notice = req.query_string().contains("sent=1").then_some("Invitation sent.");
    let page = signed_in(&c, &req, move |c, viewer| {
        let (intro, rows) = rows(c, &viewer)?;
        Ok(List { chrome: viewer.chrome(href), title, intro, notice, columns, rows, empty })
    })
    .await?;
    render(&page)
}

pub(super) async fn plans(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let meta = ("/plans", "Training plans", &["Name", "Sport", "Weeks", "Workouts"][..], "No training plans yet.");
    list_page(c, req, meta, |c, v| {
        let list = plans::list_plans(
            &c.store,
            &c.store,
            v.user.user_id,
            v.org_id()?,
            PlanFilter { limit: 200, ..PlanFilter::default() },
        )?;
        let rows = list
            .into_iter()
            .map(|p| {
                let content = p.content;
                vec![
                    content.name.as_str().to_owned(),
                    content.sport.to_string(),
                    content.duration_weeks.to_string(),
                    content.workouts.len().to_string(),
                ]
            })
            .collect();
        Ok(("The plan library.".into(), rows))
    })
    .await
}

pub(super) async fn coaches(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let meta = ("/coaches", "Coaches", &["Name", "E-mail", "Role", "Athletes"][..], "No coaches.");
    list_page(c, req, meta, |c, v| {
        let list = coaches::list(&c.store, v.user.user_id, v.org_id()?)?;
        let rows = list
            .into_iter()
            .map(|c| {
                vec![
                    person_name(&c.first_name, c.last_name.as_deref()),
                    c.email,
                    c.role.as_str().replace('_', " "),
                    c.assigned_athletes.to_string(),
                ]
            })
            .collect();
        Ok(("The club's coaches and how many athletes each looks after.".into(), rows))
    })
    .await
}
