//! Creating, reading and changing organizations.

use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{AuditEvent, Membership, OrgCounts, Organization, OrganizationView};
use crate::error::{Conflict, DomainError};
use crate::ids::{OrgId, UserId};
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::OrganizationRepo;
use crate::role::Role;
use crate::values::{Description, OrgName, Timezone};
use serde_json::{Map, Value, json};

/// Values for a new organization.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    /// Name.
    pub name: OrgName,
    /// Description.
    pub description: Description,
    /// Time zone (default UTC).
    pub timezone: Timezone,
}

/// Changes to an organization; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrganizationPatch {
    /// New name.
    pub name: Option<OrgName>,
    /// New description.
    pub description: Option<Description>,
    /// New time zone.
    pub timezone: Option<Timezone>,
}

/// Creates an organization headed by `creator`. An account heads at most one
/// organization: `already_head_coach` otherwise.
pub fn create(
    repo: &impl OrganizationRepo,
    clock: &impl Clock,
    creator: UserId,
    new: NewOrganization,
) -> Result<OrganizationView, DomainError> {
    if repo.headed_by(creator)?.is_some() {
        return Err(Conflict::AlreadyHeadCoach.into());
    }
    let now = clock.now();
    let org = Organization {
        org_id: OrgId::new(),
        name: new.name,
        description: new.description,
        timezone: new.timezone,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let head = Membership::start(org.org_id, creator, Role::HeadCoach, now);
    let event = AuditEvent::new(
        org.org_id,
        creator,
        "organization.created",
        Some(creator),
        json!({"name": {"old": null, "new": org.name.as_str()}, "timezone": {"old": null, "new": org.timezone.as_str()}}),
        now,
    );
    repo.create_organization(&org, &head, &event)?;
    Ok(OrganizationView { org, head_coach_user_id: creator, counts: OrgCounts { coaches: 1, ..OrgCounts::default() } })
}

/// Reads an organization the caller belongs to.
pub fn get(cx: &Context<'_, impl OrganizationRepo>, org_id: OrgId) -> Result<OrganizationView, DomainError> {
    let (repo, caller) = (cx.store, cx.caller.clone());
    authorize(&Actor::resolve(repo, org_id, caller)?, Action::ReadOrganization, Target::Organization)?;
    repo.organization(org_id)?.ok_or(DomainError::NotFound("organization"))
}

/// Changes an organization (head coach only). With `if_match`, a stale
/// version is refused with `version_mismatch` and nothing changes; without
/// it, the change applies to the latest version.
pub fn update(
    cx: &Context<'_, impl OrganizationRepo>,
    org_id: OrgId,
    patch: OrganizationPatch,
    if_match: Option<i64>,
) -> Result<OrganizationView, DomainError> {
    let (repo, clock, caller) = (cx.store, &cx.clock, cx.caller.account()?);
    authorize(&Actor::resolve(repo, org_id, caller)?, Action::UpdateOrganization, Target::Organization)?;
    super::latest_wins(if_match, || {
        let mut view = repo.organization(org_id)?.ok_or(DomainError::NotFound("organization"))?;
        let loaded_version = view.org.version;
        if if_match.is_some_and(|v| v != loaded_version) {
            return Err(Conflict::VersionMismatch.into());
        }
        let org = &mut view.org;
        let mut changes = Map::new();
        if let Some(name) = patch.name.clone().filter(|n| *n != org.name) {
            changes.insert("name".into(), json!({"old": org.name.as_str(), "new": name.as_str()}));
            org.name = name;
        }
        if let Some(description) = patch.description.clone().filter(|d| *d != org.description) {
            changes.insert("description".into(), json!({"old": org.description.as_str(), "new": description.as_str()}));
            org.description = description;
        }
        if let Some(timezone) = patch.timezone.filter(|t| *t != org.timezone) {
            changes.insert("timezone".into(), json!({"old": org.timezone.as_str(), "new": timezone.as_str()}));
            org.timezone = timezone;
        }
        if changes.is_empty() {
            // Nothing to change: answer as if it had, without a new version.
            return Ok(view);
        }
        let now = clock.now();
        org.updated_at = now;
        org.version = loaded_version + 1;
        let event = AuditEvent::new(org_id, caller, "organization.updated", None, Value::Object(changes), now);
        repo.update_organization(org, loaded_version, &event)?;
        Ok(view)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::FixedClock;
    use crate::entities::Membership;
    use crate::ports::MockOrganizationRepo;

    pub(crate) fn clock() -> FixedClock {
        FixedClock::at("2026-11-28T10:00:00Z")
    }

    pub(crate) fn membership(org: OrgId, user: UserId, role: Role) -> Membership {
        Membership::start(org, user, role, clock().now())
    }

    pub(crate) fn view(org_id: OrgId, head: UserId) -> OrganizationView {
        let now = clock().now();
        OrganizationView {
            org: Organization {
                org_id,
                name: OrgName::parse("Riverside Runners").unwrap(),
                description: Description::default(),
                timezone: Timezone::utc(),
                created_at: now,
                updated_at: now,
                version: 3,
            },
            head_coach_user_id: head,
            counts: OrgCounts::default(),
        }
    }

    fn new_org() -> NewOrganization {
        NewOrganization {
            name: OrgName::parse("Riverside Runners").unwrap(),
            description: Description::default(),
            timezone: Timezone::parse("Europe/Paris").unwrap(),
        }
    }

    /// A repo in which `user` has `role` in `org`, and `org` exists.
    pub(crate) fn repo_with(org: OrgId, user: UserId, role: Role) -> MockOrganizationRepo {
        let mut repo = MockOrganizationRepo::new();
        repo.expect_live_membership()
            .returning(move |o, u| Ok((o == org && u == user).then(|| membership(org, user, role))));
        repo.expect_organization().returning(move |o| Ok((o == org).then(|| view(org, user))));
        repo
    }

    #[test]
    fn creator_becomes_head_coach() {
        let creator = UserId::new();
        let mut repo = MockOrganizationRepo::new();
        repo.expect_headed_by().returning(|_| Ok(None));
        repo.expect_create_organization()
            .withf(move |org, head, event| {
                head.role == Role::HeadCoach
                    && head.user_id == creator
                    && head.org_id == org.org_id
                    && event.action == "organization.created"
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let view = create(&repo, &clock(), creator, new_org()).unwrap();
        assert_eq!(view.head_coach_user_id, creator);
        assert_eq!(view.org.timezone.as_str(), "Europe/Paris");
        assert_eq!(view.counts.coaches, 1);
    }

    #[test]
    fn account_heads_at_most_one_organization() {
        let mut repo = MockOrganizationRepo::new();
        repo.expect_headed_by().returning(|_| Ok(Some(OrgId::new())));
        repo.expect_create_organization().never();
        let err = create(&repo, &clock(), UserId::new(), new_org()).unwrap_err();
        assert_eq!(err.code(), "already_head_coach");
    }

    #[test]
    fn non_member_gets_not_found() {
        let org = OrgId::new();
        let repo = repo_with(org, UserId::new(), Role::HeadCoach);
        assert_eq!(get(&Context::new(&repo, UserId::new()), org).unwrap_err().code(), "not_found");
    }

    #[test]
    fn athlete_can_read_but_not_update() {
        let (org, athlete) = (OrgId::new(), UserId::new());
        let repo = repo_with(org, athlete, Role::Athlete);
        assert!(get(&Context::new(&repo, athlete), org).is_ok());
        let err = update(&Context::new(&repo, athlete).with_clock(&clock()), org, OrganizationPatch::default(), None)
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    #[test]
    fn assistant_coach_cannot_update_organization() {
        let (org, coach) = (OrgId::new(), UserId::new());
        let repo = repo_with(org, coach, Role::AssistantCoach);
        let err = update(&Context::new(&repo, coach).with_clock(&clock()), org, OrganizationPatch::default(), None)
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
    }

    #[test]
    fn stale_if_match_is_version_mismatch_and_writes_nothing() {
        let (org, head) = (OrgId::new(), UserId::new());
        let mut repo = repo_with(org, head, Role::HeadCoach);
        repo.expect_update_organization().never();
        let patch = OrganizationPatch { name: Some(OrgName::parse("New").unwrap()), ..Default::default() };
        let err = update(&Context::new(&repo, head).with_clock(&clock()), org, patch, Some(2)).unwrap_err();
        assert_eq!(err.code(), "version_mismatch");
    }

    #[test]
    fn update_bumps_version_and_records_old_and_new_values() {
        let (org, head) = (OrgId::new(), UserId::new());
        let mut repo = repo_with(org, head, Role::HeadCoach);
        repo.expect_update_organization()
            .withf(|org, expected, event| {
                org.version == 4
                    && *expected == 3
                    && event.changes["name"]["old"] == "Riverside Runners"
                    && event.changes["name"]["new"] == "Hill Harriers"
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        let patch = OrganizationPatch { name: Some(OrgName::parse("Hill Harriers").unwrap()), ..Default::default() };
        let view = update(&Context::new(&repo, head).with_clock(&clock()), org, patch, Some(3)).unwrap();
        assert_eq!(view.org.version, 4);
    }

    #[test]
    fn update_that_changes_nothing_writes_nothing() {
        let (org, head) = (OrgId::new(), UserId::new());
        let mut repo = repo_with(org, head, Role::HeadCoach);
        repo.expect_update_organization().never();
        let patch =
            OrganizationPatch { name: Some(OrgName::parse("Riverside Runners").unwrap()), ..Default::default() };
        assert_eq!(update(&Context::new(&repo, head).with_clock(&clock()), org, patch, None).unwrap().org.version, 3);
    }
}
