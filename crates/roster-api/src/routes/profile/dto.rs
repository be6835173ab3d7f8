//! The profile's answer.

use crate::routes::athlete::dto::{ActivityDto, IntegrationDto, RaceGoalDto, WeekDto};
use crate::routes::members::dto::MemberDto;
use crate::routes::plans::dto::AssignmentDto;
use roster_domain::attention::AttentionSignal;
use roster_domain::calendar::RecentCompliance;
use roster_domain::insights::Insight;
use roster_domain::services::profile::Profile;
use serde::Serialize;
use utoipa::ToSchema;

/// The athlete's training plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingPlansDto {
    /// The plan running today, if any.
    pub current: Option<AssignmentDto>,
    /// Plans starting later, soonest first.
    pub upcoming: Vec<AssignmentDto>,
}

/// One view of an athlete.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    /// The member as the roster shows them (the athlete's own view has no
    /// `labels` and no `private_notes`).
    pub member: MemberDto,
    /// Current and upcoming plans.
    pub training_plans: TrainingPlansDto,
    /// The next race goal (today or later), with its target pace.
    pub goal_race: Option<RaceGoalDto>,
    /// Recorded integrations.
    pub integrations: Vec<IntegrationDto>,
    /// The latest 10 activities, newest first.
    pub recent_activities: Vec<ActivityDto>,
    /// The last 12 Monday-based weeks, oldest first, empty weeks included.
    pub weekly_distance: Vec<WeekDto>,
    /// Short data-backed sentences, most useful first.
    pub insights: Vec<Insight>,
    /// Who needs a look and why, most severe first.
    pub attention_signals: Vec<AttentionSignal>,
    /// Planned versus done over the last 7 and 28 days; `null` without a plan in them.
    pub compliance: Option<RecentCompliance>,
}

impl From<Profile> for ProfileDto {
    fn from(p: Profile) -> Self {
        let today = p.today;
        let goal_race = p.data.goal_race().cloned().map(RaceGoalDto::from);
        Self {
            member: MemberDto::new(p.member, p.access, None),
            training_plans: TrainingPlansDto {
                current: p.current_plan.map(|a| AssignmentDto::new(a, today)),
                upcoming: p.upcoming_plans.into_iter().map(|a| AssignmentDto::new(a, today)).collect(),
            },
            goal_race,
            integrations: p.data.integrations.into_iter().map(Into::into).collect(),
            recent_activities: p.data.recent_activities.into_iter().map(Into::into).collect(),
            weekly_distance: p.data.weekly_distance.into_iter().map(Into::into).collect(),
            insights: p.insights,
            attention_signals: p.attention_signals,
            compliance: p.compliance,
        }
    }
}
