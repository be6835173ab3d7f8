//! The training calendar: workouts on their dates with their states, the
//! activities of each day, moves and excuses, who may do what; both backends.

use crate::athlete::{audit_count, member_path};
use crate::support::apps;
use crate::support::{activity, days_from_today, noon, plan_from};
use chrono::{Days, NaiveDate, TimeZone, Utc};
use roster_domain::{Clock, SystemClock};
use serde_json::{Value, json};

fn today() -> NaiveDate {
    SystemClock.now().date_naive()
}

fn day(calendar: &Value, date: NaiveDate) -> &Value {
    calendar["days"].as_array().unwrap().iter().find(|d| d["date"] == date.to_string()).unwrap()
}

pub(crate) fn workout<'a>(calendar: &'a Value, title: &str) -> &'a Value {
    calendar["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["workouts"].as_array().unwrap())
        .find(|w| w["title"] == title)
        .unwrap_or_else(|| panic!("no workout {title} in {calendar}"))
}

#[tokio::test]
async fn planned_workouts_get_their_states_from_the_days_activities() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let start = days_from_today(-7);
        plan_from(&app, &head, &org_id, &athlete, start).await;
        activity(&app, &org_id, &athlete, "run", noon(start), 4_200.0, 1_500).await; // 84 % of 5 km
        activity(&app, &org_id, &athlete, "run", noon(days_from_today(-6)), 1_000.0, 1_100).await; // 55 % of 2 000 s
        activity(&app, &org_id, &athlete, "bike", noon(days_from_today(-5)), 30_000.0, 3_600).await; // no bike plan

        let path = member_path(&org_id, &athlete, &format!("calendar?from={start}&to={}", days_from_today(1)));
        let res = app.get(&path, &head.token).await;
        let calendar = res.assert_status(200);
        assert_eq!(calendar["days"].as_array().unwrap().len(), 9, "{:?}", app.backend);
        assert_eq!(calendar["timezone"], "UTC");
        let easy = workout(calendar, "Easy 5k");
        assert_eq!((easy["state"].as_str(), easy["coverage_pct"].as_u64()), (Some("completed"), Some(84)));
        assert_eq!(workout(calendar, "Tempo")["state"], "partial");
        assert_eq!(workout(calendar, "Long")["state"], "missed");
        assert_eq!(workout(calendar, "Today")["state"], "upcoming");
        assert_eq!(workout(calendar, "Tomorrow")["date"], days_from_today(1).to_string());
        assert_eq!(calendar["unplanned_activities"].as_array().unwrap().len(), 1);
        assert_eq!(calendar["unplanned_activities"][0]["sport"], "bike");
        assert_eq!(day(calendar, days_from_today(-5))["activities"].as_array().unwrap().len(), 1);
        // Due: Easy (84 %), Tempo (55 %), Long (missed); today's is not due yet.
        assert_eq!(
            calendar["compliance"],
            json!({"planned_sessions": 3, "completed_sessions": 1, "sessions_pct": 33, "volume_pct": 46})
        );
        let weeks = calendar["weeks"].as_array().unwrap();
        let planned: u64 = weeks.iter().map(|w| w["planned_sessions"].as_u64().unwrap()).sum();
        assert_eq!(planned, 3, "the weeks add up to the range");

        // The athlete reads their own; another athlete and an outsider get 404.
        app.get(&path, &athlete.token).await.assert_status(200);
        let other = app.athlete(&org_id, None).await;
        app.get(&path, &other.token).await.assert_problem(404, "not_found");
        let outsider = app.signup("outsider").await;
        app.get(&path, &outsider.token).await.assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn coaches_move_and_excuse_workouts_and_both_are_audited() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let assistant = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, Some(&assistant)).await;
        let start = days_from_today(-7);
        plan_from(&app, &head, &org_id, &athlete, start).await;
        activity(&app, &org_id, &athlete, "run", noon(start), 5_000.0, 1_500).await;
        let cal = app.get(&member_path(&org_id, &athlete, &format!("calendar?from={start}")), &head.token).await;
        let cal = cal.assert_status(200).clone();
        let long = workout(&cal, "Long")["workout_id"].as_str().unwrap().to_owned();
        let easy = workout(&cal, "Easy 5k")["workout_id"].as_str().unwrap().to_owned();
        let week_two =
            app.get(&member_path(&org_id, &athlete, &format!("calendar?from={}", today())), &head.token).await;
        let tomorrow = workout(week_two.assert_status(200), "Tomorrow")["workout_id"].as_str().unwrap().to_owned();
        let planned =
            |id: &str, action: &str| member_path(&org_id, &athlete, &format!("planned-workouts/{id}/{action}"));

        // The assigned assistant excuses the missed one; a completed one is no missed one.
        let excused = app.post(&planned(&long, "excuse"), &assistant.token, json!({"reason": "Sick"})).await;
        assert_eq!(excused.assert_status(200)["state"], "excused", "{:?}", app.backend);
        assert_eq!(excused.body["excuse"]["reason"], "Sick");
        let wrong = app.post(&planned(&easy, "excuse"), &head.token, json!({"reason": "Why"})).await;
        wrong.assert_problem(422, "workout_not_missed");
        app.post(&planned(&long, "excuse"), &head.token, json!({"reason": " "}))
            .await
            .assert_problem(422, "invalid_reason");

        // The head coach moves tomorrow's workout three days on; not into the past.
        let later = days_from_today(4);
        let moved = app.post(&planned(&tomorrow, "move"), &head.token, json!({"date": later})).await;
        assert_eq!(moved.assert_status(200)["date"], later.to_string());
        assert_eq!(moved.body["scheduled_date"], days_from_today(1).to_string());
        let cal = app
            .get(&member_path(&org_id, &athlete, &format!("calendar?from={}&to={later}", today())), &head.token)
            .await;
        assert_eq!(day(cal.assert_status(200), later)["workouts"][0]["title"], "Tomorrow");
        app.post(&planned(&tomorrow, "move"), &head.token, json!({"date": days_from_today(-1)}))
            .await
            .assert_problem(422, "date_in_past");
        assert_eq!(audit_count(&app, &head, &org_id, "workout.excused").await, 1);
        assert_eq!(audit_count(&app, &head, &org_id, "workout.moved").await, 1);

        // The athlete, another assistant and an unknown workout are refused.
        app.post(&planned(&tomorrow, "move"), &athlete.token, json!({"date": later}))
            .await
            .assert_problem(403, "forbidden");
        let other = app.assistant_coach(&head, &org_id).await;
        app.post(&planned(&tomorrow, "move"), &other.token, json!({"date": later}))
            .await
            .assert_problem(403, "not_assigned_to_you");
        app.post(&planned("nope", "move"), &head.token, json!({"date": later})).await.assert_problem(404, "not_found");
        let unknown = format!("{}.99", tomorrow.split('.').next().unwrap());
        app.post(&planned(&unknown, "move"), &head.token, json!({"date": later}))
            .await
            .assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn ranges_are_bounded_and_checked() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let cal = |q: String| member_path(&org_id, &athlete, &format!("calendar?{q}"));
        let week = app.get(&cal(String::new()), &head.token).await;
        let days = week.assert_status(200)["days"].as_array().unwrap().clone();
        assert_eq!(days.len(), 7, "{:?}: the current week by default", app.backend);
        let monday: NaiveDate = days[0]["date"].as_str().unwrap().parse().unwrap();
        assert_eq!(chrono::Datelike::weekday(&monday), chrono::Weekday::Mon);
        let from = today();
        let ok = app
            .get(&cal(format!("from={from}&to={}", from.checked_add_days(Days::new(92)).unwrap())), &head.token)
            .await;
        assert_eq!(ok.assert_status(200)["days"].as_array().unwrap().len(), 93);
        let too_long = app
            .get(&cal(format!("from={from}&to={}", from.checked_add_days(Days::new(93)).unwrap())), &head.token)
            .await;
        too_long.assert_problem(400, "invalid_parameter");
        assert_eq!(too_long.body["errors"][0]["field"], "to");
        let backwards = app.get(&cal(format!("from={from}&to={}", days_from_today(-1))), &head.token).await;
        backwards.assert_problem(400, "invalid_parameter");
        app.get(&cal("from=yesterday".into()), &head.token).await.assert_status(400);
    }
}

#[tokio::test]
async fn an_activity_late_in_the_evening_belongs_to_that_local_date_across_a_dst_change() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        app.patch(&format!("/api/v1/organizations/{org_id}"), &head.token, json!({"timezone": "America/New_York"}))
            .await
            .assert_status(200);
        let athlete = app.athlete(&org_id, None).await;
        // New York left daylight saving time on 2026-11-01; 23:30 there is 04:30 UTC the next day.
        let change_day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        plan_from(&app, &head, &org_id, &athlete, change_day).await;
        let late = Utc.with_ymd_and_hms(2026, 11, 2, 4, 30, 0).unwrap();
        activity(&app, &org_id, &athlete, "run", late, 5_000.0, 1_500).await;
        let res = app.get(&member_path(&org_id, &athlete, "calendar?from=2026-11-01&to=2026-11-02"), &head.token).await;
        let calendar = res.assert_status(200);
        assert_eq!(calendar["timezone"], "America/New_York");
        assert_eq!(workout(calendar, "Easy 5k")["state"], "completed", "{:?}", app.backend);
        assert_eq!(day(calendar, change_day)["activities"].as_array().unwrap().len(), 1);
        assert!(
            day(calendar, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap())["activities"].as_array().unwrap().is_empty()
        );
    }
}
