//! Reading the audit trail (head coach only).

use crate::context::Context;
use crate::entities::{AuditEvent, AuditFilter};
use crate::error::DomainError;
use crate::ids::OrgId;
#[cfg(test)]
use crate::ids::UserId;
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::{AuditRepo, OrganizationRepo};

/// A page of audit events, newest first, and whether another page follows.
pub fn list(
    cx: &Context<'_, impl OrganizationRepo + AuditRepo>,
    org_id: OrgId,
    filter: &AuditFilter,
) -> Result<(Vec<AuditEvent>, bool), DomainError> {
    let (orgs, audit, caller) = (cx.store, cx.store, cx.caller.clone());
    authorize(&Actor::resolve(orgs, org_id, caller)?, Action::ReadAuditTrail, Target::Organization)?;
    let mut events = audit.audit_events(org_id, filter)?;
    let more = events.len() > filter.limit as usize;
    events.truncate(filter.limit as usize);
    Ok((events, more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;
    use crate::Role;
    use crate::context::Mocks;
    use crate::ports::MockAuditRepo;
    use crate::services::organizations::tests::{clock, repo_with};

    #[test]
    fn assistant_coach_cannot_read_the_audit_trail() {
        let (org, coach) = (OrgId::new(), UserId::new());
        let orgs = repo_with(org, coach, Role::AssistantCoach);
        let audit = MockAuditRepo::new();
        let err = list(
            &Context::new(&Mocks { orgs: &orgs, audit: &audit, ..Mocks::none() }, coach),
            org,
            &AuditFilter { limit: 10, ..Default::default() },
        )
        .unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    #[test]
    fn head_coach_gets_a_page_and_knows_more_follow() {
        let (org, head) = (OrgId::new(), UserId::new());
        let orgs = repo_with(org, head, Role::HeadCoach);
        let mut audit = MockAuditRepo::new();
        audit.expect_audit_events().returning(move |_, f| {
            Ok((0..=f.limit)
                .map(|_| AuditEvent::new(org, head, "member.added", None, serde_json::json!({}), clock().now()))
                .collect())
        });
        let (events, more) = list(
            &Context::new(&Mocks { orgs: &orgs, audit: &audit, ..Mocks::none() }, head),
            org,
            &AuditFilter { limit: 2, ..Default::default() },
        )
        .unwrap();
        assert_eq!(events.len(), 2);
        assert!(more);
    }
}
