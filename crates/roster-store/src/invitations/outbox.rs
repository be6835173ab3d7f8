//! The outbox: e-mails written in the same transaction as the invitation,
//! delivered later by a worker. Workers claim due rows by pushing their next
//! attempt into the future (a lease); on PostgreSQL with `FOR UPDATE SKIP
//! LOCKED`, so several servers on one database never claim the same message.

use super::seal::{self, MailKey};
use crate::conn::write_tx;
use crate::dialect::skip_locked;
use crate::error::{StoreError, parse};
use crate::rows::{from_db, to_db};
use crate::schema::outbox;
use crate::{DbConn, Store};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use roster_domain::invitation::OutboxMessage;
use uuid::Uuid;

/// A claimed message and how many attempts it has had, this one included.
#[derive(Debug, Clone)]
pub struct OutboxWork {
    /// The message.
    pub message: OutboxMessage,
    /// Attempts so far, counting the one just claimed.
    pub attempts: i32,
}

/// A message with its delivery record.
#[derive(Debug, Clone)]
pub struct OutboxRecord {
    /// The message.
    pub message: OutboxMessage,
    /// Attempts made.
    pub attempts: i32,
    /// The last failure, if any.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the worker gave up on it.
    pub failed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, QueryableByName, Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct MessageRow {
    message_id: String,
    org_id: Option<String>,
    invitation_id: Option<String>,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    created_at: NaiveDateTime,
    attempts: i32,
}

impl MessageRow {
    fn into_message(self, key: Option<&MailKey>) -> Result<(OutboxMessage, i32), StoreError> {
        let text = seal::open(key, &self.body_text, &self.message_id)?;
        let html = seal::open(key, &self.body_html, &self.message_id)?;
        Ok((
            OutboxMessage {
                message_id: parse("outbox.message_id", Uuid::parse_str(&self.message_id))?,
                org_id: self.org_id.map(|o| parse("outbox.org_id", o.parse())).transpose()?,
                invitation_id: self.invitation_id.map(|i| parse("outbox.invitation_id", i.parse())).transpose()?,
                to: self.recipient,
                subject: self.subject,
                text,
                html,
                created_at: from_db(self.created_at),
            },
            self.attempts,
        ))
    }
}

/// Queues `mail` in the caller's transaction, due at once.
pub(crate) fn enqueue(conn: &mut DbConn, mail: &OutboxMessage, key: Option<&MailKey>) -> Result<(), StoreError> {
    let id = mail.message_id.to_string();
    diesel::insert_into(outbox::table)
        .values((
            outbox::message_id.eq(&id),
            outbox::org_id.eq(mail.org_id.map(|o| o.to_string())),
            outbox::invitation_id.eq(mail.invitation_id.map(|i| i.to_string())),
            outbox::recipient.eq(&mail.to),
            outbox::subject.eq(&mail.subject),
            outbox::body_text.eq(seal::seal(key, &mail.text, &id)?),
            outbox::body_html.eq(seal::seal(key, &mail.html, &id)?),
            outbox::created_at.eq(to_db(mail.created_at)),
            outbox::next_attempt_at.eq(to_db(mail.created_at)),
            outbox::attempts.eq(0),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes a message that asked to be erased once done (it names someone
/// who asked to be forgotten: the confirmation of an account deletion).
fn erase_if_asked(conn: &mut DbConn, message_id: &str) -> Result<(), StoreError> {
    diesel::delete(outbox::table.find(message_id).filter(outbox::erase_when_done.eq(true))).execute(conn)?;
    Ok(())
}

const CLAIM: &str = "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1 \
     WHERE message_id IN (SELECT message_id FROM outbox \
        WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
        ORDER BY next_attempt_at LIMIT $3";
const RETURNING: &str =
    "RETURNING message_id, org_id, invitation_id, recipient, subject, body_text, body_html, created_at, attempts";

impl Store {
    /// Claims up to `limit` due messages for `lease`: no other worker takes
    /// them until the lease ends (a worker that dies mid-send is retried then).
    pub fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<OutboxWork>, StoreError> {
        let key = self.mail_key.as_deref();
        self.on_conn(|conn| {
            // A plain read first: an idle worker never takes the (SQLite) write lock.
            let due: i64 = outbox::table
                .filter(outbox::sent_at.is_null())
                .filter(outbox::failed_at.is_null())
                .filter(outbox::next_attempt_at.le(to_db(now)))
                .count()
                .get_result(conn)?;
            if due == 0 {
                return Ok(Vec::new());
            }
            write_tx(conn, |conn| {
            let sql = format!("{CLAIM}{}) {RETURNING}", skip_locked(conn, None));
            let rows: Vec<MessageRow> = diesel::sql_query(sql)
                .bind::<Timestamp, _>(to_db(now + lease))
                .bind::<Timestamp, _>(to_db(now))
                .bind::<BigInt, _>(limit)
                .load(conn)?;
            let mut work = Vec::with_capacity(rows.len());
            for row in rows {
                let id = row.message_id.clone();
                match row.into_message(key) {
                    Ok((message, attempts)) => work.push(OutboxWork { message, attempts }),
                    // One unreadable row (the mail key changed, a hand edit) must not
                    // block the queue: it is given up with the reason.
                    Err(e) => {
                        tracing::error!(message_id = %id, error = %e, "outbox: message cannot be read; giving up on it");
                        diesel::update(outbox::table.find(&id))
                            .set((outbox::last_error.eq(e.to_string()), outbox::failed_at.eq(to_db(now))))
                            .execute(conn)?;
                    }
                }
            }
            Ok(work)
            })
        })
    }

    /// Records a delivery.
    pub fn outbox_delivered(&self, message_id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.on_conn(|conn| {
            let id = message_id.to_string();
            diesel::update(outbox::table.find(&id))
                .set((outbox::sent_at.eq(to_db(at)), outbox::last_error.eq(None::<String>)))
                .execute(conn)?;
            erase_if_asked(conn, &id)
        })
    }

    /// Records a failed attempt: retried at `retry_at`, or given up when `None`.
    pub fn outbox_failed(
        &self,
        message_id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let target = outbox::table.find(message_id.to_string());
        self.on_conn(|conn| {
            match retry_at {
                Some(next) => diesel::update(target)
                    .set((outbox::last_error.eq(error), outbox::next_attempt_at.eq(to_db(next))))
                    .execute(conn)?,
                None => {
                    diesel::update(target)
                        .set((outbox::last_error.eq(error), outbox::failed_at.eq(to_db(at))))
                        .execute(conn)?;
                    return erase_if_asked(conn, &message_id.to_string());
                }
            };
            Ok(())
        })
    }

    /// Every outbox message, oldest first (for operators and tests).
    pub fn outbox_records(&self) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut conn = self.conn()?;
        type Extra = (Option<String>, Option<NaiveDateTime>, Option<NaiveDateTime>);
        let rows: Vec<(MessageRow, Extra)> = outbox::table
            .order(outbox::message_id.asc())
            .select((MessageRow::as_select(), (outbox::last_error, outbox::sent_at, outbox::failed_at)))
            .load(&mut *conn)?;
        rows.into_iter()
            .map(|(row, (last_error, sent_at, failed_at))| {
                let (message, attempts) = row.into_message(self.mail_key.as_deref())?;
                Ok(OutboxRecord {
                    message,
                    attempts,
                    last_error,
                    sent_at: sent_at.map(from_db),
                    failed_at: failed_at.map(from_db),
                })
            })
            .collect()
    }
}
