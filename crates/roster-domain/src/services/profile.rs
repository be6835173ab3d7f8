//! The athlete profile: one view of an athlete for their coaches (and for the
//! athlete), read in a fixed number of queries.
//!
//! [`profile`] reads the athlete's data with [`snapshot()`] (nine queries, eight
//! for the athlete's own view), then the member with the account's names and
//! labels (two) and the athlete's plan assignments (one): **twelve queries**
//! for a coach, eleven for the athlete, however much data the athlete has
//! (counted by the store test `profile::the_profile_reads_twelve_queries_…`).
//! With a plan in the last 28 days, recent compliance adds the coaches'
//! adjustments, each plan assigned, and the activities of those days.
//! Attention signals and insights are computed from what was read, without
//! another query.

use crate::athlete::IntegrationStatus;
use crate::attention::{self, AttentionSignal, AttentionThresholds, IntegrationHealth, IntegrationState};
use crate::calendar::RecentCompliance;
use crate::context::Context;
use crate::error::DomainError;
use crate::ids::{OrgId, UserId};
use crate::insights::{Insight, InsightActivity, InsightGoal, InsightInput, InsightProvider};
use crate::member::{Labels, MemberRepo, MemberView};
use crate::plans::{AssignmentStatus, PlanAssignment};
use crate::services::athlete::{AthleteSnapshot, snapshot};
use crate::services::calendar::{self, CalendarStore};
use crate::services::members::MemberAccess;
use crate::training::WeeklyTotal;
use chrono::NaiveDate;

/// Everything the profile shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The member as the caller may see them (the athlete's own view has
    /// neither private notes nor labels).
    pub member: MemberView,
    /// How much of the member the caller sees.
    pub access: MemberAccess,
    /// Today in the organization's time zone.
    pub today: NaiveDate,
    /// The plan the athlete is in today.
    pub current_plan: Option<PlanAssignment>,
    /// Plans that start after today, soonest first (cancelled ones left out).
    pub upcoming_plans: Vec<PlanAssignment>,
    /// The athlete's own data.
    pub data: AthleteSnapshot,
    /// Insights, most useful first.
    pub insights: Vec<Insight>,
    /// Attention signals, most severe first.
    pub attention_signals: Vec<AttentionSignal>,
    /// Compliance over the last 7 and 28 days; `None` without a plan in them.
    pub compliance: Option<RecentCompliance>,
}

/// Everything the profile reads.
pub trait ProfileStore: CalendarStore + MemberRepo {}
impl<T: CalendarStore + MemberRepo> ProfileStore for T {}

/// The profile of `athlete` (coaches of the organization, an API key with
/// `members:read` as a coach sees it, the athlete).
/// Another athlete or a non-member: `404`. The athlete's own view leaves out
/// private notes and labels, and so the signals that come from labels
/// (`injury_watch`).
pub fn profile(
    cx: &Context<'_, impl ProfileStore>,
    insights: &dyn InsightProvider,
    thresholds: &AttentionThresholds,
    org_id: OrgId,
    athlete: UserId,
) -> Result<Profile, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let data = snapshot(&Context::new(store, caller).with_clock(clock), org_id, athlete)?;
    let access = MemberAccess::of(&data.caller);
    let mut member = store.member(org_id, athlete)?.ok_or(DomainError::NotFound("member"))?;
    let today = data.timezone.today(data.now);
    let assignments = store.assignments_of(org_id, athlete)?;
    let compliance =
        calendar::recent(store, (org_id, athlete), assignments.clone(), &data.timezone, thresholds.bands, today)?;
    let (current_plan, upcoming_plans) = split_plans(assignments, today);
    let mut attention_input = attention_snapshot(&data, current_plan.as_ref(), !upcoming_plans.is_empty(), today);
    attention_input.compliance_28_days = compliance.map(|c| c.last_28_days);
    attention_input.missed_in_a_row = compliance.map_or(0, |c| c.missed_in_a_row);
    // The member read carries the labels (the access check's membership may not).
    attention_input.labels = member.membership.labels.to_strings();
    if access == MemberAccess::Own {
        member.membership.private_notes = None;
        member.membership.labels = Labels::default();
        attention_input.labels.clear();
    }
    let attention_signals = attention::signals(&attention_input, thresholds);
    let insights = insights.insights(&insight_input(&data));
    Ok(Profile { member, access, today, current_plan, upcoming_plans, data, insights, attention_signals, compliance })
}

/// The plan running on `today` (not cancelled) and the plans that start
/// later, soonest first.
pub fn split_plans(plans: Vec<PlanAssignment>, today: NaiveDate) -> (Option<PlanAssignment>, Vec<PlanAssignment>) {
    let mut current = None;
    let mut upcoming = Vec::new();
    for plan in plans {
        match plan.status(today) {
            AssignmentStatus::Active if current.is_none() => current = Some(plan),
            AssignmentStatus::Upcoming => upcoming.push(plan),
            _ => {}
        }
    }
    upcoming.sort_by_key(|p| (p.start_date, p.assignment_id));
    (current, upcoming)
}

/// What the attention signals need, from the athlete's data and plans.
pub fn attention_snapshot(
    data: &AthleteSnapshot,
    current_plan: Option<&PlanAssignment>,
    has_upcoming_plan: bool,
    today: NaiveDate,
) -> attention::AthleteSnapshot {
    attention::AthleteSnapshot {
        now: data.now,
        today,
        last_activity_at: data.window.last_activity_at,
        distance_last_7_days_m: data.window.distance_last_7d,
        distance_previous_28_days_m: data.window.distance_days_8_to_35,
        integrations: data
            .integrations
            .iter()
            .map(|i| IntegrationState {
                provider: i.provider.as_str().to_owned(),
                health: match i.status {
                    IntegrationStatus::Connected => IntegrationHealth::Connected,
                    IntegrationStatus::Disconnected => IntegrationHealth::Disconnected,
                    IntegrationStatus::Error => IntegrationHealth::Error,
                },
            })
            .collect(),
        has_active_plan: current_plan.is_some(),
        active_plan_end: current_plan.map(PlanAssignment::end_date),
        has_upcoming_plan,
        next_race_date: data.goal_race().map(|g| g.fields.race_date),
        labels: data.athlete.labels.to_strings(),
        has_zones: data.zones.as_ref().is_some_and(|z| z.zones.has_heart_rate() || z.zones.has_pace()),
        compliance_28_days: None,
        missed_in_a_row: 0,
    }
}

/// What the insight providers get, from the athlete's data.
pub fn insight_input(data: &AthleteSnapshot) -> InsightInput {
    InsightInput {
        now: data.now,
        weekly: data
            .weekly_distance
            .iter()
            .map(|w| WeeklyTotal {
                week_start: w.week_start,
                distance_m: w.totals.distance_m,
                duration_s: w.totals.duration_s,
                activity_count: u32::try_from(w.totals.activity_count).unwrap_or(u32::MAX),
            })
            .collect(),
        recent_activities: data
            .recent_activities
            .iter()
            .map(|a| InsightActivity {
                sport: a.sport,
                start_time: a.start_time,
                distance_m: a.distance_m,
                duration_s: a.duration_s,
            })
            .collect(),
        goal: data.goal_race().map(|g| InsightGoal {
            race_name: g.fields.race_name.clone(),
            race_date: g.fields.race_date,
            distance_m: g.fields.distance_m,
            goal_time_s: g.fields.goal_time_s,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AssignmentId, PlanId};
    use chrono::{Duration, Utc};

    fn plan(start: NaiveDate, weeks: u32, cancelled: bool) -> PlanAssignment {
        PlanAssignment {
            assignment_id: AssignmentId::new(),
            org_id: OrgId::new(),
            plan_id: PlanId::new(),
            plan_name: format!("{start}"),
            user_id: UserId::new(),
            start_date: start,
            total_weeks: weeks,
            cancelled_at: cancelled.then(Utc::now),
            assigned_by: UserId::new(),
            assigned_by_key: None,
            assigned_at: Utc::now(),
        }
    }

    #[test]
    fn plans_split_into_the_current_one_and_the_upcoming_ones_soonest_first() {
        let today: NaiveDate = "2026-11-28".parse().unwrap();
        let d = |days: i64| today + Duration::days(days);
        let plans = vec![
            plan(d(60), 2, false),
            plan(d(-30), 2, false), // completed
            plan(d(20), 2, false),
            plan(d(-3), 2, false), // running
            plan(d(5), 1, true),   // cancelled
        ];
        let (current, upcoming) = split_plans(plans, today);
        assert_eq!(current.map(|p| p.start_date), Some(d(-3)));
        assert_eq!(upcoming.iter().map(|p| p.start_date).collect::<Vec<_>>(), [d(20), d(60)]);
        // The last day still counts as current; the day after, nothing is.
        assert!(split_plans(vec![plan(d(-13), 2, false)], today).0.is_some());
        assert!(split_plans(vec![plan(d(-14), 2, false)], today).0.is_none());
        assert!(split_plans(vec![plan(d(-3), 2, true)], today).0.is_none());
    }
}
