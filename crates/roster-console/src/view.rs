//! Who is looking (the session's account and its organization) and the
//! page chrome every signed-in page shares: the sidebar, the CSRF token.

use crate::session::{self, SESSION_COOKIE};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use roster_domain::entities::{Membership, MembershipSummary, NamedMembership, User};
use roster_domain::policy::{Action, Actor, Caller, Target, authorize};
use roster_domain::services::sessions;
use roster_domain::{DomainError, OrgId, Role, SessionId};

/// The signed-in account, the session and the organization the console shows.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The account.
    pub user: User,
    /// The session.
    pub session_id: SessionId,
    /// The session cookie's secret (the CSRF token derives from it).
    secret: String,
    /// The organization shown: the one the account heads or coaches in,
    /// else the first it is an athlete of.
    pub org: Option<MembershipSummary>,
    /// The live membership there, looked up once for the page's use cases.
    membership: Option<Membership>,
}

impl Viewer {
    /// The organization shown, or the "Create your club" page's refusal.
    pub fn org(&self) -> Result<&MembershipSummary, DomainError> {
        self.org.as_ref().ok_or(DomainError::NotFound("organization"))
    }

    /// The organization's id.
    pub fn org_id(&self) -> Result<OrgId, DomainError> {
        Ok(self.org()?.org_id)
    }

    /// The viewer as the use cases' caller: with the membership the page
    /// looked up, so that each use case need not look it up again.
    pub fn caller(&self) -> Caller {
        match &self.membership {
            Some(m) => Caller::Member(m.clone()),
            None => Caller::Account(self.user.user_id),
        }
    }

    /// The viewer as an actor of their organization, for the decisions about
    /// which controls to show.
    fn actor(&self) -> Actor {
        match &self.membership {
            Some(m) => Actor::Member(m.clone()),
            None => Actor::Outsider(self.user.user_id),
        }
    }

    /// Whether the viewer may do `action` about `target`: which controls to
    /// show (the use case behind each decides again).
    pub fn may(&self, action: Action, target: Target<'_>) -> bool {
        authorize(&self.actor(), action, target).is_ok()
    }

    /// The policy's refusal of `action` about `target`, for a page only
    /// those who may act see (the use case behind it decides again).
    pub fn authorize(&self, action: Action, target: Target<'_>) -> Result<(), DomainError> {
        Ok(authorize(&self.actor(), action, target)?)
    }

    /// Whether the viewer coaches in their organization.
    pub fn is_coach(&self) -> bool {
        self.org.as_ref().is_some_and(|m| m.role.is_coach())
    }

    /// This session's CSRF token.
    pub fn csrf(&self) -> String {
        session::csrf_token(&self.secret)
    }

    /// The page chrome with `current` marked in the sidebar.
    pub fn chrome(&self, current: &'static str) -> Chrome {
        let name =
            format!("{} {}", self.user.first_name.as_str(), self.user.last_name.as_ref().map_or("", |l| l.as_str()));
        Chrome {
            css: crate::assets::url("console.css"),
            js: crate::assets::url("console.js"),
            csrf: self.csrf(),
            user_name: name.trim().to_owned(),
            org_name: self.org.as_ref().map(|m| m.org_name.clone()),
            nav: nav(self, current),
        }
    }
}

/// One sidebar link.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Its text.
    pub label: &'static str,
    /// The page shown.
    pub current: bool,
}

/// What every signed-in page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The stylesheet's URL.
    pub css: &'static str,
    /// The script's URL.
    pub js: &'static str,
    /// The session's CSRF token for the page's forms.
    pub csrf: String,
    /// Who is signed in.
    pub user_name: String,
    /// Their organization.
    pub org_name: Option<String>,
    /// The sidebar.
    pub nav: Vec<NavItem>,
}

fn nav(viewer: &Viewer, current: &'static str) -> Vec<NavItem> {
    let items: &[(&str, &str)] = match viewer.org.as_ref().map(|m| m.role) {
        None => &[("/club/new", "Create your club"), ("/account", "Account")],
        Some(Role::Athlete) => &[
            ("/me", "My club"),
            ("/me/activities", "My activities"),
            ("/me/calendar", "My calendar"),
            ("/me/upload", "Upload activity"),
            ("/me/goal-race", "My goal race"),
            ("/me/zones", "My zones"),
            ("/me/integrations", "My integrations"),
            ("/me/leave", "Leave club"),
            ("/account", "Account"),
        ],
        Some(_) => &[
            ("/athletes", "Athletes"),
            ("/attention", "Needs attention"),
            ("/groups", "Groups"),
            ("/plans", "Training plans"),
            ("/invitations", "Invitations"),
            ("/coaches", "Coaches"),
            ("/audit", "Audit log"),
            ("/settings", "Settings"),
            ("/account", "Account"),
        ],
    };
    // The audit log is the head coach's to read (policy): others get no link to a refusal.
    let shown = |href: &str| href != "/audit" || viewer.may(Action::ReadAuditTrail, Target::Organization);
    items
        .iter()
        .filter(|(href, _)| shown(href))
        .map(|&(href, label)| NavItem { href, label, current: href == current })
        .collect()
}

/// The viewer of the request's session, on the use case's connection: one
/// lookup of the session with its account and memberships.
fn viewer(c: &Console, secret: String) -> Result<Viewer, DomainError> {
    let sessions::SignedIn { user, session_id, home } = sessions::session_of_cookie(&c.store, &c.clock, &secret)?;
    let org = home.as_ref().map(NamedMembership::summary);
    let membership = home.map(|h| h.membership);
    Ok(Viewer { user, session_id, secret, org, membership })
}

fn next_of(req: &HttpRequest) -> String {
    let uri = req.uri();
    uri.path_and_query().map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

/// Runs `f` as the request's signed-in viewer (one blocking task, one
/// pooled connection); no live session sends the browser to sign in.
pub async fn signed_in<T, F>(c: &web::Data<Console>, req: &HttpRequest, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&Console, Viewer) -> Result<T, DomainError> + Send + 'static,
{
    let next = next_of(req);
    let sign_in =
        || PageError::SignIn(if req.method() == actix_web::http::Method::GET { next.clone() } else { "/".into() });
    let Some(secret) = session::cookie(req, SESSION_COOKIE) else { return Err(sign_in()) };
    crate::run(c, move |c| {
        let viewer = viewer(c, secret)?;
        f(c, viewer)
    })
    .await
    .map_err(|e| match e {
        PageError::SignIn(_) => sign_in(),
        other => other,
    })
}

/// [`signed_in`] for a form post: refused unless `csrf` is this session's token.
pub async fn posted<T, F>(c: &web::Data<Console>, req: &HttpRequest, csrf: String, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&Console, Viewer) -> Result<T, DomainError> + Send + 'static,
{
    let checked =
        signed_in(c, req, move |c, viewer| Ok(session::same_token(&viewer.csrf(), &csrf).then(|| f(c, viewer))))
            .await?;
    match checked {
        Some(result) => result.map_err(PageError::from),
        None => Err(PageError::bad_form()),
    }
}

/// An HTML answer.
pub fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// Renders a template into an HTML answer.
pub fn render(page: &impl askama::Template) -> Result<HttpResponse, PageError> {
    page.render().map(html).map_err(PageError::internal)
}
