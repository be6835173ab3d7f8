//! Synthetic groups, plans and assignments for `roster seed` and benchmarks.

use crate::error::StoreError;
use crate::groups::insert_group_member;
use crate::plans::rows::PlanRow;
use crate::plans::{AssignmentRow, org_today};
use crate::rows::to_db;
use crate::schema::{org_groups, plan_assignments, training_plans};
use crate::{Store, write_tx};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use roster_domain::calendar::workout_date;
use roster_domain::plans::{PlanAssignment, PlanContent, PlanName, TrainingPlan, Workout};
use roster_domain::values::Description;
use roster_domain::{GroupId, OrgId, PlanId, Sport, UserId};

/// What [`Store::seed_plans_and_groups`] made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeededPlans {
    /// The groups, in creation order.
    pub group_ids: Vec<GroupId>,
    /// The plans, in creation order.
    pub plan_ids: Vec<PlanId>,
    /// How many assignments were written.
    pub assignments: usize,
    /// The planned sessions of those assignments on days before today, for
    /// [`Store::seed_workout_activities`].
    pub past_sessions: Vec<PlannedSession>,
}

/// A planned workout on a day that has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSession {
    /// The athlete.
    pub user_id: UserId,
    /// The day it falls on (the organization's).
    pub date: NaiveDate,
    /// Its planned distance.
    pub distance_m: i64,
}

impl Store {
    /// Adds `groups` groups and `plans` plans (8 weeks, 4 workouts a week) to
    /// `org_id`, puts athlete `i` into group `i % groups`, and gives most
    /// athletes one assignment whose start ranges from 10 weeks ago to 10 weeks
    /// ahead (so the roster shows current, upcoming and completed plans). One
    /// transaction, no audit events: for synthetic data only.
    pub fn seed_plans_and_groups(
        &self,
        org_id: OrgId,
        author: UserId,
        athletes: &[UserId],
        groups: usize,
        plans: usize,
        now: DateTime<Utc>,
    ) -> Result<SeededPlans, StoreError> {
        write_tx(&mut *self.conn()?, |conn| {
            let org = org_id.to_string();
            let today = org_today(conn, &org, now)?;
            let mut seeded = SeededPlans::default();
            for g in 0..groups.max(1) {
                let id = GroupId::new();
                diesel::insert_into(org_groups::table)
                    .values((
                        org_groups::group_id.eq(id.to_string()),
                        org_groups::org_id.eq(&org),
                        org_groups::name.eq(format!("Group {}", g + 1)),
                        org_groups::description.eq(""),
                        org_groups::created_at.eq(to_db(now)),
                        org_groups::updated_at.eq(to_db(now)),
                        org_groups::version.eq(1_i64),
                    ))
                    .execute(conn)?;
                seeded.group_ids.push(id);
            }
            let mut made = Vec::new();
            for p in 0..plans.max(1) {
                let workouts = (1..=8)
                    .flat_map(|week| {
                        [2, 4, 6, 7].map(|day| Workout {
                            week,
                            day,
                            title: format!("Week {week} day {day}"),
                            kind: Some(if day == 7 { "long" } else { "easy" }.into()),
                            distance_m: Some(5000 + 1000 * week),
                            duration_s: None,
                            notes: None,
                        })
                    })
                    .collect();
                let content = PlanContent::new(
                    PlanName::parse(&format!("Seed Plan {}", p + 1)).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    Description::default(),
                    Sport::Run,
                    None,
                    8,
                    workouts,
                )
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let plan = TrainingPlan {
                    plan_id: PlanId::new(),
                    org_id,
                    content,
                    created_by: author,
                    created_by_key: None,
                    created_at: now,
                    updated_at: now,
                    archived_at: None,
                    version: 1,
                };
                diesel::insert_into(training_plans::table).values(PlanRow::new(&plan)?).execute(conn)?;
                seeded.plan_ids.push(plan.plan_id);
                made.push(plan);
            }
            for (i, athlete) in athletes.iter().enumerate() {
                let group = seeded.group_ids[i % seeded.group_ids.len()].to_string();
                insert_group_member(conn, &org, &group, &athlete.to_string(), to_db(now))?;
                if i % 7 == 6 {
                    continue; // some athletes have no plan
                }
                let offset_weeks = i64::try_from(i % 21).unwrap_or(0) - 10;
                let start = today + Duration::weeks(offset_weeks);
                let plan = &made[i % made.len()];
                let a = PlanAssignment::new(plan, *athlete, start, author, now);
                diesel::insert_into(plan_assignments::table).values(AssignmentRow::new(&a)).execute(conn)?;
                seeded.assignments += 1;
                for w in &plan.content.workouts {
                    let Some(date) = workout_date(start, w.week, w.day) else { continue };
                    if date < today {
                        let distance_m = w.distance_m.unwrap_or(5000);
                        seeded.past_sessions.push(PlannedSession { user_id: *athlete, date, distance_m });
                    }
                }
            }
            Ok(seeded)
        })
    }
}
