//! The e-mails of account deletion and club closure.

use crate::ids::OrgId;
use crate::invitation::OutboxMessage;
use crate::invitation::mail::escape_html;
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn message(org_id: Option<OrgId>, to: &str, subject: String, text: String, now: DateTime<Utc>) -> OutboxMessage {
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">{}</body></html>",
        text.split("\n\n").map(|p| format!("<p>{}</p>", escape_html(p))).collect::<String>()
    );
    OutboxMessage {
        message_id: Uuid::now_v7(),
        org_id,
        invitation_id: None,
        to: to.to_owned(),
        subject,
        text,
        html,
        created_at: now,
    }
}

/// The confirmation an account gets at its old address when it is deleted.
/// It names nobody (not even the account's first name): the outbox keeps it
/// until it is delivered.
pub fn account_deleted(to: &str, now: DateTime<Utc>) -> OutboxMessage {
    message(
        None,
        to,
        "Your roster account was deleted".to_owned(),
        "Your roster account and its data were deleted at your request: memberships ended, and activities, \
         race goals, zones and integrations erased.\n\nThis address can sign up again as a new account. If you \
         did not ask for this, contact your club."
            .to_owned(),
        now,
    )
}

/// The e-mail each member gets when their club closes.
pub fn club_closed(org_id: OrgId, to: &str, first_name: &str, org_name: &str, now: DateTime<Utc>) -> OutboxMessage {
    message(
        Some(org_id),
        to,
        format!("{org_name} closed on roster"),
        format!(
            "Hi {first_name},\n\nThe head coach closed {org_name} on roster. Your membership ended; your account, \
             your activities, race goals and zones stay yours.\n\nThe club's groups, training plans and plan \
             assignments were erased."
        ),
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closure_mail_escapes_the_club_name_in_html() {
        let now = Utc::now();
        let mail = club_closed(OrgId::new(), "a@b.io", "Ada", "<Hill> & Co", now);
        assert!(mail.subject.contains("<Hill> & Co"));
        assert!(mail.html.contains("&lt;Hill&gt; &amp; Co") && !mail.html.contains("<Hill>"));
    }

    #[test]
    fn the_deletion_confirmation_names_nobody() {
        let mail = account_deleted("ada@example.com", Utc::now());
        assert_eq!(mail.to, "ada@example.com");
        assert!(mail.org_id.is_none() && !mail.text.contains("ada"));
    }
}
