//! Snapshots of the pages a coach and an athlete see, on both backends:
//! each page is rendered for a fixed club (`club::riverside`), what must
//! vary from run to run is blanked (`stable`), and the result is asserted
//! against ONE file in `snapshots/` for every backend, so a passing run
//! also proves that SQLite and PostgreSQL render the same page.
//!
//! The whole document is kept, chrome included: the sidebar differs by
//! role, `aria-current` and the `<title>` are part of each page, and the
//! chrome is a few lines. A change to the layout therefore shows in every
//! snapshot; review one and accept the rest (docs/console.md, Tests).

mod club;

use crate::client::{Browser, Page};
use crate::support::{TestApp, apps};
use regex::{Captures, Regex};
use roster_store::testing::Backend;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The page with what varies between runs blanked: ids (numbered in order
/// of first appearance, so the same id reads the same within a page),
/// dates and times (the fixtures' are relative to today), CSRF tokens,
/// the assets' fingerprints (a stylesheet change is not a page change) and
/// paging cursors. Durations and paces are kept: they are the club's.
pub fn stable(html: &str) -> String {
    static RULES: LazyLock<[(Regex, &str); 6]> = LazyLock::new(|| {
        let re = |pattern: &str| Regex::new(pattern).unwrap();
        [
            (re(r#"name="csrf" value="[^"]*""#), r#"name="csrf" value="[csrf]""#),
            (re(r"/static/([a-z_-]+)\.[0-9a-f]{10}\.([a-z]+)"), "/static/$1.[hash].$2"),
            (re(r##"([?&;]after=)[^&"#]+"##), "${1}[cursor]"),
            (re(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "[datetime]"),
            (re(r"\d{4}-\d{2}-\d{2}"), "[date]"),
            // The weekly chart's labels.
            (re(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}\b"), "[date]"),
        ]
    });
    static UUID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = UUID
        .replace_all(html, |c: &Captures| {
            let next = seen.len() + 1;
            format!("[id-{}]", seen.entry(c[0].to_owned()).or_insert(next))
        })
        .into_owned();
    for (rule, with) in RULES.iter() {
        out = rule.replace_all(&out, *with).into_owned();
    }
    out
}

/// One backend's pages, each under its snapshot's name.
struct Run {
    backend: Backend,
    pages: Vec<(&'static str, String)>,
}

impl Run {
    fn new(app: &TestApp) -> Self {
        Self { backend: app.backend, pages: Vec::new() }
    }

    /// Gets `path`, checks its status, and keeps the page as `name`.
    async fn get(&mut self, b: &mut Browser<'_>, name: &'static str, path: &str, status: u16) {
        let page = b.get(path).await;
        self.keep(name, &page, status);
    }

    fn keep(&mut self, name: &'static str, page: &Page, status: u16) {
        page.assert(status);
        self.pages.push((name, stable(&page.body)));
    }
}

/// Asserts every backend's pages against the same snapshot files, in one
/// `allow_duplicates!` block: without it insta would file the second
/// backend's page as `name-2`; with it, the second assertion is also
/// compared with the first, so the backends must agree even when
/// `INSTA_UPDATE=always` rewrites the files.
fn assert_runs(runs: &[Run]) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::allow_duplicates! {
            for run in runs {
                // The snapshot does not say which backend rendered the page.
                eprintln!("asserting the pages rendered on {:?}", run.backend);
                for (name, html) in &run.pages {
                    insta::assert_snapshot!(*name, html);
                }
            }
        }
    });
}

#[test]
fn the_normaliser_blanks_only_what_varies() {
    let page = r#"<input type="hidden" name="csrf" value="Zm9v_bar-1"><link href="/static/console.0a1b2c3d4e.css">
<a href="/athletes/0190b5a2-7c4e-7000-8000-00000000000a">Ann</a> <a href="/groups/0190b5a2-7c4e-7000-8000-00000000000b?x=0190b5a2-7c4e-7000-8000-00000000000a">
<a href="/athletes?labels=run&amp;after=eyJrIjoxfQ">Next</a> 2026-12-06T19:38:22Z, 2026-12-06 19:38:22.123+00:00,
<text>Nov 30</text> <td>2026-12-13</td> 8.0 km in 45:00 at 5:38/km, Base 12 weeks"#;
    let want = r#"<input type="hidden" name="csrf" value="[csrf]"><link href="/static/console.[hash].css">
<a href="/athletes/[id-1]">Ann</a> <a href="/groups/[id-2]?x=[id-1]">
<a href="/athletes?labels=run&amp;after=[cursor]">Next</a> [datetime], [datetime],
<text>[date]</text> <td>[date]</td> 8.0 km in 45:00 at 5:38/km, Base 12 weeks"#;
    assert_eq!(stable(page), want);
}

#[tokio::test]
async fn signed_out_pages_match_their_snapshots() {
    let mut runs = Vec::new();
    for app in apps().await {
        let mut b = Browser::new(&app);
        let mut run = Run::new(&app);
        run.get(&mut b, "sign_in", "/sign-in", 200).await;
        run.get(&mut b, "create_account", "/create-account", 200).await;
        run.get(&mut b, "not_found", "/no-such-page", 404).await;
        runs.push(run);
    }
    assert_runs(&runs);
}

#[tokio::test]
async fn a_coachs_pages_match_their_snapshots() {
    let mut runs = Vec::new();
    for app in apps().await {
        let (mut b, club) = club::riverside(&app).await;
        let mut run = Run::new(&app);
        let group_id = club.group_path.trim_start_matches("/groups/");
        let filtered = format!("/athletes?labels=%40marathon&group={group_id}&status=active&sort=name");
        run.get(&mut b, "athletes_filtered", &filtered, 200).await;
        run.get(&mut b, "athlete_profile", &format!("/athletes/{}", club.ann.user_id), 200).await;
        run.get(&mut b, "groups", "/groups", 200).await;
        run.get(&mut b, "group", &club.group_path, 200).await;
        run.get(&mut b, "plans", "/plans", 200).await;
        run.get(&mut b, "plan", &club.plan_path, 200).await;
        run.get(&mut b, "invitations", "/invitations", 200).await;
        run.get(&mut b, "coaches", "/coaches", 200).await;
        run.get(&mut b, "settings", "/settings", 200).await;
        run.get(&mut b, "audit_log", "/audit?action=group.created", 200).await;
        let bad = [("first_name", "Jo"), ("email", "not-an-email"), ("group", ""), ("plan", ""), ("start_date", "")];
        let refused = b.submit("/athletes/invite", "/athletes/invite", &bad).await;
        run.keep("invite_validation_error", &refused, 422);
        runs.push(run);
    }
    assert_runs(&runs);
}

#[tokio::test]
async fn an_athletes_pages_match_their_snapshots() {
    let mut runs = Vec::new();
    for app in apps().await {
        let (_, club) = club::riverside(&app).await;
        let mut b = Browser::new(&app);
        b.sign_in(&club.ann.email).await;
        let mut run = Run::new(&app);
        run.get(&mut b, "my_club", "/me", 200).await;
        run.get(&mut b, "my_activities", "/me/activities", 200).await;
        run.get(&mut b, "upload_activity", "/me/upload", 200).await;
        run.get(&mut b, "forbidden", "/athletes", 403).await;
        runs.push(run);
    }
    assert_runs(&runs);
}
