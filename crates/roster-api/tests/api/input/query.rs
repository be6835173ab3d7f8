//! Query values: every route with query parameters refuses a value that is
//! not UTF-8 once percent-decoded (`400 invalid_parameter`) and a value with
//! a control character (`400 invalid_text`), naming the parameter; nothing is
//! decoded lossily.

use crate::support::{TestApp, apps};

async fn get(app: &TestApp, path_and_query: &str, token: &str) -> crate::support::Resp {
    // Sent as is: reqwest must not re-encode the percent escapes.
    let url = reqwest::Url::parse(&format!("{}{path_and_query}", app.base)).unwrap();
    let res = app.client.get(url).bearer_auth(token).send().await.unwrap();
    TestApp::read(res).await
}

#[track_caller]
fn names(res: &crate::support::Resp, status: u16, code: &str, parameter: &str) {
    res.assert_problem(status, code);
    assert_eq!(res.body["errors"][0]["field"], parameter, "{}", res.text);
}

/// Every listing route with query parameters, and a text parameter of each.
fn routes(org_id: &str, athlete_id: &str) -> Vec<(String, &'static str)> {
    let org = format!("/api/v1/organizations/{org_id}");
    let member = format!("{org}/members/{athlete_id}");
    vec![
        (format!("{org}/members"), "q"),
        (format!("{org}/members"), "label"),
        (format!("{org}/members"), "member_level"),
        (format!("{org}/training-plans"), "q"),
        (format!("{org}/audit-events"), "action"),
        (format!("{org}/user-lookup"), "email"),
        (format!("{org}/invitations"), "status"),
        (format!("{org}/groups"), "cursor"),
        (format!("{member}/activities"), "before"),
        (format!("{member}/weekly-distance"), "weeks"),
        (format!("{member}/race-goals"), "cursor"),
    ]
}

#[tokio::test]
async fn a_query_value_that_is_not_utf8_is_400_naming_it() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        for (path, parameter) in routes(&org_id, &athlete.user_id) {
            for bad in ["%FF", "ok%C3", "%C3%28", "%ED%A0%80"] {
                let res = get(&app, &format!("{path}?{parameter}={bad}"), &head.token).await;
                assert_eq!(res.status, 400, "{path}?{parameter}={bad}: {}", res.text);
                names(&res, 400, "invalid_parameter", parameter);
            }
        }
        // A parameter name that is not UTF-8 is refused too.
        let res = get(&app, &format!("/api/v1/organizations/{org_id}/training-plans?%FF=1"), &head.token).await;
        res.assert_problem(400, "invalid_parameter");
        // Good UTF-8, escaped or not, still works.
        let res = get(&app, &format!("/api/v1/organizations/{org_id}/members?q=Jos%C3%A9"), &head.token).await;
        res.assert_status(200);
    }
}

#[tokio::test]
async fn a_query_value_with_a_control_character_is_400_invalid_text() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        for (path, parameter) in routes(&org_id, &athlete.user_id) {
            for bad in ["a%00b", "%0A", "x%7F", "%C2%85", "%09"] {
                let res = get(&app, &format!("{path}?{parameter}={bad}"), &head.token).await;
                assert_eq!(res.status, 400, "{:?} {path}?{parameter}={bad}: {}", app.backend, res.text);
                names(&res, 400, "invalid_text", parameter);
            }
        }
    }
}
