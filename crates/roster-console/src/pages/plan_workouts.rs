//! A plan's workouts on its page: one form per workout (save or remove) and
//! an **Add workout** form. Each post changes the plan through the API's
//! `update_plan`, so `PlanContent` checks the result; an edit or removal
//! names its workout by position, so it carries the plan's version and a
//! plan changed meanwhile is refused (`version_mismatch`), never edited at
//! the wrong row.

use super::plans::{PlanPage, plan_id, plan_page};
use crate::form::{Errors, Outcome};
use crate::view::posted;
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use roster_domain::error::FieldError;
use roster_domain::plans::{PlanContent, Workout};
use roster_domain::services::plans;
use roster_domain::{Conflict, DomainError, PlanId};
use serde::Deserialize;

/// A row's fields, as the form names them.
const ROW_FIELDS: &[&str] = &["week", "day", "title", "kind", "distance", "duration", "notes"];

/// One workout's form: as stored, or as typed with its errors.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct WorkoutForm {
    pub csrf: String,
    pub version: Option<i64>,
    pub week: String,
    pub day: String,
    pub title: String,
    pub kind: String,
    /// Kilometres.
    pub distance: String,
    /// Minutes.
    pub duration: String,
    pub notes: String,
}

/// A workout on the plan's page.
#[derive(Debug, Clone)]
pub(super) struct WorkoutRow {
    /// Its position in the plan (`None`: the Add workout form).
    pub index: Option<usize>,
    /// The prefix of its fields' ids (`w3`, `new`).
    pub id: String,
    pub form: WorkoutForm,
    pub errors: Errors,
}

/// A number as the form shows it: no trailing zeros.
fn short(n: f64) -> String {
    let text = format!("{n:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl WorkoutRow {
    pub(super) fn of(index: usize, w: &Workout) -> Self {
        let form = WorkoutForm {
            week: w.week.to_string(),
            day: w.day.to_string(),
            title: w.title.clone(),
            kind: w.kind.clone().unwrap_or_default(),
            distance: w.distance_m.map(|m| short(m as f64 / 1000.0)).unwrap_or_default(),
            duration: w.duration_s.map(|s| short(s as f64 / 60.0)).unwrap_or_default(),
            notes: w.notes.clone().unwrap_or_default(),
            ..WorkoutForm::default()
        };
        Self { index: Some(index), id: format!("w{index}"), form, errors: Errors::none() }
    }

    pub(super) fn fresh() -> Self {
        let form = WorkoutForm { week: "1".into(), day: "1".into(), ..WorkoutForm::default() };
        Self { index: None, id: "new".into(), form, errors: Errors::none() }
    }

    /// A heading for screen readers and the eye: "Week 1, Monday: Easy run".
    pub(super) fn heading(&self) -> String {
        format!("Week {}, {}: {}", self.form.week, self.day_name(), self.form.title)
    }

    /// The day's name ("day ?" for a bad one).
    pub(super) fn day_name(&self) -> &'static str {
        self.form.day.parse::<usize>().ok().and_then(|d| DAYS.get(d.wrapping_sub(1))).copied().unwrap_or("day ?")
    }

    /// The day choices, 1 = Monday.
    pub(super) fn days(&self) -> Vec<(String, &'static str)> {
        DAYS.iter().enumerate().map(|(i, d)| ((i + 1).to_string(), *d)).collect()
    }
}

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// An optional number of `unit`s as a whole number of base units.
fn amount(text: &str, field: &str, per_unit: f64, errors: &mut Vec<FieldError>) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 && n * per_unit <= i64::MAX as f64 => Some((n * per_unit).round() as i64),
        _ => {
            errors.push(FieldError::new(field, "invalid_number", "use a number such as 10 or 7.5"));
            None
        }
    }
}

impl WorkoutForm {
    /// The workout typed; numbers that are not numbers are told here, the
    /// rest by `PlanContent`.
    fn workout(&self) -> Result<Workout, DomainError> {
        let mut errors = Vec::new();
        let mut whole = |text: &str, field: &str| {
            text.trim().parse::<i64>().unwrap_or_else(|_| {
                errors.push(FieldError::new(field, "invalid_number", format!("{field} must be a whole number")));
                0
            })
        };
        let (week, day) = (whole(&self.week, "week"), whole(&self.day, "day"));
        let distance_m = amount(&self.distance, "distance", 1000.0, &mut errors);
        let duration_s = amount(&self.duration, "duration", 60.0, &mut errors);
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        let text = |t: &str| Some(t.to_owned()).filter(|t| !t.trim().is_empty());
        Ok(Workout {
            week,
            day,
            title: self.title.clone(),
            kind: text(&self.kind),
            distance_m,
            duration_s,
            notes: text(&self.notes),
        })
    }
}

/// A workout's errors as its form shows them: `workouts[3].week` is the
/// row's `week` (only the workout posted can be wrong: the others were
/// checked when saved); the API's units become the form's.
fn row_errors(e: DomainError) -> Result<Errors, DomainError> {
    let DomainError::Validation(list) = e else { return Errors::from_domain(e, ROW_FIELDS) };
    let list = list
        .into_iter()
        .map(|f| {
            let local = f.field.split_once("].").map_or(f.field.as_str(), |(_, rest)| rest);
            match local {
                "distance_m" => FieldError::new("distance", f.code, "distance must be 0–1000 km"),
                "duration_s" => FieldError::new("duration", f.code, "duration must be 0–10080 minutes (a week)"),
                "week" if f.code == "out_of_range" => {
                    FieldError::new("week", f.code, "week must be between 1 and the plan's number of weeks")
                }
                _ => FieldError::new(local, f.code, f.message),
            }
        })
        .collect();
    Ok(Errors::for_fields(list, ROW_FIELDS))
}

/// What a workout post does to the plan's workouts.
#[derive(Clone)]
enum Change {
    Add(Workout),
    Edit(usize, Workout),
    Remove(usize),
}

fn apply(old: &PlanContent, change: Change) -> Result<PlanContent, DomainError> {
    let mut workouts = old.workouts.clone();
    let gone = || DomainError::NotFound("workout");
    match change {
        Change::Add(w) => workouts.push(w),
        Change::Edit(i, w) => *workouts.get_mut(i).ok_or_else(gone)? = w,
        Change::Remove(i) => {
            if i >= workouts.len() {
                return Err(gone());
            }
            workouts.remove(i);
        }
    }
    let weeks = i64::from(old.duration_weeks);
    PlanContent::new(old.name.clone(), old.description.clone(), old.sport, old.level, weeks, workouts)
}

/// Runs a workout post; `index` is the row posted (`None`: Add workout).
async fn change(
    c: web::Data<Console>,
    req: HttpRequest,
    plan_id: PlanId,
    index: Option<usize>,
    remove: bool,
    form: WorkoutForm,
) -> Result<HttpResponse, PageError> {
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let change = match (index, remove) {
            (Some(i), true) => Ok(Change::Remove(i)),
            (Some(i), false) => form.workout().map(|w| Change::Edit(i, w)),
            (None, _) => form.workout().map(Change::Add),
        };
        // Adding does not depend on the rows shown, so it needs no version.
        let if_match = index.and(form.version);
        let saved = change.and_then(|change| {
            let edit = move |old: &PlanContent| apply(old, change.clone());
            plans::update_plan(&c.cx(me), org_id, plan_id, edit, if_match)
        });
        let page = |c: &Console| plan_page(c, &viewer, plan_id);
        match saved {
            Ok(_) => Ok(Outcome::Redirect(format!("/plans/{plan_id}?done=workout#workouts"))),
            Err(DomainError::Conflict(Conflict::VersionMismatch)) => {
                let mut page: PlanPage = page(c)?;
                let what = if remove { "removed" } else { "saved" };
                page.alert = Some(format!(
                    "Someone else changed this plan's workouts while you were editing, so “{}” was not {what}. \
                     The plan as it is now is shown below: make your change again.",
                    form.title
                ));
                Ok(Outcome::Again(page))
            }
            Err(e) => {
                let errors = row_errors(e)?;
                let mut page: PlanPage = page(c)?;
                let row = WorkoutRow { index, id: String::new(), form, errors };
                page.put_row(row);
                Ok(Outcome::Again(page))
            }
        }
    })
    .await?
    .respond()
}

impl PlanPage {
    /// Shows `row` (typed input and errors) in place of the stored one.
    fn put_row(&mut self, mut row: WorkoutRow) {
        match row.index {
            Some(i) => {
                if let Some(shown) = self.workouts.get_mut(i) {
                    row.id = shown.id.clone();
                    *shown = row;
                }
            }
            None => {
                row.id = "new".into();
                self.new_workout = row;
            }
        }
    }
}

fn index_of(text: &str) -> Result<usize, PageError> {
    text.parse().map_err(|_| PageError::not_found())
}

pub(crate) async fn add_workout(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<WorkoutForm>,
) -> Result<HttpResponse, PageError> {
    let plan_id = plan_id(&path)?;
    change(c, req, plan_id, None, false, form.into_inner()).await
}

pub(crate) async fn edit_workout(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<WorkoutForm>,
) -> Result<HttpResponse, PageError> {
    let (plan, index) = path.into_inner();
    change(c, req, plan_id(&plan)?, Some(index_of(&index)?), false, form.into_inner()).await
}

pub(crate) async fn remove_workout(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<WorkoutForm>,
) -> Result<HttpResponse, PageError> {
    let (plan, index) = path.into_inner();
    change(c, req, plan_id(&plan)?, Some(index_of(&index)?), true, form.into_inner()).await
}
