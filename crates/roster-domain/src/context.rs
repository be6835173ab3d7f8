//! What a use case runs with: the store that implements its ports, the
//! clock, and who is asking.
//!
//! A use case that acts for a caller takes `cx: &Context<'_, impl Ports…>`
//! and nothing else of the outside world but the services that are not the
//! store's (a password hasher, invitation links, insights). A server builds
//! one context per request from its store and clock; a test builds it from
//! mocks, one per port it expects to be used, bundled by `Mocks` (with the
//! `mock` feature). The few use cases that establish who someone is (sign
//! up, sign in, sessions, password resets, an invitation's preview and
//! acceptance) have no caller yet: they take the store and the clock.

use crate::clock::{Clock, SystemClock};
use crate::policy::Caller;

/// The ports (one store implementing them), the clock and the caller.
#[allow(missing_debug_implementations)]
pub struct Context<'a, S: ?Sized> {
    /// The store: every port the use case asks for.
    pub store: &'a S,
    /// The time.
    pub clock: &'a dyn Clock,
    /// Who asks: an account, a member already looked up, or an API key.
    pub caller: Caller,
}

impl<'a, S: ?Sized> Context<'a, S> {
    /// A context on `store` for `caller`, on the system clock.
    pub fn new(store: &'a S, caller: impl Into<Caller>) -> Self {
        Self { store, clock: &SystemClock, caller: caller.into() }
    }

    /// The same context on `clock`.
    pub fn with_clock(self, clock: &'a dyn Clock) -> Self {
        Self { clock, ..self }
    }
}

#[cfg(any(test, feature = "mock"))]
pub use mocks::Mocks;

#[cfg(any(test, feature = "mock"))]
mod mocks {
    // The delegation copies each port's signatures here: their types must
    // be in scope under the names the ports use.
    use super::Context;
    use crate::api_keys::{ApiKeyRepo, MockApiKeyRepo, ambassador_impl_ApiKeyRepo};
    use crate::athlete::ports::{AthleteRepo, MockAthleteRepo, ambassador_impl_AthleteRepo};
    use crate::attention::{AttentionRepo, MockAttentionRepo, ambassador_impl_AttentionRepo};
    use crate::calendar::{CalendarRepo, MockCalendarRepo, ambassador_impl_CalendarRepo};
    use crate::clock::Clock;
    use crate::groups::{GroupRepo, MockGroupRepo, ambassador_impl_GroupRepo};
    use crate::invitation::ports::{InvitationRepo, MockInvitationRepo, ambassador_impl_InvitationRepo};
    use crate::member::{MemberRepo, MockMemberRepo, ambassador_impl_MemberRepo};
    use crate::plans::{
        AssignmentRepo, MockAssignmentRepo, MockPlanRepo, PlanRepo, ambassador_impl_AssignmentRepo,
        ambassador_impl_PlanRepo,
    };
    use crate::policy::Caller;
    use crate::ports::{
        AccountRepo, AuditRepo, MockAccountRepo, MockAuditRepo, MockOrganizationRepo, OrganizationRepo,
        ambassador_impl_AccountRepo, ambassador_impl_AuditRepo, ambassador_impl_OrganizationRepo,
    };
    use crate::privacy::{MockPrivacyRepo, PrivacyRepo, ambassador_impl_PrivacyRepo};
    use crate::roster_csv::import::{ImportRepo, MockImportRepo, ambassador_impl_ImportRepo};
    use crate::session::{
        MockPasswordResetRepo, MockSessionRepo, PasswordResetRepo, SessionRepo, ambassador_impl_PasswordResetRepo,
        ambassador_impl_SessionRepo,
    };
    use crate::webhooks::{MockWebhookRepo, WebhookRepo, ambassador_impl_WebhookRepo};
    #[allow(unused_imports, clippy::wildcard_imports)]
    use crate::{
        api_keys::*, athlete::ports::*, athlete::*, attention::*, calendar::*, entities::*, error::*, groups::*,
        ids::*, invitation::ports::*, invitation::*, member::*, plans::*, policy::*, ports::*, privacy::*,
        roster_csv::import::*, roster_csv::*, session::*, values::*, webhooks::*,
    };
    #[allow(unused_imports)]
    use chrono::{DateTime, NaiveDate, Utc};
    #[allow(unused_imports)]
    use serde_json::Value;

    macro_rules! bundle {
        ($($field:ident: $mock:ident as $port:ident via $get:ident = $getname:literal),* $(,)?) => {
            /// One mock per store port, as one store: a test sets the mocks
            /// it expects to be used and leaves the others unset (any call
            /// to an unset one fails the test).
            ///
            /// ```
            /// use roster_domain::context::{Context, Mocks};
            /// use roster_domain::ports::MockOrganizationRepo;
            /// use roster_domain::services::organizations;
            /// use roster_domain::{OrgId, UserId};
            ///
            /// let mut orgs = MockOrganizationRepo::new();
            /// orgs.expect_live_membership().returning(|_, _| Ok(None));
            /// let store = Mocks { orgs: &orgs, ..Mocks::none() };
            /// let err = organizations::get(&Context::new(&store, UserId::new()), OrgId::new()).unwrap_err();
            /// assert_eq!(err.code(), "not_found");
            /// ```
            #[allow(missing_debug_implementations)]
            pub struct Mocks<'a> {
                $(
                    #[doc = concat!("The `", stringify!($port), "` port.")]
                    pub $field: &'a $mock,
                )*
            }

            impl<'a> Mocks<'a> {
                /// A context on these mocks for `caller`, on `clock`.
                pub fn cx(&'a self, caller: impl Into<Caller>, clock: &'a dyn Clock) -> Context<'a, Self> {
                    Context::new(self, caller).with_clock(clock)
                }
            }

            impl Mocks<'static> {
                /// Every port unset.
                pub fn none() -> Self {
                    // A test's bundle lives as long as the test: leaking
                    // the unset mocks keeps the bundle a plain struct of
                    // references that a test fills by field.
                    Self { $($field: Box::leak(Box::new($mock::new())),)* }
                }
            }

            #[ambassador::delegate_to_methods]
            $(#[delegate($port, target_ref = $getname)])*
            impl<'a> Mocks<'a> {
                $(
                    fn $get(&self) -> &$mock {
                        self.$field
                    }
                )*
            }
        };
    }

    bundle! {
        accounts: MockAccountRepo as AccountRepo via accounts_port = "accounts_port",
        orgs: MockOrganizationRepo as OrganizationRepo via orgs_port = "orgs_port",
        audit: MockAuditRepo as AuditRepo via audit_port = "audit_port",
        members: MockMemberRepo as MemberRepo via members_port = "members_port",
        groups: MockGroupRepo as GroupRepo via groups_port = "groups_port",
        plans: MockPlanRepo as PlanRepo via plans_port = "plans_port",
        assignments: MockAssignmentRepo as AssignmentRepo via assignments_port = "assignments_port",
        athletes: MockAthleteRepo as AthleteRepo via athletes_port = "athletes_port",
        calendar: MockCalendarRepo as CalendarRepo via calendar_port = "calendar_port",
        attention: MockAttentionRepo as AttentionRepo via attention_port = "attention_port",
        invitations: MockInvitationRepo as InvitationRepo via invitations_port = "invitations_port",
        sessions: MockSessionRepo as SessionRepo via sessions_port = "sessions_port",
        resets: MockPasswordResetRepo as PasswordResetRepo via resets_port = "resets_port",
        api_keys: MockApiKeyRepo as ApiKeyRepo via api_keys_port = "api_keys_port",
        webhooks: MockWebhookRepo as WebhookRepo via webhooks_port = "webhooks_port",
        privacy: MockPrivacyRepo as PrivacyRepo via privacy_port = "privacy_port",
        imports: MockImportRepo as ImportRepo via imports_port = "imports_port",
    }
}
