//! **Training plans** over HTTP, on both backends: **Create plan**, a plan's
//! page with its details and workouts (added, edited, removed; errors beside
//! the row's fields with the input kept; a stale edit refused by the version
//! the form carries) and **Archive** behind a confirmation page; an
//! assistant coach who is not the author gets no controls, and forged posts
//! by them or an athlete are refused.

use crate::client::{Browser, Page, field_value};
use crate::pages::api_session;
use crate::support::apps;
use serde_json::json;

fn version(page: &Page) -> String {
    field_value(&page.body, "version").expect("the page has a version field")
}

const WORKOUT: [(&str, &str); 6] = [
    ("day", "2"),
    ("title", "Easy run"),
    ("kind", "easy"),
    ("distance", "8"),
    ("duration", "45"),
    ("notes", "Relaxed"),
];

#[tokio::test]
async fn a_plan_is_created_edited_with_its_workouts_and_archived() {
    for app in apps().await {
        let (mut b, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let library = b.get("/plans").await;
        library.assert(200);
        assert!(library.body.contains("Create plan") && library.body.contains("No training plans yet."));

        // Create plan: errors beside their fields, the input kept.
        let bad =
            [("name", ""), ("description", "Build up"), ("sport", "run"), ("level", ""), ("duration_weeks", "200")];
        let bad = b.submit("/plans", "/plans", &bad).await;
        bad.assert(422);
        assert!(bad.body.contains("id=\"name-error\""), "{}", bad.body);
        assert!(bad.body.contains(">Build up</textarea>") && bad.body.contains("value=\"200\""));
        let long = [("name", "Spring 10k"), ("sport", "run"), ("duration_weeks", "200")];
        let long = b.submit("/plans", "/plans", &long).await;
        long.assert(422);
        assert!(long.body.contains("id=\"duration_weeks-error\"") && long.body.contains("value=\"Spring 10k\""));
        let form = [
            ("name", "Spring 10k"),
            ("description", "Build up"),
            ("sport", "run"),
            ("level", "beginner"),
            ("duration_weeks", "4"),
        ];
        let made = b.submit("/plans", "/plans", &form).await;
        assert_eq!(made.status, 303, "{}", made.body);
        let plan = made.location().to_owned();
        assert!(plan.starts_with("/plans/") && plan.ends_with("?done=created"), "{plan}");
        let plan = plan.trim_end_matches("?done=created").to_owned();
        let page = b.get(&plan).await;
        page.assert(200);
        assert!(
            page.body.contains("Edit plan")
                && page.body.contains("No workouts yet.")
                && page.body.contains("Add workout")
        );
        assert!(b.get("/plans").await.body.contains(&format!("href=\"{plan}\">Spring 10k</a>")));

        // Add workout: a week past the plan's, a distance that is not a number.
        let add = format!("{plan}/workouts");
        let mut late = vec![("week", "9")];
        late.extend_from_slice(&WORKOUT);
        let refused = b.submit(&plan, &add, &late).await;
        refused.assert(422);
        assert!(
            refused.body.contains("id=\"new-week-error\"") && refused.body.contains("value=\"Easy run\""),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(">Relaxed</textarea>") && refused.body.contains("value=\"9\""));
        let mut nan = vec![("week", "1")];
        nan.extend_from_slice(&WORKOUT);
        nan[4] = ("distance", "far");
        b.submit(&plan, &add, &nan).await.assert(422);
        let mut first = vec![("week", "1")];
        first.extend_from_slice(&WORKOUT);
        b.submit(&plan, &add, &first).await.assert_redirect(&format!("{plan}?done=workout#workouts"));
        let long = [("week", "2"), ("day", "7"), ("title", "Long run"), ("distance", "16.5")];
        b.submit(&plan, &add, &long).await.assert(303);
        let page = b.get(&plan).await;
        assert!(
            page.body.contains("Week 1, Tuesday: Easy run") && page.body.contains("value=\"16.5\""),
            "{}",
            page.body
        );
        let api = app.get(&format!("/api/v1/organizations/{org_id}/training-plans/{}", &plan[7..]), &head.token).await;
        let workouts = api.assert_status(200)["workouts"].clone();
        assert_eq!((workouts[0]["distance_m"].as_i64(), workouts[0]["duration_s"].as_i64()), (Some(8000), Some(2700)));
        assert_eq!(workouts[1]["distance_m"].as_i64(), Some(16500));

        // Edit a row; a bad one keeps its input beside the error.
        let v = version(&page);
        let row0 = [("version", v.as_str()), ("week", "1"), ("day", "3"), ("title", "Easy run with strides")];
        b.submit(&plan, &format!("{plan}/workouts/0"), &row0).await.assert(303);
        let page = b.get(&plan).await;
        assert!(page.body.contains("Week 1, Wednesday: Easy run with strides"));
        let v = version(&page);
        let row1 = [("version", v.as_str()), ("week", "5"), ("day", "7"), ("title", "Longer run")];
        let refused = b.submit(&plan, &format!("{plan}/workouts/1"), &row1).await;
        refused.assert(422);
        assert!(refused.body.contains("id=\"w1-week-error\"") && refused.body.contains("value=\"Longer run\""));

        // A stale edit (the plan saved meanwhile) is refused, never applied to the wrong row.
        let api_path = format!("/api/v1/organizations/{org_id}/training-plans/{}", &plan[7..]);
        app.patch(&api_path, &head.token, json!({"description": "Changed elsewhere"})).await.assert_status(200);
        let stale = [("version", v.as_str()), ("week", "2"), ("day", "6"), ("title", "Stale")];
        let stale = b.submit(&plan, &format!("{plan}/workouts/1"), &stale).await;
        stale.assert(422);
        assert!(stale.body.contains("Someone else changed this plan") && stale.body.contains("Long run"));
        let details = [
            ("version", v.as_str()),
            ("name", "Spring 10k v2"),
            ("description", "Mine"),
            ("sport", "run"),
            ("level", "intermediate"),
            ("duration_weeks", "4"),
        ];
        let stale = b.submit(&plan, &plan, &details).await;
        stale.assert(422);
        assert!(stale.body.contains("Someone else saved this plan") && stale.body.contains("Changed elsewhere"));
        assert!(stale.body.contains("value=\"Spring 10k v2\"") && stale.body.contains(">Mine</textarea>"));
        let v = version(&stale);
        let mut save = details.to_vec();
        save[0] = ("version", v.as_str());
        b.submit(&plan, &plan, &save).await.assert_redirect(&format!("{plan}?done=saved"));
        let page = b.get(&plan).await;
        assert!(page.body.contains("<h1>Spring 10k v2</h1>") && page.body.contains("intermediate"));

        // Shortening the plan past a workout is told beside the weeks.
        let v = version(&page);
        let mut short = save.clone();
        short[0] = ("version", v.as_str());
        short[5] = ("duration_weeks", "1");
        let refused = b.submit(&plan, &plan, &short).await;
        refused.assert(422);
        assert!(
            refused.body.contains("id=\"duration_weeks-error\"") && refused.body.contains("lies past the last week")
        );

        // Remove a workout; forged posts are refused.
        b.post(&format!("{plan}/workouts/1/remove"), &[("csrf", "forged"), ("version", &v)]).await.assert(403);
        b.submit(&plan, &format!("{plan}/workouts/1/remove"), &[("version", &v)]).await.assert(303);
        assert!(!b.get(&plan).await.body.contains("Long run"));

        // Archive, behind a confirmation page.
        let archive = format!("{plan}/archive");
        let confirm = b.get(&archive).await;
        confirm.assert(200);
        assert!(confirm.body.contains("Archive the plan “Spring 10k v2”?"));
        b.submit(&archive, &archive, &[]).await.assert_redirect(&format!("{plan}?done=archived"));
        let page = b.get(&format!("{plan}?done=archived")).await;
        assert!(page.body.contains("Archived on") && !page.body.contains(&format!("href=\"{archive}\"")));
        assert!(b.get("/plans").await.body.contains("<td>Archived</td>"));
    }
}

#[tokio::test]
async fn only_the_author_or_the_head_coach_edits_a_plan_and_forged_posts_are_refused() {
    for app in apps().await {
        let (mut head_b, head_email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &head_email).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let form = [("name", "Base"), ("description", ""), ("sport", "bike"), ("level", ""), ("duration_weeks", "2")];
        let plan =
            head_b.submit("/plans", "/plans", &form).await.location().trim_end_matches("?done=created").to_owned();
        head_b
            .submit(&plan, &format!("{plan}/workouts"), &[("week", "1"), ("day", "1"), ("title", "Spin")])
            .await
            .assert(303);

        let mut b = Browser::new(&app);
        b.sign_in(&coach.email).await;
        let page = b.get(&plan).await;
        page.assert(200);
        assert!(page.body.contains("Spin") && page.body.contains("Monday"), "{}", page.body);
        assert!(
            !page.body.contains("Edit plan") && !page.body.contains("Add workout") && !page.body.contains("/archive")
        );
        b.get(&format!("{plan}/archive")).await.assert(403);
        let v = "2";
        let edit = [("version", v), ("name", "Mine"), ("sport", "bike"), ("duration_weeks", "2")];
        b.submit("/plans", &plan, &edit).await.assert(403);
        b.submit("/plans", &format!("{plan}/workouts"), &[("week", "1"), ("day", "2"), ("title", "x")])
            .await
            .assert(403);
        b.submit(
            "/plans",
            &format!("{plan}/workouts/0"),
            &[("version", v), ("week", "1"), ("day", "2"), ("title", "x")],
        )
        .await
        .assert(403);
        b.submit("/plans", &format!("{plan}/workouts/0/remove"), &[("version", v)]).await.assert(403);
        b.submit("/plans", &format!("{plan}/archive"), &[]).await.assert(403);
        // An assistant coach edits the plans they made.
        let own = b.submit("/plans", "/plans", &form).await.location().trim_end_matches("?done=created").to_owned();
        assert!(b.get(&own).await.body.contains("Edit plan"));

        let mut b = Browser::new(&app);
        b.sign_in(&athlete.email).await;
        b.submit("/me", "/plans", &form).await.assert(403);
        b.submit("/me", &plan, &edit).await.assert(403);
        b.submit("/me", &format!("{plan}/archive"), &[]).await.assert(403);

        let api = app.get(&format!("/api/v1/organizations/{org_id}/training-plans/{}", &plan[7..]), &head.token).await;
        let api = api.assert_status(200);
        assert_eq!((api["name"].as_str(), api["workouts"].as_array().unwrap().len()), (Some("Base"), 1));
        assert!(api["archived_at"].is_null());
    }
}
