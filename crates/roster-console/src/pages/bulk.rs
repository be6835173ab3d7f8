//! **Athletes → Bulk action**: one action on the checked athletes, or on
//! every athlete the current filters match (after a page that shows the
//! count; a removal after a confirmation too), through the use case of `POST /members/bulk`
//! (`services::bulk`). The use case decides per athlete: an assistant
//! coach's request skips athletes not assigned to them.

use super::athletes::{Choice, Filters, member_name, person_name};
use crate::view::{Chrome, Viewer, posted, render};
use crate::{Console, PageError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use roster_domain::entities::CoachName;
use roster_domain::error::FieldError;
use roster_domain::groups::Group;
use roster_domain::member::{Label, MemberLevel, MemberRepo};
use roster_domain::policy::{Action, Target};
use roster_domain::services::bulk::{self, BulkAction, BulkOutcome, BulkTarget};
use roster_domain::services::{coaches, groups};
use roster_domain::{Clock, DomainError, GroupId, MembershipStatus, PlanId, UserId};
use std::collections::HashMap;

/// The bar above the roster table: the actions the viewer may run and
/// each one's parameter fields.
pub(super) struct Bar {
    pub actions: Vec<Choice>,
    /// The head coach's only (assigning coaches is theirs).
    pub coach_choices: Option<Vec<Choice>>,
    pub group_choices: Vec<Choice>,
    pub plan_choices: Vec<Choice>,
    /// The filters, carried for **Apply to all matching** (`filter_*`).
    pub hidden: Vec<(String, String)>,
    pub total: i64,
    pub today: String,
}

const ACTIONS: [(&str, &str); 9] = [
    ("add_labels", "Add labels"),
    ("remove_labels", "Remove labels"),
    ("set_status", "Set status"),
    ("set_member_level", "Set member level"),
    ("assign_coach", "Assign coach"),
    ("add_to_group", "Add to group"),
    ("remove_from_group", "Remove from group"),
    ("assign_plan", "Assign plan"),
    ("remove", "Remove from organization"),
];

fn choice(value: impl ToString, label: impl Into<String>) -> Choice {
    Choice { value: value.to_string(), label: label.into() }
}

/// The choices of the bar's selects.
struct Choices {
    /// `None` unless the viewer may assign coaches in bulk.
    coaches: Option<Vec<Choice>>,
    groups: Vec<Choice>,
    plans: Vec<Choice>,
}

fn choices(
    c: &Console,
    viewer: &Viewer,
    coach_list: &[CoachName],
    group_list: &[Group],
) -> Result<Choices, DomainError> {
    let coach_choices = viewer.may(Action::BulkAssignCoach, Target::Organization).then(|| {
        let mut list = vec![choice("", "Unassigned")];
        list.extend(coach_list.iter().map(|c| choice(c.user_id, person_name(&c.first_name, c.last_name.as_deref()))));
        list
    });
    let (groups, plans) =
        (super::athletes::group_choices(group_list, None), super::athletes::plan_choices(c, viewer, None)?);
    Ok(Choices { coaches: coach_choices, groups, plans })
}

/// The bar for the Athletes page, or `None` for a viewer who may not act
/// on many athletes.
pub(super) fn bar(
    c: &Console,
    viewer: &Viewer,
    coach_list: &[CoachName],
    group_list: &[Group],
    filters: &Filters,
    total: i64,
) -> Result<Option<Bar>, DomainError> {
    if !viewer.may(Action::BulkEditRoster, Target::Organization) {
        return Ok(None);
    }
    let Choices { coaches: coach_choices, groups: group_choices, plans: plan_choices } =
        choices(c, viewer, coach_list, group_list)?;
    let actions = ACTIONS
        .iter()
        .filter(|(value, _)| *value != "assign_coach" || coach_choices.is_some())
        .map(|(value, label)| choice(value, *label))
        .collect();
    Ok(Some(Bar {
        actions,
        coach_choices,
        group_choices,
        plan_choices,
        hidden: hidden_filters(filters),
        total,
        today: c.clock.now().date_naive().to_string(),
    }))
}

/// The filters as `filter_*` fields (the sort and the cursor do not change
/// which athletes match).
fn hidden_filters(filters: &Filters) -> Vec<(String, String)> {
    filters
        .pairs()
        .into_iter()
        .filter(|(name, _)| *name != "sort")
        .map(|(name, value)| (format!("filter_{name}"), value.to_owned()))
        .collect()
}

/// The bar's form as posted (the confirmation page posts it again).
#[derive(Debug, Default, Clone)]
struct BulkForm {
    csrf: String,
    action: String,
    params: Vec<(String, String)>,
    ids: Vec<String>,
    /// `checked` or `all`.
    scope: String,
    confirmed: bool,
    filters: Filters,
}

impl BulkForm {
    fn read(pairs: Vec<(String, String)>) -> Self {
        let mut form = BulkForm::default();
        let mut filters = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "action" => form.action = value,
                "ids" => form.ids.push(value),
                "scope" => form.scope = value,
                "confirmed" => form.confirmed = value == "yes",
                _ if name.starts_with("bulk_") => form.params.push((name, value.trim().to_owned())),
                _ => {
                    if let Some(filter) = name.strip_prefix("filter_") {
                        filters.push((filter.to_owned(), value));
                    }
                }
            }
        }
        form.filters = Filters::from_pairs(filters);
        form
    }

    fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    /// The use case's action, or the field at fault.
    fn action(&self) -> Result<BulkAction, DomainError> {
        let invalid = |field: &str, message: &str| {
            DomainError::Validation(vec![FieldError::new(field, "invalid_value", message.to_owned())])
        };
        let labels = || -> Result<Vec<Label>, DomainError> {
            let names: Vec<&str> = self.param("bulk_labels").split([' ', ',']).filter(|l| !l.is_empty()).collect();
            if names.is_empty() {
                return Err(invalid("bulk_labels", "name at least one label"));
            }
            names
                .into_iter()
                .map(|l| {
                    let l = if l.starts_with('@') { l.to_owned() } else { format!("@{l}") };
                    Label::parse(&l)
                        .map_err(|e| DomainError::Validation(vec![FieldError::from_invalid("bulk_labels", e)]))
                })
                .collect()
        };
        let group = || self.param("bulk_group").parse::<GroupId>().map_err(|_| invalid("bulk_group", "choose a group"));
        Ok(match self.action.as_str() {
            "add_labels" => BulkAction::AddLabels(labels()?),
            "remove_labels" => BulkAction::RemoveLabels(labels()?),
            "set_status" => BulkAction::SetStatus(
                self.param("bulk_status")
                    .parse::<MembershipStatus>()
                    .map_err(|_| invalid("bulk_status", "choose a status"))?,
            ),
            "set_member_level" => BulkAction::SetMemberLevel(match self.param("bulk_level") {
                "" => None,
                level => Some(
                    MemberLevel::parse(level)
                        .map_err(|e| DomainError::Validation(vec![FieldError::from_invalid("bulk_level", e)]))?,
                ),
            }),
            "assign_coach" => BulkAction::AssignCoach(match self.param("bulk_coach") {
                "" => None,
                id => Some(id.parse::<UserId>().map_err(|_| invalid("bulk_coach", "choose a coach"))?),
            }),
            "add_to_group" => BulkAction::AddToGroup(group()?),
            "remove_from_group" => BulkAction::RemoveFromGroup(group()?),
            "assign_plan" => BulkAction::AssignPlan {
                plan_id: self
                    .param("bulk_plan")
                    .parse::<PlanId>()
                    .map_err(|_| invalid("bulk_plan", "choose a plan"))?,
                start_date: self
                    .param("bulk_start")
                    .parse::<NaiveDate>()
                    .map_err(|_| invalid("bulk_start", "give the plan's start date"))?,
            },
            "remove" => BulkAction::Remove,
            _ => return Err(invalid("action", "choose an action")),
        })
    }

    /// Whom the action is for: the checked athletes, or the filter's matches.
    fn target(&self) -> Result<BulkTarget, DomainError> {
        if self.scope == "all" {
            let mut query = self.filters.query()?;
            query.include_profile_status = false;
            return Ok(BulkTarget::Filter(Box::new(query)));
        }
        if self.ids.is_empty() {
            return Err(DomainError::Validation(vec![FieldError::new(
                "ids",
                "missing_field",
                "tick at least one athlete, or use Apply to all matching",
            )]));
        }
        let ids = self.ids.iter().map(|id| id.parse::<UserId>()).collect::<Result<Vec<_>, _>>();
        Ok(BulkTarget::Ids(ids.map_err(|_| DomainError::NotFound("member"))?))
    }

    /// The action in words, for the confirmation and the results.
    fn describe(&self, coaches: &Option<Vec<Choice>>, groups: &[Choice], plans: &[Choice]) -> String {
        let pick = |list: &[Choice], value: &str| {
            list.iter().find(|c| c.value == value).map_or_else(|| value.to_owned(), |c| c.label.clone())
        };
        let label = ACTIONS.iter().find(|(v, _)| *v == self.action).map_or("", |(_, l)| *l);
        match self.action.as_str() {
            "add_labels" | "remove_labels" => format!("{label} {}", self.param("bulk_labels")),
            "set_status" => format!("Set status to {}", self.param("bulk_status")),
            "set_member_level" if self.param("bulk_level").is_empty() => "Clear the member level".into(),
            "set_member_level" => format!("Set member level to {}", self.param("bulk_level")),
            "assign_coach" => {
                format!("Assign to {}", pick(coaches.as_deref().unwrap_or_default(), self.param("bulk_coach")))
            }
            "add_to_group" | "remove_from_group" => format!("{label} {}", pick(groups, self.param("bulk_group"))),
            "assign_plan" => {
                format!("Assign {} from {}", pick(plans, self.param("bulk_plan")), self.param("bulk_start"))
            }
            _ => label.to_owned(),
        }
    }

    /// The form's fields for the confirmation page to post again.
    fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![("action".to_owned(), self.action.clone()), ("scope".to_owned(), self.scope.clone())];
        fields.extend(self.params.iter().cloned());
        fields.extend(self.ids.iter().map(|id| ("ids".to_owned(), id.clone())));
        fields.extend(hidden_filters(&self.filters));
        fields
    }
}

/// One athlete's line on the results page.
struct ResultRow {
    user_id: String,
    name: String,
    outcome: &'static str,
    reason: String,
}

fn reason(code: Option<&str>) -> String {
    match code {
        None => String::new(),
        Some("not_assigned_to_you") => "Not assigned to you".into(),
        Some("unchanged") => "Nothing to change".into(),
        Some("not_an_athlete") => "Not an athlete".into(),
        Some("not_found") => "Not a member any more".into(),
        Some(code) => crate::form::capitalize(&code.replace('_', " ")),
    }
}

#[derive(Template)]
#[template(path = "bulk.html")]
struct BulkPage {
    chrome: Chrome,
    /// What the action does, in words.
    what: String,
    /// The Athletes page with the filters the action came from.
    back: String,
    /// A refusal of the whole request.
    error: Option<String>,
    /// **Apply to all matching** or a removal: how many athletes, and the
    /// form to post again.
    confirm: Option<(usize, Vec<(String, String)>)>,
    /// The confirmation is for the filter's matches (else the checked athletes).
    matching: bool,
    /// The outcome per athlete.
    results: Vec<ResultRow>,
    /// done, skipped, error.
    counts: [usize; 3],
}

/// **Bulk action**: the checked athletes at once; all matching athletes
/// after a confirmation page with their count.
pub(super) async fn run(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let form = BulkForm::read(form.into_inner());
    let page = posted(&c, &req, form.csrf.clone(), move |c, viewer| {
        let (me, org_id) = (viewer.user.user_id, viewer.org_id()?);
        viewer.authorize(Action::BulkEditRoster, Target::Organization)?;
        let coach_list = coaches::names(&c.cx(viewer.caller()), org_id)?;
        let group_list = groups::names(&c.cx(viewer.caller()), org_id, 200)?;
        let Choices { coaches: coach_choices, groups: group_choices, plans: plan_choices } =
            choices(c, &viewer, &coach_list, &group_list)?;
        let mut page = BulkPage {
            chrome: viewer.chrome("/athletes"),
            what: form.describe(&coach_choices, &group_choices, &plan_choices),
            back: form.filters.url("/athletes", &[]),
            error: None,
            confirm: None,
            matching: false,
            results: Vec::new(),
            counts: [0; 3],
        };
        let planned = form.action().and_then(|action| Ok((action, form.target()?)));
        let ids = planned.and_then(|(action, target)| {
            let ids = bulk::targets(&c.cx(me), org_id, &action, target)?;
            Ok((action, ids))
        });
        let (action, ids) = match ids {
            Ok(found) => found,
            Err(DomainError::Validation(errors)) => {
                let messages: Vec<String> = errors.iter().map(|e| crate::form::capitalize(&e.message)).collect();
                page.error = Some(messages.join(" "));
                return Ok(page);
            }
            Err(e) => return Err(e),
        };
        // A filter's matches are counted first, and a removal is asked twice.
        if (form.scope == "all" || form.action == "remove") && !form.confirmed {
            page.confirm = Some((ids.len(), form.fields()));
            page.matching = form.scope == "all";
            return Ok(page);
        }
        // Names first, in one read: a removed athlete is still named on the results.
        let names: HashMap<UserId, String> =
            c.store.members(org_id, &ids)?.iter().map(|v| (v.membership.user_id, member_name(v))).collect();
        let results = bulk::apply(&c.cx(me), org_id, &ids, &action)?;
        for result in results {
            let name = names.get(&result.user_id).cloned().unwrap_or_else(|| result.user_id.to_string());
            let (outcome, slot) = match result.outcome {
                BulkOutcome::Done => ("done", 0),
                BulkOutcome::Skipped => ("skipped", 1),
                BulkOutcome::Error => ("error", 2),
            };
            page.counts[slot] += 1;
            page.results.push(ResultRow {
                user_id: result.user_id.to_string(),
                name,
                outcome,
                reason: reason(result.code.as_deref()),
            });
        }
        Ok(page)
    })
    .await?;
    let mut res = render(&page)?;
    if page.error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}
