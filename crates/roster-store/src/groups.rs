//! Groups and group memberships: `GroupRepo`, group plan assignment with its
//! enrollments, and the batch reads for the roster page.

use crate::effects::apply_group_join;
use crate::error::{StoreError, parse};
use crate::plans::{AssignOutcome, date_text, insert_assignment, lower, plan_in};
use crate::rows::{MembershipRow, from_db, insert_event, to_db};
use crate::schema::{group_plan_enrollments, memberships, org_group_members, org_groups};
use crate::{DbConn, Store};
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use roster_domain::entities::{AuditEvent, Membership};
use roster_domain::groups::{Group, GroupName, GroupPlanRequest, GroupRepo, GroupView, MemberOutcome, Outcome};
use roster_domain::joining::Joiner;
use roster_domain::plans::PlanAssignment;
use roster_domain::values::Description;
use roster_domain::{Conflict, DomainError, GroupId, OrgId, RepoError, UserId};
use std::collections::HashMap;

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = org_groups)]
struct GroupRow {
    group_id: String,
    org_id: String,
    name: String,
    description: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl GroupRow {
    fn new(g: &Group) -> Self {
        Self {
            group_id: g.group_id.to_string(),
            org_id: g.org_id.to_string(),
            name: g.name.as_str().to_owned(),
            description: g.description.as_str().to_owned(),
            created_at: to_db(g.created_at),
            updated_at: to_db(g.updated_at),
            version: g.version,
        }
    }

    fn into_group(self) -> Result<Group, StoreError> {
        Ok(Group {
            group_id: parse("org_groups.group_id", self.group_id.parse())?,
            org_id: parse("org_groups.org_id", self.org_id.parse())?,
            name: parse("org_groups.name", GroupName::parse(&self.name))?,
            description: parse("org_groups.description", Description::parse(&self.description))?,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
            version: self.version,
        })
    }
}

/// Whether another group of the organization has this name, ignoring case.
fn name_taken(conn: &mut DbConn, g: &Group) -> Result<bool, StoreError> {
    let n: i64 = org_groups::table
        .filter(org_groups::org_id.eq(g.org_id.to_string()))
        .filter(lower(org_groups::name).eq(g.name.as_str().to_lowercase()))
        .filter(org_groups::group_id.ne(g.group_id.to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether the group exists in the organization.
pub(crate) fn group_exists(conn: &mut DbConn, org_id: &str, group_id: &str) -> Result<bool, StoreError> {
    let n: i64 = org_groups::table
        .filter(org_groups::org_id.eq(org_id))
        .filter(org_groups::group_id.eq(group_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Puts the member into the group; `false` when already in it.
pub(crate) fn insert_group_member(
    conn: &mut DbConn,
    org_id: &str,
    group_id: &str,
    user_id: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let present: i64 = org_group_members::table
        .filter(org_group_members::group_id.eq(group_id))
        .filter(org_group_members::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if present > 0 {
        return Ok(false);
    }
    diesel::insert_into(org_group_members::table)
        .values((
            org_group_members::group_id.eq(group_id),
            org_group_members::user_id.eq(user_id),
            org_group_members::org_id.eq(org_id),
            org_group_members::added_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

fn member_counts(conn: &mut DbConn, ids: Vec<String>) -> Result<HashMap<String, i64>, StoreError> {
    Ok(org_group_members::table
        .filter(org_group_members::group_id.eq_any(ids))
        .group_by(org_group_members::group_id)
        .select((org_group_members::group_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

fn views(conn: &mut DbConn, rows: Vec<GroupRow>) -> Result<Vec<GroupView>, StoreError> {
    let counts = member_counts(conn, rows.iter().map(|r| r.group_id.clone()).collect())?;
    rows.into_iter()
        .map(|r| {
            let member_count = counts.get(&r.group_id).copied().unwrap_or(0);
            Ok(GroupView { group: r.into_group()?, member_count })
        })
        .collect()
}

impl GroupRepo for Store {
    fn insert_group(&self, group: &Group, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            if name_taken(conn, group)? {
                return Err(Conflict::GroupNameTaken.into());
            }
            diesel::insert_into(org_groups::table).values(GroupRow::new(group)).execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn group(&self, org_id: OrgId, group_id: GroupId) -> Result<Option<GroupView>, RepoError> {
        self.with(|conn| {
            let rows: Vec<GroupRow> = org_groups::table
                .filter(org_groups::org_id.eq(org_id.to_string()))
                .filter(org_groups::group_id.eq(group_id.to_string()))
                .select(GroupRow::as_select())
                .load(conn)?;
            Ok(views(conn, rows)?.into_iter().next())
        })
    }

    fn groups(&self, org_id: OrgId, after: Option<GroupId>, limit: u32) -> Result<Vec<GroupView>, RepoError> {
        self.with(|conn| {
            let mut query = org_groups::table
                .filter(org_groups::org_id.eq(org_id.to_string()))
                .select(GroupRow::as_select())
                .order(org_groups::group_id.asc())
                .limit(i64::from(limit) + 1)
                .into_boxed();
            if let Some(after) = after {
                query = query.filter(org_groups::group_id.gt(after.to_string()));
            }
            let rows = query.load(conn)?;
            views(conn, rows)
        })
    }

    fn group_names(&self, org_id: OrgId, limit: u32) -> Result<Vec<Group>, RepoError> {
        self.with(|conn| {
            org_groups::table
                .filter(org_groups::org_id.eq(org_id.to_string()))
                .select(GroupRow::as_select())
                .order(org_groups::group_id.asc())
                .limit(i64::from(limit))
                .load(conn)?
                .into_iter()
                .map(GroupRow::into_group)
                .collect()
        })
    }

    fn update_group(&self, group: &Group, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            if name_taken(conn, group)? {
                return Err(Conflict::GroupNameTaken.into());
            }
            let updated = diesel::update(
                org_groups::table
                    .filter(org_groups::group_id.eq(group.group_id.to_string()))
                    .filter(org_groups::version.eq(expected_version)),
            )
            .set(GroupRow::new(group))
            .execute(conn)?;
            if updated == 0 {
                return Err(Conflict::VersionMismatch.into());
            }
            insert_event(conn, event)
        })
    }

    fn delete_group(&self, org_id: OrgId, group_id: GroupId, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            let (org, id) = (org_id.to_string(), group_id.to_string());
            diesel::delete(org_group_members::table.filter(org_group_members::group_id.eq(&id))).execute(conn)?;
            diesel::delete(group_plan_enrollments::table.filter(group_plan_enrollments::group_id.eq(&id)))
                .execute(conn)?;
            let deleted = diesel::delete(
                org_groups::table.filter(org_groups::group_id.eq(&id)).filter(org_groups::org_id.eq(&org)),
            )
            .execute(conn)?;
            if deleted == 0 {
                return Err(DomainError::NotFound("group").into());
            }
            insert_event(conn, event)
        })
    }

    fn add_group_member(
        &self,
        org_id: OrgId,
        group_id: GroupId,
        user_id: UserId,
        event: &AuditEvent,
    ) -> Result<bool, RepoError> {
        self.tx(|conn| {
            // The join checks the member (once locked) and the group, and
            // makes `event` again with the enrollments it brings.
            let joiner = Joiner { org_id, user_id, author: (event.actor_user_id, None), now: event.created_at };
            apply_group_join(conn, joiner, group_id)
        })
    }

    fn remove_group_member(
        &self,
        org_id: OrgId,
        group_id: GroupId,
        user_id: UserId,
        event: &AuditEvent,
    ) -> Result<bool, RepoError> {
        self.tx(|conn| {
            let removed = diesel::delete(
                org_group_members::table
                    .filter(org_group_members::org_id.eq(org_id.to_string()))
                    .filter(org_group_members::group_id.eq(group_id.to_string()))
                    .filter(org_group_members::user_id.eq(user_id.to_string())),
            )
            .execute(conn)?;
            if removed == 0 {
                return Ok(false);
            }
            insert_event(conn, event)?;
            Ok(true)
        })
    }

    fn group_members(&self, org_id: OrgId, group_id: GroupId) -> Result<Vec<Membership>, RepoError> {
        self.with(|conn| {
            let org = org_id.to_string();
            let in_group = org_group_members::table
                .filter(org_group_members::group_id.eq(group_id.to_string()))
                .select(org_group_members::user_id);
            memberships::table
                .filter(memberships::org_id.eq(org))
                .filter(memberships::removed_at.is_null())
                .filter(memberships::user_id.eq_any(in_group))
                .order(memberships::user_id.asc())
                .select(MembershipRow::as_select())
                .load::<MembershipRow>(conn)?
                .into_iter()
                .map(MembershipRow::into_membership)
                .collect()
        })
    }

    fn assign_plan_to_group(
        &self,
        request: &GroupPlanRequest,
        candidates: &[UserId],
        event: &AuditEvent,
    ) -> Result<Vec<MemberOutcome>, RepoError> {
        self.tx(|conn| {
            let org = request.org_id.to_string();
            let plan =
                plan_in(conn, &org, &request.plan_id.to_string())?.ok_or(DomainError::NotFound("training plan"))?;
            // Archived since the request was decided: nobody is assigned, nothing enrolled.
            if plan.archived_at.is_some() {
                return Err(DomainError::PlanArchived.into());
            }
            let mut results = Vec::with_capacity(candidates.len());
            for &user_id in candidates {
                let (mut a, assigned) = PlanAssignment::decide(
                    &plan,
                    user_id,
                    Some(request.start_date),
                    request.today,
                    request.assigned_by,
                    request.at,
                )?;
                a.assigned_by_key = request.assigned_by_key;
                let outcome = match insert_assignment(conn, &a, true) {
                    Ok(AssignOutcome::Assigned) => {
                        insert_event(conn, &assigned)?;
                        MemberOutcome { user_id, outcome: Outcome::Assigned, code: None }
                    }
                    Ok(AssignOutcome::AlreadyAssigned) => {
                        MemberOutcome { user_id, outcome: Outcome::Skipped, code: Some("already_assigned") }
                    }
                    Err(StoreError::Conflict(Conflict::PlanAssignmentOverlap)) => {
                        MemberOutcome { user_id, outcome: Outcome::Skipped, code: Some("plan_assignment_overlap") }
                    }
                    Err(other) => return Err(other),
                };
                results.push(outcome);
            }
            if request.enroll_future_members {
                let start = date_text(request.start_date);
                let existing: i64 = group_plan_enrollments::table
                    .filter(group_plan_enrollments::group_id.eq(request.group_id.to_string()))
                    .filter(group_plan_enrollments::plan_id.eq(request.plan_id.to_string()))
                    .filter(group_plan_enrollments::start_date.eq(&start))
                    .count()
                    .get_result(conn)?;
                if existing == 0 {
                    let (created_by, created_by_key_id) =
                        crate::rows::author_to_db(request.assigned_by, request.assigned_by_key);
                    diesel::insert_into(group_plan_enrollments::table)
                        .values((
                            group_plan_enrollments::enrollment_id.eq(uuid::Uuid::now_v7().to_string()),
                            group_plan_enrollments::org_id.eq(&org),
                            group_plan_enrollments::group_id.eq(request.group_id.to_string()),
                            group_plan_enrollments::plan_id.eq(request.plan_id.to_string()),
                            group_plan_enrollments::start_date.eq(start),
                            group_plan_enrollments::created_by.eq(created_by),
                            group_plan_enrollments::created_at.eq(to_db(request.at)),
                            group_plan_enrollments::created_by_key_id.eq(created_by_key_id),
                        ))
                        .execute(conn)?;
                }
            }
            insert_event(conn, event)?;
            Ok(results)
        })
    }
}

/// The groups of each of `user_ids` in the organization, for a roster page;
/// one query. Users in no group are absent.
pub fn group_ids_of(
    conn: &mut DbConn,
    org_id: OrgId,
    user_ids: &[UserId],
) -> Result<HashMap<UserId, Vec<GroupId>>, StoreError> {
    let mut out: HashMap<UserId, Vec<GroupId>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = user_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, String)> = org_group_members::table
        .filter(org_group_members::org_id.eq(org_id.to_string()))
        .filter(org_group_members::user_id.eq_any(ids))
        .order((org_group_members::user_id.asc(), org_group_members::group_id.asc()))
        .select((org_group_members::user_id, org_group_members::group_id))
        .load(conn)?;
    for (user, group) in rows {
        out.entry(parse("org_group_members.user_id", user.parse())?)
            .or_default()
            .push(parse("org_group_members.group_id", group.parse())?);
    }
    Ok(out)
}

/// The members of one group, as a subquery of user ids.
type GroupMemberIds = diesel::dsl::Select<
    diesel::dsl::Filter<org_group_members::table, diesel::dsl::Eq<org_group_members::group_id, String>>,
    org_group_members::user_id,
>;

/// The roster's `group_id` filter: `memberships.user_id IN (members of the
/// group)`, for `.filter(...)` on any query over `memberships` (boxed or not,
/// joined with `users` or not).
pub fn member_in_group(group_id: GroupId) -> diesel::dsl::EqAny<memberships::user_id, GroupMemberIds> {
    memberships::user_id.eq_any(
        org_group_members::table
            .filter(org_group_members::group_id.eq(group_id.to_string()))
            .select(org_group_members::user_id),
    )
}
