//! What an organization API key may do: each scope allows a set of actions
//! (see [`super::Actor::ApiKey`]).

use super::Action;
use std::fmt;

/// A permission an organization API key is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Read the roster, plans, groups and athletes' data.
    MembersRead,
    /// Add, change and remove athletes.
    MembersWrite,
    /// Invite and manage invitations and join links.
    InvitationsWrite,
    /// Write plans and assign them.
    PlansWrite,
    /// Manage groups and their members.
    GroupsWrite,
    /// Record athletes' activities, goals and zones.
    ActivitiesWrite,
    /// Read the audit trail.
    AuditRead,
    /// Manage webhooks.
    WebhooksManage,
}

impl Scope {
    /// Every scope.
    pub const ALL: &'static [Scope] = &[
        Scope::MembersRead,
        Scope::MembersWrite,
        Scope::InvitationsWrite,
        Scope::PlansWrite,
        Scope::GroupsWrite,
        Scope::ActivitiesWrite,
        Scope::AuditRead,
        Scope::WebhooksManage,
    ];

    /// The stable text form (`members:read`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::MembersRead => "members:read",
            Scope::MembersWrite => "members:write",
            Scope::InvitationsWrite => "invitations:write",
            Scope::PlansWrite => "plans:write",
            Scope::GroupsWrite => "groups:write",
            Scope::ActivitiesWrite => "activities:write",
            Scope::AuditRead => "audit:read",
            Scope::WebhooksManage => "webhooks:manage",
        }
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|s| s.as_str() == text)
    }

    /// Whether a key with this scope may do `action`.
    pub fn allows(self, action: Action) -> bool {
        required_scope(action) == Some(self)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scope that lets a key do `action`; `None`: no key may (the account's
/// own business, the head coach's alone, or managing keys).
pub fn required_scope(action: Action) -> Option<Scope> {
    use Action::*;
    Some(match action {
        ReadOrganization | ListCoaches | ListMembers | ReadMember | ListPlans | ReadPlan | ListAssignments
        | ReadGroups | ReadAthleteData | ReadProfile | ReadCalendar | ReadAttentionQueue | ExportRoster => {
            Scope::MembersRead
        }
        AddMember | UpdateMember | AssignCoach | RemoveMember | AcknowledgeSignal | ImportRoster | BulkEditRoster
        | BulkAssignCoach => Scope::MembersWrite,
        ListInvitations | CreateInvitation | CreateJoinLink | ResendInvitation | RevokeInvitation
        | ShowInvitationLink => Scope::InvitationsWrite,
        // Assigning a plan to a group is assigning it to each member
        // (`AssignPlan`, decided per member): the same scope.
        CreatePlan | EditPlan | AssignPlan | AssignGroupPlan | CancelAssignment | MoveOrExcuseWorkout => {
            Scope::PlansWrite
        }
        ManageGroups | ManageGroupMembers => Scope::GroupsWrite,
        WriteAthleteData => Scope::ActivitiesWrite,
        ReadAuditTrail => Scope::AuditRead,
        ManageWebhooks => Scope::WebhooksManage,
        UpdateOrganization
        | CloseOrganization
        | LookupUser
        | AddCoach
        | RemoveCoach
        | LeaveAsCoach
        | TransferHeadCoach
        | ManageOwnIntegrations
        | ManageApiKeys => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_text() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(*scope));
        }
        assert_eq!(Scope::parse("keys:manage"), None);
    }

    #[test]
    fn a_scope_allows_its_actions_only() {
        assert!(Scope::MembersRead.allows(Action::ListMembers));
        assert!(!Scope::MembersRead.allows(Action::UpdateMember));
        assert!(Scope::AuditRead.allows(Action::ReadAuditTrail));
        assert!(Scope::ALL.iter().all(|s| !s.allows(Action::TransferHeadCoach)));
        assert!(Scope::ALL.iter().all(|s| !s.allows(Action::ManageApiKeys)), "a key cannot manage keys");
    }
}
