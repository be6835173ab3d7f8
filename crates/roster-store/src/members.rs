//! `MemberRepo` over the store: a member's attributes and labels, adding,
//! updating and removing members, and the roster list (in `roster`).

mod compliance;
pub(crate) mod profile_status;
mod roster;
pub(crate) mod roster_sql;
mod side_rosters;
pub(crate) mod status_cache;

use crate::Store;
use crate::conn::DbConn;
use crate::effects::{apply_join_effects, end_member_effects};
use crate::error::{StoreError, parse};
use crate::organizations::{insert_membership, lock_live_coach};
use crate::rows::{MembershipRow, insert_event, to_db};
use crate::schema::{member_labels, memberships, users};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use roster_domain::entities::{AuditEvent, JoinExtras, Membership};
use roster_domain::joining::{JoinMode, Joiner};
use roster_domain::member::{Label, Labels, MemberRepo, MemberView, RosterPage, RosterQuery};
use roster_domain::{ApiKeyId, Conflict, DomainError, OrgId, RepoError, Role, UserId};

/// The lower-cased sort key: the display name, else first and last name.
pub(crate) fn sort_name(display_name: Option<&str>, first: &str, last: Option<&str>) -> String {
    match display_name {
        Some(d) => d.to_lowercase(),
        None => format!("{first} {}", last.unwrap_or_default()).trim_end().to_lowercase(),
    }
}

/// The lower-cased text `q` searches: first, last, display name and e-mail,
/// one per line so a search never matches across two of them.
pub(crate) fn search_text(first: &str, last: Option<&str>, display_name: Option<&str>, email: &str) -> String {
    format!("{first}\n{}\n{}\n{email}", last.unwrap_or_default(), display_name.unwrap_or_default()).to_lowercase()
}

/// `memberships.sort_name` and `memberships.search_text` set from the
/// display name and the account: what every write of them sets.
pub(crate) fn name_keys(
    display_name: Option<&str>,
    first: &str,
    last: Option<&str>,
    email: &str,
) -> (diesel::dsl::Eq<memberships::sort_name, String>, diesel::dsl::Eq<memberships::search_text, String>) {
    (
        memberships::sort_name.eq(sort_name(display_name, first, last)),
        memberships::search_text.eq(search_text(first, last, display_name, email)),
    )
}

/// Recomputes a membership's sort and search keys from its account and display name.
pub(crate) fn refresh_search_keys(conn: &mut DbConn, membership_id: &str) -> Result<(), StoreError> {
    let (user_id, display_name): (String, Option<String>) =
        memberships::table.find(membership_id).select((memberships::user_id, memberships::display_name)).first(conn)?;
    let (first, last, email): (String, Option<String>, String) =
        users::table.find(&user_id).select((users::first_name, users::last_name, users::email)).first(conn)?;
    diesel::update(memberships::table.find(membership_id))
        .set(name_keys(display_name.as_deref(), &first, last.as_deref(), &email))
        .execute(conn)?;
    Ok(())
}

/// The labels as stored for filtering: `,@a,@b,` (empty without labels).
pub(crate) fn labels_text<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
    let joined: Vec<&str> = labels.into_iter().collect();
    if joined.is_empty() { String::new() } else { format!(",{},", joined.join(",")) }
}

/// The labels of a `labels_text` mirror (`,@a,@b,`), in their stored order.
pub(crate) fn labels_from_text(text: &str) -> Result<Vec<Label>, StoreError> {
    text.split(',').filter(|l| !l.is_empty()).map(|l| parse("memberships.labels_text", Label::parse(l))).collect()
}

/// Replaces a membership's labels (the `labels_text` mirror too).
fn write_labels(conn: &mut DbConn, m: &Membership) -> Result<(), StoreError> {
    let id = m.membership_id.to_string();
    diesel::update(memberships::table.find(&id))
        .set(memberships::labels_text.eq(labels_text(m.labels.as_slice().iter().map(|l| l.as_str()))))
        .execute(conn)?;
    replace_label_rows(conn, m)
}

/// Replaces a membership's `member_labels` rows.
fn replace_label_rows(conn: &mut DbConn, m: &Membership) -> Result<(), StoreError> {
    let (id, org_id) = (m.membership_id.to_string(), m.org_id.to_string());
    diesel::delete(member_labels::table.filter(member_labels::membership_id.eq(&id))).execute(conn)?;
    for label in m.labels.as_slice() {
        diesel::insert_into(member_labels::table)
            .values((
                member_labels::membership_id.eq(&id),
                member_labels::org_id.eq(&org_id),
                member_labels::label.eq(label.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Labels of the given memberships, by membership id.
pub(crate) fn labels_of(
    conn: &mut DbConn,
    membership_ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<Label>>, StoreError> {
    let rows: Vec<(String, String)> = member_labels::table
        .filter(member_labels::membership_id.eq_any(membership_ids))
        .select((member_labels::membership_id, member_labels::label))
        .load(conn)?;
    let mut map: std::collections::HashMap<String, Vec<Label>> = std::collections::HashMap::new();
    for (id, label) in rows {
        map.entry(id).or_default().push(parse("member_labels.label", Label::parse(&label))?);
    }
    Ok(map)
}

/// A membership row with its account's names, as a view with labels.
pub(crate) fn into_view(
    row: MembershipRow,
    (first_name, last_name, email): (String, Option<String>, String),
    labels: Vec<Label>,
    last_activity_at: Option<chrono::NaiveDateTime>,
) -> Result<MemberView, StoreError> {
    let mut membership = row.into_membership()?;
    membership.labels = Labels::from_labels(labels);
    let last_activity_at = last_activity_at.map(crate::rows::from_db);
    Ok(MemberView { membership, first_name, last_name, email, last_activity_at })
}

impl MemberRepo for Store {
    fn member(&self, org_id: OrgId, user_id: UserId) -> Result<Option<MemberView>, RepoError> {
        Ok(self.members(org_id, &[user_id])?.pop())
    }

    fn members(&self, org_id: OrgId, user_ids: &[UserId]) -> Result<Vec<MemberView>, RepoError> {
        // Bounded batches keep each statement under SQLite's bind limit.
        const BATCH: usize = 500;
        self.with(|conn| {
            type Found = (MembershipRow, String, Option<String>, String, Option<chrono::NaiveDateTime>);
            let mut views = Vec::with_capacity(user_ids.len());
            for batch in user_ids.chunks(BATCH) {
                let ids: Vec<String> = batch.iter().map(ToString::to_string).collect();
                let found: Vec<Found> = memberships::table
                    .inner_join(users::table)
                    .filter(memberships::org_id.eq(org_id.to_string()))
                    .filter(memberships::user_id.eq_any(&ids))
                    .filter(memberships::removed_at.is_null())
                    .select((
                        MembershipRow::as_select(),
                        users::first_name,
                        users::last_name,
                        users::email,
                        memberships::last_activity_at,
                    ))
                    .load(conn)?;
                let membership_ids: Vec<String> = found.iter().map(|(row, ..)| row.membership_id.clone()).collect();
                let mut labels = labels_of(conn, &membership_ids)?;
                for (row, first, last, email, last_activity_at) in found {
                    let own = labels.remove(&row.membership_id).unwrap_or_default();
                    views.push(into_view(row, (first, last, email), own, last_activity_at)?);
                }
            }
            Ok(views)
        })
    }

    fn add_member(
        &self,
        membership: &Membership,
        extras: &JoinExtras,
        actor: (UserId, Option<ApiKeyId>),
        event: &AuditEvent,
        mail: &roster_domain::invitation::OutboxMessage,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            if let Some(coach) = membership.assigned_to_coach_id
                && !lock_live_coach(conn, membership.org_id, coach)?
            {
                // Removed meanwhile; an assistant coach adding their own
                // athlete is no longer a member here.
                return Err(if coach == actor.0 {
                    DomainError::NotFound("organization")
                } else {
                    DomainError::NotACoach
                }
                .into());
            }
            insert_membership(conn, membership)?;
            write_labels(conn, membership)?;
            crate::invitations::enqueue(conn, mail, self.mail_key.as_deref())?;
            let joiner = Joiner {
                org_id: membership.org_id,
                user_id: membership.user_id,
                author: actor,
                now: membership.joined_at,
            };
            apply_join_effects(conn, joiner, extras, JoinMode::Strict)?;
            insert_event(conn, event)
        })
    }

    fn update_member(&self, m: &Membership, expected_version: i64, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| {
            let id = m.membership_id.to_string();
            let coach_gone = match m.assigned_to_coach_id {
                Some(coach) => !lock_live_coach(conn, m.org_id, coach)?,
                None => false,
            };
            // What the write derives from besides `m`: the labels as stored
            // (their rows are rewritten only when they change) and the
            // account's names (for the sort and search keys).
            type Before = (String, String, Option<String>, String);
            let before: Option<Before> = memberships::table
                .inner_join(users::table)
                .filter(memberships::membership_id.eq(&id))
                .select((memberships::labels_text, users::first_name, users::last_name, users::email))
                .first(conn)
                .optional()?;
            let new_labels = labels_text(m.labels.as_slice().iter().map(|l| l.as_str()));
            let updated = match (&before, coach_gone) {
                (None, _) | (_, true) => 0,
                (Some((_, first, last, email)), false) => {
                    let display = m.display_name.as_ref().map(|v| v.as_str());
                    diesel::update(
                        memberships::table
                            .filter(memberships::membership_id.eq(&id))
                            .filter(memberships::version.eq(expected_version))
                            .filter(memberships::removed_at.is_null()),
                    )
                    .set((
                        memberships::status.eq(m.status.as_str()),
                        memberships::display_name.eq(m.display_name.as_ref().map(|v| v.as_str())),
                        memberships::member_level.eq(m.member_level.as_ref().map(|v| v.as_str())),
                        memberships::private_notes.eq(m.private_notes.as_ref().map(|v| v.as_str())),
                        memberships::assigned_to_coach_id.eq(m.assigned_to_coach_id.map(|c| c.to_string())),
                        memberships::updated_at.eq(to_db(m.updated_at)),
                        memberships::version.eq(m.version),
                        memberships::labels_text.eq(&new_labels),
                        name_keys(display, first, last.as_deref(), email),
                    ))
                    .execute(conn)?
                }
            };
            if updated == 0 {
                let live: Option<i64> = memberships::table
                    .filter(memberships::membership_id.eq(&id))
                    .filter(memberships::removed_at.is_null())
                    .select(memberships::version)
                    .first(conn)
                    .optional()?;
                return Err(match live {
                    None => DomainError::NotFound("member").into(),
                    // The row is as read: this write names a coach who was
                    // removed meanwhile. (A coach who was already assigned
                    // was unassigned by the removal, which changed the row.)
                    Some(v) if v == expected_version && coach_gone => DomainError::NotACoach.into(),
                    Some(_) => Conflict::VersionMismatch.into(),
                });
            }
            if before.is_some_and(|(old_labels, ..)| old_labels != new_labels) {
                replace_label_rows(conn, m)?;
            }
            insert_event(conn, event)
        })
    }

    fn remove_member(
        &self,
        org_id: OrgId,
        user_id: UserId,
        actor: UserId,
        at: DateTime<Utc>,
        event: &AuditEvent,
    ) -> Result<(), RepoError> {
        self.tx(|conn| {
            let ended = diesel::update(
                memberships::table
                    .filter(memberships::org_id.eq(org_id.to_string()))
                    .filter(memberships::user_id.eq(user_id.to_string()))
                    .filter(memberships::role.eq(Role::Athlete.as_str()))
                    .filter(memberships::removed_at.is_null()),
            )
            .set((
                memberships::removed_at.eq(to_db(at)),
                memberships::assigned_to_coach_id.eq(None::<String>),
                memberships::updated_at.eq(to_db(at)),
                memberships::version.eq(memberships::version + 1),
            ))
            .execute(conn)?;
            if ended == 0 {
                return Err(DomainError::NotFound("member").into());
            }
            end_member_effects(conn, Joiner { org_id, user_id, author: (actor, None), now: at })?;
            insert_event(conn, event)
        })
    }

    fn roster(&self, org_id: OrgId, query: &RosterQuery) -> Result<RosterPage, RepoError> {
        self.with(|conn| roster::roster(conn, org_id, query))
    }
}

impl Store {
    /// The live group ids of each of `user_ids` in `org_id`, in one query
    /// (users in no group get an empty list): the `group_ids` of Member responses.
    pub fn member_group_ids(
        &self,
        org_id: OrgId,
        user_ids: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, Vec<roster_domain::GroupId>>, RepoError> {
        self.with(|conn| crate::groups::group_ids_of(conn, org_id, user_ids))
    }
}
