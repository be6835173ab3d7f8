//! Account erasure and the retention sweep of ended memberships.

use crate::DbConn;
use crate::dialect::first_locked;
use crate::error::StoreError;
use crate::invitations::{MailKey, enqueue};
use crate::members::refresh_search_keys;
use crate::rows::{insert_event, to_db};
use crate::schema::{
    activities, athlete_zones, audit_events, integrations, invitation_tokens, invitations, member_labels,
    member_statuses, memberships, org_group_members, outbox, password_resets, plan_assignments, race_goals,
    refresh_tokens, sessions, users, workout_adjustments,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use roster_domain::entities::AuditEvent;
use roster_domain::privacy::{AccountErasure, ERASED_NAME, erased_email, scrub_details};
use roster_domain::{Conflict, DomainError, Role};
use serde_json::json;

diesel::define_sql_function!(
    /// SQL `lower(text)`, the same on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// Locks the account's row for the transaction (PostgreSQL; SQLite's write
/// transaction is already exclusive) and refuses one already deleted.
fn lock_account(conn: &mut DbConn, user_id: &str) -> Result<(String, Option<String>), StoreError> {
    let query = users::table.find(user_id).select((users::first_name, users::last_name, users::deleted_at));
    let row: Option<(String, Option<String>, Option<NaiveDateTime>)> = first_locked!(conn, query, update)?;
    match row {
        Some((first, last, None)) => Ok((first, last)),
        _ => Err(StoreError::Refused(Box::new(DomainError::Unauthenticated))),
    }
}

pub(super) fn erase_account(conn: &mut DbConn, key: Option<&MailKey>, e: &AccountErasure) -> Result<(), StoreError> {
    let uid = e.user_id.to_string();
    let (first, last) = lock_account(conn, &uid)?;
    let heads: i64 = memberships::table
        .filter(memberships::user_id.eq(&uid))
        .filter(memberships::role.eq(Role::HeadCoach.as_str()))
        .filter(memberships::removed_at.is_null())
        .count()
        .get_result(conn)?;
    if heads > 0 {
        return Err(Conflict::HeadCoachMustTransfer.into());
    }
    let now = to_db(e.at);

    // The texts that name the person, to find them in other rows' details.
    let mut personal = vec![e.email.clone(), first.clone()];
    personal.extend(last.clone());
    personal.extend(last.as_ref().map(|l| format!("{first} {l}")));
    personal.extend(
        memberships::table
            .filter(memberships::user_id.eq(&uid))
            .select(memberships::display_name)
            .load::<Option<String>>(conn)?
            .into_iter()
            .flatten(),
    );
    type InvitationRow = (String, String, Option<String>, Option<String>);
    let invited: Vec<InvitationRow> = invitations::table
        .filter(invitations::email.eq(&e.email))
        .select((invitations::invitation_id, invitations::status, invitations::first_name, invitations::name))
        .load(conn)?;
    for (_, _, first_name, name) in &invited {
        personal.extend(first_name.iter().chain(name).cloned());
    }

    end_memberships(conn, e, &uid, now)?;
    erase_own_data(conn, &uid)?;
    erase_invitations(conn, &uid, &e.email, &invited)?;
    scrub_audit(conn, &uid, &personal)?;

    diesel::update(users::table.find(&uid))
        .set((
            users::email.eq(erased_email(e.user_id)),
            users::password_hash.eq("!"),
            users::first_name.eq(ERASED_NAME),
            users::last_name.eq(None::<String>),
            users::email_verified.eq(false),
            users::updated_at.eq(now),
            users::deleted_at.eq(Some(now)),
        ))
        .execute(conn)?;
    let ids: Vec<String> =
        memberships::table.filter(memberships::user_id.eq(&uid)).select(memberships::membership_id).load(conn)?;
    erase_org_attributes(conn, &ids)?;

    enqueue(conn, &e.confirmation, key)?;
    diesel::update(outbox::table.find(e.confirmation.message_id.to_string()))
        .set(outbox::erase_when_done.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Ends every live membership (with an event in that organization's trail),
/// unassigns the athletes the account coached, and drops its group rows and
/// the statuses cached for it.
fn end_memberships(conn: &mut DbConn, e: &AccountErasure, uid: &str, now: NaiveDateTime) -> Result<(), StoreError> {
    let live: Vec<String> = memberships::table
        .filter(memberships::user_id.eq(uid))
        .filter(memberships::removed_at.is_null())
        .select(memberships::org_id)
        .load(conn)?;
    diesel::update(memberships::table.filter(memberships::assigned_to_coach_id.eq(uid)))
        .set((
            memberships::assigned_to_coach_id.eq(None::<String>),
            memberships::updated_at.eq(now),
            memberships::version.eq(memberships::version + 1),
        ))
        .execute(conn)?;
    diesel::update(memberships::table.filter(memberships::user_id.eq(uid)).filter(memberships::removed_at.is_null()))
        .set((memberships::removed_at.eq(Some(now)), memberships::updated_at.eq(now)))
        .execute(conn)?;
    let ids = memberships::table.filter(memberships::user_id.eq(uid)).select(memberships::membership_id);
    // Cached statuses hold their data (race names, insights); the row stays
    // (one per membership), empty.
    diesel::update(member_statuses::table.filter(member_statuses::membership_id.eq_any(ids)))
        .set((
            member_statuses::cache.eq(None::<String>),
            member_statuses::status_json.eq(None::<String>),
            member_statuses::cached_version.eq(None::<i64>),
            member_statuses::valid_until.eq(None::<NaiveDateTime>),
            member_statuses::settings_key.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::delete(org_group_members::table.filter(org_group_members::user_id.eq(uid))).execute(conn)?;
    for org_id in live {
        let org_id = org_id.parse().map_err(|_| StoreError::Corrupt(format!("memberships.org_id {org_id}")))?;
        insert_event(conn, &AuditEvent::new(org_id, e.user_id, "account.deleted", Some(e.user_id), json!({}), e.at))?;
    }
    Ok(())
}

/// The account's own data, its plan assignments, sign-ins and reset requests.
fn erase_own_data(conn: &mut DbConn, uid: &str) -> Result<(), StoreError> {
    diesel::delete(workout_adjustments::table.filter(workout_adjustments::user_id.eq(uid))).execute(conn)?;
    diesel::delete(plan_assignments::table.filter(plan_assignments::user_id.eq(uid))).execute(conn)?;
    diesel::delete(activities::table.filter(activities::user_id.eq(uid))).execute(conn)?;
    // The triggers keep only live memberships' copy; ended ones keep theirs until here.
    diesel::update(memberships::table.filter(memberships::user_id.eq(uid)))
        .set(memberships::last_activity_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    diesel::delete(race_goals::table.filter(race_goals::user_id.eq(uid))).execute(conn)?;
    diesel::delete(athlete_zones::table.filter(athlete_zones::user_id.eq(uid))).execute(conn)?;
    diesel::delete(integrations::table.filter(integrations::user_id.eq(uid))).execute(conn)?;
    let own_sessions = sessions::table.filter(sessions::user_id.eq(uid)).select(sessions::session_id);
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::session_id.eq_any(own_sessions))).execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::user_id.eq(uid))).execute(conn)?;
    diesel::delete(password_resets::table.filter(password_resets::user_id.eq(uid))).execute(conn)?;
    Ok(())
}

/// Pending invitations to the address go with their links and e-mails; the
/// others keep their history without the address and names. Mail to the
/// address goes too, and the delivered e-mails of invitations the account
/// sent (they name it as the coach who invited).
fn erase_invitations(
    conn: &mut DbConn,
    uid: &str,
    email: &str,
    invited: &[(String, String, Option<String>, Option<String>)],
) -> Result<(), StoreError> {
    let pending: Vec<&String> = invited.iter().filter(|i| i.1 == "pending").map(|i| &i.0).collect();
    diesel::delete(outbox::table.filter(outbox::invitation_id.eq_any(&pending))).execute(conn)?;
    diesel::delete(invitation_tokens::table.filter(invitation_tokens::invitation_id.eq_any(&pending))).execute(conn)?;
    diesel::delete(invitations::table.filter(invitations::invitation_id.eq_any(&pending))).execute(conn)?;
    diesel::update(invitations::table.filter(invitations::email.eq(email)))
        .set((
            invitations::email.eq(None::<String>),
            invitations::first_name.eq(None::<String>),
            invitations::name.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::delete(outbox::table.filter(outbox::recipient.eq(email))).execute(conn)?;
    let sent_by_them = invitations::table.filter(invitations::created_by.eq(uid)).select(invitations::invitation_id);
    diesel::delete(
        outbox::table
            .filter(outbox::invitation_id.eq_any(sent_by_them.nullable()))
            .filter(outbox::sent_at.is_not_null().or(outbox::failed_at.is_not_null())),
    )
    .execute(conn)?;
    Ok(())
}

/// Audit events keep their shape: an event about the account loses every
/// value; any other event loses the texts that name it.
fn scrub_audit(conn: &mut DbConn, uid: &str, personal: &[String]) -> Result<(), StoreError> {
    let mut candidates: Vec<(String, Option<String>, String)> = audit_events::table
        .filter(audit_events::subject_user_id.eq(uid))
        .select((audit_events::event_id, audit_events::subject_user_id, audit_events::changes))
        .load(conn)?;
    for needle in personal.iter().map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()) {
        let pattern = format!("%{}%", needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        candidates.extend(
            audit_events::table
                .filter(lower(audit_events::changes).like(pattern).escape('\\'))
                .select((audit_events::event_id, audit_events::subject_user_id, audit_events::changes))
                .load::<(String, Option<String>, String)>(conn)?,
        );
    }
    candidates.sort_by(|a, b| a.0.cmp(&b.0));
    candidates.dedup_by(|a, b| a.0 == b.0);
    for (event_id, subject, changes) in candidates {
        let Ok(mut details) = serde_json::from_str::<serde_json::Value>(&changes) else { continue };
        if scrub_details(&mut details, personal, subject.as_deref() == Some(uid)) {
            diesel::update(audit_events::table.find(&event_id))
                .set(audit_events::changes.eq(details.to_string()))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Erases the organization-only attributes (display name, member level,
/// labels) and private notes of memberships ended before `ended_before`.
pub(super) fn erase_lapsed(conn: &mut DbConn, ended_before: DateTime<Utc>) -> Result<u64, StoreError> {
    let cutoff = to_db(ended_before);
    let labelled = member_labels::table.select(member_labels::membership_id);
    let ids: Vec<String> = memberships::table
        .filter(memberships::removed_at.lt(cutoff))
        .filter(
            memberships::display_name
                .is_not_null()
                .or(memberships::member_level.is_not_null())
                .or(memberships::private_notes.is_not_null())
                .or(memberships::membership_id.eq_any(labelled)),
        )
        .select(memberships::membership_id)
        .load(conn)?;
    erase_org_attributes(conn, &ids)?;
    Ok(ids.len() as u64)
}

/// Erases what the organizations recorded about these memberships (display
/// name, member level, labels, private notes) and recomputes their sort and
/// search keys from what is left.
fn erase_org_attributes(conn: &mut DbConn, ids: &[String]) -> Result<(), StoreError> {
    diesel::delete(member_labels::table.filter(member_labels::membership_id.eq_any(ids))).execute(conn)?;
    diesel::update(memberships::table.filter(memberships::membership_id.eq_any(ids)))
        .set((
            memberships::display_name.eq(None::<String>),
            memberships::member_level.eq(None::<String>),
            memberships::private_notes.eq(None::<String>),
            memberships::labels_text.eq(""),
            memberships::version.eq(memberships::version + 1),
        ))
        .execute(conn)?;
    for id in ids {
        refresh_search_keys(conn, id)?;
    }
    Ok(())
}
