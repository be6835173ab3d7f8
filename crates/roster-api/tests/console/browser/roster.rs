//! The Athletes page's bulk bar and **Import CSV** in Chromium.

use super::{Checker, body_text, click, fill, wait_path};
use crate::support::unique_email;
use fantoccini::{Client, Locator};

/// The Athletes page's bulk bar (checked athletes, then all matching after
/// the count) and **Import CSV** (upload, preview, confirm).
pub(super) async fn bulk_and_csv(c: &Client, check: &mut Checker, base: &str) {
    c.goto(&format!("{base}/athletes")).await.unwrap();
    // The head's box ticks every row on the page, and untick them again.
    let ticked = "const b = [...document.querySelectorAll('input[name=ids]')]; \
                  return [b.filter(x => x.checked).length, b.length];";
    click(c, "#pick-all").await;
    let counts = c.execute(ticked, vec![]).await.unwrap();
    let rows = counts[1].as_u64().unwrap();
    assert!(rows >= 1 && counts[0].as_u64() == Some(rows), "every row ticked: {counts}");
    click(c, "#pick-all").await;
    assert_eq!(c.execute(ticked, vec![]).await.unwrap()[0], 0);
    click(c, "input[name=ids]").await;
    let some = "const a = document.getElementById('pick-all'); return [a.checked, a.indeterminate];";
    // The head box follows the rows: ticked when all are, a dash when only some are.
    let expected = if rows == 1 { [true, false] } else { [false, true] };
    assert_eq!(c.execute(some, vec![]).await.unwrap(), serde_json::json!(expected), "one of {rows} ticked");
    click(c, "details.bulk summary").await;
    fill(c, "bulk_labels", "relay").await;
    click(c, "button[name=scope][value=checked]").await;
    wait_path(c, "/athletes/bulk").await;
    assert!(body_text(c).await.contains("1 done, 0 skipped"), "{}", body_text(c).await);
    check.check(c, "bulk-results").await;
    c.goto(&format!("{base}/athletes?labels=relay")).await.unwrap();
    click(c, "details.bulk summary").await;
    check.check(c, "athletes-bulk-bar").await;
    if let Some(dir) = &check.shots {
        // The open bar itself on a phone, below the filters.
        c.set_window_size(390, 844).await.unwrap();
        c.execute("document.querySelector('details.bulk').scrollIntoView(); return true;", vec![]).await.unwrap();
        std::fs::write(dir.join("athletes-bulk-bar-open-390x844.png"), c.screenshot().await.unwrap()).unwrap();
        c.set_window_size(1280, 800).await.unwrap();
    }
    fill(c, "bulk_labels", "@relay-b").await;
    click(c, "button[name=scope][value=all]").await;
    c.wait().for_element(Locator::Css("input[name=confirmed]")).await.unwrap();
    assert!(body_text(c).await.contains("1 athlete"));
    check.check(c, "bulk-confirm").await;
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("span.outcome.done")).await.unwrap();

    c.goto(&format!("{base}/athletes/import")).await.unwrap();
    check.check(c, "import-csv").await;
    let file = std::env::temp_dir().join(format!("roster-import-{}.csv", std::process::id()));
    let csv = format!("email,first_name,status\r\n{},Nia,\r\nbo@example.com,Bo,retired\r\n", unique_email("nia"));
    std::fs::write(&file, csv).unwrap();
    c.find(Locator::Id("file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    click(c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("form[action='/athletes/import/confirm']")).await.unwrap();
    check.check(c, "import-preview").await;
    click(c, "form[action='/athletes/import/confirm'] button[type=submit]").await;
    c.wait().for_element(Locator::Css("a[href$='/result.csv']")).await.unwrap();
    check.check(c, "import-result").await;
    let _ = std::fs::remove_file(file);
}
