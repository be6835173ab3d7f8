//! Bodies and answers of the invitation routes.

use crate::routes::accounts::UserDto;
use crate::routes::organizations::OrganizationDto;
use chrono::{DateTime, NaiveDate, Utc};
use roster_domain::entities::{JoinExtras, PlanStart};
use roster_domain::error::{FieldError, FieldErrors};
use roster_domain::invitation::{Invitation, InvitationKind, InvitationName, InvitationStatus};
use roster_domain::services::invitations::{Acceptor, NewInvitation};
use roster_domain::values::{Email, Password, PersonName};
use roster_domain::{ApiKeyId, DomainError, GroupId, InvitationId, OrgId, PlanId, Role, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A training plan to start on joining.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingPlanDto {
    /// A plan of the organization's library.
    pub plan_id: PlanId,
    /// First day; default: the day the athlete joins (organization's time zone).
    pub start_date: Option<NaiveDate>,
}

/// Create-invitation body. Single use: `kind`, `email`, `first_name`, and
/// optionally `role` (`athlete` default, `assistant_coach` head coach only),
/// `group_id`, `training_plan`, `expires_at` (default 14 days). Multi use:
/// `kind`, and optionally `name`, `max_uses` (null = unlimited), `expires_at`
/// (null = never), `group_id`, `training_plan`. A field of the other kind is
/// `422 not_allowed`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationBody {
    /// `single_use` or `multi_use`.
    #[schema(example = "single_use")]
    pub kind: String,
    /// Single use: the invitee's e-mail.
    #[schema(format = "email")]
    pub email: Option<String>,
    /// Single use: the invitee's first name.
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    /// Multi use: a label for the coaches.
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    /// Single use: `athlete` (default) or `assistant_coach`.
    pub role: Option<String>,
    /// A group to join on acceptance.
    pub group_id: Option<GroupId>,
    /// A plan to start on acceptance.
    pub training_plan: Option<TrainingPlanDto>,
    /// Multi use: at least 1; null or absent = unlimited.
    #[schema(minimum = 1)]
    pub max_uses: Option<i64>,
    /// Must be in the future.
    pub expires_at: Option<DateTime<Utc>>,
}

fn not_allowed(errors: &mut FieldErrors, field: &str, present: bool, kind: &str) {
    if present {
        errors.push(FieldError::new(field, "not_allowed", format!("{field} does not apply to {kind} invitations")));
    }
}

impl CreateInvitationBody {
    /// Parses every field and reports every bad one.
    pub fn parse(self) -> Result<NewInvitation, DomainError> {
        let mut errors = FieldErrors::new();
        let extras = JoinExtras {
            group_id: self.group_id,
            training_plan: self.training_plan.map(|p| PlanStart { plan_id: p.plan_id, start_date: p.start_date }),
        };
        match self.kind.as_str() {
            "single_use" => {
                not_allowed(&mut errors, "name", self.name.is_some(), "single-use");
                not_allowed(&mut errors, "max_uses", self.max_uses.is_some(), "single-use");
                let email = match &self.email {
                    Some(e) => errors.check("email", Email::parse(e)),
                    None => {
                        errors.push(FieldError::new("email", "required", "email is required for single use"));
                        None
                    }
                };
                let first_name = match &self.first_name {
                    Some(f) => errors.check("first_name", PersonName::parse(f)),
                    None => {
                        errors.push(FieldError::new("first_name", "required", "first_name is required for single use"));
                        None
                    }
                };
                let role = match self.role.as_deref() {
                    None | Some("athlete") => Some(Role::Athlete),
                    Some("assistant_coach") => Some(Role::AssistantCoach),
                    Some(_) => {
                        errors.push(FieldError::new("role", "invalid_role", "role must be athlete or assistant_coach"));
                        None
                    }
                };
                errors.finish()?;
                match (email, first_name, role) {
                    (Some(email), Some(first_name), Some(role)) => {
                        Ok(NewInvitation::SingleUse { email, first_name, role, extras, expires_at: self.expires_at })
                    }
                    _ => Err(DomainError::Validation(Vec::new())),
                }
            }
            "multi_use" => {
                not_allowed(&mut errors, "email", self.email.is_some(), "multi-use");
                not_allowed(&mut errors, "first_name", self.first_name.is_some(), "multi-use");
                not_allowed(&mut errors, "role", self.role.as_deref().is_some_and(|r| r != "athlete"), "multi-use");
                let name = match &self.name {
                    Some(n) => errors.check("name", InvitationName::parse(n)).map(Some),
                    None => Some(None),
                };
                errors.finish()?;
                Ok(NewInvitation::MultiUse {
                    name: name.flatten(),
                    max_uses: self.max_uses,
                    expires_at: self.expires_at,
                    extras,
                })
            }
            _ => Err(DomainError::Validation(vec![FieldError::new(
                "kind",
                "invalid_kind",
                "kind must be single_use or multi_use",
            )])),
        }
    }
}

/// An invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationDto {
    /// Id.
    pub invitation_id: InvitationId,
    /// Organization.
    pub org_id: OrgId,
    /// `single_use` or `multi_use`.
    #[schema(example = "single_use")]
    pub kind: &'static str,
    /// `athlete` or `assistant_coach`.
    #[schema(example = "athlete")]
    pub role: &'static str,
    /// Single use: the invitee.
    pub email: Option<String>,
    /// Single use: the invitee's first name.
    pub first_name: Option<String>,
    /// Multi use: the label.
    pub name: Option<String>,
    /// Group joined on acceptance.
    pub group_id: Option<GroupId>,
    /// Plan started on acceptance.
    pub training_plan: Option<TrainingPlanDto>,
    /// Multi use: null = unlimited. Single use: 1.
    pub max_uses: Option<i64>,
    /// Uses so far.
    #[schema(minimum = 0)]
    pub use_count: i64,
    /// Null = never.
    pub expires_at: Option<DateTime<Utc>>,
    /// `pending`, `accepted`, `expired`, `revoked` or `exhausted`.
    #[schema(example = "pending")]
    pub status: &'static str,
    /// The coach who made it; null when an organization API key did (see `created_by_key_id`).
    pub created_by: Option<UserId>,
    /// The organization API key that made it, if one did (then `created_by` is null).
    pub created_by_key_id: Option<ApiKeyId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When its e-mail was last queued.
    pub last_sent_at: Option<DateTime<Utc>>,
    /// E-mails queued for it.
    #[schema(minimum = 0)]
    pub send_count: i64,
}

impl InvitationDto {
    /// The invitation as clients see it at `now`.
    pub fn new(i: Invitation, now: DateTime<Utc>) -> Self {
        Self {
            status: i.status_at(now).as_str(),
            invitation_id: i.invitation_id,
            org_id: i.org_id,
            kind: i.kind.as_str(),
            role: i.role.as_str(),
            email: i.email.map(Email::into_inner),
            first_name: i.first_name.map(PersonName::into_inner),
            name: i.name.map(|n| n.as_str().to_owned()),
            group_id: i.group_id,
            training_plan: i.training_plan.map(|p| TrainingPlanDto { plan_id: p.plan_id, start_date: p.start_date }),
            max_uses: i.max_uses,
            use_count: i.use_count,
            expires_at: i.expires_at,
            created_by: i.created_by_key.is_none().then_some(i.created_by),
            created_by_key_id: i.created_by_key,
            created_at: i.created_at,
            last_sent_at: i.last_sent_at,
            send_count: i.send_count,
        }
    }
}

/// A created or resent invitation and its link (the only time the token is shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedDto {
    /// The invitation.
    pub invitation: InvitationDto,
    /// `{public_base_url}/join/{token}`.
    pub invite_url: String,
}

/// A pending invitation's link, derived again by the server.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkDto {
    /// `{public_base_url}/join/{token}`: the link given when the invitation
    /// was made or last resent.
    pub link: String,
}

/// `{data, next_cursor}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationListDto {
    /// Newest first.
    pub data: Vec<InvitationDto>,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// `?status=&kind=&limit=&cursor=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `pending`, `accepted`, `expired`, `revoked` or `exhausted`.
    #[param(pattern = "^(pending|accepted|expired|revoked|exhausted)$")]
    pub status: Option<String>,
    /// `single_use` or `multi_use`.
    #[param(pattern = "^(single_use|multi_use)$")]
    pub kind: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// From the previous page.
    pub cursor: Option<String>,
}

impl ListQuery {
    /// The parsed status and kind filters; a bad value is `400` naming the parameter.
    pub fn filters(&self) -> Result<(Option<InvitationStatus>, Option<InvitationKind>), crate::error::ApiError> {
        let bad =
            |p: &str| crate::error::ApiError::bad_request("invalid_parameter", p, format!("{p} has an unknown value"));
        let status = self.status.as_deref().map(|s| s.parse().map_err(|_| bad("status"))).transpose()?;
        let kind = self.kind.as_deref().map(|k| k.parse().map_err(|_| bad("kind"))).transpose()?;
        Ok((status, kind))
    }
}

/// The organization an invitation leads to.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewOrgDto {
    /// Id.
    pub org_id: OrgId,
    /// Name.
    pub name: String,
}

/// The public preview of an invitation link.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewDto {
    /// Where it leads.
    pub organization: PreviewOrgDto,
    /// `single_use` or `multi_use`.
    pub kind: &'static str,
    /// The role on joining.
    pub role: &'static str,
    /// Single use: the invitee's first name.
    pub first_name: Option<String>,
    /// Single use: `j•••@example.com`.
    pub email_hint: Option<String>,
    /// Null = never.
    pub expires_at: Option<DateTime<Utc>>,
    /// Only `pending` can be accepted.
    pub status: &'static str,
}

/// Accept body. Signed in: `{}`. Not signed in: `password` (and `email` for
/// a multi-use link; `first_name` unless the invitation has one) create the
/// account. Sign-up fields while signed in are `422 already_signed_in`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The new account's password.
    #[schema(min_length = 8, max_length = 128)]
    pub password: Option<String>,
    /// Multi use: the new account's e-mail. Single use: must be the invitation's if given.
    #[schema(format = "email")]
    pub email: Option<String>,
    /// First name (single use: defaults to the invitation's).
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
}

impl AcceptBody {
    /// Who accepts: the signed-in caller, or a new account from the body.
    pub fn acceptor(self, caller: Option<UserId>) -> Result<Acceptor, DomainError> {
        if let Some(user_id) = caller {
            let fields = [
                ("password", &self.password),
                ("email", &self.email),
                ("first_name", &self.first_name),
                ("last_name", &self.last_name),
            ];
            if let Some((field, _)) = fields.iter().find(|(_, v)| v.is_some()) {
                return Err(DomainError::Validation(vec![FieldError::new(
                    *field,
                    "already_signed_in",
                    "signed in: send {} to accept as the signed-in account",
                )]));
            }
            return Ok(Acceptor::SignedIn(user_id));
        }
        let mut errors = FieldErrors::new();
        let password = match &self.password {
            Some(p) => errors.check("password", Password::parse(p)),
            None => {
                errors.push(FieldError::new("password", "required", "sign in, or give a password for a new account"));
                None
            }
        };
        let email = self.email.as_deref().map(|e| errors.check("email", Email::parse(e)));
        let first_name = self.first_name.as_deref().map(|f| errors.check("first_name", PersonName::parse(f)));
        let last_name = self.last_name.as_deref().map(|l| errors.check("last_name", PersonName::parse(l)));
        errors.finish()?;
        let password = password.ok_or(DomainError::Validation(Vec::new()))?;
        Ok(Acceptor::SignUp {
            email: email.flatten(),
            password,
            first_name: first_name.flatten(),
            last_name: last_name.flatten(),
        })
    }
}

/// `201` of accepting: the member and organization; when signing up, the
/// account and its access token too.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedDto {
    /// The new membership.
    pub member: crate::routes::members::dto::MemberDto,
    /// The organization joined.
    pub organization: OrganizationDto,
    /// Signing up: the new account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserDto>,
    /// Signing up: a JWT for `Authorization: Bearer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// Signing up: `Bearer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    /// Signing up: when the token stops working.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Signing up: exchange it at `POST /auth/refresh`; it works once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Signing up: when the refresh token stops working.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<DateTime<Utc>>,
}
