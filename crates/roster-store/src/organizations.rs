//! `OrganizationRepo` over the store.

use crate::dialect::first_locked;
use crate::error::{StoreError, parse};
use crate::rows::{MembershipRow, OrganizationRow, from_db, insert_event, to_db};
use crate::schema::{memberships, organizations, users};
use crate::{DbConn, Store};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use roster_domain::entities::{
    AuditEvent, CoachName, CoachView, Membership, OrgCounts, Organization, OrganizationView,
};
use roster_domain::ports::OrganizationRepo;
use roster_domain::{Conflict, DomainError, OrgId, RepoError, Role, UserId};

fn live_membership_row(conn: &mut DbConn, org_id: &str, user_id: &str) -> Result<Option<MembershipRow>, StoreError> {
    Ok(memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::removed_at.is_null())
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

fn headed_org(conn: &mut DbConn, user_id: &str) -> Result<Option<String>, StoreError> {
    Ok(memberships::table
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::role.eq(Role::HeadCoach.as_str()))
        .filter(memberships::removed_at.is_null())
        .select(memberships::org_id)
        .first(conn)
        .optional()?)
}

/// Whether `coach` is a live coach of `org_id`, read inside the caller's
/// write transaction before it writes an athlete's coach. On PostgreSQL the
/// coach's membership row stays share-locked until the transaction ends: a
/// concurrent removal of the coach either committed first (the re-checked
/// row is gone and this answers `false`) or waits for this transaction, and
/// its unassigning statement then sees what this one wrote. SQLite's write
/// transactions are serialized already. Taking this lock before touching the
/// athlete's row keeps the order the removal locks in (coach, then athletes).
pub(crate) fn lock_live_coach(conn: &mut DbConn, org_id: OrgId, coach: UserId) -> Result<bool, StoreError> {
    let query = memberships::table
        .filter(memberships::org_id.eq(org_id.to_string()))
        .filter(memberships::user_id.eq(coach.to_string()))
        .filter(memberships::removed_at.is_null())
        .filter(memberships::role.ne(Role::Athlete.as_str()))
        .select(memberships::membership_id);
    let found: Option<String> = first_locked!(conn, query, share)?;
    Ok(found.is_some())
}

/// Inserts a membership after checking, inside the transaction, the rules the
/// unique indexes back up: one live membership per organization and account,
/// one live athlete membership per account.
pub(crate) fn insert_membership(conn: &mut DbConn, m: &Membership) -> Result<(), StoreError> {
    let (org_id, user_id) = (m.org_id.to_string(), m.user_id.to_string());
    if live_membership_row(conn, &org_id, &user_id)?.is_some() {
        return Err(Conflict::AlreadyMember.into());
    }
    if m.role == Role::Athlete {
        let elsewhere: i64 = memberships::table
            .filter(memberships::user_id.eq(&user_id))
            .filter(memberships::role.eq(Role::Athlete.as_str()))
            .filter(memberships::removed_at.is_null())
            .count()
            .get_result(conn)?;
        if elsewhere > 0 {
            return Err(Conflict::MemberOfAnotherOrganization.into());
        }
    }
    diesel::insert_into(memberships::table).values(MembershipRow::new(m)).execute(conn)?;
    crate::members::refresh_search_keys(conn, &m.membership_id.to_string())?;
    Ok(())
}

/// A live coach: account, first and last name, e-mail, role, joined.
type CoachRow = (String, String, Option<String>, String, String, NaiveDateTime);

/// The organization's live coaches, head coach first.
fn coach_rows(conn: &mut DbConn, org_id: &str) -> Result<Vec<CoachRow>, StoreError> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::removed_at.is_null())
        // The two coach roles by equality, which the (org_id, role) index
        // answers; `role <> 'athlete'` read every athlete of the club.
        .filter(memberships::role.eq(Role::HeadCoach.as_str()).or(memberships::role.eq(Role::AssistantCoach.as_str())))
        .order((memberships::role.desc(), memberships::joined_at.asc()))
        .select((
            users::user_id,
            users::first_name,
            users::last_name,
            users::email,
            memberships::role,
            memberships::joined_at,
        ))
        .load(conn)?)
}

impl OrganizationRepo for Store {
    fn create_organization(&self, org: &Organization, head: &Membership, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            let creator = head.user_id.to_string();
            // A well-signed token can outlive its account (a database restored
            // from an older backup): that caller is nobody, not a foreign-key 500.
            let exists: bool = diesel::select(diesel::dsl::exists(users::table.find(&creator))).get_result(conn)?;
            if !exists {
                return Err(DomainError::Unauthenticated.into());
            }
            if headed_org(conn, &creator)?.is_some() {
                return Err(Conflict::AlreadyHeadCoach.into());
            }
            diesel::insert_into(organizations::table).values(OrganizationRow::new(org)).execute(conn)?;
            insert_membership(conn, head).map_err(|e| match e {
                // The per-user head-coach index fired: a concurrent create won.
                StoreError::Conflict(Conflict::AlreadyMember) => Conflict::AlreadyHeadCoach.into(),
                other => other,
            })?;
            insert_event(conn, event)
        })
    }

    fn organization(&self, org_id: OrgId) -> Result<Option<OrganizationView>, RepoError> {
        self.with(|conn| {
            let id = org_id.to_string();
            // A closed organization is no organization any more (its row
            // stays for the audit trail of the accounts that were in it).
            let Some(row) = organizations::table
                .find(&id)
                .filter(organizations::closed_at.is_null())
                .select(OrganizationRow::as_select())
                .first(conn)
                .optional()?
            else {
                return Ok(None);
            };
            let head: String = memberships::table
                .filter(memberships::org_id.eq(&id))
                .filter(memberships::role.eq(Role::HeadCoach.as_str()))
                .filter(memberships::removed_at.is_null())
                .select(memberships::user_id)
                .first(conn)?;
            let by_role: Vec<(String, i64)> = memberships::table
                .filter(memberships::org_id.eq(&id))
                .filter(memberships::removed_at.is_null())
                .group_by(memberships::role)
                .select((memberships::role, count_star()))
                .load(conn)?;
            let mut counts = OrgCounts::default();
            for (role, n) in by_role {
                match parse("memberships.role", role.parse::<Role>())? {
                    Role::Athlete => counts.athletes += n,
                    Role::HeadCoach | Role::AssistantCoach => counts.coaches += n,
                }
            }
            counts.pending_invitations = crate::invitations::pending_count(conn, &id, Utc::now())?;
            Ok(Some(OrganizationView {
                org: row.into_org()?,
                head_coach_user_id: parse("memberships.user_id", head.parse())?,
                counts,
            }))
        })
    }

    fn update_organization(
        &self,
        org: &Organization,
        expected_version: i64,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let updated = diesel::update(
                organizations::table
                    .filter(organizations::org_id.eq(org.org_id.to_string()))
                    .filter(organizations::version.eq(expected_version)),
            )
            .set(OrganizationRow::new(org))
            .execute(conn)?;
            if updated == 0 {
                return Err(Conflict::VersionMismatch.into());
            }
            insert_event(conn, event)
        })
    }

    fn live_membership(&self, org_id: OrgId, user_id: UserId) -> Result<Option<Membership>, RepoError> {
        self.with(|conn| {
            live_membership_row(conn, &org_id.to_string(), &user_id.to_string())?
                .map(MembershipRow::into_membership)
                .transpose()
        })
    }

    fn headed_by(&self, user_id: UserId) -> Result<Option<OrgId>, RepoError> {
        self.with(|conn| {
            headed_org(conn, &user_id.to_string())?.map(|o| parse("memberships.org_id", o.parse())).transpose()
        })
    }

    fn coaches(&self, org_id: OrgId) -> Result<Vec<CoachView>, RepoError> {
        self.with(|conn| {
            let id = org_id.to_string();
            let rows = coach_rows(conn, &id)?;
            let assigned: Vec<(Option<String>, i64)> = memberships::table
                .filter(memberships::org_id.eq(&id))
                .filter(memberships::removed_at.is_null())
                .filter(memberships::role.eq(Role::Athlete.as_str()))
                .filter(memberships::assigned_to_coach_id.is_not_null())
                .group_by(memberships::assigned_to_coach_id)
                .select((memberships::assigned_to_coach_id, count_star()))
                .load(conn)?;
            rows.into_iter()
                .map(|(user_id, first_name, last_name, email, role, joined_at)| {
                    let assigned_athletes =
                        assigned.iter().find(|(c, _)| c.as_deref() == Some(&user_id)).map_or(0, |(_, n)| *n);
                    Ok(CoachView {
                        user_id: parse("users.user_id", user_id.parse())?,
                        first_name,
                        last_name,
                        email,
                        role: parse("memberships.role", role.parse())?,
                        assigned_athletes,
                        joined_at: from_db(joined_at),
                    })
                })
                .collect()
        })
    }

    fn coach_names(&self, org_id: OrgId) -> Result<Vec<CoachName>, RepoError> {
        self.with(|conn| {
            coach_rows(conn, &org_id.to_string())?
                .into_iter()
                .map(|(user_id, first_name, last_name, _, role, _)| {
                    Ok(CoachName {
                        user_id: parse("users.user_id", user_id.parse())?,
                        first_name,
                        last_name,
                        role: parse("memberships.role", role.parse())?,
                    })
                })
                .collect()
        })
    }

    fn add_membership(&self, membership: &Membership, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            insert_membership(conn, membership)?;
            insert_event(conn, event)
        })
    }

    fn add_coach(
        &self,
        membership: &Membership,
        event: &AuditEvent,
        mail: &roster_domain::invitation::OutboxMessage,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            insert_membership(conn, membership)?;
            crate::invitations::enqueue(conn, mail, self.mail_key.as_deref())?;
            insert_event(conn, event)
        })
    }

    fn end_coach_membership(
        &self,
        org_id: OrgId,
        user_id: UserId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let (org, user, at) = (org_id.to_string(), user_id.to_string(), to_db(at));
            let ended = diesel::update(
                memberships::table
                    .filter(memberships::org_id.eq(&org))
                    .filter(memberships::user_id.eq(&user))
                    .filter(memberships::role.eq(Role::AssistantCoach.as_str()))
                    .filter(memberships::removed_at.is_null()),
            )
            .set((memberships::removed_at.eq(at), memberships::updated_at.eq(at)))
            .execute(conn)?;
            if ended == 0 {
                // A concurrent request got there first: answer as if it had
                // finished before this one started.
                let now = live_membership_row(conn, &org, &user)?;
                return Err(if now.is_some_and(|m| m.role == Role::HeadCoach.as_str()) {
                    DomainError::HeadCoachRequired.into()
                } else {
                    DomainError::NotFound("coach").into()
                });
            }
            diesel::update(
                memberships::table
                    .filter(memberships::org_id.eq(&org))
                    .filter(memberships::assigned_to_coach_id.eq(&user))
                    .filter(memberships::removed_at.is_null()),
            )
            .set((
                memberships::assigned_to_coach_id.eq(None::<String>),
                memberships::updated_at.eq(at),
                memberships::version.eq(memberships::version + 1),
            ))
            .execute(conn)?;
            insert_event(conn, event)
        })
    }

    fn swap_head_coach(
        &self,
        org_id: OrgId,
        from: UserId,
        to: UserId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let (org, at) = (org_id.to_string(), to_db(at));
            let set_role = |conn: &mut DbConn, user: UserId, from_role: Role, to_role: Role| {
                diesel::update(
                    memberships::table
                        .filter(memberships::org_id.eq(&org))
                        .filter(memberships::user_id.eq(user.to_string()))
                        .filter(memberships::role.eq(from_role.as_str()))
                        .filter(memberships::removed_at.is_null()),
                )
                .set((
                    memberships::role.eq(to_role.as_str()),
                    memberships::updated_at.eq(at),
                    memberships::version.eq(memberships::version + 1),
                ))
                .execute(conn)
            };
            // Demote first: the one-head-per-organization index holds after
            // each statement. A concurrent transfer or removal that got there
            // first is answered as if it had finished before this started:
            // the caller is no longer the head coach, or the new one is no
            // longer an assistant coach.
            if set_role(conn, from, Role::HeadCoach, Role::AssistantCoach)? != 1 {
                return Err(DomainError::Forbidden(roster_domain::policy::ONLY_HEAD_COACH).into());
            }
            if set_role(conn, to, Role::AssistantCoach, Role::HeadCoach)? != 1 {
                return Err(DomainError::NotACoach.into());
            }
            insert_event(conn, event)
        })
        .map_err(|e| match e {
            // The new head coach started heading another organization meanwhile.
            RepoError::Conflict(Conflict::AlreadyMember) => Conflict::AlreadyHeadCoach.into(),
            other => other,
        })
    }
}
