//! The password reset e-mail. It goes through the same outbox as the
//! invitation e-mails, written in the reset request's own transaction.

use crate::invitation::OutboxMessage;
use crate::invitation::mail::escape_html;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a password reset e-mail says.
#[derive(Debug, Clone, Copy)]
pub struct PasswordResetEmail<'a> {
    /// The account's first name.
    pub first_name: &'a str,
    /// The page that sets a new password, with the token.
    pub link: &'a str,
    /// The token itself, for clients that ask for it.
    pub token: &'a str,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
}

impl PasswordResetEmail<'_> {
    /// The subject line.
    pub fn subject(&self) -> String {
        "Reset your roster password".to_owned()
    }

    /// The plain-text part.
    pub fn text(&self) -> String {
        format!(
            "Hi {first},\n\nSomeone (we hope you) asked to reset the password of your roster account.\n\n\
             Open this link to choose a new password:\n{link}\n\nOr use this reset code in your app:\n{token}\n\n\
             It works once, until {expiry} UTC. Setting a new password signs you out everywhere.\n\n\
             If you did not ask for this, ignore this e-mail: your password stays as it is.\n",
            first = self.first_name,
            link = self.link,
            token = self.token,
            expiry = self.expires_at.format("%Y-%m-%d %H:%M"),
        )
    }

    /// The HTML part (every value escaped).
    pub fn html(&self) -> String {
        format!(
            "<!doctype html><html><body style=\"font-family:sans-serif\">\
             <p>Hi {first},</p><p>Someone (we hope you) asked to reset the password of your roster account.</p>\
             <p><a href=\"{link}\">Choose a new password</a></p><p>Or use this reset code in your app: \
             <code>{token}</code></p><p>It works once, until {expiry} UTC. Setting a new password signs you out \
             everywhere.</p><p style=\"color:#666\">If you did not ask for this, ignore this e-mail: your password \
             stays as it is.</p></body></html>",
            first = escape_html(self.first_name),
            link = escape_html(self.link),
            token = escape_html(self.token),
            expiry = self.expires_at.format("%Y-%m-%d %H:%M"),
        )
    }

    /// The outbox message for `to` (it belongs to no organization).
    pub fn message(&self, to: &str, now: DateTime<Utc>) -> OutboxMessage {
        OutboxMessage {
            message_id: Uuid::now_v7(),
            org_id: None,
            invitation_id: None,
            to: to.to_owned(),
            subject: self.subject(),
            text: self.text(),
            html: self.html(),
            created_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reset_email_carries_the_link_and_the_code_in_both_parts_escaped() {
        let expires_at = DateTime::parse_from_rfc3339("2026-12-06T10:30:00Z").unwrap().with_timezone(&Utc);
        let mail = PasswordResetEmail {
            first_name: "Jo <b>",
            link: "http://x/reset-password#token=abc",
            token: "abc",
            expires_at,
        };
        let text = mail.text();
        assert!(text.contains("Hi Jo <b>,") && text.contains("http://x/reset-password#token=abc"));
        assert!(text.contains("\nabc\n") && text.contains("2026-12-06 10:30 UTC"));
        let html = mail.html();
        assert!(html.contains("Jo &lt;b&gt;") && html.contains("href=\"http://x/reset-password#token=abc\""));
        let message = mail.message("jo@example.com", expires_at);
        assert_eq!((message.org_id, message.invitation_id), (None, None));
        assert_eq!(message.to, "jo@example.com");
    }
}
