//! Request and response bodies of the roster.

use crate::routes::timestamp;
use chrono::{DateTime, NaiveDate, Utc};
use roster_domain::error::FieldErrors;
use roster_domain::member::{DisplayName, Labels, MemberLevel, MemberView, PrivateNotes, ProfileStatusJson};
use roster_domain::services::members::{MemberAccess, MemberPatch};
use roster_domain::{DomainError, GroupId, MembershipStatus, OrgId, PlanId, Role, UserId};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A training plan to start on joining.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanStartBody {
    /// A plan of the organization's library.
    pub plan_id: PlanId,
    /// First day; default the day the athlete joins (organization's time zone).
    pub start_date: Option<NaiveDate>,
}

/// Add an existing account: exactly one of `email` and `user_id`, and optional attributes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberBody {
    /// E-mail of an existing account (exact, case-insensitive).
    pub email: Option<String>,
    /// Id of an existing account.
    pub user_id: Option<UserId>,
    /// A group to join.
    pub group_id: Option<GroupId>,
    /// A training plan to start.
    pub training_plan: Option<PlanStartBody>,
    /// 1–60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub display_name: Option<String>,
    /// 1–40 characters.
    #[schema(min_length = 1, max_length = 40)]
    pub member_level: Option<String>,
    /// Up to 20 labels, each `@` then 1–40 of `a-z 0-9 - _` (trimmed, lower-cased, duplicates collapse).
    #[schema(max_items = 20)]
    pub labels: Option<Vec<String>>,
    /// Up to 10 000 characters; coaches only.
    #[schema(max_length = 10000)]
    pub private_notes: Option<String>,
    /// The coach: absent = the adding assistant coach (a head coach's addition stays unassigned);
    /// `null` = unassigned; an id = that coach (head coach only, unless it is the caller).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assigned_to_coach_id: Option<Option<UserId>>,
}

/// Change attributes: only the fields present change; `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchMemberBody {
    /// 1–60 characters, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 60)]
    pub display_name: Option<Option<String>>,
    /// 1–40 characters, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 40)]
    pub member_level: Option<Option<String>>,
    /// Replaces the set (`null` or `[]` clears it).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>, max_items = 20)]
    pub labels: Option<Option<Vec<String>>>,
    /// Up to 10 000 characters, or `null`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub private_notes: Option<Option<String>>,
    /// `active`, `inactive` or `suspended` (not nullable).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "inactive")]
    pub status: Option<Option<String>>,
}

fn parse_opt<T>(
    errors: &mut FieldErrors,
    name: &str,
    value: Option<Option<String>>,
    parse: impl Fn(&str) -> Result<T, roster_domain::values::InvalidValue>,
) -> Option<Option<T>> {
    match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) => errors.check(name, parse(&text)).map(Some),
    }
}

/// Parses labels into `errors`.
pub fn parse_labels(errors: &mut FieldErrors, labels: &[String]) -> Option<Labels> {
    errors.check("labels", Labels::parse(labels.iter().map(String::as_str)))
}

impl PatchMemberBody {
    /// The patch, or every invalid field at once (422).
    pub fn parse(self) -> Result<MemberPatch, DomainError> {
        let mut errors = FieldErrors::new();
        let display_name = parse_opt(&mut errors, "display_name", self.display_name, DisplayName::parse);
        let member_level = parse_opt(&mut errors, "member_level", self.member_level, MemberLevel::parse);
        let private_notes = parse_opt(&mut errors, "private_notes", self.private_notes, PrivateNotes::parse);
        let labels = match self.labels {
            None => None,
            Some(None) => Some(Labels::default()),
            Some(Some(list)) => parse_labels(&mut errors, &list),
        };
        let status = match self.status {
            None => None,
            Some(s) => errors.check(
                "status",
                s.as_deref().unwrap_or("null").parse::<MembershipStatus>().map_err(|_| {
                    roster_domain::values::InvalidValue::new(
                        "invalid_status",
                        "status is active, inactive or suspended",
                    )
                }),
            ),
        };
        errors.finish()?;
        Ok(MemberPatch { display_name, member_level, labels, private_notes, status })
    }
}

/// `PUT …/coach` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoachBody {
    /// A coach of this organization, or `null` to unassign. Required.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Uuid, required = true)]
    pub coach_id: Option<Option<UserId>>,
}

/// A member of the organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// Account.
    pub user_id: UserId,
    /// Organization.
    pub org_id: OrgId,
    /// `head_coach`, `assistant_coach` or `athlete`.
    #[schema(value_type = String, example = "athlete")]
    pub role: Role,
    /// The account's first name.
    pub first_name: String,
    /// The account's last name.
    pub last_name: Option<String>,
    /// The account's e-mail.
    pub email: String,
    /// Nickname inside this organization only.
    pub display_name: Option<String>,
    /// Custom tier.
    pub member_level: Option<String>,
    /// Labels (absent from an athlete's own view).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub labels: Option<Labels>,
    /// Coaches' notes (absent from an athlete's own view).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub private_notes: Option<Option<String>>,
    /// `active`, `inactive` or `suspended`.
    #[schema(value_type = String, example = "active")]
    pub status: MembershipStatus,
    /// The coach looking after this athlete.
    pub assigned_to_coach_id: Option<UserId>,
    /// Groups of the organization the member is in.
    pub group_ids: Vec<GroupId>,
    /// Joined.
    #[serde(serialize_with = "timestamp::rfc3339")]
    pub joined_at: DateTime<Utc>,
    /// Last changed.
    #[serde(serialize_with = "timestamp::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// For `If-Match`.
    pub version: i64,
    /// The start of the member's latest activity; `null`: never any.
    #[serde(serialize_with = "timestamp::rfc3339_opt")]
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Only with `include_profile_status=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub profile_status: Option<ProfileStatusJson>,
}

impl MemberDto {
    /// The member as `access` may see them.
    pub fn new(view: MemberView, access: MemberAccess, profile_status: Option<ProfileStatusJson>) -> Self {
        let m = view.membership;
        let coach = access == MemberAccess::Coach;
        Self {
            user_id: m.user_id,
            org_id: m.org_id,
            role: m.role,
            first_name: view.first_name,
            last_name: view.last_name,
            email: view.email,
            display_name: m.display_name.map(|v| v.into_inner()),
            member_level: m.member_level.map(|v| v.into_inner()),
            labels: coach.then_some(m.labels),
            private_notes: coach.then(|| m.private_notes.map(|v| v.into_inner())),
            status: m.status,
            assigned_to_coach_id: m.assigned_to_coach_id,
            group_ids: Vec::new(), // see `with_group_ids`

            joined_at: m.joined_at,
            updated_at: m.updated_at,
            version: m.version,
            last_activity_at: view.last_activity_at,
            profile_status,
        }
    }
}

impl MemberDto {
    /// With the member's live group ids (read in one query per page, or per member for single reads).
    pub fn with_group_ids(mut self, group_ids: Vec<GroupId>) -> Self {
        self.group_ids = group_ids;
        self
    }
}

/// A page of the roster.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberListDto {
    /// The members.
    pub data: Vec<MemberDto>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many members match the filters in all.
    #[schema(minimum = 0)]
    pub total: i64,
}
