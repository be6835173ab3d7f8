//! The athlete's own pages in Chromium: **Upload activity** by a simulated
//! drag and drop of a FIT file, **My goal race** (add, change, delete),
//! **My zones** (an error beside its row, then saved) and **My
//! integrations**.

use super::{Checker, ENTER, body_text, click, fill, wait_path, workspace};
use fantoccini::{Client, Locator};

/// Drops `input.files` on the drop zone as a browser would: the input is
/// emptied first, so only the drop can put the file back.
const DROP: &str = r#"
const input = document.getElementById('file');
const dropped = new DataTransfer();
dropped.items.add(input.files[0]);
input.value = '';
const zone = document.querySelector('[data-drop]');
for (const type of ['dragenter', 'dragover', 'drop']) {
  zone.dispatchEvent(new DragEvent(type, {dataTransfer: dropped, bubbles: true, cancelable: true}));
}
return [input.files.length, document.getElementById('drop-status').textContent, document.activeElement.textContent];
"#;

pub(super) async fn journey(c: &Client, check: &mut Checker, base: &str) {
    c.goto(&format!("{base}/me/upload")).await.unwrap();
    check.check(c, "upload-activity").await;
    let fit = ["../shared", "../../shared"]
        .iter()
        .map(|up| workspace().join(up).join("testdata/fit/activity-small-fenix2-run.fit"))
        .find(|p| p.exists());
    match fit {
        Some(fit) => {
            let hint = c.find(Locator::Id("drop-hint")).await.unwrap();
            assert!(hint.is_displayed().await.unwrap(), "the script shows the drop hint");
            let file = c.find(Locator::Id("file")).await.unwrap();
            file.send_keys(&fit.canonicalize().unwrap().display().to_string()).await.unwrap();
            let seen = c.execute(DROP, vec![]).await.unwrap();
            assert_eq!(seen[0], 1, "the dropped file is in the input: {seen}");
            assert!(seen[1].as_str().unwrap().contains("activity-small-fenix2-run.fit is ready"), "{seen}");
            assert_eq!(seen[2], "Upload activity", "the Upload button has the focus");
            check.check(c, "upload-activity-dropped").await;
            c.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
            wait_path(c, "/me/activities").await;
            assert!(body_text(c).await.contains(" km"), "the uploaded activity is listed");
        }
        None => println!("upload step SKIPPED: no shared/testdata/fit next to the repository"),
    }

    // My goal race: add one, open its Change and Delete pages.
    click(c, "nav.side a[href='/me/goal-race']").await;
    wait_path(c, "/me/goal-race").await;
    fill(c, "race_name", "Spring Marathon").await;
    let date = (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
    c.execute("document.getElementById('race_date').value = arguments[0]; return true;", vec![date.into()])
        .await
        .unwrap();
    fill(c, "distance", "42.195").await;
    fill(c, "goal_time", "3:29:59").await;
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("table.goals")).await.unwrap();
    let text = body_text(c).await;
    assert!(text.contains("Spring Marathon") && text.contains("4:59/km") && text.contains("Goal race"), "{text}");
    check.check(c, "my-goal-race").await;
    click(c, "table.goals td a").await;
    c.wait().for_element(Locator::Css("input[name=version]")).await.unwrap();
    check.check(c, "my-goal-race-change").await;
    c.goto(&format!("{base}/me/goal-race")).await.unwrap();
    click(c, "table.goals a[href$='/delete']").await;
    c.wait().for_element(Locator::Css("form[action$='/delete']")).await.unwrap();
    check.check(c, "my-goal-race-delete").await;

    // My zones: an overlap told beside its row, then saved.
    click(c, "nav.side a[href='/me/zones']").await;
    wait_path(c, "/me/zones").await;
    for (id, value) in [
        ("hr_max", "188"),
        ("hr-0-name", "Z1 recovery"),
        ("hr-0-min", "100"),
        ("hr-0-max", "130"),
        ("hr-1-name", "Z2 endurance"),
        ("hr-1-min", "125"),
        ("hr-1-max", "150"),
        ("threshold", "4:10"),
        ("pace-0-name", "Threshold"),
        ("pace-0-min", "4:00"),
        ("pace-0-max", "4:20"),
        ("pace-1-name", "Easy"),
        ("pace-1-min", "5:20"),
        ("pace-1-max", "6:10"),
    ] {
        fill(c, id, value).await;
    }
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Id("hr-1-min-error")).await.unwrap();
    // The message beside its row, not the top of the page, in the photographs.
    let show = "document.getElementById('hr-1-min-error').scrollIntoView({block: 'center'}); return true;";
    c.execute(show, vec![]).await.unwrap();
    check.check(c, "my-zones-error").await;
    fill(c, "hr-1-min", "130").await;
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::XPath("//th[@scope='row' and text()='Z2 endurance']")).await.unwrap();
    check.check(c, "my-zones").await;

    // My integrations: record Strava as connected.
    click(c, "nav.side a[href='/me/integrations']").await;
    wait_path(c, "/me/integrations").await;
    fill(c, "strava-external", "4711").await;
    click(c, "form[action='/me/integrations/strava/connect'] button").await;
    c.wait().for_element(Locator::Css("form[action='/me/integrations/strava/disconnect']")).await.unwrap();
    check.check(c, "my-integrations").await;
}
