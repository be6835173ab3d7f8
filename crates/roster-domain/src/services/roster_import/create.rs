//! The rows that make someone a member: an account added, or an invitation
//! sent to an e-mail without one.

use super::{Applied, ImportStore, Importer, RowInput, field};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{JoinExtras, User};
use crate::error::DomainError;
use crate::ids::{GroupId, UserId};
use crate::invitation::InvitationLinks;
use crate::role::Role;
use crate::roster_csv::import::RowOutcome;
use crate::services::coaches::AccountRef;
use crate::services::groups as group_svc;
use crate::services::invitations::{self, NewInvitation};
use crate::services::members::{self, MemberPatch, NewMember};
use crate::values::Email;
use std::collections::BTreeSet;

impl<S: ImportStore, T: InvitationLinks, C: Clock> Importer<'_, S, T, C> {
    pub(super) fn add(
        &self,
        user: User,
        input: &RowInput,
        coach: Option<UserId>,
        groups: Option<BTreeSet<GroupId>>,
    ) -> Result<Applied, DomainError> {
        let (store, clock, caller, org_id) = (self.store, self.clock, self.actor.caller(), self.org_id);
        let mut groups = groups.unwrap_or_default().into_iter();
        let new = NewMember {
            target: AccountRef::Id(user.user_id),
            extras: JoinExtras { group_id: groups.next(), training_plan: None },
            display_name: input.display_name.clone(),
            member_level: input.member_level.clone(),
            labels: input.labels.clone().unwrap_or_default(),
            private_notes: input.private_notes.clone(),
            assigned_to_coach_id: coach.map(Some),
        };
        let added =
            members::add(&Context::new(store, caller.clone()).with_clock(clock), org_id, new, self.public_base_url)?;
        if let Some(status) = input.status.filter(|s| *s != added.membership.status) {
            let patch = MemberPatch { status: Some(status), ..MemberPatch::default() };
            members::update(&Context::new(store, caller.clone()).with_clock(clock), org_id, user.user_id, patch, None)?;
        }
        for group in groups {
            group_svc::add_member(&Context::new(store, caller.clone()).with_clock(clock), org_id, group, user.user_id)?;
        }
        Ok(Applied::member(RowOutcome::Create, user.user_id))
    }

    pub(super) fn invite(
        &self,
        email: &Email,
        input: &RowInput,
        groups: Option<BTreeSet<GroupId>>,
    ) -> Result<Applied, DomainError> {
        let first_name = input.first_name.clone().ok_or_else(|| {
            field("first_name", "missing_first_name", "an e-mail without an account is invited by first name")
        })?;
        let new = NewInvitation::SingleUse {
            email: email.clone(),
            first_name,
            role: Role::Athlete,
            extras: JoinExtras { group_id: groups.and_then(|g| g.into_iter().next()), training_plan: None },
            expires_at: None,
        };
        let (store, org_id) = (self.store, self.org_id);
        let issued = invitations::create(
            &Context::new(store, self.actor.caller()).with_clock(self.clock),
            self.tokens,
            org_id,
            new,
            self.public_base_url,
        )?;
        Ok(Applied { outcome: RowOutcome::Create, user_id: None, invitation_id: Some(issued.invitation.invitation_id) })
    }
}
