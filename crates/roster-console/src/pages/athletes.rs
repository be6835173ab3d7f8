//! **Athletes**: the roster table with its filters, the links to export and
//! import CSV, and the bulk action bar ([`super::bulk`]).

use crate::form::Errors;
use crate::view::{Chrome, Viewer, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::entities::CoachName;
use roster_domain::error::FieldErrors;
use roster_domain::groups::Group;
use roster_domain::member::{
    CoachFilter, Label, MemberLevel, MemberView, ProfileStatus, RosterCursor, RosterQuery, RosterSort,
};
use roster_domain::plans::PlanFilter;
use roster_domain::policy::{Action, Target};
use roster_domain::services::{coaches, groups, members, plans};
use roster_domain::{DomainError, GroupId, MembershipStatus, Role, UserId};

/// The roster's filters as the page's GET form sends them (empty: any).
#[derive(Debug, Default, Clone)]
pub(super) struct Filters {
    pub status: String,
    pub level: String,
    /// Space- or comma-separated labels, all of which must match.
    pub labels: String,
    /// `""` any, `me`, `none`, or a coach's id.
    pub coach: String,
    pub group: String,
    pub q: String,
    /// A 28-day share of sessions completed below this percentage (0–100).
    pub compliance_below: String,
    /// `name`, `joined`, `attention`, `compliance`, `last_activity` or `-last_activity`.
    pub sort: String,
    pub after: String,
}

impl Filters {
    pub(super) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Filters::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "status" => &mut f.status,
                "level" => &mut f.level,
                "labels" => &mut f.labels,
                "coach" => &mut f.coach,
                "group" => &mut f.group,
                "q" => &mut f.q,
                "compliance_below" => &mut f.compliance_below,
                "sort" => &mut f.sort,
                "after" => &mut f.after,
                _ => continue,
            };
            *slot = value.trim().to_owned();
        }
        f
    }

    /// The use case's query, or the field that could not be read.
    pub(super) fn query(&self) -> Result<RosterQuery, DomainError> {
        let mut errors = FieldErrors::new();
        let mut q = RosterQuery { limit: 50, include_profile_status: true, ..RosterQuery::default() };
        if !self.status.is_empty() {
            q.statuses = self.status.parse::<MembershipStatus>().map(|s| vec![s]).unwrap_or_default();
        }
        if !self.level.is_empty() {
            q.member_level = errors.check("level", MemberLevel::parse(&self.level));
        }
        for label in self.labels.split([' ', ',']).filter(|l| !l.is_empty()) {
            let label = if label.starts_with('@') { label.to_owned() } else { format!("@{label}") };
            if let Some(l) = errors.check("labels", Label::parse(&label)) {
                q.labels.push(l);
            }
        }
        q.coach = match self.coach.as_str() {
            "" => CoachFilter::Any,
            "me" => CoachFilter::Me,
            "none" => CoachFilter::Unassigned,
            id => id.parse::<UserId>().map(CoachFilter::Coach).unwrap_or_default(),
        };
        q.group_id = self.group.parse::<GroupId>().ok();
        q.q = Some(self.q.to_lowercase()).filter(|t| !t.is_empty()).map(|t| t.chars().take(100).collect());
        if !self.compliance_below.is_empty() {
            let below = self.compliance_below.parse::<u32>().ok().filter(|n| *n <= 100).ok_or_else(|| {
                roster_domain::values::InvalidValue {
                    code: "invalid_value",
                    message: "use a whole number from 0 to 100".into(),
                }
            });
            q.compliance_below = errors.check("compliance_below", below);
        }
        q.sort = match self.sort.as_str() {
            "joined" => RosterSort::JoinedAtDesc,
            "attention" => RosterSort::Attention,
            "compliance" => RosterSort::Compliance,
            "last_activity" => RosterSort::LastActivity,
            "-last_activity" => RosterSort::LastActivityDesc,
            _ => RosterSort::Name,
        };
        q.after = decode_cursor(&self.after, q.sort);
        errors.finish()?;
        Ok(q)
    }

    /// The filters that are set, by name (`sort` too; never the cursor).
    pub(super) fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("status", self.status.as_str()),
            ("level", &self.level),
            ("labels", &self.labels),
            ("coach", &self.coach),
            ("group", &self.group),
            ("q", &self.q),
            ("compliance_below", &self.compliance_below),
            ("sort", &self.sort),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }

    /// `path` with these filters (and `extra`) as its query.
    pub(super) fn url(&self, path: &str, extra: &[(&str, &str)]) -> String {
        let query: Vec<String> = self
            .pairs()
            .into_iter()
            .chain(extra.iter().copied())
            .map(|(k, v)| format!("{k}={}", crate::error::encode(v)))
            .collect();
        if query.is_empty() { path.to_owned() } else { format!("{path}?{}", query.join("&")) }
    }

    /// This view's URL with the next page's cursor.
    fn next_page(&self, next: &RosterCursor) -> String {
        self.url("/athletes", &[("after", &encode_cursor(next))])
    }
}

fn encode_cursor(c: &RosterCursor) -> String {
    c.to_text()
}

/// A cursor from another sort, or a mangled one, starts at the first page.
fn decode_cursor(text: &str, sort: RosterSort) -> Option<RosterCursor> {
    RosterCursor::parse(text, sort)
}

/// One row of the table.
pub(super) struct Row {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub level: String,
    pub labels: Vec<String>,
    pub status: &'static str,
    pub coach: String,
    pub groups: Vec<String>,
    pub marks: Vec<(&'static str, String)>,
    /// 28-day compliance ("82 % (28 d)", "—" without a plan) and the 7-day one.
    pub compliance: (String, String),
}

/// A `<select>` option.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
}

/// `first` (an option with no value), if any, then `items` as options.
fn options<T>(first: Option<&str>, items: &[T], option: impl Fn(&T) -> Choice) -> Vec<Choice> {
    let first = first.map(|label| Choice { value: String::new(), label: label.to_owned() });
    first.into_iter().chain(items.iter().map(option)).collect()
}

/// The library's active plans as options (the plan's id, its name).
pub(super) fn plan_choices(c: &Console, viewer: &Viewer, first: Option<&str>) -> Result<Vec<Choice>, DomainError> {
    let filter = PlanFilter { limit: 200, ..PlanFilter::default() };
    let library = plans::plan_names(&c.cx(viewer.caller()), viewer.org_id()?, filter)?;
    Ok(options(first, &library, |p| Choice { value: p.plan_id.to_string(), label: p.name.clone() }))
}

/// The organization's groups as options (the group's id, its name).
pub(super) fn group_choices(groups: &[Group], first: Option<&str>) -> Vec<Choice> {
    options(first, groups, |g| Choice { value: g.group_id.to_string(), label: g.name.as_str().to_owned() })
}

#[derive(Template)]
#[template(path = "athletes.html")]
struct Athletes {
    chrome: Chrome,
    filters: Filters,
    errors: Errors,
    rows: Vec<Row>,
    total: i64,
    next_page: Option<String>,
    coach_choices: Vec<Choice>,
    group_choices: Vec<Choice>,
    may_invite: bool,
    may_import: bool,
    /// **Export CSV** with these filters, for those who may export.
    export_url: Option<String>,
    /// The bulk action bar, for those who may act on many athletes.
    bar: Option<super::bulk::Bar>,
}

pub(super) fn person_name(first: &str, last: Option<&str>) -> String {
    format!("{first} {}", last.unwrap_or_default()).trim().to_owned()
}

pub(super) fn member_name(view: &MemberView) -> String {
    match &view.membership.display_name {
        Some(d) => d.as_str().to_owned(),
        None => person_name(&view.first_name, view.last_name.as_deref()),
    }
}

pub(super) fn coach_name(coaches: &[CoachName], id: Option<UserId>) -> String {
    match id {
        None => "Unassigned".into(),
        Some(id) => coaches
            .iter()
            .find(|c| c.user_id == id)
            .map_or_else(|| "Former coach".into(), |c| person_name(&c.first_name, c.last_name.as_deref())),
    }
}

fn marks(status: &ProfileStatus) -> Vec<(&'static str, String)> {
    use roster_domain::member::IntegrationState::Connected;
    let i = &status.integrations;
    let connected = [i.strava, i.garmin, i.apple_health].iter().filter(|s| **s == Connected).count();
    let mut marks = Vec::new();
    if connected > 0 {
        marks.push(("ok", format!("{connected} integration{}", if connected == 1 { "" } else { "s" })));
    }
    if status.zones.heart_rate || status.zones.pace {
        marks.push(("ok", "Zones".into()));
    }
    if let Some(race) = &status.race_goals.next {
        marks.push(("ok", format!("Race {}", race.race_date)));
    }
    match &status.training_plans.current {
        Some(plan) => marks.push(("ok", format!("Plan week {}/{}", plan.current_week, plan.total_weeks))),
        None => marks.push(("muted", "No plan".into())),
    }
    if let Some(severity) = &status.attention.max_severity {
        let kind = if severity == "urgent" { "urgent" } else { "warn" };
        marks.push((kind, format!("Attention: {severity} ({})", status.attention.count)));
    }
    marks
}

/// The compliance cell: the 28-day share of sessions completed, then the 7-day one.
pub(super) fn compliance_text(status: &ProfileStatus) -> (String, String) {
    let share = |c: &roster_domain::calendar::Compliance, days: u32| match c.sessions_pct {
        Some(pct) => format!("{pct} % ({days} d)"),
        None => format!("nothing due ({days} d)"),
    };
    match &status.compliance {
        None => ("—".into(), String::new()),
        Some(c) => (share(&c.last_28_days, 28), share(&c.last_7_days, 7)),
    }
}

fn choices(viewer: &Viewer, coaches: &[CoachName], groups: &[Group]) -> (Vec<Choice>, Vec<Choice>) {
    let mut coach_choices = vec![
        Choice { value: String::new(), label: "Any coach".into() },
        Choice { value: "me".into(), label: "Me".into() },
        Choice { value: "none".into(), label: "Unassigned".into() },
    ];
    // An assistant coach filters by themselves only (the use case says so too).
    if viewer.may(Action::AssignCoach, Target::Organization) {
        coach_choices.extend(coaches.iter().filter(|c| c.user_id != viewer.user.user_id).map(|c| Choice {
            value: c.user_id.to_string(),
            label: person_name(&c.first_name, c.last_name.as_deref()),
        }));
    }
    (coach_choices, group_choices(groups, Some("Any group")))
}

pub(super) async fn list(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let filters = Filters::from_pairs(pairs);
    let page = signed_in(&c, &req, move |c, viewer| {
        let org_id = viewer.org_id()?;
        let coach_list = coaches::names(&c.cx(viewer.caller()), org_id)?;
        let group_list = groups::names(&c.cx(viewer.caller()), org_id, 200)?;
        let (coach_choices, group_choices) = choices(&viewer, &coach_list, &group_list);
        let (rows, total, next_page, errors) = match filters.query() {
            Ok(mut query) => {
                query.attention = c.config.attention.clone();
                let page = members::list(&c.cx(viewer.caller()), org_id, query)?;
                let mut statuses = page.profile_status.unwrap_or_default();
                let mut group_ids = page.group_ids;
                let rows = page
                    .members
                    .iter()
                    .map(|view| {
                        let id = view.membership.user_id;
                        let m = &view.membership;
                        let status = statuses.remove(&id).map(|s| s.parse()).transpose();
                        let status = status.map_err(|e| DomainError::Store(format!("stored profile status: {e}")))?;
                        let status = status.unwrap_or_default();
                        Ok(Row {
                            user_id: id.to_string(),
                            name: member_name(view),
                            email: view.email.clone(),
                            level: m.member_level.as_ref().map(|l| l.as_str().to_owned()).unwrap_or_default(),
                            labels: m.labels.to_strings(),
                            status: m.status.as_str(),
                            coach: coach_name(&coach_list, m.assigned_to_coach_id),
                            groups: group_ids
                                .remove(&id)
                                .unwrap_or_default()
                                .iter()
                                .filter_map(|g| group_list.iter().find(|v| v.group_id == *g))
                                .map(|v| v.name.as_str().to_owned())
                                .collect(),
                            marks: marks(&status),
                            compliance: compliance_text(&status),
                        })
                    })
                    .collect::<Result<_, DomainError>>()?;
                (rows, page.total, page.next.as_ref().map(|n| filters.next_page(n)), Errors::none())
            }
            Err(DomainError::Validation(errors)) => {
                (Vec::new(), 0, None, Errors::for_fields(errors, &["level", "labels", "compliance_below"]))
            }
            Err(e) => return Err(e),
        };
        let bar = super::bulk::bar(c, &viewer, &coach_list, &group_list, &filters, total)?;
        Ok(Athletes {
            chrome: viewer.chrome("/athletes"),
            may_invite: viewer.may(Action::CreateInvitation, Target::Invitation(Role::Athlete)),
            may_import: viewer.may(Action::ImportRoster, Target::Organization),
            export_url: viewer
                .may(Action::ExportRoster, Target::Organization)
                .then(|| filters.url("/athletes.csv", &[])),
            bar,
            filters,
            errors,
            rows,
            total,
            next_page,
            coach_choices,
            group_choices,
        })
    })
    .await?;
    render(&page)
}
