//! **Groups** and the **Audit log**'s filters in Chromium: a group created,
//! an athlete added by e-mail, a plan's form, the delete confirmation, and
//! the audit log filtered by action (the URL holds the filter).

use super::{Checker, body_text, click, fill, path, wait_path};
use fantoccini::{Client, Locator};

pub(super) async fn journey(c: &Client, check: &mut Checker, base: &str, athlete_email: &str) {
    c.goto(&format!("{base}/groups")).await.unwrap();
    fill(c, "name", "Track squad").await;
    fill(c, "description", "Tuesday intervals").await;
    click(c, "form[action='/groups'] button[type=submit]").await;
    let mut group = String::new();
    for _ in 0..100 {
        group = path(c).await;
        if group.starts_with("/groups/") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(group.starts_with("/groups/"), "at {group}");
    c.wait().for_element(Locator::Id("members-h")).await.unwrap();
    fill(c, "email", athlete_email).await;
    click(c, "form[action$='/members'] button[type=submit]").await;
    wait_path(c, &format!("{group}?done=added")).await;
    assert!(body_text(c).await.contains(athlete_email));
    check.check(c, "group").await;
    c.goto(&format!("{base}{group}/delete")).await.unwrap();
    check.check(c, "delete-group").await;

    c.goto(&format!("{base}/audit")).await.unwrap();
    fill(c, "action", "group.created").await;
    click(c, "form.filters button[type=submit]").await;
    wait_path(c, "/audit?action=group.created&actor=").await;
    let text = body_text(c).await;
    assert!(text.contains("group.created") && !text.contains("invitation.created"), "{text}");
    check.check(c, "audit-log-filtered").await;
}
