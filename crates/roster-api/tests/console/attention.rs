//! Planned versus done in the console, on both backends: **Needs
//! attention** (the queue, **Acknowledge** with a note, an assistant coach's
//! own athletes), compliance in the Athletes table with its sorts and
//! filter, and the calendar tab (states in words, **Excuse**, **Move**, the
//! athlete's own calendar).

use crate::client::Browser;
use crate::pages::api_session;
use crate::support::{Session, TestApp, activity, apps, days_from_today, noon, plan_from};

/// An athlete whose four due workouts of the last 28 days were all missed
/// (`low_compliance` and `missed_workouts`), as the API's tests make one.
async fn missing_everything(app: &TestApp, head: &Session, org_id: &str, coach: Option<&Session>) -> Session {
    let athlete = app.athlete(org_id, coach).await;
    plan_from(app, head, org_id, &athlete, days_from_today(-8)).await;
    athlete
}

fn ack_action(who: &Session, code: &str) -> String {
    format!("action=\"/attention/{}/{code}/acknowledge\"", who.user_id)
}

/// Where `who`'s row (their profile link) is on `body`.
fn position(body: &str, who: &Session) -> usize {
    body.find(&format!("href=\"/athletes/{}\"", who.user_id)).unwrap_or_else(|| panic!("{} not in {body}", who.user_id))
}

#[tokio::test]
async fn needs_attention_lists_the_signals_and_acknowledge_hides_one() {
    for app in apps().await {
        let backend = app.backend;
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let ann = missing_everything(&app, &head, &org_id, None).await;
        let mine = missing_everything(&app, &head, &org_id, Some(&coach)).await;

        let page = b.get("/attention").await;
        page.assert(200);
        assert!(page.body.contains("href=\"/attention\" aria-current=\"page\">Needs attention</a>"), "{backend:?}");
        position(&page.body, &ann);
        assert!(page.body.contains("The last 4 planned workouts were missed."), "{backend:?}: {}", page.body);
        assert!(page.body.contains("Last 28 days: 0 of 4 planned sessions completed (0%)."), "{backend:?}");
        assert!(page.body.contains("No activity yet"));
        assert!(page.body.contains(&ack_action(&ann, "missed_workouts")));

        // One a page: *Next page* carries the limit and the cursor to the other athlete.
        let first = b.get("/attention?limit=1").await;
        let at = first.body.find("href=\"/attention?limit=1&#38;after=").expect("a next page link") + 6;
        let next = first.body[at..at + first.body[at..].find('"').unwrap()].replace("&#38;", "&");
        let second = b.get(&next).await;
        second.assert(200);
        let (one, two) = (first.body.contains(&ann.user_id), second.body.contains(&ann.user_id));
        assert!(
            one != two && (first.body.contains(&mine.user_id) != second.body.contains(&mine.user_id)),
            "{backend:?}"
        );

        let action = format!("/attention/{}/missed_workouts/acknowledge", ann.user_id);
        b.submit("/attention", &action, &[("note", "Flu, back Monday")]).await.assert_redirect("/attention");
        let page = b.get("/attention").await;
        assert!(!page.body.contains(&ack_action(&ann, "missed_workouts")), "{backend:?}: acknowledged, hidden");
        assert!(page.body.contains(&ack_action(&ann, "low_compliance")), "{backend:?}: the other signal stays");
        let audit = app
            .get(&format!("/api/v1/organizations/{org_id}/audit-events?action=attention.acknowledged"), &head.token)
            .await;
        assert!(audit.body.to_string().contains("attention.acknowledged"), "{backend:?}: {:?}", audit.body);

        // A note too long comes back with the message; a signal the athlete has not, or unknown, is a 404 page.
        let long = "x".repeat(1001);
        let again = b
            .submit("/attention", &format!("/attention/{}/low_compliance/acknowledge", ann.user_id), &[("note", &long)])
            .await;
        again.assert(422);
        assert!(again.body.contains("at most 1000 characters"), "{}", again.body);
        let not_open = format!("/attention/{}/load_spike/acknowledge", ann.user_id);
        b.submit("/attention", &not_open, &[]).await.assert(404);
        b.submit("/attention", &format!("/attention/{}/no_such_signal/acknowledge", ann.user_id), &[])
            .await
            .assert(404);
        b.post(&action, &[("csrf", "forged"), ("note", "")]).await.assert(403);

        // A label that raises a signal: the next read announces it, and the
        // audit log names roster itself as the one who wrote it.
        let member = format!("/api/v1/organizations/{org_id}/members/{}", ann.user_id);
        app.patch(&member, &head.token, serde_json::json!({"labels": ["@injury-watch"]})).await.assert_status(200);
        b.get("/attention").await.assert(200);
        let log = b.get("/audit").await;
        log.assert(200);
        let row = log.body.find("<code>attention.raised</code>").unwrap_or_else(|| panic!("{backend:?}: {}", log.body));
        assert!(log.body[row..].contains("\">roster</a></td>"), "{backend:?}: {}", &log.body[row..]);

        // An assistant coach's queue holds their own athletes; an athlete gets a refusal.
        let mut c = Browser::new(&app);
        c.sign_in(&coach.email).await;
        let theirs = c.get("/attention").await;
        theirs.assert(200);
        position(&theirs.body, &mine);
        assert!(!theirs.body.contains(&format!("/athletes/{}\"", ann.user_id)), "{backend:?}: not theirs");
        let mut a = Browser::new(&app);
        a.sign_in(&ann.email).await;
        a.get("/attention").await.assert(403);
    }
}

/// `ann` with a plan from a week ago (Easy 84 %, Tempo 55 %, Long missed, a bike ride unplanned),
/// `bob` without a plan who ran yesterday, `cat` with nothing: the API's compliance test's three.
async fn three_athletes(app: &TestApp, head: &Session, org_id: &str) -> (Session, Session, Session) {
    let ann = app.athlete(org_id, None).await;
    let bob = app.athlete(org_id, None).await;
    let cat = app.athlete(org_id, None).await;
    let start = days_from_today(-7);
    plan_from(app, head, org_id, &ann, start).await;
    activity(app, org_id, &ann, "run", noon(start), 4_200.0, 1_500).await;
    activity(app, org_id, &ann, "run", noon(days_from_today(-6)), 1_000.0, 1_100).await;
    activity(app, org_id, &ann, "bike", noon(days_from_today(-5)), 30_000.0, 3_600).await;
    activity(app, org_id, &bob, "run", noon(days_from_today(-1)), 3_000.0, 900).await;
    (ann, bob, cat)
}

fn order(body: &str, who: &[&Session]) -> Vec<usize> {
    let mut at: Vec<(usize, usize)> = who.iter().enumerate().map(|(i, s)| (position(body, s), i)).collect();
    at.sort_unstable();
    at.into_iter().map(|(_, i)| i).collect()
}

#[tokio::test]
async fn the_roster_shows_compliance_and_sorts_and_filters_by_it() {
    for app in apps().await {
        let backend = app.backend;
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let (ann, bob, cat) = three_athletes(&app, &head, &org_id).await;
        let all = [&ann, &bob, &cat];
        let page = b.get("/athletes").await;
        assert!(page.body.contains("<th scope=\"col\">Compliance</th>"));
        assert!(page.body.contains("33 % (28 d)<span class=\"sub\">0 % (7 d)</span>"), "{backend:?}: {}", page.body);
        assert!(page.body.contains("<td class=\"compliance\">—</td>"), "{backend:?}: without a plan");
        assert!(page.body.contains("<option value=\"-last_activity\""));
        assert_eq!(order(&b.get("/athletes?sort=compliance").await.body, &all), [0, 1, 2], "{backend:?}");
        assert_eq!(order(&b.get("/athletes?sort=last_activity").await.body, &all), [2, 0, 1], "{backend:?}");
        assert_eq!(order(&b.get("/athletes?sort=-last_activity").await.body, &all), [1, 0, 2], "{backend:?}");
        let below = b.get("/athletes?compliance_below=34").await;
        assert!(below.body.contains("1 athlete<") && below.body.contains("value=\"34\""), "{backend:?}");
        position(&below.body, &ann);
        let none = b.get("/athletes?compliance_below=33").await;
        assert!(none.body.contains("0 athletes<"), "{backend:?}");
        let bad = b.get("/athletes?compliance_below=101").await;
        assert!(bad.body.contains("id=\"compliance_below-error\">Use a whole number from 0 to 100."), "{}", bad.body);
    }
}

/// The `action` of the first form posting to `…/{suffix}` on `body`.
fn form_action(body: &str, suffix: &str) -> String {
    let end = body.find(&format!("/{suffix}\"")).unwrap_or_else(|| panic!("no {suffix} form in {body}"));
    let start = body[..end].rfind("action=\"").unwrap() + 8;
    format!("{}/{suffix}", &body[start..end])
}

#[tokio::test]
async fn the_calendar_shows_states_in_words_and_coaches_excuse_and_move() {
    for app in apps().await {
        let backend = app.backend;
        let (mut b, email) = Browser::head_coach(&app).await;
        let (head, org_id) = api_session(&app, &email).await;
        let (ann, bob, _) = three_athletes(&app, &head, &org_id).await;
        let profile = b.get(&format!("/athletes/{}", ann.user_id)).await;
        let calendar = format!("/athletes/{}/calendar", ann.user_id);
        assert!(profile.body.contains(&format!("href=\"{calendar}\"")), "{backend:?}");
        assert!(profile.body.contains("1 of 3 sessions completed (33 %), 46 % of the volume"), "{}", profile.body);

        let page = b.get(&calendar).await;
        page.assert(200);
        for (title, state) in [
            ("Easy 5k", "completed"),
            ("Tempo", "partial"),
            ("Long", "missed"),
            ("Today", "upcoming"),
            ("Tomorrow", "upcoming"),
        ] {
            let shown = format!("{title}</strong> <span class=\"word\">{state}</span>");
            assert!(page.body.contains(&shown), "{backend:?}: {shown} in {}", page.body);
        }
        assert!(page.body.contains("84 % done") && page.body.contains("(today)"), "{backend:?}");
        assert!(page.body.contains("<li>") && page.body.contains("bike: 30.0 km"), "{backend:?}: unplanned");
        let monday = days_from_today(-7).week(chrono::Weekday::Mon).first_day();
        let earlier = b.get(&format!("{calendar}?from={monday}")).await;
        assert!(earlier.body.contains(&format!("Week of {monday}")) && earlier.body.contains("Easy 5k</strong>"));
        let later = monday.checked_add_days(chrono::Days::new(28)).unwrap();
        assert!(earlier.body.contains(&format!("?from={later}\" rel=\"next\"")), "{backend:?}");

        // **Excuse** the missed one; **Move** refuses a day in the past and takes tomorrow.
        let excuse = form_action(&page.body, "excuse");
        b.submit(&calendar, &excuse, &[("reason", "Sick"), ("from", "")]).await.assert_redirect(&calendar);
        let page = b.get(&calendar).await;
        assert!(page.body.contains("Long</strong> <span class=\"word\">excused</span>"), "{backend:?}");
        assert!(page.body.contains("excused: Sick"));
        let moving = form_action(&page.body, "move");
        let past = days_from_today(-1).to_string();
        let refused = b.submit(&calendar, &moving, &[("date", &past), ("from", "")]).await;
        refused.assert(422);
        assert!(refused.body.contains("A workout can be moved to today or a later day."), "{}", refused.body);
        b.submit(&calendar, &moving, &[("date", ""), ("from", "")]).await.assert(422);
        let tomorrow = days_from_today(1).to_string();
        b.submit(&calendar, &moving, &[("date", &tomorrow), ("from", "")]).await.assert_redirect(&calendar);

        // The athlete reads their own calendar, without the coach's forms; not another's.
        let mut a = Browser::new(&app);
        a.sign_in(&ann.email).await;
        let own = a.get("/me/calendar").await;
        own.assert(200);
        assert!(own.body.contains("Easy 5k</strong> <span class=\"word\">completed</span>"), "{backend:?}");
        assert!(!own.body.contains("/excuse\"") && !own.body.contains("/move\""));
        assert!(a.get("/me").await.body.contains("href=\"/me/calendar\""));
        a.get(&format!("/athletes/{}/calendar", bob.user_id)).await.assert(404);
    }
}
