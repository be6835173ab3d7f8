//! Insights: short, data-backed sentences about an athlete's training.
//!
//! [`InsightProvider`] is the port; [`DefaultInsights`] writes the sentences
//! from the numbers alone. Another provider (the HTTP layer has one that asks
//! a language model) can rephrase or add to them, and falls back to
//! [`DefaultInsights`] when it fails.
//!
//! ```
//! use roster_domain::insights::{format_pace, target_pace_s_per_km};
//!
//! // A 10 km race in 50 minutes is 5:00 per km.
//! assert_eq!(target_pace_s_per_km(10_000.0, 3000), Some(300.0));
//! assert_eq!(format_pace(300.0), "5:00/km");
//! assert_eq!(target_pace_s_per_km(0.0, 3000), None);
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Sport;
use crate::training::{WeeklyTotal, average_of_previous_weeks};

/// One insight: `{kind, text, data}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Insight {
    /// What it is about: `weekly_trend`, `longest_run`, `consistency`, `race_pace`, or a provider's own kind.
    pub kind: String,
    /// One short sentence.
    pub text: String,
    /// The numbers behind it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// One activity, as insights need it.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightActivity {
    /// The sport.
    pub sport: Sport,
    /// When it started.
    pub start_time: DateTime<Utc>,
    /// Distance in metres.
    pub distance_m: f64,
    /// Duration in seconds.
    pub duration_s: i64,
}

/// The goal race, as insights need it.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightGoal {
    /// The race's name.
    pub race_name: String,
    /// The race's date.
    pub race_date: NaiveDate,
    /// The race distance in metres.
    pub distance_m: f64,
    /// The goal time in seconds, when set.
    pub goal_time_s: Option<i64>,
}

/// What a provider gets: the weeks, the recent activities and the goal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InsightInput {
    /// The instant of evaluation.
    pub now: DateTime<Utc>,
    /// Weekly totals, oldest first, empty weeks included; the last entry is the current week.
    pub weekly: Vec<WeeklyTotal>,
    /// Recent activities (any order), e.g. the profile's latest ones.
    pub recent_activities: Vec<InsightActivity>,
    /// The next race goal.
    pub goal: Option<InsightGoal>,
}

/// Something that writes insights. Must not fail: an empty list is an answer.
pub trait InsightProvider: Send + Sync {
    /// The insights for `input`, most useful first.
    fn insights(&self, input: &InsightInput) -> Vec<Insight>;
}

/// The pace in seconds per km that covers `distance_m` in `goal_time_s`,
/// rounded to a tenth of a second; `None` unless both are positive and finite.
pub fn target_pace_s_per_km(distance_m: f64, goal_time_s: i64) -> Option<f64> {
    if !(distance_m.is_finite() && distance_m > 0.0) || goal_time_s <= 0 {
        return None;
    }
    let pace = goal_time_s as f64 / (distance_m / 1000.0);
    Some((pace * 10.0).round() / 10.0)
}

/// `m:ss/km` for a pace in seconds per km (rounded to the second).
pub fn format_pace(s_per_km: f64) -> String {
    let total = s_per_km.round().max(0.0) as i64;
    format!("{}:{:02}/km", total / 60, total % 60)
}

fn km(m: f64) -> String {
    format!("{:.1} km", m / 1000.0)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Riegel's endurance model: the time for `to_m` given `time_s` over `from_m` (exponent 1.06).
pub fn riegel_projection_s(from_m: f64, time_s: f64, to_m: f64) -> f64 {
    time_s * (to_m / from_m).powf(1.06)
}

/// The default provider: sentences from the numbers alone.
///
/// * `weekly_trend`: this week's distance against the average of the 4 weeks before.
/// * `longest_run`: the longest run of the last 28 days.
/// * `consistency`: weeks with at least one activity out of the last `consistency_weeks` (the current one excluded).
/// * `race_pace`: a projection (Riegel, from the longest recent run of at least 3 km) of the goal
///   race's pace, against the goal's target pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultInsights {
    /// Finished weeks that count for consistency (8).
    pub consistency_weeks: usize,
}

impl Default for DefaultInsights {
    fn default() -> Self {
        Self { consistency_weeks: 8 }
    }
}

/// Weeks the trend compares this week against.
const TREND_WEEKS: usize = 4;
/// Runs shorter than this do not project a race time.
const MIN_PROJECTION_RUN_M: f64 = 3000.0;

impl DefaultInsights {
    fn weekly_trend(&self, input: &InsightInput) -> Option<Insight> {
        let current = input.weekly.last()?;
        let average = average_of_previous_weeks(&input.weekly, TREND_WEEKS)?;
        if average <= 0.0 {
            return (current.distance_m > 0.0).then(|| Insight {
                kind: "weekly_trend".into(),
                text: format!("{} this week after 4 weeks without distance.", km(current.distance_m)),
                data: json!({ "this_week_m": round1(current.distance_m), "four_week_avg_m": 0.0, "change_pct": null }),
            });
        }
        let change_pct = ((current.distance_m / average - 1.0) * 100.0).round();
        let direction = if change_pct > 0.0 {
            format!("{change_pct:.0}% above")
        } else if change_pct < 0.0 {
            format!("{:.0}% below", -change_pct)
        } else {
            "level with".into()
        };
        Some(Insight {
            kind: "weekly_trend".into(),
            text: format!("{} this week, {direction} the 4-week average of {}.", km(current.distance_m), km(average)),
            data: json!({
                "this_week_m": round1(current.distance_m),
                "four_week_avg_m": round1(average),
                "change_pct": change_pct,
            }),
        })
    }

    fn recent_runs<'a>(&self, input: &'a InsightInput) -> impl Iterator<Item = &'a InsightActivity> {
        let since = input.now - Duration::days(28);
        input
            .recent_activities
            .iter()
            .filter(move |a| a.sport == Sport::Run && a.start_time >= since && a.start_time <= input.now)
            .filter(|a| a.distance_m.is_finite() && a.distance_m > 0.0)
    }

    fn longest_run<'a>(&self, input: &'a InsightInput) -> Option<&'a InsightActivity> {
        self.recent_runs(input).max_by(|a, b| a.distance_m.total_cmp(&b.distance_m))
    }

    fn longest_run_insight(&self, input: &InsightInput) -> Option<Insight> {
        let run = self.longest_run(input)?;
        let pace = (run.duration_s > 0).then(|| run.duration_s as f64 / (run.distance_m / 1000.0));
        let date = run.start_time.date_naive();
        let text = match pace {
            Some(p) => {
                format!("Longest run of the last 4 weeks: {} on {date} at {}.", km(run.distance_m), format_pace(p))
            }
            None => format!("Longest run of the last 4 weeks: {} on {date}.", km(run.distance_m)),
        };
        Some(Insight {
            kind: "longest_run".into(),
            text,
            data: json!({
                "distance_m": round1(run.distance_m),
                "duration_s": run.duration_s,
                "start_time": run.start_time,
                "pace_s_per_km": pace.map(round1),
            }),
        })
    }

    fn consistency(&self, input: &InsightInput) -> Option<Insight> {
        let n = self.consistency_weeks;
        if n == 0 || input.weekly.len() < 2 {
            return None;
        }
        let finished = &input.weekly[..input.weekly.len() - 1];
        let window = &finished[finished.len().saturating_sub(n)..];
        let active = window.iter().filter(|w| w.activity_count > 0).count();
        Some(Insight {
            kind: "consistency".into(),
            text: format!("Active in {active} of the last {} weeks.", window.len()),
            data: json!({ "active_weeks": active, "weeks": window.len() }),
        })
    }

    fn race_pace(&self, input: &InsightInput) -> Option<Insight> {
        let goal = input.goal.as_ref()?;
        let target = goal.goal_time_s.and_then(|t| target_pace_s_per_km(goal.distance_m, t));
        let basis = self.longest_run(input).filter(|r| r.distance_m >= MIN_PROJECTION_RUN_M && r.duration_s > 0)?;
        let projected_s = riegel_projection_s(basis.distance_m, basis.duration_s as f64, goal.distance_m);
        let projected_pace = projected_s / (goal.distance_m / 1000.0);
        let text = match target {
            Some(target) => {
                let gap = projected_pace - target;
                let verdict = if gap.abs() < 0.5 {
                    "right on".to_string()
                } else if gap < 0.0 {
                    format!("{:.0} s/km faster than", -gap)
                } else {
                    format!("{gap:.0} s/km slower than")
                };
                format!(
                    "Projected {} pace {}, {verdict} the goal pace {}.",
                    goal.race_name,
                    format_pace(projected_pace),
                    format_pace(target)
                )
            }
            None => format!("Projected {} pace {} (no goal time set).", goal.race_name, format_pace(projected_pace)),
        };
        Some(Insight {
            kind: "race_pace".into(),
            text,
            data: json!({
                "race_name": goal.race_name,
                "race_date": goal.race_date,
                "projected_pace_s_per_km": round1(projected_pace),
                "projected_time_s": projected_s.round(),
                "target_pace_s_per_km": target,
                "based_on_distance_m": round1(basis.distance_m),
                "based_on_duration_s": basis.duration_s,
            }),
        })
    }
}

impl InsightProvider for DefaultInsights {
    fn insights(&self, input: &InsightInput) -> Vec<Insight> {
        [self.weekly_trend(input), self.race_pace(input), self.longest_run_insight(input), self.consistency(input)]
            .into_iter()
            .flatten()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::fill_weeks;

    fn now() -> DateTime<Utc> {
        "2026-12-02T12:00:00Z".parse().unwrap()
    }

    fn weeks(km: &[f64]) -> Vec<WeeklyTotal> {
        let mut weeks = fill_weeks(&[], now().date_naive(), km.len() as u32);
        for (w, km) in weeks.iter_mut().zip(km) {
            w.distance_m = km * 1000.0;
            w.activity_count = u32::from(*km > 0.0);
        }
        weeks
    }

    fn run(days_ago: i64, km: f64, minutes: i64) -> InsightActivity {
        InsightActivity {
            sport: Sport::Run,
            start_time: now() - Duration::days(days_ago),
            distance_m: km * 1000.0,
            duration_s: minutes * 60,
        }
    }

    fn kinds(insights: &[Insight]) -> Vec<&str> {
        insights.iter().map(|i| i.kind.as_str()).collect()
    }

    #[test]
    fn target_pace_divides_time_by_kilometres() {
        assert_eq!(target_pace_s_per_km(42_195.0, 3 * 3600), Some(256.0));
        assert_eq!(target_pace_s_per_km(5000.0, 1200), Some(240.0));
        assert_eq!(target_pace_s_per_km(5000.0, 0), None);
        assert_eq!(target_pace_s_per_km(-1.0, 1200), None);
        assert_eq!(target_pace_s_per_km(f64::NAN, 1200), None);
        assert_eq!(format_pace(255.9), "4:16/km");
        assert_eq!(format_pace(59.6), "1:00/km");
    }

    #[test]
    fn weekly_trend_compares_with_the_4_weeks_before() {
        let input =
            InsightInput { now: now(), weekly: weeks(&[99.0, 30.0, 40.0, 50.0, 40.0, 48.0]), ..Default::default() };
        let trend = DefaultInsights::default().weekly_trend(&input).unwrap();
        assert_eq!(trend.text, "48.0 km this week, 20% above the 4-week average of 40.0 km.");
        assert_eq!(trend.data["change_pct"], 20.0);
        let input = InsightInput { weekly: weeks(&[40.0, 40.0, 40.0, 40.0, 30.0]), ..input };
        assert_eq!(
            DefaultInsights::default().weekly_trend(&input).unwrap().text,
            "30.0 km this week, 25% below the 4-week average of 40.0 km."
        );
        let short = InsightInput { weekly: weeks(&[40.0, 40.0, 30.0]), ..input.clone() };
        assert_eq!(DefaultInsights::default().weekly_trend(&short), None, "needs 4 earlier weeks");
        let restart = InsightInput { weekly: weeks(&[0.0, 0.0, 0.0, 0.0, 5.0]), ..input };
        assert_eq!(
            DefaultInsights::default().weekly_trend(&restart).unwrap().text,
            "5.0 km this week after 4 weeks without distance."
        );
    }

    #[test]
    fn longest_run_is_the_longest_of_the_last_4_weeks() {
        let mut bike = run(2, 80.0, 180);
        bike.sport = Sport::Bike;
        let input = InsightInput {
            now: now(),
            recent_activities: vec![run(3, 12.0, 60), run(10, 21.1, 110), run(40, 30.0, 170), bike],
            ..Default::default()
        };
        let longest = DefaultInsights::default().longest_run_insight(&input).unwrap();
        assert_eq!(longest.text, "Longest run of the last 4 weeks: 21.1 km on 2026-11-22 at 5:13/km.");
        assert_eq!(longest.data["distance_m"], 21_100.0);
    }

    #[test]
    fn consistency_counts_finished_weeks_with_activity() {
        let input =
            InsightInput { now: now(), weekly: weeks(&[0.0, 10.0, 0.0, 20.0, 30.0, 5.0]), ..Default::default() };
        let c = DefaultInsights { consistency_weeks: 4 }.consistency(&input).unwrap();
        assert_eq!(c.text, "Active in 3 of the last 4 weeks.");
        let c = DefaultInsights { consistency_weeks: 8 }.consistency(&input).unwrap();
        assert_eq!(c.text, "Active in 3 of the last 5 weeks.");
        assert_eq!(c.data, json!({"active_weeks": 3, "weeks": 5}));
    }

    #[test]
    fn race_pace_projects_from_the_longest_run_against_the_goal() {
        let goal = InsightGoal {
            race_name: "Valencia Half".into(),
            race_date: "2027-01-10".parse().unwrap(),
            distance_m: 21_097.5,
            goal_time_s: Some(100 * 60),
        };
        // 10 km in 50:00 projects a half in 50 × 2.10975^1.06 ≈ 110.3 min: 5:14/km against 4:44/km.
        let input = InsightInput {
            now: now(),
            recent_activities: vec![run(5, 10.0, 50)],
            goal: Some(goal.clone()),
            ..Default::default()
        };
        let pace = DefaultInsights::default().race_pace(&input).unwrap();
        assert_eq!(pace.text, "Projected Valencia Half pace 5:14/km, 29 s/km slower than the goal pace 4:44/km.");
        assert_eq!(pace.data["target_pace_s_per_km"], 284.4);
        let fast = InsightInput { recent_activities: vec![run(5, 10.0, 40)], ..input.clone() };
        assert!(DefaultInsights::default().race_pace(&fast).unwrap().text.contains("faster than the goal pace"));
        let no_time = InsightInput { goal: Some(InsightGoal { goal_time_s: None, ..goal }), ..input.clone() };
        assert!(DefaultInsights::default().race_pace(&no_time).unwrap().text.ends_with("(no goal time set)."));
        let too_short = InsightInput { recent_activities: vec![run(5, 2.0, 10)], ..input };
        assert_eq!(DefaultInsights::default().race_pace(&too_short), None);
    }

    #[test]
    fn the_default_provider_says_nothing_without_data_and_orders_what_it_says() {
        assert_eq!(DefaultInsights::default().insights(&InsightInput { now: now(), ..Default::default() }), vec![]);
        let input = InsightInput {
            now: now(),
            weekly: weeks(&[10.0, 20.0, 30.0, 40.0, 50.0]),
            recent_activities: vec![run(1, 15.0, 80)],
            goal: Some(InsightGoal {
                race_name: "Berlin".into(),
                race_date: "2027-09-26".parse().unwrap(),
                distance_m: 42_195.0,
                goal_time_s: Some(3 * 3600),
            }),
        };
        let all = DefaultInsights::default().insights(&input);
        assert_eq!(kinds(&all), ["weekly_trend", "race_pace", "longest_run", "consistency"]);
        assert!(all.iter().all(|i| i.text.len() < 120 && i.text.ends_with('.')));
    }
}
