//! The athlete's own pages over HTTP, on both backends: **My goal race**
//! (add, change with a stale form, delete), **My zones** (a table and one
//! form, errors beside their rows), **My integrations** (record and
//! disconnect), the sidebar and My club's links to them, and what a coach
//! gets there.

use crate::client::{Browser, Page, field_value};
use crate::pages::api_session;
use crate::support::{Session, TestApp, apps, days_from_today};
use reqwest::Method;
use serde_json::json;

/// A head coach's club with one athlete signed in to the console.
async fn athlete_in_club(app: &TestApp) -> (Browser<'_>, Session, (Session, String)) {
    let (_, head_email) = Browser::head_coach(app).await;
    let (head, org_id) = api_session(app, &head_email).await;
    let athlete = app.athlete(&org_id, None).await;
    let mut b = Browser::new(app);
    b.sign_in(&athlete.email).await;
    (b, athlete, (head, org_id))
}

/// The address of the first link starting with `prefix` after `text`.
fn link_after(page: &Page, text: &str, prefix: &str) -> String {
    let at = page.body.find(text).unwrap_or_else(|| panic!("{text} is on the page: {}", page.body));
    let start = at + page.body[at..].find(&format!("href=\"{prefix}")).unwrap() + 6;
    let end = start + page.body[start..].find('"').unwrap();
    page.body[start..end].to_owned()
}

#[tokio::test]
async fn an_athlete_adds_changes_and_deletes_race_goals_next_first_with_target_pace() {
    for app in apps().await {
        let (mut b, athlete, (head, org_id)) = athlete_in_club(&app).await;
        let empty = b.get("/me/goal-race").await;
        empty.assert(200);
        assert!(empty.body.contains("No race goals yet") && empty.body.contains("aria-current=\"page\">My goal race"));

        // What is not a date, a number or a time is told beside its field, the input kept.
        let bad = [("race_name", " "), ("race_date", "soon"), ("distance", "ten"), ("goal_time", "3:70:00")];
        let refused = b.submit("/me/goal-race", "/me/goal-race", &bad).await;
        refused.assert(422);
        for id in ["race_date-error", "distance-error", "goal_time-error"] {
            assert!(refused.body.contains(&format!("id=\"{id}\"")), "{id}: {}", refused.body);
        }
        assert!(refused.body.contains("value=\"ten\"") && refused.body.contains("value=\"3:70:00\""));
        // ... and what the API refuses, in the form's units.
        let [later, past, next] = [120, -30, 60].map(|n| days_from_today(n).to_string());
        let zero = [("race_name", " "), ("race_date", &later), ("distance", "0"), ("goal_time", "0:00")];
        let refused = b.submit("/me/goal-race", "/me/goal-race", &zero).await;
        refused.assert(422);
        assert!(refused.body.contains("id=\"race_name-error\""), "{}", refused.body);
        assert!(refused.body.contains("at most 1000 km") && refused.body.contains("between 0:01 and 240:00:00"));

        for (name, date, km, time) in [
            ("City 10K", &later, "10", "44:30"),
            ("Old Parkrun", &past, "5", ""),
            ("Berlin", &next, "42,195", "3:30:00"),
        ] {
            let form = [("race_name", name), ("race_date", date.as_str()), ("distance", km), ("goal_time", time)];
            b.submit("/me/goal-race", "/me/goal-race", &form).await.assert_redirect("/me/goal-race");
        }
        let list = b.get("/me/goal-race").await;
        let (berlin, city, old) = (
            list.body.find(">Berlin").unwrap(),
            list.body.find(">City 10K").unwrap(),
            list.body.find(">Old Parkrun").unwrap(),
        );
        assert!(berlin < city && city < old, "the goal race first, past races last: {}", list.body);
        assert!(list.body[berlin..city].contains("Goal race") && list.body[old..].contains("Past"));
        // 12 600 s over 42.195 km, the API's target pace.
        assert!(list.body.contains("42.195 km") && list.body.contains("3:30:00") && list.body.contains("4:59/km"));
        assert!(list.body.contains("4:27/km") && list.body.contains("in 8 weeks 4 days"), "{}", list.body);
        let goals_path = format!("/api/v1/organizations/{org_id}/members/{}/race-goals", athlete.user_id);
        assert_eq!(app.get(&goals_path, &head.token).await.assert_status(200)["data"].as_array().unwrap().len(), 3);

        // Change: the form holds the goal; a stale form is refused with the input kept.
        let edit = link_after(&list, ">Berlin", "/me/goal-race/");
        let page = b.get(&edit).await;
        page.assert(200);
        assert!(page.body.contains("value=\"42.195\"") && page.body.contains("value=\"3:30:00\""));
        let csrf = page.csrf();
        let version = field_value(&page.body, "version").unwrap();
        let change = |time: &'static str| {
            [
                ("race_name", "Berlin Marathon"),
                ("race_date", next.as_str()),
                ("distance", "42.195"),
                ("goal_time", time),
            ]
        };
        let mut form = vec![("csrf", csrf.as_str()), ("version", version.as_str())];
        form.extend(change("3:15:00"));
        b.post(&edit, &form).await.assert_redirect("/me/goal-race");
        let stale = b.post(&edit, &form).await;
        stale.assert(422);
        assert!(stale.body.contains("changed while you were editing"), "{}", stale.body);
        assert!(stale.body.contains("<dd>3:15:00</dd>") && stale.body.contains("value=\"Berlin Marathon\""));
        let fresh = field_value(&stale.body, "version").unwrap();
        let mut form = vec![("csrf", csrf.as_str()), ("version", fresh.as_str())];
        form.extend(change(""));
        b.post(&edit, &form).await.assert_redirect("/me/goal-race");
        let list = b.get("/me/goal-race").await;
        assert!(list.body.contains("Berlin Marathon") && !list.body.contains("3:15:00"), "the goal time is cleared");

        // Delete, behind a confirmation page; a forged post is refused.
        let delete = format!("{edit}/delete");
        assert!(b.get(&delete).await.body.contains("Delete the race goal “Berlin Marathon”?"));
        b.post(&delete, &[("csrf", "forged")]).await.assert(403);
        b.submit(&delete, &delete, &[]).await.assert_redirect("/me/goal-race");
        assert!(!b.get("/me/goal-race").await.body.contains("Berlin Marathon"));
        b.get(&delete).await.assert(404);
        b.get("/me/goal-race/not-an-id").await.assert(404);
        // My club links here and shows the new goal race.
        let club = b.get("/me").await;
        assert!(club.body.contains("href=\"/me/goal-race\"") && club.body.contains("City 10K"), "{}", club.body);
    }
}

/// The zones form's fields from the page, with `changes` in place.
fn zones_form(page: &Page, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields =
        vec![("csrf".to_owned(), page.csrf()), ("version".to_owned(), field_value(&page.body, "version").unwrap())];
    for kind in ["hr", "pace"] {
        for i in 0..10 {
            for part in ["name", "min", "max"] {
                let name = format!("{kind}-{i}-{part}");
                if let Some(value) = field_value(&page.body, &name) {
                    fields.push((name, value));
                }
            }
        }
    }
    for name in ["hr_max", "hr_rest", "threshold"] {
        fields.push((name.to_owned(), field_value(&page.body, name).unwrap_or_default()));
    }
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => panic!("no field {name} on the page"),
        }
    }
    fields
}

async fn post_zones(b: &mut Browser<'_>, fields: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/me/zones", &pairs).await
}

#[tokio::test]
async fn an_athlete_sees_and_replaces_zones_with_errors_beside_their_rows() {
    for app in apps().await {
        let (mut b, athlete, (head, org_id)) = athlete_in_club(&app).await;
        let page = b.get("/me/zones").await;
        page.assert(200);
        assert!(page.body.contains("No heart-rate zones set.") && page.body.contains("No pace zones set."));
        assert!(page.body.contains("<label class=\"visually-hidden\" for=\"hr-4-min\">"), "five rows to fill");

        // Overlapping and unreadable zones, and a resting rate above the maximum.
        let bad = [
            ("hr_max", "180"),
            ("hr_rest", "185"),
            ("hr-0-name", "Z1"),
            ("hr-0-min", "100"),
            ("hr-0-max", "130"),
            ("hr-2-name", "Z2"),
            ("hr-2-min", "125"),
            ("hr-2-max", "150"),
            ("pace-0-name", "Easy"),
            ("pace-0-min", "4:75"),
            ("pace-0-max", "6:00"),
            ("pace-1-name", "Tempo"),
            ("pace-1-min", "0:30"),
            ("pace-1-max", "4:00"),
        ];
        let refused = post_zones(&mut b, &zones_form(&page, &bad)).await;
        refused.assert(422);
        assert!(refused.body.contains("id=\"pace-0-min-error\""), "{}", refused.body);
        assert!(refused.body.contains("value=\"4:75\"") && refused.body.contains("value=\"Tempo\""));
        let fixed = [("pace-0-min", "5:30"), ("pace-0-max", "6:15")];
        let refused = post_zones(&mut b, &zones_form(&page, &[&bad[..], &fixed[..]].concat())).await;
        refused.assert(422);
        // The API names heart_rate.zones[1] (row 3 here, row 2 was blank) and pace.zones[1].
        for (id, words) in [
            ("hr-2-min-error", "must not be below the previous zone&#39;s upper bound"),
            ("hr_rest-error", "less than the maximum heart rate"),
            ("pace-1-min-error", "between 1:00/km and 30:00/km"),
        ] {
            let at = refused.body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id}: {}", refused.body));
            assert!(refused.body[at..at + 200].to_lowercase().contains(words), "{id}: {}", &refused.body[at..at + 200]);
        }

        let good = [
            ("hr_rest", "48"),
            ("hr-2-min", "130"),
            ("pace-1-min", "3:40"),
            ("pace-1-max", "4:00"),
            ("threshold", "4:10"),
        ];
        let fields = zones_form(&page, &[&bad[..], &fixed[..], &good[..]].concat());
        // A faster pace zone listed after a slower one is out of order.
        let refused = post_zones(&mut b, &fields).await;
        refused.assert(422);
        assert!(refused.body.contains("from the fastest to the slowest"), "{}", refused.body);
        let swap = [
            ("pace-0-name", "Tempo"),
            ("pace-0-min", "3:40"),
            ("pace-0-max", "4:00"),
            ("pace-1-name", "Easy"),
            ("pace-1-min", "5:30"),
            ("pace-1-max", "6:15"),
        ];
        let saved = zones_form(&page, &[&bad[..], &good[..], &swap[..]].concat());
        post_zones(&mut b, &saved).await.assert_redirect("/me/zones");
        let shown = b.get("/me/zones").await;
        for text in [
            "<th scope=\"row\">Z2</th><td class=\"nowrap\">130 bpm</td><td class=\"nowrap\">150 bpm</td>",
            "3:40/km",
            "6:15/km",
            "4:10/km",
            "48 bpm",
        ] {
            assert!(shown.body.contains(text), "{text}: {}", shown.body);
        }
        let api =
            app.get(&format!("/api/v1/organizations/{org_id}/members/{}/zones", athlete.user_id), &head.token).await;
        assert_eq!(api.assert_status(200)["pace"]["zones"][0]["min_s_per_km"], 220);
        // The form saved before is stale now.
        let stale = post_zones(&mut b, &saved).await;
        stale.assert(422);
        assert!(stale.body.contains("changed while you were editing"), "{}", stale.body);
        let club = b.get("/me").await;
        assert!(club.body.contains("2 heart-rate zones, 2 pace zones") && club.body.contains("href=\"/me/zones\""));
    }
}

#[tokio::test]
async fn an_athlete_records_and_disconnects_integrations_as_the_api_reports_them() {
    for app in apps().await {
        let (mut b, athlete, (head, org_id)) = athlete_in_club(&app).await;
        let page = b.get("/me/integrations").await;
        page.assert(200);
        assert_eq!(page.body.matches("Not connected").count(), 3, "{}", page.body);
        assert!(page.body.contains("Record Strava as connected") && page.body.contains("Apple Health"));

        let long = "x".repeat(201);
        let refused =
            b.submit("/me/integrations", "/me/integrations/strava/connect", &[("external_athlete_id", &long)]).await;
        refused.assert(422);
        assert!(refused.body.contains("id=\"strava-external-error\"") && refused.body.contains(&long));
        b.submit("/me/integrations", "/me/integrations/polar/connect", &[]).await.assert(404);
        b.submit("/me/integrations", "/me/integrations/strava/connect", &[("external_athlete_id", " 4711 ")])
            .await
            .assert_redirect("/me/integrations");
        // The watch app reports a failing Garmin sync through the API.
        let body = json!({"status": "error"});
        app.call(Method::PUT, "/api/v1/me/integrations/garmin", Some(&athlete.token), Some(body))
            .await
            .assert_status(200);
        let page = b.get("/me/integrations").await;
        assert!(page.body.contains("<dd>4711</dd>") && page.body.contains("Disconnect Strava"), "{}", page.body);
        assert!(
            page.body.contains("Connected, but the last sync failed")
                && page.body.contains("Disconnect Garmin Connect")
        );
        b.submit("/me/integrations", "/me/integrations/strava/disconnect", &[])
            .await
            .assert_redirect("/me/integrations");
        let page = b.get("/me/integrations").await;
        assert!(page.body.contains(">Disconnected<") && page.body.contains("Record Strava as connected"));
        let api = format!("/api/v1/organizations/{org_id}/members/{}/integrations", athlete.user_id);
        let states: Vec<String> = app.get(&api, &head.token).await.assert_status(200)["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["status"].to_string())
            .collect();
        assert!(states.contains(&"\"disconnected\"".into()) && states.contains(&"\"error\"".into()), "{states:?}");
        assert!(b.get("/me").await.body.contains("href=\"/me/integrations\""));
    }
}

#[tokio::test]
async fn the_sidebar_and_the_upload_drop_zone_and_what_a_coach_gets_on_these_pages() {
    for app in apps().await {
        let (mut b, athlete, (head, org_id)) = athlete_in_club(&app).await;
        let club = b.get("/me").await;
        for link in ["My goal race", "My zones", "My integrations", "Upload activity", "My calendar"] {
            assert!(club.body.contains(&format!(">{link}</a>")), "{link}");
        }
        let upload = b.get("/me/upload").await;
        assert!(upload.body.contains("data-drop=\"file\"") && upload.body.contains("role=\"status\""));
        assert!(upload.body.contains("<label for=\"file\" id=\"file-label\">Activity file</label>"));

        // A coach has no race goals, zones or integrations of their own: the
        // pages answer as My club does, and a post changes nobody's data.
        let mut coach = Browser::new(&app);
        coach.sign_in(&head.email).await;
        let mine = coach.get("/me").await.status;
        for page in ["/me/goal-race", "/me/zones", "/me/integrations"] {
            let got = coach.get(page).await;
            assert_eq!(got.status, mine, "{page}: {}", got.body);
            assert!(!got.body.contains("<form method=\"post\" action=\"/me/"), "{page} has no form for a coach");
        }
        let goal = [("race_name", "Coach race"), ("race_date", "2030-01-01"), ("distance", "10"), ("goal_time", "")];
        coach.submit("/athletes", "/me/goal-race", &goal).await.assert(mine);
        coach.submit("/athletes", "/me/integrations/strava/connect", &[]).await.assert(403);
        let goals = format!("/api/v1/organizations/{org_id}/members/{}/race-goals", athlete.user_id);
        assert!(app.get(&goals, &head.token).await.assert_status(200)["data"].as_array().unwrap().is_empty());
        let signed_out = Browser::new(&app).get("/me/zones").await;
        signed_out.assert_redirect("/sign-in?next=/me/zones");
    }
}
