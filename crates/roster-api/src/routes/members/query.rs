//! The roster's query string: repeatable filters, sort, paging. Every bad
//! value, and every unknown parameter, is a `400` naming the parameter.

use crate::error::ApiError;
use crate::routes::{decode_cursor, encode_cursor, page_limit};
use roster_domain::member::{CoachFilter, Label, MemberLevel, RosterCursor, RosterQuery, RosterSort};
use roster_domain::{GroupId, MembershipStatus, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

/// A `label` filter: trimmed and lower-cased, then `@` and 1–40 of `a-z 0-9 - _`.
#[derive(Debug, utoipa::ToSchema)]
#[schema(pattern = r"^\s*@[A-Za-z0-9_-]{1,40}\s*$")]
#[allow(dead_code)]
pub struct LabelFilter(String);

/// The roster's parameters (for the OpenAPI document; parsing is by hand
/// because `status` and `label` repeat).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct RosterParams {
    /// `active`, `inactive` or `suspended`; repeat for any-of.
    status: Option<Vec<String>>,
    /// A label such as `@marathon`; repeat for all-of.
    #[param(value_type = Option<Vec<LabelFilter>>)]
    label: Option<Vec<String>>,
    /// Exact match.
    member_level: Option<String>,
    /// A coach's user id, `me`, or `none` (unassigned). An assistant coach may name only themselves (else `403`).
    assigned_to_coach_id: Option<String>,
    /// Members of this group (a UUID). A group of another organization matches nobody (`200`, empty page).
    group_id: Option<String>,
    /// Case-insensitive substring of first name, last name, display name or e-mail (at most 100 characters).
    q: Option<String>,
    /// `true` adds `profile_status` to each member.
    include_profile_status: Option<bool>,
    /// 0–100: athletes whose share of sessions completed over the last 28 days is below this (athletes
    /// without a plan in those days never match).
    #[param(minimum = 0, maximum = 100)]
    compliance_below: Option<u32>,
    /// `name` (default: display name, else first and last name), `joined_at`, `-joined_at`, `attention`
    /// (most severe signal first, then most signals, then name), `last_activity` (longest without activity
    /// first, never any first of all), `-last_activity` (latest first, never any last) or `compliance`
    /// (lowest 28-day share of sessions completed first, athletes without one last); ties by membership.
    sort: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page (only with the same `sort`).
    cursor: Option<String>,
}

fn bad(name: &str, message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_parameter", name, message)
}

/// The request's query string as decoded name–value pairs, in order.
pub fn pairs(req: &actix_web::HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    Ok(actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map_err(|_| bad("query", "the query string is malformed"))?
        .into_inner())
}

/// Reads the roster query from `pairs` (the decoded query string).
pub fn parse(pairs: Vec<(String, String)>) -> Result<RosterQuery, ApiError> {
    let mut query = RosterQuery::default();
    let (mut limit, mut cursor, mut seen) = (None, None, Vec::<String>::new());
    for (name, value) in pairs {
        let repeatable = matches!(name.as_str(), "status" | "label");
        if !repeatable && seen.contains(&name) {
            return Err(bad(&name, format!("{name} may be given only once")));
        }
        seen.push(name.clone());
        match name.as_str() {
            "status" => query.statuses.push(
                value
                    .parse::<MembershipStatus>()
                    .map_err(|_| bad("status", "status is active, inactive or suspended"))?,
            ),
            "label" => query.labels.push(Label::parse(&value).map_err(|e| bad("label", e.message))?),
            "member_level" => {
                query.member_level = Some(MemberLevel::parse(&value).map_err(|e| bad("member_level", e.message))?)
            }
            "assigned_to_coach_id" => {
                query.coach = match value.as_str() {
                    "me" => CoachFilter::Me,
                    "none" => CoachFilter::Unassigned,
                    id => CoachFilter::Coach(id.parse::<UserId>().map_err(|_| {
                        bad("assigned_to_coach_id", "assigned_to_coach_id is a user id, `me` or `none`")
                    })?),
                }
            }
            "group_id" => {
                query.group_id = Some(value.parse::<GroupId>().map_err(|_| bad("group_id", "group_id is a UUID"))?)
            }
            "q" => {
                let text = value.trim();
                if text.chars().count() > 100 || text.chars().any(char::is_control) {
                    return Err(bad("q", "q is at most 100 characters without control characters"));
                }
                query.q = (!text.is_empty()).then(|| text.to_lowercase());
            }
            "include_profile_status" => {
                query.include_profile_status = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad("include_profile_status", "include_profile_status is true or false")),
                }
            }
            "sort" => {
                query.sort = match value.as_str() {
                    "name" => RosterSort::Name,
                    "joined_at" => RosterSort::JoinedAt,
                    "-joined_at" => RosterSort::JoinedAtDesc,
                    "attention" => RosterSort::Attention,
                    "last_activity" => RosterSort::LastActivity,
                    "-last_activity" => RosterSort::LastActivityDesc,
                    "compliance" => RosterSort::Compliance,
                    _ => {
                        return Err(bad(
                            "sort",
                            "sort is name, joined_at, -joined_at, attention, last_activity, -last_activity or compliance",
                        ));
                    }
                }
            }
            "compliance_below" => {
                let below = value.parse::<u32>().ok().filter(|v| *v <= 100);
                query.compliance_below = Some(
                    below.ok_or_else(|| bad("compliance_below", "compliance_below is a whole number from 0 to 100"))?,
                );
            }
            "limit" => limit = Some(value.parse::<u32>().map_err(|_| bad("limit", "limit must be between 1 and 200"))?),
            "cursor" => cursor = Some(value),
            other => {
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    other,
                    format!("unknown query parameter `{other}`"),
                ));
            }
        }
    }
    query.limit = page_limit(limit)?;
    if let Some(cursor) = cursor {
        query.after = Some(decode(&cursor, query.sort)?);
    }
    Ok(query)
}

/// The opaque cursor for `next`.
pub fn encode(next: &RosterCursor) -> String {
    encode_cursor(&next.to_text())
}

fn decode(cursor: &str, sort: RosterSort) -> Result<RosterCursor, ApiError> {
    let text: String = decode_cursor(cursor)?;
    RosterCursor::parse(&text, sort).ok_or_else(|| bad("cursor", "cursor is not one this server issued for this sort"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn cursors_round_trip_per_sort_only() {
        let c = RosterCursor::Name { key: "ann runner".into(), user_id: UserId::new() };
        assert_eq!(decode(&encode(&c), RosterSort::Name).unwrap(), c);
        assert!(decode(&encode(&c), RosterSort::JoinedAt).is_err());
        let j = RosterCursor::JoinedAt {
            joined_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            membership_id: roster_domain::MembershipId::new(),
        };
        assert_eq!(decode(&encode(&j), RosterSort::JoinedAtDesc).unwrap(), j);
        let a = RosterCursor::Attention { rank: 3, count: 4, key: "zoë\u{1f}x".into(), user_id: UserId::new() };
        assert_eq!(decode(&encode(&a), RosterSort::Attention).unwrap(), a);
        assert!(decode(&encode(&a), RosterSort::Name).is_err());
        assert_eq!(parse(pairs(&[("sort", "attention")])).unwrap().sort, RosterSort::Attention);
        for l in [
            RosterCursor::LastActivity { at: None, membership_id: roster_domain::MembershipId::new() },
            RosterCursor::LastActivity {
                at: DateTime::from_timestamp_micros(1_764_000_000_123_456),
                membership_id: roster_domain::MembershipId::new(),
            },
        ] {
            assert_eq!(decode(&encode(&l), RosterSort::LastActivityDesc).unwrap(), l);
            assert!(decode(&encode(&l), RosterSort::Compliance).is_err());
        }
        let c = RosterCursor::Compliance { order: 1000, membership_id: roster_domain::MembershipId::new() };
        assert_eq!(decode(&encode(&c), RosterSort::Compliance).unwrap(), c);
    }

    #[test]
    fn repeatable_filters_collect_and_bad_values_name_the_parameter() {
        let q =
            parse(pairs(&[("status", "active"), ("status", "inactive"), ("label", "@A"), ("label", "@b")])).unwrap();
        assert_eq!(q.statuses.len(), 2);
        assert_eq!(q.labels.len(), 2);
        for (name, value) in [
            ("status", "x"),
            ("label", "nolabel"),
            ("limit", "0"),
            ("sort", "-attention"),
            ("q", "a\u{1}"),
            ("compliance_below", "101"),
        ] {
            let err = parse(pairs(&[(name, value)])).unwrap_err();
            assert!(err.to_string().contains("400"), "{name}");
        }
        assert_eq!(parse(pairs(&[("bogus", "1")])).unwrap_err().code(), "unknown_parameter");
        assert!(parse(pairs(&[("q", "a"), ("q", "b")])).is_err());
    }
}
