//! Planned versus done in Chromium: **Needs attention** with an
//! acknowledgement, the Athletes table sorted by compliance, the calendar
//! tab with a workout's **Change** forms open, and the athlete's own
//! calendar.

use super::{Checker, body_text, click, fill, sign_in, wait_gone, wait_path};
use crate::support::{Session, TestApp, activity, days_from_today, noon, plan_from};
use fantoccini::{Client, Locator};

pub(super) async fn journey(c: &Client, check: &mut Checker, app: &TestApp, (head, org_id): (&Session, &str)) {
    let base = &app.base;
    // One athlete who missed everything, one with a completed, a partial and a missed workout.
    let idle = app.athlete(org_id, None).await;
    plan_from(app, head, org_id, &idle, days_from_today(-8)).await;
    let busy = app.athlete(org_id, None).await;
    let start = days_from_today(-7);
    plan_from(app, head, org_id, &busy, start).await;
    activity(app, org_id, &busy, "run", noon(start), 4_200.0, 1_500).await;
    activity(app, org_id, &busy, "run", noon(days_from_today(-6)), 1_000.0, 1_100).await;
    activity(app, org_id, &busy, "bike", noon(days_from_today(-5)), 30_000.0, 3_600).await;

    c.goto(&format!("{base}/athletes")).await.unwrap();
    click(c, "nav.side a[href='/attention']").await;
    wait_path(c, "/attention").await;
    assert!(body_text(c).await.contains("planned workouts were missed"));
    check.check(c, "needs-attention").await;
    let id = &idle.user_id;
    fill(c, &format!("note-{id}-missed_workouts"), "Flu, back Monday").await;
    click(c, &format!("form[action='/attention/{id}/missed_workouts/acknowledge'] button")).await;
    wait_gone(c, &format!("form[action='/attention/{id}/missed_workouts/acknowledge']")).await;
    wait_path(c, "/attention").await;

    c.goto(&format!("{base}/athletes?sort=compliance")).await.unwrap();
    assert!(body_text(c).await.contains("0 % (28 d)"));
    check.check(c, "athletes-by-compliance").await;

    c.goto(&format!("{base}/athletes/{}", busy.user_id)).await.unwrap();
    click(c, &format!("a[href='/athletes/{}/calendar']", busy.user_id)).await;
    wait_path(c, &format!("/athletes/{}/calendar", busy.user_id)).await;
    let text = body_text(c).await;
    assert!(text.contains("COMPLETED") || text.contains("completed"), "{text}");
    check.check(c, "calendar").await;
    click(c, ".workout.missed details summary").await;
    c.wait().for_element(Locator::Css(".workout.missed input[name=reason]")).await.unwrap();
    let show = "document.querySelector('.workout.missed details').scrollIntoView(); return true;";
    c.execute(show, vec![]).await.unwrap();
    check.check(c, "calendar-change").await;
    if let Some(dir) = &check.shots {
        // The open forms themselves on a phone.
        c.set_window_size(390, 844).await.unwrap();
        c.execute(show, vec![]).await.unwrap();
        std::fs::write(dir.join("calendar-change-open-390x844.png"), c.screenshot().await.unwrap()).unwrap();
        c.set_window_size(1280, 800).await.unwrap();
    }

    sign_in(c, app, &busy.email).await;
    wait_path(c, "/me").await;
    click(c, "nav.side a[href='/me/calendar']").await;
    wait_path(c, "/me/calendar").await;
    check.check(c, "my-calendar").await;
}
