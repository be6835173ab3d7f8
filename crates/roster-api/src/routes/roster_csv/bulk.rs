//! `POST /organizations/{org_id}/members/bulk`: one action on many athletes.

use crate::auth::Principal;
use crate::error::{ApiError, Problem};
use crate::routes::Json;
use crate::routes::members::dto::parse_labels;
use crate::routes::members::query;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use roster_domain::error::FieldErrors;
use roster_domain::member::MemberLevel;
use roster_domain::services::bulk::{self, BulkAction, BulkResult, BulkTarget};
use roster_domain::{GroupId, MembershipStatus, OrgId, PlanId, UserId};
use serde::{Deserialize, Serialize};

/// The roster list's filters, as an object.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkFilter {
    /// Any of these statuses.
    #[serde(default)]
    status: Vec<String>,
    /// All of these labels.
    #[serde(default)]
    label: Vec<String>,
    /// Exactly this level.
    member_level: Option<String>,
    /// A coach's user id, `me` or `none`.
    assigned_to_coach_id: Option<String>,
    /// Members of this group.
    group_id: Option<String>,
    /// Substring of names or e-mail.
    q: Option<String>,
}

impl BulkFilter {
    fn into_pairs(self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        pairs.extend(self.status.into_iter().map(|v| ("status".to_owned(), v)));
        pairs.extend(self.label.into_iter().map(|v| ("label".to_owned(), v)));
        let single = [
            ("member_level", self.member_level),
            ("assigned_to_coach_id", self.assigned_to_coach_id),
            ("group_id", self.group_id),
            ("q", self.q),
        ];
        pairs.extend(single.into_iter().filter_map(|(name, v)| v.map(|v| (name.to_owned(), v))));
        pairs
    }
}

/// The action's parameters; which are needed depends on the action.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkParams {
    /// `add_labels`, `remove_labels`.
    labels: Option<Vec<String>>,
    /// `set_status`: `active`, `inactive` or `suspended`.
    status: Option<String>,
    /// `set_member_level` (`null` clears).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    member_level: Option<Option<String>>,
    /// `assign_coach` (`null` unassigns).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<UserId>)]
    coach_id: Option<Option<UserId>>,
    /// `add_to_group`, `remove_from_group`.
    group_id: Option<GroupId>,
    /// `assign_plan`.
    plan_id: Option<PlanId>,
    /// `assign_plan`: the first day (not in the past).
    start_date: Option<NaiveDate>,
}

/// A field that is present, `null` or not.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// One action for many athletes: `user_ids` or `filter`, not both.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// At most 500 members.
    user_ids: Option<Vec<UserId>>,
    /// The roster list's filters; at most 5 000 matches.
    filter: Option<BulkFilter>,
    /// `add_labels`, `remove_labels`, `set_status`, `set_member_level`, `assign_coach`, `add_to_group`,
    /// `remove_from_group`, `assign_plan` or `remove`.
    action: String,
    /// The action's parameters.
    #[serde(default)]
    params: BulkParams,
    /// `true`: answer how many members the request names, change nothing.
    #[serde(default)]
    dry_run: bool,
}

/// The answer: how many members were named, and each one's outcome (none for a dry run).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkAnswer {
    /// Members named (ids deduplicated, or the filter's matches).
    count: usize,
    /// Whether this was a dry run.
    dry_run: bool,
    /// Per member, in the order named.
    results: Vec<BulkResult>,
}

fn missing(name: &str) -> ApiError {
    ApiError::bad_request("missing_field", &format!("params.{name}"), format!("params.{name} is required"))
}

fn parse_action(action: &str, p: BulkParams) -> Result<BulkAction, ApiError> {
    let labels = |p: BulkParams| -> Result<_, ApiError> {
        let raw = p.labels.ok_or_else(|| missing("labels"))?;
        let mut errors = FieldErrors::new();
        let labels = parse_labels(&mut errors, &raw);
        errors.finish()?;
        Ok(labels.unwrap_or_default().as_slice().to_vec())
    };
    Ok(match action {
        "add_labels" => BulkAction::AddLabels(labels(p)?),
        "remove_labels" => BulkAction::RemoveLabels(labels(p)?),
        "set_status" => {
            BulkAction::SetStatus(p.status.ok_or_else(|| missing("status"))?.parse::<MembershipStatus>().map_err(
                |_| ApiError::bad_request("invalid_value", "params.status", "status is active, inactive or suspended"),
            )?)
        }
        "set_member_level" => {
            let level = p.member_level.ok_or_else(|| missing("member_level"))?;
            let level = level.map(|l| MemberLevel::parse(&l)).transpose().map_err(|e| {
                ApiError::from(roster_domain::DomainError::Validation(vec![roster_domain::FieldError::from_invalid(
                    "params.member_level",
                    e,
                )]))
            })?;
            BulkAction::SetMemberLevel(level)
        }
        "assign_coach" => BulkAction::AssignCoach(p.coach_id.ok_or_else(|| missing("coach_id"))?),
        "add_to_group" => BulkAction::AddToGroup(p.group_id.ok_or_else(|| missing("group_id"))?),
        "remove_from_group" => BulkAction::RemoveFromGroup(p.group_id.ok_or_else(|| missing("group_id"))?),
        "assign_plan" => BulkAction::AssignPlan {
            plan_id: p.plan_id.ok_or_else(|| missing("plan_id"))?,
            start_date: p.start_date.ok_or_else(|| missing("start_date"))?,
        },
        "remove" => BulkAction::Remove,
        other => {
            return Err(ApiError::bad_request("invalid_action", "action", format!("unknown action `{other}`")));
        }
    })
}

fn parse_target(user_ids: Option<Vec<UserId>>, filter: Option<BulkFilter>) -> Result<BulkTarget, ApiError> {
    match (user_ids, filter) {
        (Some(ids), None) => Ok(BulkTarget::Ids(ids)),
        (None, Some(filter)) => Ok(BulkTarget::Filter(Box::new(query::parse(filter.into_pairs())?))),
        _ => Err(ApiError::bad_request("invalid_target", "user_ids", "send either user_ids or filter")),
    }
}

/// One action on many athletes (coaches; `assign_coach` head coach only): `user_ids` (at most 500) or `filter`
/// (the roster list's filters, at most 5 000 matches). Each member changes through the single-member rules, in
/// its own transaction with its own audit event, and answers `done`, `skipped` (`unchanged`,
/// `not_assigned_to_you` for an assistant coach's request about an athlete not assigned to them,
/// `not_an_athlete`) or `error` with the code the single request would have answered. `dry_run=true` answers
/// only the `count`. An API key needs `members:write`, and for `assign_plan` also `plans:write`, for
/// `add_to_group` and `remove_from_group` also `groups:write` (what those actions take on their own routes):
/// without it the whole request is `403 insufficient_scope` naming the scope, before anything is read or
/// written. Its members' audit events name the key, and its plan assignments `assigned_by_key_id`.
#[utoipa::path(post, path = "/api/v1/organizations/{org_id}/members/bulk", tag = "roster-csv",
    security(("bearer" = [])), params(("org_id" = OrgId, Path)), request_body = BulkBody,
    responses((status = 200, body = BulkAnswer),
        (status = 400, description = "invalid_target, invalid_action, missing_field, invalid_parameter", body = Problem),
        (status = 403, description = "forbidden: not a coach, or assign_coach by an assistant coach; \
            insufficient_scope: an API key without members:write (or, for assign_plan, plans:write; for \
            add_to_group and remove_from_group, groups:write)", body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "too_many_members, invalid_label, invalid_member_level", body = Problem)))]
pub async fn run(
    state: web::Data<AppState>,
    user: Principal,
    path: web::Path<OrgId>,
    body: Json<BulkBody>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let BulkBody { user_ids, filter, action, params, dry_run } = body.into_inner();
    let target = parse_target(user_ids, filter)?;
    let action = parse_action(&action, params)?;
    let (count, results) = user
        .run(&state, org_id, move |s, me| {
            let ids = bulk::targets(&s.cx(me.clone()), org_id, &action, target)?;
            if dry_run {
                return Ok((ids.len(), Vec::new()));
            }
            Ok((ids.len(), bulk::apply(&s.cx(me), org_id, &ids, &action)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(BulkAnswer { count, dry_run, results }))
}
