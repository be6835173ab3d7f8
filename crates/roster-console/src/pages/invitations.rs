//! **Invitations**: pending, accepted, expired, revoked and used-up ones,
//! newest first, filtered by status, 50 a page; per pending row **Copy
//! link** (a page with the link, derived again by the server), **Resend** (an
//! e-mail invitation: a new link is e-mailed and shown with **Copy link**)
//! and **Revoke**, where the policy allows. The use cases are the API's
//! (`services::invitations`).

use super::athletes::Choice;
use crate::form::{Outcome, redirect};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::invitation::{Invitation, InvitationFilter, InvitationKind, InvitationStatus};
use roster_domain::policy::{Action, Target};
use roster_domain::services::invitations;
use roster_domain::{Clock, DomainError, InvitationId};
use serde::Deserialize;

const PAGE_SIZE: u32 = 50;

/// The filters and the page, as the URL holds them.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: String,
    sent: Option<String>,
    revoked: Option<String>,
}

pub(super) struct Row {
    invitation_id: String,
    who: String,
    kind: String,
    status: &'static str,
    sent: String,
    expires: String,
    may_copy: bool,
    may_resend: bool,
    may_revoke: bool,
}

#[derive(Template)]
#[template(path = "invitations.html")]
struct InvitationsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    status_choices: Vec<Choice>,
    status: String,
    /// The next page's address, if there is one.
    next: Option<String>,
    notice: Option<String>,
    /// A link just made by **Resend**: shown this once.
    created_link: Option<String>,
    may_invite: bool,
    no_errors: crate::form::Errors,
}

fn who(i: &Invitation) -> String {
    match (&i.first_name, &i.email, &i.name) {
        (Some(f), Some(e), _) => format!("{} <{}>", f.as_str(), e.as_str()),
        (_, _, Some(n)) => n.as_str().to_owned(),
        _ => "Invite link".to_owned(),
    }
}

fn kind(i: &Invitation) -> String {
    match i.kind {
        InvitationKind::SingleUse => "E-mail".to_owned(),
        InvitationKind::MultiUse => match i.max_uses {
            Some(max) => format!("Link, used {} of {max}", i.use_count),
            None => format!("Link, used {}", i.use_count),
        },
    }
}

fn page_data(c: &Console, viewer: &Viewer, q: &ListQuery) -> Result<InvitationsPage, DomainError> {
    let now = c.clock.now();
    let status = q.status.parse::<InvitationStatus>().ok();
    let filter =
        InvitationFilter { status, kind: None, before: q.before.parse::<InvitationId>().ok(), limit: PAGE_SIZE, now };
    let (list, more) = invitations::list(&c.cx(viewer.user.user_id), viewer.org_id()?, &filter)?;
    let next = more.then(|| list.last()).flatten().map(|last| {
        let status = status.map(|s| format!("status={}&", s.as_str())).unwrap_or_default();
        format!("/invitations?{status}before={}", last.invitation_id)
    });
    let rows = list
        .iter()
        .map(|i| {
            let status = i.status_at(now);
            let live = status == InvitationStatus::Pending;
            Row {
                invitation_id: i.invitation_id.to_string(),
                who: who(i),
                kind: kind(i),
                status: status.as_str(),
                sent: i.last_sent_at.unwrap_or(i.created_at).format("%Y-%m-%d").to_string(),
                expires: i.expires_at.map_or_else(|| "Never".into(), |e| e.format("%Y-%m-%d").to_string()),
                may_copy: live && viewer.may(Action::ShowInvitationLink, Target::Invitation(i.role)),
                may_resend: live
                    && i.kind == InvitationKind::SingleUse
                    && viewer.may(Action::ResendInvitation, Target::Invitation(i.role)),
                may_revoke: live && viewer.may(Action::RevokeInvitation, Target::Invitation(i.role)),
            }
        })
        .collect();
    let mut status_choices = vec![Choice { value: String::new(), label: "Any status".into() }];
    for s in [
        InvitationStatus::Pending,
        InvitationStatus::Accepted,
        InvitationStatus::Expired,
        InvitationStatus::Revoked,
        InvitationStatus::Exhausted,
    ] {
        status_choices.push(Choice { value: s.as_str().to_owned(), label: s.as_str().to_owned() });
    }
    Ok(InvitationsPage {
        chrome: viewer.chrome("/invitations"),
        rows,
        status_choices,
        status: status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        next,
        notice: None,
        created_link: None,
        may_invite: viewer.may(Action::CreateJoinLink, Target::Organization),
        no_errors: crate::form::Errors::none(),
    })
}

pub(super) async fn list(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let q = q.into_inner();
    let page = signed_in(&c, &req, move |c, viewer| {
        let mut page = page_data(c, &viewer, &q)?;
        page.notice = if q.sent.is_some() {
            Some("Invitation sent.".into())
        } else if q.revoked.is_some() {
            Some("The invitation was revoked: its link no longer works.".into())
        } else {
            None
        };
        Ok(page)
    })
    .await?;
    render(&page)
}

fn invitation_id(path: &str) -> Result<InvitationId, PageError> {
    path.parse().map_err(|_| PageError::not_found())
}

pub(super) async fn resend(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<super::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let id = invitation_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let base = &c.config.public_base_url;
        let issued = invitations::resend(&c.cx(me), &c.links, org_id, id, base)?;
        let mut page = page_data(c, &viewer, &ListQuery::default())?;
        page.notice = Some(format!(
            "The invitation was sent again to {}. The link sent before no longer works.",
            issued.invitation.email.as_ref().map_or("", |e| e.as_str())
        ));
        page.created_link = Some(issued.token.link(base));
        Ok(Outcome::Show(page))
    })
    .await?
    .respond()
}

#[derive(Template)]
#[template(path = "invitation_link.html")]
struct LinkPage {
    chrome: Chrome,
    invitation_id: String,
    who: String,
    kind: String,
    expires: String,
    /// The link, or `None` when this server cannot derive it again.
    link: Option<String>,
    may_resend: bool,
    may_create_link: bool,
}

/// **Copy link**: a pending invitation's link on a page of its own, so it
/// can be copied with scripts off too. A link that cannot be derived again
/// (made before nonces were kept, or under another server secret) gets a
/// `409` page that says what to do instead.
pub(super) async fn link(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = invitation_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let base = &c.config.public_base_url;
        let link = match invitations::link(&c.cx(me), &c.links, org_id, id, base) {
            Ok(link) => Some(link),
            Err(DomainError::LinkUnavailable) => None,
            Err(other) => return Err(other),
        };
        let i = invitations::get(&c.cx(me), org_id, id)?;
        Ok(LinkPage {
            chrome: viewer.chrome("/invitations"),
            invitation_id: i.invitation_id.to_string(),
            who: who(&i),
            kind: kind(&i),
            expires: i.expires_at.map_or_else(|| "never".into(), |e| e.format("%Y-%m-%d").to_string()),
            link,
            may_resend: i.kind == InvitationKind::SingleUse
                && viewer.may(Action::ResendInvitation, Target::Invitation(i.role)),
            may_create_link: i.kind == InvitationKind::MultiUse
                && viewer.may(Action::CreateJoinLink, Target::Organization),
        })
    })
    .await?;
    let mut response = render(&page)?;
    if page.link.is_none() {
        *response.status_mut() = actix_web::http::StatusCode::CONFLICT;
    }
    Ok(response)
}

pub(super) async fn revoke(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<super::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let id = invitation_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        invitations::revoke(&c.cx(viewer.user.user_id), viewer.org_id()?, id)
    })
    .await?;
    Ok(redirect("/invitations?revoked=1"))
}
