//! What the console answers for requests no page asked for: a sign-in's
//! `next` that is not a plain path, a query value that is not text, a
//! method a page does not take. Always a page, never a 500 or a problem.

use crate::client::Browser;
use crate::support::{apps, unique_email};

#[tokio::test]
async fn a_sign_in_next_with_a_control_character_or_space_goes_home() {
    for app in apps().await {
        let mut b = Browser::new(&app);
        let email = unique_email("next");
        b.create_account("Nia", &email).await;
        for next in ["/\n/evil.com", "/\r\nX-Injected: 1", "/\u{b}/evil.com", "/\t/evil.com", "/ /evil.com"] {
            let mut other = Browser::new(&app);
            let form = [("email", email.as_str()), ("password", crate::support::PASSWORD), ("next", next)];
            let page = other.submit("/sign-in", "/sign-in", &form).await;
            page.assert(303);
            assert_eq!(page.location(), "/", "next {next:?}");
            assert!(!page.headers.contains_key("x-injected"));
        }
        // The sign-in page drops such a `next` from its form too.
        let page = b.get("/sign-in?next=%2F%09%2Fevil.com").await;
        assert!(!page.body.contains("evil.com"), "{}", page.body);
    }
}

#[tokio::test]
async fn a_query_value_that_is_not_text_gets_a_page_in_the_console_and_a_problem_in_the_api() {
    for app in apps().await {
        let (mut coach, _) = Browser::head_coach(&app).await;
        for path in ["/athletes?q=%00", "/athletes?q=%ff", "/audit?action=%00", "/sign-in?next=%0d%0a"] {
            let page = coach.get(path).await;
            page.assert(400);
            assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
            assert!(page.body.contains("<h1"), "{path}: {}", page.body);
        }
        let api = coach.get("/api/v1/organizations?q=%00").await;
        api.assert(400);
        assert_eq!(api.headers["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn a_method_a_page_does_not_take_gets_a_page() {
    for app in apps().await {
        let (mut coach, _) = Browser::head_coach(&app).await;
        for path in ["/athletes/bulk", "/sign-out"] {
            let page = coach.get(path).await;
            page.assert(405);
            assert!(page.headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
            assert_eq!(page.headers["allow"], "POST", "{path}");
        }
    }
}
