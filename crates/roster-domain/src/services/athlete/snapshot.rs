//! Everything the profile shows about an athlete's own data, read in a fixed
//! number of queries (two memberships, the time zone, the feed, the weekly
//! sums, the race goals, the zones, the integrations and the activity
//! window: nine, however much data the athlete has).

use super::authorized_athlete;
use crate::athlete::weekly::{boundaries, week_starts};
use crate::athlete::{
    Activity, ActivityWindow, AthleteRepo, Integration, RaceGoal, StoredZones, WeekTotal, next_race_goal,
};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::Membership;
use crate::error::DomainError;
use crate::ids::{OrgId, UserId};
use crate::policy::{Action, Actor};
use crate::ports::OrganizationRepo;
use crate::values::Timezone;
use chrono::{DateTime, Utc};

/// How many activities the profile lists.
pub const RECENT_ACTIVITIES: u32 = 10;
/// How many weeks the profile's trend covers.
pub const PROFILE_WEEKS: u32 = 12;

/// An athlete's data as the profile shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AthleteSnapshot {
    /// The caller (decides what else the caller may see).
    pub caller: Actor,
    /// The athlete's membership.
    pub athlete: Membership,
    /// The organization's time zone.
    pub timezone: Timezone,
    /// When the snapshot was taken.
    pub now: DateTime<Utc>,
    /// The latest activities, newest first.
    pub recent_activities: Vec<Activity>,
    /// The last 12 weeks, oldest first, empty weeks included.
    pub weekly_distance: Vec<WeekTotal>,
    /// Every race goal, by race date.
    pub race_goals: Vec<RaceGoal>,
    /// Zones, if ever set.
    pub zones: Option<StoredZones>,
    /// Recorded integrations.
    pub integrations: Vec<Integration>,
    /// Recent training, for the attention signals.
    pub window: ActivityWindow,
}

impl AthleteSnapshot {
    /// The goal race: the next race goal on or after today in the
    /// organization's time zone.
    pub fn goal_race(&self) -> Option<&RaceGoal> {
        next_race_goal(&self.race_goals, self.timezone.today(self.now))
    }
}

/// Reads the athlete's data for the profile (coaches, the athlete).
pub fn snapshot(
    cx: &Context<'_, impl OrganizationRepo + AthleteRepo>,
    org_id: OrgId,
    athlete: UserId,
) -> Result<AthleteSnapshot, DomainError> {
    let (orgs, athletes, clock, caller) = (cx.store, cx.store, &cx.clock, cx.caller.clone());
    let (me, target) = authorized_athlete(&Context::new(orgs, caller), org_id, athlete, Action::ReadProfile)?;
    let timezone = athletes.org_timezone(org_id)?.ok_or(DomainError::NotFound("organization"))?;
    let now = clock.now();
    let mut recent_activities = athletes.activities(athlete, None, RECENT_ACTIVITIES)?;
    recent_activities.truncate(RECENT_ACTIVITIES as usize);
    let mondays = week_starts(timezone.tz(), now, PROFILE_WEEKS);
    let totals = athletes.weekly_totals(athlete, &boundaries(timezone.tz(), &mondays))?;
    let weekly_distance =
        mondays.into_iter().zip(totals).map(|(week_start, totals)| WeekTotal { week_start, totals }).collect();
    Ok(AthleteSnapshot {
        caller: me,
        athlete: target,
        timezone,
        now,
        recent_activities,
        weekly_distance,
        race_goals: athletes.race_goals(athlete)?,
        zones: athletes.zones(athlete)?,
        integrations: athletes.integrations(athlete)?,
        window: athletes.activity_window(athlete, now)?,
    })
}
