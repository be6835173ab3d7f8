//! Every action a caller can try, feature by feature.
//!
//! The list is written once, through [`actions!`]: it defines the enum and
//! [`Action::ALL`] together, so the matrix test and the docs' table walk every
//! action there is. A variant's first doc line is its wording in the table.
//!
//! Adding a feature: add its actions in a commented block here, decide them in
//! [`super::rules`], name the API-key scope that allows them in
//! [`super::scope`], and give them rows in the matrix test; the compiler
//! points at each place.

macro_rules! actions {
    ($( $(#[doc = $doc:literal])+ $name:ident, )+) => {
        /// Something a caller can try to do in an organization (or, for a few,
        /// with their own account).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $( $(#[doc = $doc])+ $name, )+
        }

        impl Action {
            /// Every action, in the order they are declared.
            pub const ALL: &'static [Action] = &[$(Action::$name),+];

            /// What the action is, in words (its first doc line).
            pub fn describe(self) -> &'static str {
                match self {
                    $( Action::$name => [$($doc),+][0].trim_start(), )+
                }
            }
        }
    };
}

actions! {
    // --- the organization --------------------------------------------------
    /// read the organization
    ReadOrganization,
    /// change its name, description or time zone
    UpdateOrganization,
    /// close the organization for good (memberships end, plans and groups go)
    CloseOrganization,
    /// read the audit trail
    ReadAuditTrail,

    // --- coaches -----------------------------------------------------------
    /// list the coaches
    ListCoaches,
    /// look an account up by e-mail
    LookupUser,
    /// add an existing account as assistant coach
    AddCoach,
    /// remove an assistant coach
    RemoveCoach,
    /// leave as a coach
    LeaveAsCoach,
    /// hand over the head-coach role
    TransferHeadCoach,

    // --- the roster --------------------------------------------------------
    /// list the roster (optionally filtered by coach)
    ListMembers,
    /// add an existing account as athlete, for a coach
    AddMember,
    /// read a member
    ReadMember,
    /// change a member's attributes and status
    UpdateMember,
    /// assign an athlete to a coach
    AssignCoach,
    /// remove an athlete (or leave)
    RemoveMember,
    /// export the roster as CSV
    ExportRoster,
    /// import members from a CSV file
    ImportRoster,
    /// change many members at once (labels, status, level, groups, plans, removal)
    BulkEditRoster,
    /// assign many athletes to a coach at once
    BulkAssignCoach,

    // --- invitations and join links ----------------------------------------
    /// list and read invitations
    ListInvitations,
    /// invite someone by e-mail, as a role
    CreateInvitation,
    /// create a join link (multi-use invitation for athletes)
    CreateJoinLink,
    /// resend an invitation
    ResendInvitation,
    /// revoke an invitation
    RevokeInvitation,
    /// see a pending invitation's link again, to copy it
    ShowInvitationLink,

    // --- training plans ----------------------------------------------------
    /// list plans (athletes: those assigned to them)
    ListPlans,
    /// read a plan
    ReadPlan,
    /// add a plan to the library
    CreatePlan,
    /// change or archive a plan
    EditPlan,
    /// list an athlete's plan assignments
    ListAssignments,
    /// assign a plan to an athlete
    AssignPlan,
    /// cancel an athlete's plan assignment
    CancelAssignment,

    // --- groups ------------------------------------------------------------
    /// list and read groups
    ReadGroups,
    /// create, rename or delete groups
    ManageGroups,
    /// put a member in a group or take them out
    ManageGroupMembers,
    /// assign a plan to a whole group
    AssignGroupPlan,

    // --- athlete data, profile, calendar -----------------------------------
    /// read an athlete's activities, goals, zones, integrations, weekly trend
    ReadAthleteData,
    /// record an athlete's activities (also by file), goals and zones
    WriteAthleteData,
    /// read an athlete's profile
    ReadProfile,
    /// read an athlete's training calendar
    ReadCalendar,
    /// move or excuse an athlete's planned workout
    MoveOrExcuseWorkout,
    /// read the attention queue (assistant coaches: their own athletes)
    ReadAttentionQueue,
    /// acknowledge an athlete's attention signal
    AcknowledgeSignal,
    /// connect or disconnect one's own integrations
    ManageOwnIntegrations,

    // --- automation --------------------------------------------------------
    /// register, change, rotate or delete webhook endpoints; read and redeliver their deliveries
    ManageWebhooks,
    /// create, list or revoke the organization's API keys
    ManageApiKeys,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_listed_once_with_its_words() {
        let mut seen = std::collections::HashSet::new();
        for action in Action::ALL {
            assert!(seen.insert(*action), "{action:?} twice");
            assert!(!action.describe().is_empty() && !action.describe().starts_with(' '), "{action:?}");
        }
        assert_eq!(Action::UpdateOrganization.describe(), "change its name, description or time zone");
    }
}
