//! The e-mail an account gets when a coach adds it to an organization
//! directly (`POST /members`, `POST /coaches`): nobody asked the account
//! first, so the message says which club, which coach, and how to leave.
//! It is queued in the outbox in the same transaction as the membership.

use crate::ids::{OrgId, UserId};
use crate::invitation::OutboxMessage;
use crate::invitation::mail::escape_html;
use crate::role::Role;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What an "added to an organization" e-mail says.
#[derive(Debug, Clone)]
pub struct AddedEmail<'a> {
    /// The added account's first name.
    pub first_name: &'a str,
    /// The organization's name.
    pub org_name: &'a str,
    /// The full name of the coach who added them; `None` when one of the
    /// organization's API keys did (an integration, no person): the e-mail
    /// then says the club added them through one of its integrations.
    pub added_by: Option<&'a str>,
    /// The role they were given.
    pub role: Role,
    /// The request that ends the membership (see [`leave_url`]).
    pub leave_url: String,
}

/// The URL whose `DELETE` (with the member's own access token) ends their
/// membership: athletes leave through `/members`, assistant coaches through
/// `/coaches`.
///
/// ```
/// use roster_domain::added_mail::leave_url;
/// use roster_domain::{OrgId, Role, UserId};
/// let (org, user) = (OrgId::new(), UserId::new());
/// assert_eq!(
///     leave_url("https://club.example/", org, user, Role::Athlete),
///     format!("https://club.example/api/v1/organizations/{org}/members/{user}")
/// );
/// ```
pub fn leave_url(public_base_url: &str, org_id: OrgId, user_id: UserId, role: Role) -> String {
    let resource = if role == Role::Athlete { "members" } else { "coaches" };
    format!("{}/api/v1/organizations/{org_id}/{resource}/{user_id}", public_base_url.trim_end_matches('/'))
}

impl AddedEmail<'_> {
    fn role_words(&self) -> &'static str {
        match self.role {
            Role::Athlete => "an athlete",
            Role::AssistantCoach => "an assistant coach",
            Role::HeadCoach => "the head coach",
        }
    }

    /// The subject line.
    pub fn subject(&self) -> String {
        match self.added_by {
            Some(coach) => format!("{coach} added you to {} on roster", self.org_name),
            None => format!("{} added you on roster", self.org_name),
        }
    }

    /// Who added them, as the body says it (`coach`, `org`: as the part
    /// renders them), and whom to ask to be removed.
    fn who(&self, coach: &str, org: &str) -> (String, String) {
        match self.added_by {
            Some(_) => (format!("{coach} added you to {org}"), coach.to_owned()),
            None => (
                format!("{org} added you, through one of its integrations (an API key made by its head coach),"),
                format!("the coaches of {org}"),
            ),
        }
    }

    /// The plain-text part.
    pub fn text(&self) -> String {
        let (added, ask) = self.who(self.added_by.unwrap_or_default(), self.org_name);
        format!(
            "Hi {first},\n\n{added} on roster as {role}. The coaches of {org} can now see \
             your membership there.\n\nIf you do not want to be a member, you can leave at any time: sign in to \
             roster and send an HTTP DELETE request to\n{leave}\nwith your access token (a roster app's \"Leave\" \
             action does this for you), or ask {ask} to remove you. Leaving keeps your account.\n",
            first = self.first_name,
            org = self.org_name,
            role = self.role_words(),
            leave = self.leave_url,
        )
    }

    /// The HTML part (every value escaped).
    pub fn html(&self) -> String {
        let coach = escape_html(self.added_by.unwrap_or_default());
        let (added, ask) = self.who(&coach, &format!("<strong>{}</strong>", escape_html(self.org_name)));
        format!(
            "<!doctype html><html><body style=\"font-family:sans-serif\">\
             <p>Hi {first},</p><p>{added} on roster as {role}. \
             The coaches of {org} can now see your membership there.</p>\
             <p>If you do not want to be a member, you can leave at any time: sign in to roster and send an HTTP \
             <code>DELETE</code> request to <code>{leave}</code> with your access token (a roster app's \
             &quot;Leave&quot; action does this for you), or ask {ask} to remove you. Leaving keeps your \
             account.</p></body></html>",
            first = escape_html(self.first_name),
            org = escape_html(self.org_name),
            role = self.role_words(),
            leave = escape_html(&self.leave_url),
        )
    }

    /// The outbox message for `to`.
    pub fn message(&self, org_id: OrgId, to: &str, now: DateTime<Utc>) -> OutboxMessage {
        OutboxMessage {
            message_id: Uuid::now_v7(),
            org_id: Some(org_id),
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
    fn the_email_names_the_club_the_coach_and_how_to_leave_in_both_parts() {
        let (org, user) = (OrgId::new(), UserId::new());
        let mail = AddedEmail {
            first_name: "Jo",
            org_name: "Hill & Dale",
            added_by: Some("Sam <Coach>"),
            role: Role::Athlete,
            leave_url: leave_url("http://x", org, user, Role::Athlete),
        };
        assert_eq!(mail.subject(), "Sam <Coach> added you to Hill & Dale on roster");
        let text = mail.text();
        assert!(text.contains("Sam <Coach> added you to Hill & Dale"), "{text}");
        assert!(text.contains(&format!("DELETE request to\nhttp://x/api/v1/organizations/{org}/members/{user}")));
        let html = mail.html();
        assert!(html.contains("Sam &lt;Coach&gt;") && html.contains("Hill &amp; Dale"), "{html}");
        assert!(html.contains(&format!("/organizations/{org}/members/{user}")));
    }

    #[test]
    fn an_api_key_s_email_names_the_club_and_its_integration() {
        let (org, user) = (OrgId::new(), UserId::new());
        let mail = AddedEmail {
            first_name: "Jo",
            org_name: "Hill & Dale",
            added_by: None,
            role: Role::Athlete,
            leave_url: leave_url("http://x", org, user, Role::Athlete),
        };
        assert_eq!(mail.subject(), "Hill & Dale added you on roster");
        let text = mail.text();
        assert!(text.contains("Hill & Dale added you, through one of its integrations"), "{text}");
        assert!(text.contains("ask the coaches of Hill & Dale to remove you"), "{text}");
        let html = mail.html();
        assert!(html.contains("<strong>Hill &amp; Dale</strong> added you, through one of its integrations"), "{html}");
        assert!(html.contains("ask the coaches of <strong>Hill &amp; Dale</strong> to remove you"), "{html}");
    }

    #[test]
    fn an_assistant_coach_leaves_through_the_coaches_resource() {
        let (org, user) = (OrgId::new(), UserId::new());
        assert!(leave_url("http://x", org, user, Role::AssistantCoach).ends_with(&format!("/coaches/{user}")));
    }
}
