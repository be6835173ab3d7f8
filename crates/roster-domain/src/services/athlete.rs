//! Athlete data use cases: activities, race goals, zones, integrations, the
//! weekly distance trend. Each asks the policy whether the caller may see or
//! touch the athlete's data ([`authorized_athlete`]) before it reads or writes.

pub mod snapshot;

pub use snapshot::{AthleteSnapshot, snapshot};

use crate::athlete::weekly::{MAX_WEEKS, boundaries, week_starts};
use crate::athlete::{
    Activity, ActivityInput, AthleteRepo, ConnectInput, FeedCursor, Inserted, Integration, NewActivity, Provider,
    RaceGoal, RaceGoalFields, RaceGoalInput, RaceGoalPatch, StoredZones, WeekTotal, ZoneSettings, Zones,
};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{AuditEvent, Membership};
use crate::error::{Conflict, DomainError, FieldError};
use crate::ids::{OrgId, RaceGoalId, UserId};
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::{AccountRepo, OrganizationRepo};
use crate::role::Role;
use serde_json::json;

/// The caller and the athlete's live membership, once the caller may do
/// `action` with the athlete's data. Not a member: `404`; another athlete:
/// `404`; an assistant coach writing for an athlete not assigned to them:
/// `not_assigned_to_you`.
pub fn authorized_athlete(
    cx: &Context<'_, impl OrganizationRepo>,
    org_id: OrgId,
    athlete: UserId,
    action: Action,
) -> Result<(Actor, Membership), DomainError> {
    let (orgs, caller) = (cx.store, cx.caller.clone());
    let actor = Actor::resolve(orgs, org_id, caller)?;
    let target = match actor.membership() {
        Some(me) if athlete == me.user_id => me.clone(),
        _ => orgs.live_membership(org_id, athlete)?.ok_or(DomainError::NotFound("member"))?,
    };
    authorize(&actor, action, Target::Member(&target))?;
    Ok((actor, target))
}

/// Records an activity for `athlete`. Idempotent on `(source, external_id)`:
/// a resend answers the stored activity (`Inserted::Existing`) and writes
/// nothing. Also what a file import calls, with source `manual` and a content
/// hash as `external_id`.
pub fn create_activity(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
    input: &ActivityInput,
) -> Result<Inserted<Activity>, DomainError> {
    let (orgs, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, _) = authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::WriteAthleteData)?;
    let caller = actor.user_id();
    let now = clock.now();
    let mut activity = NewActivity::parse(input, now)?.into_activity(athlete, caller, now);
    activity.created_by_key = actor.key_id();
    let event = AuditEvent::new(
        org_id,
        caller,
        "activity.created",
        Some(athlete),
        json!({
            "activity_id": {"old": null, "new": activity.activity_id},
            "sport": {"old": null, "new": activity.sport},
            "start_time": {"old": null, "new": activity.start_time},
            "distance_m": {"old": null, "new": activity.distance_m},
            "source": {"old": null, "new": activity.source},
        }),
        now,
    );
    Ok(athletes.insert_activity(&activity, &event)?)
}

/// A page of the athlete's feed, newest first, and the cursor of the next
/// page (`None` on the last).
pub fn activities(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
    before: Option<FeedCursor>,
    limit: u32,
) -> Result<(Vec<Activity>, Option<FeedCursor>), DomainError> {
    let (orgs, athletes, caller) = (cx.store, cx.store, cx.caller.clone());
    authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::ReadAthleteData)?;
    let mut page = athletes.activities(athlete, before, limit)?;
    let more = page.len() > limit as usize;
    page.truncate(limit as usize);
    let next = if more { page.last().map(FeedCursor::after) } else { None };
    Ok((page, next))
}

/// Distance, time and count per Monday-based week in the organization's time
/// zone, the last `weeks` weeks (1–104) up to the current one, oldest first,
/// empty weeks included.
pub fn weekly_distance(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
    weeks: u32,
) -> Result<Vec<WeekTotal>, DomainError> {
    let (orgs, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    if !(1..=MAX_WEEKS).contains(&weeks) {
        return Err(DomainError::Validation(vec![FieldError::new(
            "weeks",
            "out_of_range",
            format!("must be between 1 and {MAX_WEEKS}"),
        )]));
    }
    authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::ReadAthleteData)?;
    let tz = athletes.org_timezone(org_id)?.ok_or(DomainError::NotFound("organization"))?.tz();
    let mondays = week_starts(tz, clock.now(), weeks);
    let totals = athletes.weekly_totals(athlete, &boundaries(tz, &mondays))?;
    if totals.len() != mondays.len() {
        return Err(DomainError::Store(format!("{} weekly buckets for {} weeks", totals.len(), mondays.len())));
    }
    Ok(mondays.into_iter().zip(totals).map(|(week_start, totals)| WeekTotal { week_start, totals }).collect())
}

/// The athlete's race goals by race date.
pub fn race_goals(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
) -> Result<Vec<RaceGoal>, DomainError> {
    let (orgs, athletes, caller) = (cx.store, cx.store, cx.caller.clone());
    authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::ReadAthleteData)?;
    Ok(athletes.race_goals(athlete)?)
}

/// Adds a race goal.
pub fn create_race_goal(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
    input: &RaceGoalInput,
) -> Result<RaceGoal, DomainError> {
    let (orgs, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, _) = authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::WriteAthleteData)?;
    let caller = actor.user_id();
    let fields = RaceGoalFields::parse(input)?;
    let now = clock.now();
    let goal = RaceGoal {
        race_goal_id: RaceGoalId::new(),
        user_id: athlete,
        fields,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let mut changes = changes_from(None, &goal.fields);
    changes["race_goal_id"] = json!({"old": null, "new": goal.race_goal_id});
    let event = AuditEvent::new(org_id, caller, "race_goal.created", Some(athlete), changes, now);
    athletes.insert_race_goal(&goal, &event)?;
    Ok(goal)
}

/// Changes a race goal; honours `If-Match` (`expected_version`), and without
/// it applies to the latest version. A patch that changes nothing writes nothing.
pub fn update_race_goal(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
    goal_id: RaceGoalId,
    patch: &RaceGoalPatch,
    expected_version: Option<i64>,
) -> Result<RaceGoal, DomainError> {
    let (orgs, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, _) = authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::WriteAthleteData)?;
    let caller = actor.user_id();
    super::latest_wins(expected_version, || {
        let current = athletes.race_goal(athlete, goal_id)?.ok_or(DomainError::NotFound("race goal"))?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(Conflict::VersionMismatch.into());
        }
        let fields = current.fields.apply(patch)?;
        if fields == current.fields {
            return Ok(current);
        }
        let now = clock.now();
        let mut changes = changes_from(Some(&current.fields), &fields);
        changes["race_goal_id"] = json!({"old": goal_id, "new": goal_id});
        let goal = RaceGoal { fields, updated_at: now, version: current.version + 1, ..current.clone() };
        let event = AuditEvent::new(org_id, caller, "race_goal.updated", Some(athlete), changes, now);
        athletes.update_race_goal(&goal, current.version, &event)?;
        Ok(goal)
    })
}

/// Deletes a race goal.
pub fn delete_race_goal(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
    goal_id: RaceGoalId,
) -> Result<(), DomainError> {
    let (orgs, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, _) = authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::WriteAthleteData)?;
    let caller = actor.user_id();
    let current = athletes.race_goal(athlete, goal_id)?.ok_or(DomainError::NotFound("race goal"))?;
    let now = clock.now();
    let mut changes = json!({});
    if let (Some(old), Some(map)) = (current.fields.to_json().as_object(), changes.as_object_mut()) {
        for (k, v) in old {
            map.insert(k.clone(), json!({"old": v, "new": null}));
        }
    }
    changes["race_goal_id"] = json!({"old": goal_id, "new": null});
    let event = AuditEvent::new(org_id, caller, "race_goal.deleted", Some(athlete), changes, now);
    athletes.delete_race_goal(athlete, goal_id, &event)?;
    Ok(())
}

/// `{field: {old, new}}` for the fields that differ.
fn changes_from(old: Option<&RaceGoalFields>, new: &RaceGoalFields) -> serde_json::Value {
    let new_json = new.to_json();
    let old_json = old.map(RaceGoalFields::to_json);
    let mut out = serde_json::Map::new();
    if let Some(fields) = new_json.as_object() {
        for (k, v) in fields {
            let before = old_json.as_ref().map_or(serde_json::Value::Null, |o| o[k].clone());
            if old.is_none() || before != *v {
                out.insert(k.clone(), json!({"old": before, "new": v}));
            }
        }
    }
    serde_json::Value::Object(out)
}

/// The athlete's zones (`None`: never set).
pub fn zones(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
) -> Result<Option<StoredZones>, DomainError> {
    let (orgs, athletes, caller) = (cx.store, cx.store, cx.caller.clone());
    authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::ReadAthleteData)?;
    Ok(athletes.zones(athlete)?)
}

/// Replaces the athlete's zones; honours `If-Match`.
pub fn put_zones(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
    settings: ZoneSettings,
    expected_version: Option<i64>,
) -> Result<StoredZones, DomainError> {
    let (orgs, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (actor, _) = authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::WriteAthleteData)?;
    let caller = actor.user_id();
    let zones = Zones::parse(settings)?;
    let now = clock.now();
    let event = AuditEvent::new(
        org_id,
        caller,
        "zones.updated",
        Some(athlete),
        json!({
            "heart_rate_zones": {"old": null, "new": zones.settings().heart_rate.zones.len()},
            "pace_zones": {"old": null, "new": zones.settings().pace.zones.len()},
        }),
        now,
    );
    Ok(athletes.put_zones(athlete, &zones, expected_version, now, &event)?)
}

/// The athlete's recorded integrations.
pub fn integrations(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
) -> Result<Vec<Integration>, DomainError> {
    let (orgs, athletes, caller) = (cx.store, cx.store, cx.caller.clone());
    authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::ReadAthleteData)?;
    Ok(athletes.integrations(athlete)?)
}

/// The organization in which the caller is an athlete (integration audit
/// events are written there). Not an athlete anywhere: `403`; no account at
/// all (a token that outlived it): `401`.
fn athlete_org(accounts: &impl AccountRepo, caller: UserId) -> Result<OrgId, DomainError> {
    let athlete_in = accounts
        .memberships_of(caller)?
        .into_iter()
        .find(|m| m.membership.role == Role::Athlete)
        .map(|m| m.membership.org_id);
    if athlete_in.is_none() {
        accounts.user_by_id(caller)?.ok_or(DomainError::Unauthenticated)?;
        // Not an athlete anywhere: to integrations, an outsider (refused).
        authorize(&Actor::Outsider(caller), Action::ManageOwnIntegrations, Target::Organization)?;
    }
    athlete_in.ok_or(DomainError::NotFound("organization"))
}

/// The signed-in athlete records a connection to `provider`.
pub fn connect_integration(
    cx: &Context<'_, impl AccountRepo + AthleteRepo>,
    provider: Provider,
    input: &ConnectInput,
) -> Result<Integration, DomainError> {
    let (accounts, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.account()?);
    let org_id = athlete_org(accounts, caller)?;
    let now = clock.now();
    let existing = athletes.integrations(caller)?.into_iter().find(|i| i.provider == provider);
    let integration = Integration::connect(existing.as_ref(), caller, provider, input, now)?;
    let unchanged = existing.as_ref().is_some_and(|e| {
        e.status == integration.status
            && e.external_athlete_id == integration.external_athlete_id
            && e.last_sync_at == integration.last_sync_at
    });
    let old_status = existing.as_ref().map(|e| e.status);
    if let Some(existing) = existing.filter(|_| unchanged) {
        return Ok(existing);
    }
    let event = AuditEvent::new(
        org_id,
        caller,
        "integration.connected",
        Some(caller),
        json!({
            "provider": {"old": null, "new": provider},
            "status": {"old": old_status, "new": integration.status},
        }),
        now,
    );
    athletes.put_integration(&integration, &event)?;
    Ok(integration)
}

/// The signed-in athlete disconnects `provider`; disconnecting what is not
/// connected changes nothing.
pub fn disconnect_integration(
    cx: &Context<'_, impl AccountRepo + AthleteRepo>,
    provider: Provider,
) -> Result<(), DomainError> {
    let (accounts, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.account()?);
    let org_id = athlete_org(accounts, caller)?;
    let Some(existing) = athletes.integrations(caller)?.into_iter().find(|i| i.provider == provider) else {
        return Ok(());
    };
    if existing.status == crate::athlete::IntegrationStatus::Disconnected {
        return Ok(());
    }
    let now = clock.now();
    let event = AuditEvent::new(
        org_id,
        caller,
        "integration.disconnected",
        Some(caller),
        json!({"provider": {"old": provider, "new": provider}, "status": {"old": existing.status, "new": "disconnected"}}),
        now,
    );
    athletes.put_integration(&existing.disconnect(now), &event)?;
    Ok(())
}

#[cfg(test)]
mod tests;
