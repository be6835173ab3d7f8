//! The invitation e-mail and the outbox message that carries it. The message
//! is written to the outbox in the invitation's own transaction; a worker in
//! the server delivers it later.

use crate::ids::{InvitationId, OrgId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An e-mail waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxMessage {
    /// Id (UUID v7).
    pub message_id: Uuid,
    /// The organization it is sent for; none for an account's own mail (a
    /// password reset).
    pub org_id: Option<OrgId>,
    /// The invitation it belongs to, if any.
    pub invitation_id: Option<InvitationId>,
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Queued.
    pub created_at: DateTime<Utc>,
}

/// What an invitation e-mail says.
#[derive(Debug, Clone, Copy)]
pub struct InvitationEmail<'a> {
    /// The invitee's first name.
    pub first_name: &'a str,
    /// The organization's name.
    pub org_name: &'a str,
    /// The working link.
    pub link: &'a str,
    /// When the link stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// `athlete` or `assistant coach`, as words.
    pub role_words: &'a str,
}

impl InvitationEmail<'_> {
    /// The subject line.
    pub fn subject(&self) -> String {
        format!("{}, you're invited to join {} on roster", self.first_name, self.org_name)
    }

    /// The plain-text part.
    pub fn text(&self) -> String {
        let expiry = self
            .expires_at
            .map(|e| format!("\nThe link works until {} UTC.\n", e.format("%Y-%m-%d %H:%M")))
            .unwrap_or_default();
        format!(
            "Hi {first},\n\n{org} invites you to join as {role}.\n\nOpen this link to accept:\n{link}\n{expiry}\n\
             If you did not expect this e-mail, you can ignore it.\n",
            first = self.first_name,
            org = self.org_name,
            role = self.role_words,
            link = self.link,
        )
    }

    /// The HTML part (every value escaped).
    pub fn html(&self) -> String {
        let expiry = self
            .expires_at
            .map(|e| format!("<p>The link works until {} UTC.</p>", e.format("%Y-%m-%d %H:%M")))
            .unwrap_or_default();
        format!(
            "<!doctype html><html><body style=\"font-family:sans-serif\">\
             <p>Hi {first},</p><p><strong>{org}</strong> invites you to join as {role}.</p>\
             <p><a href=\"{link}\">Accept the invitation</a></p><p>Or paste this link: {link}</p>{expiry}\
             <p style=\"color:#666\">If you did not expect this e-mail, you can ignore it.</p></body></html>",
            first = escape_html(self.first_name),
            org = escape_html(self.org_name),
            role = escape_html(self.role_words),
            link = escape_html(self.link),
        )
    }

    /// The outbox message for `to`.
    pub fn message(&self, org_id: OrgId, invitation_id: InvitationId, to: &str, now: DateTime<Utc>) -> OutboxMessage {
        OutboxMessage {
            message_id: Uuid::now_v7(),
            org_id: Some(org_id),
            invitation_id: Some(invitation_id),
            to: to.to_owned(),
            subject: self.subject(),
            text: self.text(),
            html: self.html(),
            created_at: now,
        }
    }
}

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// use roster_domain::invitation::mail::escape_html;
/// assert_eq!(escape_html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_names_the_athlete_the_organization_and_the_link_in_both_parts() {
        let mail = InvitationEmail {
            first_name: "Jo <b>",
            org_name: "Hill & Dale",
            link: "http://x/join/abc",
            expires_at: None,
            role_words: "an athlete",
        };
        assert_eq!(mail.subject(), "Jo <b>, you're invited to join Hill & Dale on roster");
        assert!(mail.text().contains("Hi Jo <b>,") && mail.text().contains("http://x/join/abc"));
        let html = mail.html();
        assert!(html.contains("Jo &lt;b&gt;") && html.contains("Hill &amp; Dale"));
        assert!(html.contains("href=\"http://x/join/abc\""));
    }
}
