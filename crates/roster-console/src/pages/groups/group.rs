//! A group's page: **Rename**, members (add by e-mail, remove), **Assign
//! plan** to the group, **Delete group**.

use super::{GroupForm, form_errors, group_id, parse};
use crate::form::{Errors, Outcome, redirect};
use crate::pages::athletes::{Choice, member_name};
use crate::pages::profile::plan_and_start;
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::error::{Conflict, FieldError, FieldErrors};
use roster_domain::groups::{MemberOutcome, Outcome as Assigned};
use roster_domain::member::{MemberView, RosterQuery};
use roster_domain::policy::{Action, Target};
use roster_domain::services::{groups, members};
use roster_domain::{Clock, DomainError, GroupId, UserId};
use serde::Deserialize;

/// **Add athlete**: an e-mail of someone in the club.
#[derive(Debug, Default, Clone, Deserialize)]
pub(in crate::pages) struct MemberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// **Assign plan** to the group.
#[derive(Debug, Default, Clone, Deserialize)]
pub(in crate::pages) struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    start_date: String,
    /// The checkbox: sent (as `on`) only when ticked.
    #[serde(default)]
    later: Option<String>,
}

pub(in crate::pages) struct MemberRow {
    user_id: String,
    name: String,
    email: String,
    role: String,
}

/// The forms of the page as the user sent them, and what to say once.
#[derive(Default)]
struct Forms {
    rename: Option<(GroupForm, Errors)>,
    member: Option<(MemberForm, Errors)>,
    plan: Option<(PlanForm, Errors)>,
    notice: Option<String>,
    outcomes: Vec<String>,
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    chrome: Chrome,
    group_id: String,
    name: String,
    description: String,
    members: Vec<MemberRow>,
    may_manage: bool,
    may_manage_members: bool,
    may_assign: bool,
    form: GroupForm,
    errors: Errors,
    member_form: MemberForm,
    member_errors: Errors,
    plan_choices: Vec<Choice>,
    plan_form: PlanForm,
    plan_errors: Errors,
    notice: Option<String>,
    outcomes: Vec<String>,
}

/// The group's members (the roster filtered by the group).
fn group_members(c: &Console, viewer: &Viewer, group: GroupId) -> Result<Vec<MemberView>, DomainError> {
    let query = RosterQuery { group_id: Some(group), limit: 200, ..RosterQuery::default() };
    Ok(members::list(&c.cx(viewer.user.user_id), viewer.org_id()?, query)?.members)
}

fn page_data(c: &Console, viewer: &Viewer, group: GroupId, forms: Forms) -> Result<GroupPage, DomainError> {
    let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
    let view = groups::get(&c.cx(me), org_id, group)?;
    let g = &view.group;
    let list = group_members(c, viewer, group)?;
    let may_assign = viewer.may(Action::AssignGroupPlan, Target::Organization);
    let plan_choices =
        if may_assign { crate::pages::athletes::plan_choices(c, viewer, Some("Choose a plan"))? } else { Vec::new() };
    let current = GroupForm {
        csrf: String::new(),
        name: g.name.as_str().to_owned(),
        description: g.description.as_str().to_owned(),
        version: g.version,
    };
    let (form, errors) = forms.rename.unwrap_or((current, Errors::none()));
    let (member_form, member_errors) = forms.member.unwrap_or_default();
    let today = c.clock.now().date_naive().to_string();
    let (plan_form, plan_errors) =
        forms.plan.unwrap_or_else(|| (PlanForm { start_date: today, ..PlanForm::default() }, Errors::none()));
    Ok(GroupPage {
        chrome: viewer.chrome("/groups"),
        group_id: group.to_string(),
        name: g.name.as_str().to_owned(),
        description: g.description.as_str().to_owned(),
        members: list
            .iter()
            .map(|m| MemberRow {
                user_id: m.membership.user_id.to_string(),
                name: member_name(m),
                email: m.email.clone(),
                role: m.membership.role.as_str().replace('_', " "),
            })
            .collect(),
        may_manage: viewer.may(Action::ManageGroups, Target::Organization),
        may_manage_members: viewer.may(Action::ManageGroupMembers, Target::Organization),
        may_assign,
        form,
        errors,
        member_form,
        member_errors,
        plan_choices,
        plan_form,
        plan_errors,
        notice: forms.notice,
        outcomes: forms.outcomes,
    })
}

#[derive(Debug, Deserialize)]
pub(in crate::pages) struct PageQuery {
    done: Option<String>,
}

pub(in crate::pages) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let group = group_id(&path)?;
    let notice = match q.done.as_deref() {
        Some("saved") => Some("The group was saved.".to_owned()),
        Some("added") => Some("The athlete was added to the group.".to_owned()),
        Some("removed") => Some("The member was taken out of the group.".to_owned()),
        _ => None,
    };
    let page = signed_in(&c, &req, move |c, viewer| page_data(c, &viewer, group, Forms { notice, ..Forms::default() }))
        .await?;
    render(&page)
}

pub(in crate::pages) async fn rename(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, PageError> {
    let group = group_id(&path)?;
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let saved = parse(&form).and_then(|(name, description)| {
            let version = Some(form.version);
            groups::update(&c.cx(me), org_id, group, Some(name), Some(description), version)
        });
        match saved {
            Ok(_) => Ok(Outcome::Redirect(format!("/groups/{group}?done=saved"))),
            Err(DomainError::Conflict(Conflict::VersionMismatch)) => {
                // Someone saved first: keep this input, over their version.
                let current = groups::get(&c.cx(me), org_id, group)?;
                let mine = GroupForm { version: current.group.version, ..form };
                let errors = Errors::one(
                    "",
                    format!(
                        "Someone else saved this group while you were editing (it is now “{}”). Your input is \
                         kept: save again to replace theirs.",
                        current.group.name.as_str()
                    ),
                );
                let forms = Forms { rename: Some((mine, errors)), ..Forms::default() };
                Ok(Outcome::Again(page_data(c, &viewer, group, forms)?))
            }
            Err(e) => {
                let forms = Forms { rename: Some((form, form_errors(e)?)), ..Forms::default() };
                Ok(Outcome::Again(page_data(c, &viewer, group, forms)?))
            }
        }
    })
    .await?
    .respond()
}

/// The member of the club with this e-mail (the roster's search, then an
/// exact match).
fn member_by_email(c: &Console, viewer: &Viewer, email: &str) -> Result<UserId, DomainError> {
    let wanted = email.trim().to_lowercase();
    let not_found = |message: &str| DomainError::Validation(vec![FieldError::new("email", "unknown_member", message)]);
    if wanted.is_empty() {
        return Err(not_found("enter the e-mail of an athlete of the club"));
    }
    let query = RosterQuery { q: Some(wanted.clone()), limit: 200, ..RosterQuery::default() };
    let page = members::list(&c.cx(viewer.user.user_id), viewer.org_id()?, query)?;
    page.members
        .iter()
        .find(|m| m.email.to_lowercase() == wanted)
        .map(|m| m.membership.user_id)
        .ok_or_else(|| not_found("nobody in the club has this e-mail"))
}

pub(in crate::pages) async fn add_member(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, PageError> {
    let group = group_id(&path)?;
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let added = member_by_email(c, &viewer, &form.email)
            .and_then(|user| groups::add_member(&c.cx(me), org_id, group, user));
        match added {
            Ok(()) => Ok(Outcome::Redirect(format!("/groups/{group}?done=added"))),
            Err(e) => {
                let forms = Forms { member: Some((form, Errors::from_domain(e, &["email"])?)), ..Forms::default() };
                Ok(Outcome::Again(page_data(c, &viewer, group, forms)?))
            }
        }
    })
    .await?
    .respond()
}

pub(in crate::pages) async fn remove_member(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<crate::pages::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let (group, user) = path.into_inner();
    let group = group_id(&group)?;
    let user: UserId = user.parse().map_err(|_| PageError::not_found())?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        groups::remove_member(&c.cx(viewer.user.user_id), viewer.org_id()?, group, user)
    })
    .await?;
    Ok(redirect(&format!("/groups/{group}?done=removed")))
}

/// One line per member the assignment left out, with the reason in words.
fn outcome_lines(results: &[MemberOutcome], names: &[MemberView]) -> (usize, Vec<String>) {
    let assigned = results.iter().filter(|r| r.outcome == Assigned::Assigned).count();
    let skipped = results
        .iter()
        .filter(|r| r.outcome == Assigned::Skipped)
        .map(|r| {
            let who = names
                .iter()
                .find(|m| m.membership.user_id == r.user_id)
                .map_or_else(|| r.user_id.to_string(), member_name);
            let why = match r.code {
                Some("already_assigned") => "already has this plan from this date",
                Some("not_assigned_to_you") => "not assigned to you",
                Some("not_an_athlete") => "not an athlete",
                Some("plan_assignment_overlap") => "has another plan in these dates",
                Some(other) => other,
                None => "skipped",
            };
            format!("{who}: {why}")
        })
        .collect();
    (assigned, skipped)
}

pub(in crate::pages) async fn assign_plan(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, PageError> {
    let group = group_id(&path)?;
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let mut errors = FieldErrors::new();
        let picked = plan_and_start(&mut errors, &form.plan, &form.start_date);
        let later = form.later.is_some();
        let assigned = errors.finish().and_then(|()| match picked {
            Some((plan, start)) => groups::assign_plan(&c.cx(me), org_id, group, plan, start, later),
            None => Err(DomainError::Validation(Vec::new())),
        });
        match assigned {
            Ok(results) => {
                let names = group_members(c, &viewer, group)?;
                let (count, outcomes) = outcome_lines(&results, &names);
                let mut notice = format!("The plan was assigned to {count} of {} members of the group.", results.len());
                if later {
                    notice.push_str(" Athletes who join the group later get it too.");
                }
                let forms = Forms { notice: Some(notice), outcomes, ..Forms::default() };
                Ok(Outcome::Show(page_data(c, &viewer, group, forms)?))
            }
            Err(e) => {
                let errors = Errors::from_domain(e, &["plan", "start_date"])?;
                let forms = Forms { plan: Some((form, errors)), ..Forms::default() };
                Ok(Outcome::Again(page_data(c, &viewer, group, forms)?))
            }
        }
    })
    .await?
    .respond()
}

#[derive(Template)]
#[template(path = "group_delete.html")]
struct DeletePage {
    chrome: Chrome,
    group_id: String,
    name: String,
    members: i64,
}

pub(in crate::pages) async fn delete_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let group = group_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        viewer.authorize(Action::ManageGroups, Target::Organization)?;
        let view = groups::get(&c.cx(viewer.user.user_id), viewer.org_id()?, group)?;
        Ok(DeletePage {
            chrome: viewer.chrome("/groups"),
            group_id: group.to_string(),
            name: view.group.name.as_str().to_owned(),
            members: view.member_count,
        })
    })
    .await?;
    render(&page)
}

pub(in crate::pages) async fn delete(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<crate::pages::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let group = group_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        groups::delete(&c.cx(viewer.user.user_id), viewer.org_id()?, group)
    })
    .await?;
    Ok(redirect("/groups?deleted=1"))
}
