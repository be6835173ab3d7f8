//! The roster's `profile_status` for a set of athletes, in a fixed number of
//! queries whatever the number of athletes: one for the organization's time
//! zone, then one per part, each `WHERE user_id IN (set)`: integrations,
//! zones, race goals, training plans, activity windows and labels. Attention
//! is computed in memory from those with [`attention::signals`].

use super::compliance::recent_compliances;
use crate::athlete::{activity_windows, integration_statuses, race_goal_summaries, zones_presence};
use crate::conn::DbConn;
use crate::error::{StoreError, parse};
use crate::plans::{org_timezone, plan_summaries};
use crate::schema::{member_labels, memberships};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use roster_domain::athlete::IntegrationStatus;
use roster_domain::attention::{
    self, AthleteSnapshot, AttentionSignal, AttentionSummary, AttentionThresholds, IntegrationHealth,
    IntegrationState as Health, WindowEdges,
};
use roster_domain::member::{
    AttentionStatus, CurrentPlan, IntegrationState, NextRace, ProfileStatus, RaceGoalsStatus, TrainingPlansStatus,
    ZonesStatus,
};
use roster_domain::{OrgId, Role, UserId};
use std::collections::HashMap;

/// The most ids one `IN (...)` list carries (SQLite allows 32 766 variables,
/// PostgreSQL 65 535); larger sets are read in chunks of this size.
pub(crate) const CHUNK: usize = 5_000;

/// What the statuses are evaluated against.
#[derive(Debug, Clone)]
pub(crate) struct StatusContext<'a> {
    /// The instant of evaluation.
    pub now: DateTime<Utc>,
    /// The attention thresholds.
    pub thresholds: &'a AttentionThresholds,
    /// Labels the caller already read (a roster page has them); `None` reads
    /// them here, one more query per chunk.
    pub known_labels: Option<&'a HashMap<UserId, Vec<String>>>,
}

fn state(status: Option<IntegrationStatus>) -> IntegrationState {
    match status {
        None => IntegrationState::NotConnected,
        Some(IntegrationStatus::Connected) => IntegrationState::Connected,
        Some(IntegrationStatus::Disconnected) => IntegrationState::Disconnected,
        Some(IntegrationStatus::Error) => IntegrationState::Error,
    }
}

fn health(provider: &str, status: Option<IntegrationStatus>) -> Option<Health> {
    let health = match status? {
        IntegrationStatus::Connected => IntegrationHealth::Connected,
        IntegrationStatus::Disconnected => IntegrationHealth::Disconnected,
        IntegrationStatus::Error => IntegrationHealth::Error,
    };
    Some(Health { provider: provider.to_owned(), health })
}

/// Labels of each athlete's live membership in the organization. One query.
fn labels(conn: &mut DbConn, org_id: OrgId, user_ids: &[UserId]) -> Result<HashMap<UserId, Vec<String>>, StoreError> {
    let ids: Vec<String> = user_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(String, String)> = member_labels::table
        .inner_join(memberships::table)
        .filter(memberships::org_id.eq(org_id.to_string()))
        .filter(memberships::user_id.eq_any(ids))
        .filter(memberships::removed_at.is_null())
        .filter(memberships::role.eq(Role::Athlete.as_str()))
        .select((memberships::user_id, member_labels::label))
        .load(conn)?;
    let mut out: HashMap<UserId, Vec<String>> = HashMap::new();
    for (user, label) in rows {
        out.entry(parse("memberships.user_id", user.parse())?).or_default().push(label);
    }
    Ok(out)
}

/// An athlete's profile status and attention summary, and until when both
/// hold if no data changes ([`attention::unchanged_until`]).
#[derive(Debug, Clone)]
pub(crate) struct Computed {
    pub status: ProfileStatus,
    pub summary: AttentionSummary,
    /// Every signal, most severe first (the queue shows the open ones).
    pub signals: Vec<AttentionSignal>,
    pub valid_until: DateTime<Utc>,
}

/// The profile status and attention summary of each of `user_ids` (athletes
/// of `org_id`): `1 + 10 · ⌈n / CHUNK⌉` queries at most (6 for the status, 4
/// for compliance, 3 of them only when a plan reaches the last 28 days), one
/// fewer per chunk when the caller passes the labels it already has.
pub(crate) fn statuses(
    conn: &mut DbConn,
    org_id: OrgId,
    user_ids: &[UserId],
    ctx: &StatusContext<'_>,
) -> Result<HashMap<UserId, Computed>, StoreError> {
    let mut out = HashMap::with_capacity(user_ids.len());
    if user_ids.is_empty() {
        return Ok(out);
    }
    let timezone = org_timezone(conn, &org_id.to_string())?;
    let today = timezone.today(ctx.now);
    let next_midnight = timezone.next_midnight(ctx.now);
    for chunk in user_ids.chunks(CHUNK) {
        let mut integrations = integration_statuses(conn, chunk)?;
        let mut zones = zones_presence(conn, chunk)?;
        let mut goals = race_goal_summaries(conn, chunk, today)?;
        let mut plans = plan_summaries(conn, org_id, chunk, today)?;
        let mut windows = activity_windows(conn, chunk, ctx.now)?;
        let mut compliance = recent_compliances(conn, org_id, chunk, &timezone, today, ctx.thresholds.bands)?;
        let mut labels = match ctx.known_labels {
            Some(known) => chunk.iter().filter_map(|u| known.get(u).map(|l| (*u, l.clone()))).collect(),
            None => labels(conn, org_id, chunk)?,
        };
        for user in chunk {
            let i = integrations.remove(user).unwrap_or_default();
            let (heart_rate, pace) = zones.remove(user).unwrap_or_default();
            let (goal_count, next) = goals.remove(user).unwrap_or_default();
            let (current, upcoming) = plans.remove(user).unwrap_or_default();
            let window = windows.remove(user).unwrap_or_default();
            let recent = compliance.remove(user);
            let snapshot = AthleteSnapshot {
                now: ctx.now,
                today,
                last_activity_at: window.last_activity_at,
                distance_last_7_days_m: window.distance_last_7d,
                distance_previous_28_days_m: window.distance_days_8_to_35,
                integrations: [("strava", i.strava), ("garmin", i.garmin), ("apple_health", i.apple_health)]
                    .into_iter()
                    .filter_map(|(p, s)| health(p, s))
                    .collect(),
                has_active_plan: current.is_some(),
                active_plan_end: current.as_ref().map(|(_, end)| *end),
                has_upcoming_plan: upcoming > 0,
                next_race_date: next.as_ref().map(|(_, date)| *date),
                labels: labels.remove(user).unwrap_or_default(),
                has_zones: heart_rate || pace,
                compliance_28_days: recent.map(|c| c.last_28_days),
                missed_in_a_row: recent.map_or(0, |c| c.missed_in_a_row),
            };
            let signals = attention::signals(&snapshot, ctx.thresholds);
            let summary = AttentionSummary::of(&signals);
            let edges = WindowEdges { oldest_acute: window.oldest_last_7d, oldest_chronic: window.oldest_days_8_to_35 };
            let valid_until = attention::unchanged_until(&snapshot, ctx.thresholds, edges, next_midnight);
            let status = ProfileStatus {
                integrations: roster_domain::member::IntegrationsStatus {
                    strava: state(i.strava),
                    garmin: state(i.garmin),
                    apple_health: state(i.apple_health),
                },
                zones: ZonesStatus { heart_rate, pace },
                race_goals: RaceGoalsStatus {
                    count: goal_count,
                    next: next.map(|(race_name, race_date)| NextRace { race_name, race_date }),
                },
                training_plans: TrainingPlansStatus {
                    current: current.map(|(plan, _)| CurrentPlan {
                        assignment_id: plan.assignment_id,
                        plan_name: plan.plan_name,
                        current_week: i64::from(plan.current_week),
                        total_weeks: i64::from(plan.total_weeks),
                    }),
                    upcoming,
                },
                attention: AttentionStatus {
                    count: i64::from(summary.count),
                    max_severity: summary.max_severity.map(|s| s.as_str().to_owned()),
                },
                compliance: recent,
            };
            out.insert(*user, Computed { status, summary, signals, valid_until });
        }
    }
    Ok(out)
}
