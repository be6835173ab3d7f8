//! The training calendar of one athlete: `/athletes/{user_id}/calendar`
//! for coaches and `/me/calendar` for the athlete, four Monday-to-Sunday
//! weeks of planned workouts (each with its state as an icon and a word, not
//! colour alone) beside the activities, the unplanned activities and the
//! compliance of the weeks; a coach who may (the use case decides again)
//! gets **Excuse** on a missed workout and **Move** on the others.

use super::athletes::member_name;
use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use roster_domain::athlete::Activity;
use roster_domain::calendar::{Compliance, DateRange, WorkoutState};
use roster_domain::policy::{Action, Target};
use roster_domain::services::calendar::{self as svc, PlannedWorkout, WorkoutChange, WorkoutRef};
use roster_domain::services::members;
use roster_domain::{Clock, DomainError, UserId};
use serde::Deserialize;

/// Weeks a page shows.
const WEEKS: u64 = 4;

struct Workout {
    /// `<assignment_id>.<index>`, for the forms.
    id: String,
    title: String,
    /// `completed`, `partial`, `missed`, `excused` or `upcoming`.
    state: &'static str,
    /// A shape per state, beside the word.
    icon: &'static str,
    detail: String,
    may_excuse: bool,
    may_move: bool,
}

struct Day {
    date: String,
    label: String,
    today: bool,
    workouts: Vec<Workout>,
    activities: Vec<String>,
}

struct Week {
    label: String,
    days: Vec<Day>,
    compliance: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    /// The athlete's name (`None`: the athlete's own calendar).
    name: Option<String>,
    /// The athlete, for the forms' addresses (only coaches get forms).
    user_id: String,
    /// The profile page.
    profile: String,
    /// This page without a query.
    base: String,
    from: String,
    previous: String,
    next: String,
    timezone: String,
    weeks: Vec<Week>,
    unplanned: Vec<String>,
    compliance: String,
    errors: Errors,
}

fn state_of(state: WorkoutState) -> (&'static str, &'static str) {
    match state {
        WorkoutState::Completed => ("completed", "✔"),
        WorkoutState::Partial => ("partial", "◐"),
        WorkoutState::Missed => ("missed", "✖"),
        WorkoutState::Excused => ("excused", "⊘"),
        WorkoutState::Upcoming => ("upcoming", "○"),
    }
}

/// "1 of 3 sessions completed (33 %), 46 % of the volume", or nothing due.
pub(super) fn compliance_text(c: &Compliance) -> String {
    match (c.sessions_pct, c.volume_pct) {
        (Some(pct), volume) => format!(
            "{} of {} sessions completed ({pct} %){}",
            c.completed_sessions,
            c.planned_sessions,
            volume.map(|v| format!(", {v} % of the volume")).unwrap_or_default()
        ),
        (None, _) => "Nothing due".into(),
    }
}

fn activity_text(a: &Activity) -> String {
    format!(
        "{}: {:.1} km, {} min{}",
        a.sport,
        a.distance_m / 1000.0,
        a.duration_s / 60,
        a.title.as_ref().map(|t| format!(" ({t})")).unwrap_or_default()
    )
}

fn workout(w: &PlannedWorkout, may_change: bool) -> Workout {
    let (state, icon) = state_of(w.outcome.state);
    let mut detail: Vec<String> = Vec::new();
    if let Some(m) = w.workout.distance_m {
        detail.push(format!("{:.1} km planned", m as f64 / 1000.0));
    }
    if let Some(s) = w.workout.duration_s {
        detail.push(format!("{} min planned", s / 60));
    }
    if let Some(pct) = w.outcome.coverage_pct {
        detail.push(format!("{pct} % done"));
    }
    if w.date != w.scheduled_date {
        detail.push(format!("moved from {}", w.scheduled_date));
    }
    if let Some(e) = &w.excuse {
        detail.push(format!("excused: {}", e.reason));
    }
    Workout {
        id: w.workout_ref.to_string(),
        title: w.workout.title.clone(),
        state,
        icon,
        detail: detail.join(", "),
        may_excuse: may_change && w.outcome.state == WorkoutState::Missed,
        may_move: may_change && matches!(w.outcome.state, WorkoutState::Missed | WorkoutState::Upcoming),
    }
}

/// The Monday of `from`'s week, or of the week two weeks before today's.
fn first_monday(from: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
    let day = from.unwrap_or_else(|| today.checked_sub_days(Days::new(14)).unwrap_or(today));
    day.week(Weekday::Mon).first_day()
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    let step = Days::new(days.unsigned_abs());
    if days < 0 { date.checked_sub_days(step) } else { date.checked_add_days(step) }.unwrap_or(date)
}

fn calendar_page(
    c: &Console,
    viewer: &Viewer,
    athlete: UserId,
    from: Option<NaiveDate>,
    errors: Errors,
) -> Result<CalendarPage, DomainError> {
    let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
    let monday = first_monday(from, c.clock.now().date_naive());
    let range = DateRange { from: monday, to: shift(monday, (WEEKS * 7 - 1) as i64) };
    let calendar = svc::calendar(&c.cx(me), (org_id, athlete), Some(range), c.config.attention.bands)?;
    let own = athlete == me && !viewer.is_coach();
    let (name, may_change, base, profile) = if own {
        (None, false, "/me/calendar".to_owned(), "/me".to_owned())
    } else {
        let (view, _) = members::get(&c.cx(me), org_id, athlete)?;
        let may = viewer.may(Action::MoveOrExcuseWorkout, Target::Member(&view.membership));
        (Some(member_name(&view)), may, format!("/athletes/{athlete}/calendar"), format!("/athletes/{athlete}"))
    };
    let weeks = calendar
        .days
        .chunks(7)
        .zip(&calendar.weeks)
        .map(|(days, (start, compliance))| Week {
            label: format!("Week of {start}"),
            compliance: compliance_text(compliance),
            days: days
                .iter()
                .map(|d| Day {
                    date: d.date.to_string(),
                    label: format!("{} {}", d.date.weekday(), d.date.format("%-d %b")),
                    today: d.date == calendar.today,
                    workouts: d.workouts.iter().map(|w| workout(w, may_change)).collect(),
                    activities: d.activities.iter().map(activity_text).collect(),
                })
                .collect(),
        })
        .collect();
    Ok(CalendarPage {
        chrome: viewer.chrome(if own { "/me/calendar" } else { "/athletes" }),
        name,
        user_id: athlete.to_string(),
        profile,
        from: monday.to_string(),
        previous: format!("{base}?from={}", shift(monday, -(WEEKS as i64) * 7)),
        next: format!("{base}?from={}", shift(monday, WEEKS as i64 * 7)),
        base,
        timezone: calendar.timezone.as_str().to_owned(),
        weeks,
        unplanned: calendar
            .unplanned
            .iter()
            .map(|a| format!("{}, {}", a.start_time.format("%Y-%m-%d"), activity_text(a)))
            .collect(),
        compliance: compliance_text(&calendar.compliance),
        errors,
    })
}

/// `?from=`: a date that cannot be read shows the default weeks.
fn from_of(req: &HttpRequest) -> Option<NaiveDate> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string()).ok()?.into_inner();
    pairs.iter().find(|(k, _)| k == "from").and_then(|(_, v)| v.parse().ok())
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let athlete: UserId = path.parse().map_err(|_| PageError::not_found())?;
    let from = from_of(&req);
    let page = signed_in(&c, &req, move |c, viewer| calendar_page(c, &viewer, athlete, from, Errors::none())).await?;
    render(&page)
}

pub(super) async fn mine(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let from = from_of(&req);
    let page = signed_in(&c, &req, move |c, viewer| {
        let me = viewer.user.user_id;
        calendar_page(c, &viewer, me, from, Errors::none())
    })
    .await?;
    render(&page)
}

/// **Excuse** (`reason`) or **Move** (`date`), and the weeks shown (`from`).
#[derive(Debug, Deserialize)]
pub(super) struct ChangeForm {
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    date: String,
}

async fn change(
    c: web::Data<Console>,
    req: HttpRequest,
    (athlete, workout): (String, String),
    form: ChangeForm,
    excuse: bool,
) -> Result<HttpResponse, PageError> {
    let athlete: UserId = athlete.parse().map_err(|_| PageError::not_found())?;
    let workout = WorkoutRef::parse(&workout).ok_or_else(PageError::not_found)?;
    let ChangeForm { csrf, from, reason, date } = form;
    let from = from.parse::<NaiveDate>().ok();
    posted(&c, &req, csrf, move |c, viewer| {
        let change = if excuse {
            WorkoutChange::Excuse(reason)
        } else {
            match date.parse::<NaiveDate>() {
                Ok(date) => WorkoutChange::Move(date),
                Err(_) => {
                    let errors = Errors::one("", "Choose the date to move the workout to.");
                    return Ok(Outcome::Again(calendar_page(c, &viewer, athlete, from, errors)?));
                }
            }
        };
        let target = (viewer.org_id()?, athlete);
        let bands = c.config.attention.bands;
        match svc::change_workout(&c.cx(viewer.user.user_id), target, workout, change, bands) {
            Ok(_) => {
                let query = from.map(|f| format!("?from={f}")).unwrap_or_default();
                Ok(Outcome::Redirect(format!("/athletes/{athlete}/calendar{query}")))
            }
            Err(e @ DomainError::Validation(_)) => {
                let errors = Errors::from_domain(e, &[])?;
                Ok(Outcome::Again(calendar_page(c, &viewer, athlete, from, errors)?))
            }
            Err(e) => Err(e),
        }
    })
    .await?
    .respond()
}

pub(super) async fn excuse(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    change(c, req, path.into_inner(), form.into_inner(), true).await
}

pub(super) async fn move_workout(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    change(c, req, path.into_inner(), form.into_inner(), false).await
}
