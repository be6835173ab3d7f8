//! **Training plans**: the library, **Create plan**, a plan's page with its
//! details form (name, description, sport, level, weeks; a stale save is
//! refused by the version the form carries), its workouts (in
//! `plan_workouts`) and **Archive** behind a confirmation page. The use
//! cases are the API's (`services::plans`); `PlanContent` checks the plan.

use super::athletes::Choice;
use super::plan_workouts::WorkoutRow;
use crate::form::{Errors, Outcome, redirect};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::error::{FieldError, FieldErrors};
use roster_domain::plans::{PlanContent, PlanFilter, PlanLevel, PlanName, TrainingPlan};
use roster_domain::policy::{Action, Target};
use roster_domain::services::plans;
use roster_domain::values::Description;
use roster_domain::{Conflict, DomainError, PlanId, Sport};
use serde::Deserialize;

const FIELDS: &[&str] = &["name", "description", "sport", "level", "duration_weeks"];

/// The plan form as typed (create and edit).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct PlanForm {
    pub csrf: String,
    pub name: String,
    pub description: String,
    pub sport: String,
    pub level: String,
    pub duration_weeks: String,
    pub version: i64,
}

impl PlanForm {
    fn of(plan: &TrainingPlan) -> Self {
        let p = &plan.content;
        Self {
            csrf: String::new(),
            name: p.name.as_str().to_owned(),
            description: p.description.as_str().to_owned(),
            sport: p.sport.as_str().to_owned(),
            level: p.level.map(|l| l.as_str().to_owned()).unwrap_or_default(),
            duration_weeks: p.duration_weeks.to_string(),
            version: plan.version,
        }
    }

    /// The plan these fields describe, with `workouts`; every bad field is reported.
    fn content(&self, workouts: Vec<roster_domain::plans::Workout>) -> Result<PlanContent, DomainError> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", PlanName::parse(&self.name));
        let description = errors.check("description", Description::parse(&self.description));
        let sport = self
            .sport
            .parse::<Sport>()
            .map_err(|e| errors.push(FieldError::new("sport", "invalid_sport", e.to_string())))
            .ok();
        let level = match self.level.as_str() {
            "" => Some(None),
            l => errors.check("level", l.parse::<PlanLevel>()).map(Some),
        };
        let weeks = self.duration_weeks.trim().parse::<i64>().map_err(|_| {
            errors.push(FieldError::new("duration_weeks", "invalid_number", "weeks must be a whole number, 1–104"));
        });
        errors.finish()?;
        let (Some(name), Some(description), Some(sport), Some(level), Ok(weeks)) =
            (name, description, sport, level, weeks)
        else {
            return Err(DomainError::Validation(Vec::new()));
        };
        PlanContent::new(name, description, sport, level, weeks, workouts)
    }
}

/// A plan form's errors: a workout left outside a shortened plan is told
/// beside the weeks.
fn plan_errors(e: DomainError) -> Result<Errors, DomainError> {
    match e {
        DomainError::Validation(list) => {
            let list = list
                .into_iter()
                .map(|f| match f.field.strip_prefix("workouts[").and_then(|r| r.split_once("].week")) {
                    Some((i, _)) => FieldError::new(
                        "duration_weeks",
                        f.code,
                        format!(
                            "workout {} lies past the last week: move or remove it first",
                            i.parse::<usize>().unwrap_or(0) + 1
                        ),
                    ),
                    None => f,
                })
                .collect();
            Ok(Errors::for_fields(list, FIELDS))
        }
        other => Errors::from_domain(other, FIELDS),
    }
}

fn sport_choices() -> Vec<Choice> {
    Sport::ALL.iter().map(|s| Choice { value: s.as_str().to_owned(), label: s.as_str().to_owned() }).collect()
}

fn level_choices() -> Vec<Choice> {
    let mut out = vec![Choice { value: String::new(), label: "Not stated".into() }];
    out.extend(
        [PlanLevel::Beginner, PlanLevel::Intermediate, PlanLevel::Advanced]
            .iter()
            .map(|l| Choice { value: l.as_str().to_owned(), label: l.as_str().to_owned() }),
    );
    out
}

/// A plan as a row of the library.
pub(super) struct PlanRow {
    plan_id: String,
    name: String,
    sport: &'static str,
    level: &'static str,
    weeks: u32,
    workouts: usize,
    archived: bool,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct Library {
    chrome: Chrome,
    rows: Vec<PlanRow>,
    may_create: bool,
    form: PlanForm,
    errors: Errors,
    sports: Vec<Choice>,
    levels: Vec<Choice>,
    archived_notice: bool,
}

fn library(c: &Console, viewer: &Viewer, form: PlanForm, errors: Errors) -> Result<Library, DomainError> {
    let filter = PlanFilter { limit: 200, include_archived: true, ..PlanFilter::default() };
    let list = plans::list_plans(&c.cx(viewer.user.user_id), viewer.org_id()?, filter)?;
    let rows = list
        .into_iter()
        .map(|p| PlanRow {
            plan_id: p.plan_id.to_string(),
            name: p.content.name.as_str().to_owned(),
            sport: p.content.sport.as_str(),
            level: p.content.level.map_or("", PlanLevel::as_str),
            weeks: p.content.duration_weeks,
            workouts: p.content.workouts.len(),
            archived: p.archived_at.is_some(),
        })
        .collect();
    Ok(Library {
        chrome: viewer.chrome("/plans"),
        rows,
        may_create: viewer.may(Action::CreatePlan, Target::Organization),
        form,
        errors,
        sports: sport_choices(),
        levels: level_choices(),
        archived_notice: false,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

pub(super) async fn list(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let archived = q.done.as_deref() == Some("archived");
    let page = signed_in(&c, &req, move |c, viewer| {
        let form = PlanForm { sport: "run".into(), duration_weeks: "4".into(), ..PlanForm::default() };
        let mut page = library(c, &viewer, form, Errors::none())?;
        page.archived_notice = archived;
        Ok(page)
    })
    .await?;
    render(&page)
}

pub(super) async fn create(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        match form.content(Vec::new()).and_then(|content| plans::create_plan(&c.cx(me), org_id, content)) {
            Ok(plan) => Ok(Outcome::Redirect(format!("/plans/{}?done=created", plan.plan_id))),
            Err(e) => {
                let errors = plan_errors(e)?;
                Ok(Outcome::Again(library(c, &viewer, form, errors)?))
            }
        }
    })
    .await?
    .respond()
}

/// A plan's page.
#[derive(Template)]
#[template(path = "plan.html")]
pub(super) struct PlanPage {
    chrome: Chrome,
    plan_id: String,
    name: String,
    description: String,
    sport: &'static str,
    level: &'static str,
    weeks: u32,
    archived: Option<String>,
    may_edit: bool,
    version: i64,
    form: PlanForm,
    errors: Errors,
    /// After a stale save: the values someone else saved.
    theirs: Option<PlanForm>,
    sports: Vec<Choice>,
    levels: Vec<Choice>,
    pub(super) workouts: Vec<WorkoutRow>,
    pub(super) new_workout: WorkoutRow,
    notice: Option<&'static str>,
    /// A refusal about the workouts as a whole (a stale edit).
    pub(super) alert: Option<String>,
}

pub(super) fn plan_id(path: &str) -> Result<PlanId, PageError> {
    path.parse().map_err(|_| PageError::not_found())
}

/// The plan's page as stored; the callers put a form's input and errors in.
pub(super) fn plan_page(c: &Console, viewer: &Viewer, plan_id: PlanId) -> Result<PlanPage, DomainError> {
    let plan = plans::get_plan(&c.cx(viewer.user.user_id), viewer.org_id()?, plan_id)?;
    let may_edit = viewer.may(Action::EditPlan, Target::Plan { author: plan.created_by, held_by_caller: false });
    let p = &plan.content;
    Ok(PlanPage {
        chrome: viewer.chrome("/plans"),
        plan_id: plan_id.to_string(),
        name: p.name.as_str().to_owned(),
        description: p.description.as_str().to_owned(),
        sport: p.sport.as_str(),
        level: p.level.map_or("Not stated", PlanLevel::as_str),
        weeks: p.duration_weeks,
        archived: plan.archived_at.map(|a| a.format("%Y-%m-%d").to_string()),
        may_edit,
        version: plan.version,
        form: PlanForm::of(&plan),
        errors: Errors::none(),
        theirs: None,
        sports: sport_choices(),
        levels: level_choices(),
        workouts: p.workouts.iter().enumerate().map(|(i, w)| WorkoutRow::of(i, w)).collect(),
        new_workout: WorkoutRow::fresh(),
        notice: None,
        alert: None,
    })
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let plan_id = plan_id(&path)?;
    let notice = match q.done.as_deref() {
        Some("created") => Some("The plan was created: add its workouts below."),
        Some("saved") => Some("The plan was saved."),
        Some("workout") => Some("The workouts were saved."),
        Some("archived") => Some("The plan was archived: it can no longer be assigned."),
        _ => None,
    };
    let page = signed_in(&c, &req, move |c, viewer| {
        let mut page = plan_page(c, &viewer, plan_id)?;
        page.notice = notice;
        Ok(page)
    })
    .await?;
    render(&page)
}

pub(super) async fn save(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, PageError> {
    let plan_id = plan_id(&path)?;
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let edit = |old: &PlanContent| form.content(old.workouts.clone());
        match plans::update_plan(&c.cx(me), org_id, plan_id, edit, Some(form.version)) {
            Ok(_) => Ok(Outcome::Redirect(format!("/plans/{plan_id}?done=saved"))),
            Err(DomainError::Conflict(Conflict::VersionMismatch)) => {
                // Someone saved first: their values beside this user's input,
                // which is kept, with their version to save over.
                let mut page = plan_page(c, &viewer, plan_id)?;
                let theirs = page.form.clone();
                page.form = PlanForm { version: theirs.version, ..form };
                page.theirs = Some(theirs);
                page.errors = Errors::one(
                    "",
                    "Someone else saved this plan while you were editing. Their values are shown below; \
                     your input is kept: save again to replace theirs.",
                );
                Ok(Outcome::Again(page))
            }
            Err(e) => {
                let errors = plan_errors(e)?;
                let mut page = plan_page(c, &viewer, plan_id)?;
                page.form = form;
                page.errors = errors;
                Ok(Outcome::Again(page))
            }
        }
    })
    .await?
    .respond()
}

#[derive(Template)]
#[template(path = "plan_archive.html")]
struct ArchivePage {
    chrome: Chrome,
    plan_id: String,
    name: String,
}

pub(super) async fn archive_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let plan_id = plan_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let plan = plans::get_plan(&c.cx(viewer.user.user_id), viewer.org_id()?, plan_id)?;
        viewer.authorize(Action::EditPlan, Target::Plan { author: plan.created_by, held_by_caller: false })?;
        let name = plan.content.name.as_str().to_owned();
        Ok(ArchivePage { chrome: viewer.chrome("/plans"), plan_id: plan_id.to_string(), name })
    })
    .await?;
    render(&page)
}

pub(super) async fn archive(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<super::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let plan_id = plan_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        plans::archive_plan(&c.cx(viewer.user.user_id), viewer.org_id()?, plan_id)
    })
    .await?;
    Ok(redirect(&format!("/plans/{plan_id}?done=archived")))
}
