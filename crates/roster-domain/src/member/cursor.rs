//! A roster cursor as text: one form for the API's opaque cursor and the
//! console's `after=` link, checked against the sort it is used with.

use super::{RosterCursor, RosterSort};
use chrono::DateTime;

/// Between a cursor's parts: a character no name, label or id contains.
const SEP: char = '\u{1f}';

impl RosterCursor {
    /// The cursor as text; [`RosterCursor::parse`] reads it back.
    pub fn to_text(&self) -> String {
        match self {
            RosterCursor::Name { key, user_id } => format!("n{SEP}{user_id}{SEP}{key}"),
            RosterCursor::JoinedAt { joined_at, membership_id } => {
                format!("j{SEP}{membership_id}{SEP}{}", joined_at.timestamp_micros())
            }
            RosterCursor::Attention { rank, count, key, user_id } => {
                format!("a{SEP}{user_id}{SEP}{rank}{SEP}{count}{SEP}{key}")
            }
            RosterCursor::LastActivity { at, membership_id } => {
                let micros = at.map_or_else(|| "-".to_owned(), |at| at.timestamp_micros().to_string());
                format!("l{SEP}{membership_id}{SEP}{micros}")
            }
            RosterCursor::Compliance { order, membership_id } => format!("c{SEP}{membership_id}{SEP}{order}"),
        }
    }

    /// Reads [`RosterCursor::to_text`]'s form; `None` for a mangled cursor or
    /// one made for another sort.
    ///
    /// ```
    /// use roster_domain::member::{RosterCursor, RosterSort};
    /// let c = RosterCursor::Name { key: "ann runner".into(), user_id: roster_domain::UserId::new() };
    /// assert_eq!(RosterCursor::parse(&c.to_text(), RosterSort::Name), Some(c.clone()));
    /// assert_eq!(RosterCursor::parse(&c.to_text(), RosterSort::JoinedAt), None);
    /// ```
    pub fn parse(text: &str, sort: RosterSort) -> Option<RosterCursor> {
        let mut parts = text.splitn(3, SEP);
        let (kind, id, rest) = (parts.next()?, parts.next()?, parts.next()?);
        match (kind, sort) {
            ("n", RosterSort::Name) => Some(RosterCursor::Name { key: rest.to_owned(), user_id: id.parse().ok()? }),
            ("j", RosterSort::JoinedAt | RosterSort::JoinedAtDesc) => Some(RosterCursor::JoinedAt {
                joined_at: DateTime::from_timestamp_micros(rest.parse().ok()?)?,
                membership_id: id.parse().ok()?,
            }),
            ("a", RosterSort::Attention) => {
                let mut rest = rest.splitn(3, SEP);
                let rank = rest.next()?.parse().ok().filter(|r| *r <= 3)?;
                let count = rest.next()?.parse().ok()?;
                Some(RosterCursor::Attention { rank, count, key: rest.next()?.to_owned(), user_id: id.parse().ok()? })
            }
            ("l", RosterSort::LastActivity | RosterSort::LastActivityDesc) => {
                let at = match rest {
                    "-" => None,
                    micros => Some(DateTime::from_timestamp_micros(micros.parse().ok()?)?),
                };
                Some(RosterCursor::LastActivity { at, membership_id: id.parse().ok()? })
            }
            ("c", RosterSort::Compliance) => {
                Some(RosterCursor::Compliance { order: rest.parse().ok()?, membership_id: id.parse().ok()? })
            }
            _ => None,
        }
    }
}
