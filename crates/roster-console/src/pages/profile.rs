//! **Athlete profile**: header, plans, goal race, integrations, recent
//! activities, the weekly distance chart, insights and attention signals;
//! **Edit** (stale edits refused, the input kept), **Assign coach** and
//! **Remove from organization**.

use super::athletes::{Choice, coach_name, member_name, person_name};
use crate::chart::{self, Bar};
use crate::form::{Errors, redirect};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::policy::{Action, Target};
use roster_domain::services::members::{self, MemberAccess};
use roster_domain::services::{coaches, profile};
use roster_domain::{DomainError, UserId};
use serde::Deserialize;

mod edit;
mod plans_form;
pub(super) use edit::edit;
pub(super) use plans_form::{assign_plan, cancel_plan, plan_and_start};

/// The editable attributes, as the form shows and sends them.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    member_level: String,
    #[serde(default)]
    labels: String,
    #[serde(default)]
    private_notes: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: i64,
}

pub(super) struct Item {
    title: String,
    detail: String,
    /// An assignment's id, for its **Cancel** button.
    id: String,
}

impl Item {
    fn new(title: String, detail: String) -> Self {
        Self { title, detail, id: String::new() }
    }
}

/// The **Assign plan** form.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    start_date: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub(super) struct Profile {
    chrome: Chrome,
    user_id: String,
    name: String,
    full_name: String,
    email: String,
    labels: Vec<String>,
    status: &'static str,
    level: String,
    coach: String,
    coach_id: String,
    own_view: bool,
    may_edit: bool,
    may_assign: bool,
    coach_choices: Vec<Choice>,
    plan_choices: Vec<Choice>,
    plan_form: PlanForm,
    plans: Vec<Item>,
    goal_race: Option<Item>,
    /// How many zones of each kind are set ("" when none).
    zones: String,
    integrations: Vec<Item>,
    activities: Vec<Item>,
    bars: Vec<Bar>,
    chart_width: u32,
    chart_height: u32,
    insights: Vec<String>,
    signals: Vec<Item>,
    /// The last 7 and 28 days' compliance (`None`: no plan in them), and the calendar's address.
    compliance: Option<(String, String)>,
    calendar: String,
    plan_errors: Errors,
    form: EditForm,
    errors: Errors,
    /// After a stale save: the values someone else saved.
    theirs: Option<EditForm>,
}

fn form_of(m: &roster_domain::entities::Membership) -> EditForm {
    EditForm {
        csrf: String::new(),
        display_name: m.display_name.as_ref().map(|d| d.as_str().to_owned()).unwrap_or_default(),
        member_level: m.member_level.as_ref().map(|l| l.as_str().to_owned()).unwrap_or_default(),
        labels: m.labels.to_strings().join(" "),
        private_notes: m.private_notes.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default(),
        status: m.status.as_str().to_owned(),
        version: m.version,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn duration(seconds: i64) -> String {
    let (h, m) = (seconds / 3600, (seconds % 3600) / 60);
    if h > 0 { format!("{h} h {m:02} min") } else { format!("{m} min") }
}

/// The profile page's data; `edit` is the form to show (the current values
/// unless a save came back with errors).
pub(super) fn profile_data(
    c: &Console,
    viewer: &Viewer,
    athlete: UserId,
    edit: Option<(EditForm, Errors, Option<EditForm>)>,
) -> Result<Profile, DomainError> {
    profile_with(c, viewer, athlete, edit, None)
}

/// [`profile_data`], with the **Assign plan** form as the user sent it.
fn profile_with(
    c: &Console,
    viewer: &Viewer,
    athlete: UserId,
    edit: Option<(EditForm, Errors, Option<EditForm>)>,
    plan: Option<(PlanForm, Errors)>,
) -> Result<Profile, DomainError> {
    let org_id = viewer.org_id()?;
    let p = profile::profile(&c.cx(viewer.caller()), &*c.insights, &c.config.attention, org_id, athlete)?;
    let coach_list = if viewer.is_coach() { coaches::names(&c.cx(viewer.caller()), org_id)? } else { Vec::new() };
    let m = &p.member.membership;
    let mut coach_choices = vec![Choice { value: String::new(), label: "Unassigned".into() }];
    coach_choices.extend(
        coach_list.iter().map(|c| Choice {
            value: c.user_id.to_string(),
            label: person_name(&c.first_name, c.last_name.as_deref()),
        }),
    );
    let plans = p
        .current_plan
        .iter()
        .map(|a| (a, format!("Current, since {}, until {}", a.start_date, a.end_date())))
        .chain(p.upcoming_plans.iter().map(|a| (a, format!("Starts {}", a.start_date))))
        .map(|(a, detail)| Item { title: a.plan_name.clone(), detail, id: a.assignment_id.to_string() })
        .collect();
    let may_edit = p.access == MemberAccess::Coach && viewer.may(Action::UpdateMember, Target::Member(m));
    let plan_choices =
        if may_edit { super::athletes::plan_choices(c, viewer, Some("Choose a plan"))? } else { Vec::new() };
    let (plan_form, plan_errors) =
        plan.unwrap_or_else(|| (PlanForm { start_date: p.today.to_string(), ..PlanForm::default() }, Errors::none()));
    let goal_race = p.data.goal_race().map(|g| {
        let f = &g.fields;
        let pace = f
            .goal_time_s
            .and_then(|t| roster_domain::insights::target_pace_s_per_km(f.distance_m, t))
            .map(|s| format!(", target pace {}", roster_domain::insights::format_pace(s)))
            .unwrap_or_default();
        Item::new(f.race_name.clone(), format!("{}, {:.1} km{pace}", f.race_date, f.distance_m / 1000.0))
    });
    let zones = p
        .data
        .zones
        .as_ref()
        .map(|z| {
            let (hr, pace) = (z.zones.settings().heart_rate.zones.len(), z.zones.settings().pace.zones.len());
            format!("{hr} heart-rate zone{}, {pace} pace zone{}", plural(hr), plural(pace))
        })
        .unwrap_or_default();
    let integrations = p
        .data
        .integrations
        .iter()
        .map(|i| Item::new(i.provider.as_str().to_owned(), i.status.as_str().to_owned()))
        .collect();
    let activities = p
        .data
        .recent_activities
        .iter()
        .take(10)
        .map(|a| {
            Item::new(
                a.title.clone().unwrap_or_else(|| a.sport.to_string()),
                format!(
                    "{}, {:.1} km in {}",
                    a.start_time.format("%Y-%m-%d"),
                    a.distance_m / 1000.0,
                    duration(a.duration_s)
                ),
            )
        })
        .collect();
    let bars = chart::bars(&p.data.weekly_distance);
    let (form, errors, theirs) = edit.unwrap_or_else(|| (form_of(m), Errors::none(), None));
    Ok(Profile {
        chrome: viewer.chrome(if viewer.is_coach() { "/athletes" } else { "/me" }),
        user_id: athlete.to_string(),
        name: member_name(&p.member),
        full_name: person_name(&p.member.first_name, p.member.last_name.as_deref()),
        email: p.member.email.clone(),
        labels: m.labels.to_strings(),
        status: m.status.as_str(),
        level: m.member_level.as_ref().map(|l| l.as_str().to_owned()).unwrap_or_default(),
        coach: coach_name(&coach_list, m.assigned_to_coach_id),
        coach_id: m.assigned_to_coach_id.map(|c| c.to_string()).unwrap_or_default(),
        own_view: p.access == MemberAccess::Own,
        may_edit,
        may_assign: viewer.may(Action::AssignCoach, Target::Organization),
        coach_choices,
        plan_choices,
        plan_form,
        plan_errors,
        plans,
        goal_race,
        zones,
        integrations,
        activities,
        chart_width: chart::width(bars.len()),
        chart_height: chart::HEIGHT,
        bars,
        insights: p.insights.iter().map(|i| i.text.clone()).collect(),
        signals: p
            .attention_signals
            .iter()
            .map(|s| Item::new(s.severity.as_str().to_owned(), s.message.clone()))
            .collect(),
        compliance: p.compliance.as_ref().map(|c| {
            (super::calendar::compliance_text(&c.last_7_days), super::calendar::compliance_text(&c.last_28_days))
        }),
        calendar: if p.access == MemberAccess::Own && !viewer.is_coach() {
            "/me/calendar".into()
        } else {
            format!("/athletes/{athlete}/calendar")
        },
        form,
        errors,
        theirs,
    })
}

fn athlete_id(path: &str) -> Result<UserId, PageError> {
    path.parse().map_err(|_| PageError::not_found())
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let athlete = athlete_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| profile_data(c, &viewer, athlete, None)).await?;
    render(&page)
}

#[derive(Debug, Deserialize)]
pub(super) struct CoachForm {
    csrf: String,
    #[serde(default)]
    coach: String,
}

pub(super) async fn assign_coach(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<CoachForm>,
) -> Result<HttpResponse, PageError> {
    let athlete = athlete_id(&path)?;
    let form = form.into_inner();
    let coach = match form.coach.as_str() {
        "" => None,
        id => Some(id.parse::<UserId>().map_err(|_| PageError::not_found())?),
    };
    posted(&c, &req, form.csrf, move |c, viewer| {
        members::assign_coach(&c.cx(viewer.user.user_id), viewer.org_id()?, athlete, coach)
    })
    .await?;
    Ok(redirect(&format!("/athletes/{athlete}")))
}

#[derive(Template)]
#[template(path = "remove.html")]
struct Remove {
    chrome: Chrome,
    user_id: String,
    name: String,
}

pub(super) async fn remove_page(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let athlete = athlete_id(&path)?;
    let page = signed_in(&c, &req, move |c, viewer| {
        let (view, _) = members::get(&c.cx(viewer.user.user_id), viewer.org_id()?, athlete)?;
        Ok(Remove { chrome: viewer.chrome("/athletes"), user_id: athlete.to_string(), name: member_name(&view) })
    })
    .await?;
    render(&page)
}

pub(super) async fn remove(
    c: web::Data<Console>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<super::auth::CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let athlete = athlete_id(&path)?;
    posted(&c, &req, form.into_inner().csrf, move |c, viewer| {
        members::remove(&c.cx(viewer.user.user_id), viewer.org_id()?, athlete)
    })
    .await?;
    Ok(redirect("/athletes?removed=1"))
}
