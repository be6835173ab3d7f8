//! **My goal race**: the athlete's race goals, the next one first, each with
//! the target pace its goal time asks for; **Add race goal**, **Change** (a
//! stale form is refused with the input kept) and **Delete** (behind a
//! confirmation page). The checks are the API's (`RaceGoalFields`); this
//! module only reads kilometres and `h:mm:ss` into the API's units.

use crate::form::{Errors, Outcome, redirect};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use roster_domain::athlete::race_goal::{MAX_GOAL_TIME_S, MAX_RACE_DISTANCE_M};
use roster_domain::athlete::{RaceGoal, RaceGoalInput, RaceGoalPatch, next_race_goal};
use roster_domain::error::FieldError;
use roster_domain::insights::format_pace;
use roster_domain::services::{athlete, organizations};
use roster_domain::{Clock, Conflict, DomainError, RaceGoalId};
use serde::Deserialize;

/// The form's fields, as it names them.
const FIELDS: &[&str] = &["race_name", "race_date", "distance", "goal_time"];

/// A race goal as the form shows and sends it: kilometres, `h:mm:ss`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(in crate::pages) struct GoalForm {
    csrf: String,
    version: i64,
    race_name: String,
    race_date: String,
    distance: String,
    goal_time: String,
}

/// One race goal in the list.
pub(in crate::pages) struct GoalRow {
    id: String,
    name: String,
    date: String,
    /// "in 3 weeks 2 days", "today", "12 days ago".
    when: String,
    distance: String,
    time: String,
    pace: String,
    /// The goal race: the next one on or after today.
    next: bool,
    past: bool,
}

#[derive(Template)]
#[template(path = "my_goal_race.html")]
struct GoalRacePage {
    chrome: Chrome,
    rows: Vec<GoalRow>,
    form: GoalForm,
    errors: Errors,
}

#[derive(Template)]
#[template(path = "my_goal_race_edit.html")]
struct EditPage {
    chrome: Chrome,
    row: GoalRow,
    form: GoalForm,
    errors: Errors,
    /// After a stale save: the values saved meanwhile.
    theirs: Option<GoalForm>,
}

#[derive(Template)]
#[template(path = "my_goal_race_delete.html")]
struct DeletePage {
    chrome: Chrome,
    row: GoalRow,
}

const CURRENT: &str = "/me/goal-race";

/// A number without trailing zeros (`42.195`, `10`).
fn short(n: f64) -> String {
    let text = format!("{n:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `h:mm:ss`, or `m:ss` under an hour.
fn clock_time(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

fn days_away(date: NaiveDate, today: NaiveDate) -> String {
    let days = (date - today).num_days();
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        2..=13 => format!("in {days} days"),
        14.. if days % 7 == 0 => format!("in {} weeks", days / 7),
        14.. => format!("in {} weeks {} days", days / 7, days % 7),
        _ => format!("{} days ago", -days),
    }
}

fn row_of(goal: &RaceGoal, today: NaiveDate, next: bool) -> GoalRow {
    let f = &goal.fields;
    GoalRow {
        id: goal.race_goal_id.to_string(),
        name: f.race_name.clone(),
        date: f.race_date.to_string(),
        when: days_away(f.race_date, today),
        distance: format!("{} km", short(f.distance_m / 1000.0)),
        time: f.goal_time_s.map_or_else(|| "—".into(), clock_time),
        pace: f.target_pace_s_per_km().map_or_else(|| "—".into(), format_pace),
        next,
        past: f.race_date < today,
    }
}

fn form_of(goal: &RaceGoal) -> GoalForm {
    let f = &goal.fields;
    GoalForm {
        csrf: String::new(),
        version: goal.version,
        race_name: f.race_name.clone(),
        race_date: f.race_date.to_string(),
        distance: short(f.distance_m / 1000.0),
        goal_time: f.goal_time_s.map(clock_time).unwrap_or_default(),
    }
}

/// The athlete's race goals (the use case decides who may read them) and
/// today in the club's time zone.
fn goals(c: &Console, viewer: &Viewer) -> Result<(Vec<RaceGoal>, NaiveDate), DomainError> {
    let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
    let goals = athlete::race_goals(&c.cx(me), org_id, me)?;
    let today = organizations::get(&c.cx(me), org_id)?.org.timezone.today(c.clock.now());
    Ok((goals, today))
}

/// The list: the goal race first, then the other races to come by date,
/// then past races, the latest first.
fn rows(goals: &[RaceGoal], today: NaiveDate) -> Vec<GoalRow> {
    let next = next_race_goal(goals, today).map(|g| g.race_goal_id);
    let mut sorted: Vec<&RaceGoal> = goals.iter().collect();
    sorted.sort_by_key(|g| {
        let date = g.fields.race_date;
        (Some(g.race_goal_id) != next, date < today, if date < today { today - date } else { date - today })
    });
    sorted.into_iter().map(|g| row_of(g, today, Some(g.race_goal_id) == next)).collect()
}

fn list_page(c: &Console, viewer: &Viewer, form: GoalForm, errors: Errors) -> Result<GoalRacePage, DomainError> {
    let (goals, today) = goals(c, viewer)?;
    Ok(GoalRacePage { chrome: viewer.chrome(CURRENT), rows: rows(&goals, today), form, errors })
}

pub(in crate::pages) async fn page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |c, viewer| list_page(c, &viewer, GoalForm::default(), Errors::none())).await?;
    render(&page)
}

/// `h:mm:ss` or `m:ss` as seconds; empty is none.
fn parse_time(text: &str) -> Result<Option<i64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let parts: Vec<i64> = text.split(':').map(|p| p.trim().parse::<i64>().map_err(drop)).collect::<Result<_, _>>()?;
    let small = |n: &i64| (0..60).contains(n);
    match parts.as_slice() {
        [h, m, s] if *h >= 0 && small(m) && small(s) => Ok(Some(h * 3600 + m * 60 + s)),
        [m, s] if *m >= 0 && small(s) => Ok(Some(m * 60 + s)),
        _ => Err(()),
    }
}

/// The form read into the API's units; what is not a date, a number or a
/// time is told here, the rest by the use case.
fn parse(form: &GoalForm) -> Result<RaceGoalInput, DomainError> {
    let mut errors = Vec::new();
    let race_date = form.race_date.trim().parse::<NaiveDate>().map_err(|_| {
        errors.push(FieldError::new("race_date", "invalid_date", "enter the race day, e.g. 2027-04-18"));
    });
    let distance = form.distance.trim().replace(',', ".").parse::<f64>().ok().filter(|d| d.is_finite());
    if distance.is_none() {
        errors.push(FieldError::new("distance", "invalid_number", "enter kilometres, e.g. 10 or 42.195"));
    }
    let goal_time = parse_time(&form.goal_time).map_err(|()| {
        errors.push(FieldError::new("goal_time", "invalid_time", "use h:mm:ss or m:ss, e.g. 3:29:59 or 45:00"));
    });
    match (race_date, distance, goal_time) {
        (Ok(race_date), Some(km), Ok(goal_time_s)) if errors.is_empty() => {
            Ok(RaceGoalInput { race_name: form.race_name.clone(), race_date, distance_m: km * 1000.0, goal_time_s })
        }
        _ => Err(DomainError::Validation(errors)),
    }
}

/// The use case's refusal as the form shows it: its fields by the form's
/// names, its limits in the form's units.
fn errors_of(e: DomainError) -> Result<Errors, DomainError> {
    let DomainError::Validation(list) = e else { return Errors::from_domain(e, FIELDS) };
    let shown = list
        .into_iter()
        .map(|mut e| {
            match (e.field.as_str(), e.code.as_str()) {
                ("distance_m", "out_of_range") => {
                    e.message = format!("must be more than 0 and at most {} km", short(MAX_RACE_DISTANCE_M / 1000.0));
                }
                ("goal_time_s", "out_of_range") => {
                    e.message = format!("must be between 0:01 and {}", clock_time(MAX_GOAL_TIME_S));
                }
                _ => {}
            }
            e.field = match e.field.as_str() {
                "distance_m" => "distance".into(),
                "goal_time_s" => "goal_time".into(),
                other => other.to_owned(),
            };
            e
        })
        .collect();
    Ok(Errors::for_fields(shown, FIELDS))
}

pub(in crate::pages) async fn create(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<GoalForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let me = viewer.user.user_id;
        let saved = parse(&form).and_then(|input| athlete::create_race_goal(&c.cx(me), viewer.org_id()?, me, &input));
        match saved {
            Ok(_) => Ok(Outcome::Redirect(CURRENT.into())),
            Err(e) => Ok(Outcome::Again(list_page(c, &viewer, form, errors_of(e)?)?)),
        }
    })
    .await?
    .respond()
}

fn goal_id(path: &str) -> Result<RaceGoalId, PageError> {
    path.parse().map_err(|_| PageError::not_found())
}

/// The goal and its row, or the use case's `404`.
fn one(c: &Console, viewer: &Viewer, id: RaceGoalId) -> Result<(RaceGoal, GoalRow), DomainError> {
    let (goals, today) = goals(c, viewer)?;
    let next = next_race_goal(&goals, today).map(|g| g.race_goal_id);
    let goal = goals.into_iter().find(|g| g.race_goal_id == id).ok_or(DomainError::NotFound("race goal"))?;
    let row = row_of(&goal, today, next == Some(id));
    Ok((goal, row))
}

pub(in crate::pages) async fn edit_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = goal_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let (goal, row) = one(c, &viewer, id)?;
        Ok(EditPage { chrome: viewer.chrome(CURRENT), row, form: form_of(&goal), errors: Errors::none(), theirs: None })
    })
    .await?;
    render(&page)
}

pub(in crate::pages) async fn save(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<GoalForm>,
) -> Result<HttpResponse, PageError> {
    let id = goal_id(&path)?;
    let form = form.into_inner();
    posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        let saved = parse(&form).and_then(|input| {
            let patch = RaceGoalPatch {
                race_name: Some(input.race_name),
                race_date: Some(input.race_date),
                distance_m: Some(input.distance_m),
                goal_time_s: Some(input.goal_time_s),
            };
            athlete::update_race_goal(&c.cx(me), org_id, me, id, &patch, Some(form.version))
        });
        let again = |form, errors, theirs| -> Result<Outcome<EditPage>, DomainError> {
            let (_, row) = one(c, &viewer, id)?;
            Ok(Outcome::Again(EditPage { chrome: viewer.chrome(CURRENT), row, form, errors, theirs }))
        };
        match saved {
            Ok(_) => Ok(Outcome::Redirect(CURRENT.into())),
            Err(DomainError::Conflict(Conflict::VersionMismatch)) => {
                // Saved meanwhile (another tab, or a coach): show theirs and
                // keep this input, with their version to save over.
                let (current, _) = one(c, &viewer, id)?;
                let theirs = form_of(&current);
                let mine = GoalForm { version: theirs.version, ..form };
                let message = "This race goal was changed while you were editing it. The saved values are shown \
                               below; your input is kept: save again to replace them.";
                again(mine, Errors::one("", message), Some(theirs))
            }
            Err(e) => again(form, errors_of(e)?, None),
        }
    })
    .await?
    .respond()
}

pub(in crate::pages) async fn delete_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = goal_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let (_, row) = one(c, &viewer, id)?;
        Ok(DeletePage { chrome: viewer.chrome(CURRENT), row })
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
    let id = goal_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        let me = viewer.user.user_id;
        athlete::delete_race_goal(&c.cx(me), viewer.org_id()?, me, id)
    })
    .await?;
    Ok(redirect(CURRENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_times_read_as_hours_or_minutes_and_seconds() {
        assert_eq!(parse_time("3:29:59"), Ok(Some(3 * 3600 + 29 * 60 + 59)));
        assert_eq!(parse_time(" 45:00 "), Ok(Some(2700)));
        assert_eq!(parse_time(""), Ok(None));
        assert_eq!(parse_time("3:70:00"), Err(()));
        assert_eq!(parse_time("fast"), Err(()));
        assert_eq!(parse_time("45"), Err(()));
        assert_eq!(clock_time(3 * 3600 + 29 * 60 + 59), "3:29:59");
        assert_eq!(clock_time(2700), "45:00");
    }

    #[test]
    fn a_race_is_counted_down_in_days_then_weeks() {
        let today: NaiveDate = "2027-01-01".parse().unwrap();
        let day = |n| today + chrono::Duration::days(n);
        assert_eq!(days_away(today, today), "today");
        assert_eq!(days_away(day(5), today), "in 5 days");
        assert_eq!(days_away(day(21), today), "in 3 weeks");
        assert_eq!(days_away(day(23), today), "in 3 weeks 2 days");
        assert_eq!(days_away(day(-3), today), "3 days ago");
    }
}
