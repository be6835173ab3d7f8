//! The other sidebar pages, read-only for now: **Groups**,
//! **Invitations**, **Audit log**. Each is a table
//! over the use case the API serves the same list with.

use super::athletes::person_name;
use crate::view::{Chrome, Viewer, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::entities::AuditFilter;
use roster_domain::invitation::{InvitationFilter, InvitationKind};
use roster_domain::services::{audit, coaches, groups, invitations};
use roster_domain::{Clock, DomainError};

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

pub(super) async fn groups(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let meta = ("/groups", "Groups", &["Name", "Description", "Members"][..], "No groups yet.");
    list_page(c, req, meta, |c, v| {
        let list = groups::list(&c.store, &c.store, v.user.user_id, v.org_id()?, None, 200)?;
        let rows = list
            .into_iter()
            .map(|g| {
                vec![
                    g.group.name.as_str().to_owned(),
                    g.group.description.as_str().to_owned(),
                    g.member_count.to_string(),
                ]
            })
            .collect();
        Ok(("Groups of athletes who train together.".into(), rows))
    })
    .await
}

pub(super) async fn invitations(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let meta =
        ("/invitations", "Invitations", &["Who", "Kind", "Status", "Sent", "Expires"][..], "No invitations yet.");
    list_page(c, req, meta, |c, v| {
        let now = c.clock.now();
        let filter = InvitationFilter { status: None, kind: None, before: None, limit: 100, now };
        let (list, _) = invitations::list(&c.store, &c.store, v.user.user_id, v.org_id()?, &filter)?;
        let rows = list
            .into_iter()
            .map(|i| {
                let who = match (&i.first_name, &i.email, &i.name) {
                    (Some(f), Some(e), _) => format!("{} <{}>", f.as_str(), e.as_str()),
                    (_, _, Some(n)) => n.as_str().to_owned(),
                    _ => "Invite link".to_owned(),
                };
                let kind = match i.kind {
                    InvitationKind::SingleUse => "E-mail".to_owned(),
                    InvitationKind::MultiUse => format!("Link, used {}", i.use_count),
                };
                vec![
                    who,
                    kind,
                    i.status_at(now).as_str().to_owned(),
                    i.created_at.format("%Y-%m-%d").to_string(),
                    i.expires_at.map_or_else(|| "Never".into(), |e| e.format("%Y-%m-%d").to_string()),
                ]
            })
            .collect();
        Ok(("Invitations to join the club, newest first.".into(), rows))
    })
    .await
}

pub(super) async fn audit(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let meta = ("/audit", "Audit log", &["When", "Action", "By", "About"][..], "Nothing recorded yet.");
    list_page(c, req, meta, |c, v| {
        let (me, org_id) = (v.user.user_id, v.org_id()?);
        let (events, _) =
            audit::list(&c.store, &c.store, me, org_id, &AuditFilter { limit: 100, ..AuditFilter::default() })?;
        let people = coaches::list(&c.store, me, org_id)?;
        let who = |id: roster_domain::UserId| {
            if id == roster_domain::attention::roster_itself() {
                return "roster".to_owned();
            }
            people
                .iter()
                .find(|p| p.user_id == id)
                .map_or_else(|| id.to_string(), |p| person_name(&p.first_name, p.last_name.as_deref()))
        };
        let rows = events
            .into_iter()
            .map(|e| {
                vec![
                    e.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    e.action.clone(),
                    who(e.actor_user_id),
                    e.subject_user_id.map(who).unwrap_or_default(),
                ]
            })
            .collect();
        Ok(("Every change made in the club, newest first.".into(), rows))
    })
    .await
}
