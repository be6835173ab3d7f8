//! The signals' rules: one pure function per signal, and [`signals`], which
//! runs them all, most severe first.

use super::{AthleteSnapshot, AttentionSignal, AttentionThresholds, IntegrationHealth, Severity, SignalCode};
use serde_json::json;

fn signal(code: SignalCode, severity: Severity, message: String, data: serde_json::Value) -> AttentionSignal {
    AttentionSignal { code, severity, message, data }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Whole days since the last activity (floor); `None` when there never was one.
pub fn days_since_last_activity(s: &AthleteSnapshot) -> Option<i64> {
    s.last_activity_at.map(|at| (s.now - at).num_days().max(0))
}

/// `no_recent_activity`: warning from 7 whole days without activity, urgent from 14; never any: urgent.
pub fn no_recent_activity(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    let Some(days) = days_since_last_activity(s) else {
        return Some(signal(
            SignalCode::NoRecentActivity,
            Severity::Urgent,
            "No activity recorded yet.".into(),
            json!({ "days_since_last_activity": null, "last_activity_at": null }),
        ));
    };
    let severity = if days >= t.no_recent_activity_urgent_days {
        Severity::Urgent
    } else if days >= t.no_recent_activity_warning_days {
        Severity::Warning
    } else {
        return None;
    };
    Some(signal(
        SignalCode::NoRecentActivity,
        severity,
        format!("No activity for {days} days."),
        json!({ "days_since_last_activity": days, "last_activity_at": s.last_activity_at }),
    ))
}

/// The acute:chronic ratio when the chronic average week is large enough to mean something.
fn load_ratio(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<f64> {
    let chronic = s.chronic_week_avg_m();
    (chronic >= t.min_chronic_week_m).then(|| s.distance_last_7_days_m / chronic)
}

fn load_data(s: &AthleteSnapshot, ratio: f64) -> serde_json::Value {
    json!({
        "last_7_days_m": round1(s.distance_last_7_days_m),
        "previous_28_days_m": round1(s.distance_previous_28_days_m),
        "chronic_week_avg_m": round1(s.chronic_week_avg_m()),
        "ratio": round2(ratio),
    })
}

/// `load_spike`: last 7 days above 1.5× (warning) or 2× (urgent) the average week of the 28 days before.
pub fn load_spike(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    let ratio = load_ratio(s, t)?;
    let severity = if ratio > t.load_spike_urgent_ratio {
        Severity::Urgent
    } else if ratio > t.load_spike_warning_ratio {
        Severity::Warning
    } else {
        return None;
    };
    Some(signal(
        SignalCode::LoadSpike,
        severity,
        format!(
            "Last 7 days: {:.1} km, {:.1}× the usual week of {:.1} km.",
            s.distance_last_7_days_m / 1000.0,
            ratio,
            s.chronic_week_avg_m() / 1000.0
        ),
        load_data(s, ratio),
    ))
}

/// `volume_drop`: last 7 days above zero but below 0.5× the average week of
/// the 28 days before (a full stop is `no_recent_activity`'s business).
pub fn volume_drop(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    if s.distance_last_7_days_m <= 0.0 {
        return None;
    }
    let ratio = load_ratio(s, t)?;
    (ratio < t.volume_drop_ratio).then(|| {
        signal(
            SignalCode::VolumeDrop,
            Severity::Warning,
            format!(
                "Last 7 days: {:.1} km, {:.0}% of the usual week of {:.1} km.",
                s.distance_last_7_days_m / 1000.0,
                ratio * 100.0,
                s.chronic_week_avg_m() / 1000.0
            ),
            load_data(s, ratio),
        )
    })
}

/// `no_integration`: info when no integration is connected or in error.
pub fn no_integration(s: &AthleteSnapshot, _t: &AttentionThresholds) -> Option<AttentionSignal> {
    let any = s.integrations.iter().any(|i| i.health != IntegrationHealth::Disconnected);
    (!any).then(|| {
        signal(
            SignalCode::NoIntegration,
            Severity::Info,
            "No integration connected; activities arrive only by hand or file.".into(),
            json!({ "connected": 0 }),
        )
    })
}

/// `integration_error`: warning when at least one integration is in error.
pub fn integration_error(s: &AthleteSnapshot, _t: &AttentionThresholds) -> Option<AttentionSignal> {
    let failing: Vec<&str> =
        s.integrations.iter().filter(|i| i.health == IntegrationHealth::Error).map(|i| i.provider.as_str()).collect();
    (!failing.is_empty()).then(|| {
        signal(
            SignalCode::IntegrationError,
            Severity::Warning,
            format!("Integration failing: {}.", failing.join(", ")),
            json!({ "providers": failing }),
        )
    })
}

/// `no_active_plan`: info when no training plan is current.
pub fn no_active_plan(s: &AthleteSnapshot, _t: &AttentionThresholds) -> Option<AttentionSignal> {
    (!s.has_active_plan).then(|| {
        let message = if s.has_upcoming_plan {
            "No current training plan; one starts later."
        } else {
            "No current or upcoming training plan."
        };
        signal(
            SignalCode::NoActivePlan,
            Severity::Info,
            message.into(),
            json!({ "has_upcoming_plan": s.has_upcoming_plan }),
        )
    })
}

/// `plan_ending_soon`: warning when the current plan ends within 7 days (today included) and no plan follows.
pub fn plan_ending_soon(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    if !s.has_active_plan || s.has_upcoming_plan {
        return None;
    }
    let end = s.active_plan_end?;
    let days_left = (end - s.today).num_days();
    (0..=t.plan_ending_soon_days).contains(&days_left).then(|| {
        signal(
            SignalCode::PlanEndingSoon,
            Severity::Warning,
            format!("The current plan ends in {days_left} days ({end}) and nothing follows."),
            json!({ "end_date": end, "days_left": days_left }),
        )
    })
}

/// `race_soon_without_plan`: warning when the next race is within 8 weeks and
/// there is neither a current nor an upcoming plan.
pub fn race_soon_without_plan(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    if s.has_active_plan || s.has_upcoming_plan {
        return None;
    }
    let race = s.next_race_date?;
    let days_to_race = (race - s.today).num_days();
    (0..=t.race_soon_days).contains(&days_to_race).then(|| {
        signal(
            SignalCode::RaceSoonWithoutPlan,
            Severity::Warning,
            format!("Race in {days_to_race} days ({race}) and no training plan."),
            json!({ "race_date": race, "days_to_race": days_to_race }),
        )
    })
}

/// `injury_watch`: warning when the athlete carries the injury-watch label.
pub fn injury_watch(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    let wanted = t.injury_watch_label.trim();
    s.labels.iter().any(|l| l.trim().eq_ignore_ascii_case(wanted)).then(|| {
        signal(
            SignalCode::InjuryWatch,
            Severity::Warning,
            "On injury watch.".into(),
            json!({ "label": t.injury_watch_label }),
        )
    })
}

/// `missing_zones`: info when neither heart-rate nor pace zones are set.
pub fn missing_zones(s: &AthleteSnapshot, _t: &AttentionThresholds) -> Option<AttentionSignal> {
    (!s.has_zones)
        .then(|| signal(SignalCode::MissingZones, Severity::Info, "No heart-rate or pace zones set.".into(), json!({})))
}

/// `low_compliance`: warning when under `low_compliance_pct` of the sessions
/// due in the last 28 days were completed, with at least
/// `low_compliance_min_sessions` due.
pub fn low_compliance(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    let c = s.compliance_28_days?;
    let pct = c.sessions_pct?;
    (c.planned_sessions >= t.low_compliance_min_sessions && pct < t.low_compliance_pct).then(|| {
        signal(
            SignalCode::LowCompliance,
            Severity::Warning,
            format!(
                "Last 28 days: {} of {} planned sessions completed ({pct}%).",
                c.completed_sessions, c.planned_sessions
            ),
            json!({
                "planned_sessions": c.planned_sessions,
                "completed_sessions": c.completed_sessions,
                "sessions_pct": pct,
                "volume_pct": c.volume_pct,
            }),
        )
    })
}

/// `missed_workouts`: warning when the latest `missed_workouts_in_a_row`
/// due workouts were all missed.
pub fn missed_workouts(s: &AthleteSnapshot, t: &AttentionThresholds) -> Option<AttentionSignal> {
    (s.missed_in_a_row >= t.missed_workouts_in_a_row).then(|| {
        signal(
            SignalCode::MissedWorkouts,
            Severity::Warning,
            format!("The last {} planned workouts were missed.", s.missed_in_a_row),
            json!({ "missed_in_a_row": s.missed_in_a_row }),
        )
    })
}

/// Every signal that fires, most severe first, then in [`SignalCode`] order.
pub fn signals(s: &AthleteSnapshot, t: &AttentionThresholds) -> Vec<AttentionSignal> {
    type Rule = fn(&AthleteSnapshot, &AttentionThresholds) -> Option<AttentionSignal>;
    const RULES: [Rule; 12] = [
        no_recent_activity,
        load_spike,
        volume_drop,
        no_integration,
        integration_error,
        no_active_plan,
        plan_ending_soon,
        race_soon_without_plan,
        injury_watch,
        missing_zones,
        low_compliance,
        missed_workouts,
    ];
    let mut found: Vec<AttentionSignal> = RULES.iter().filter_map(|rule| rule(s, t)).collect();
    found.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
    found
}
