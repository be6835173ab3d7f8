use crate::support::{TestApp, apps};

async fn get(app: &TestApp, path: &str) -> crate::support::Resp {
    TestApp::read(app.client.get(format!("{}{path}", app.base)).send().await.unwrap()).await
}

#[tokio::test]
async fn health_readiness_metrics_openapi_and_docs() {
    for app in apps().await {
        assert_eq!(get(&app, "/healthz").await.assert_status(200)["status"], "ok");
        assert_eq!(get(&app, "/readyz").await.assert_status(200)["status"], "ready", "{:?}", app.backend);

        let _ = get(&app, "/api/v1/auth/me").await;
        let metrics = get(&app, "/metrics").await;
        assert_eq!(metrics.status, 200);
        assert!(metrics.text.contains("roster_http_requests_total"), "{}", metrics.text);

        let spec = get(&app, "/api/v1/openapi.json").await;
        let spec = spec.assert_status(200);
        assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in
            ["/api/v1/auth/signup", "/api/v1/organizations/{org_id}", "/api/v1/organizations/{org_id}/audit-events"]
        {
            assert!(spec["paths"][path].is_object(), "{path} missing from the OpenAPI document");
        }

        // Every operation that reaches the database documents its outage answer.
        let outage = &spec["paths"]["/api/v1/organizations/{org_id}"]["get"]["responses"]["503"];
        assert_eq!(outage["content"]["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");
        assert!(outage["headers"]["Retry-After"].is_object(), "{outage}");
        assert!(spec["paths"]["/healthz"]["get"]["responses"]["503"].is_null());

        let docs = get(&app, "/docs/").await;
        assert_eq!(docs.status, 200);
        assert!(docs.text.contains("swagger"), "a documentation page");
        // Every asset the page loads is served by the binary itself.
        for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
            assert_eq!(get(&app, asset).await.status, 200, "{asset}");
        }
        assert!(!docs.text.contains("https://"), "no external assets: {}", docs.text);
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    for app in apps().await {
        let a = get(&app, "/healthz").await;
        let b = get(&app, "/nope").await;
        let (a, b) = (a.header("x-request-id").unwrap().to_owned(), b.header("x-request-id").unwrap().to_owned());
        assert!(!a.is_empty() && a != b);
    }
}

/// `roster migrate | head -0`: a reader that stops reading ends the command
/// quietly (it panicked on the failed write before).
#[test]
fn a_closed_output_pipe_ends_a_command_quietly() {
    let dir = std::env::temp_dir().join(format!("roster-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("migrate")
        .current_dir(&dir)
        .env("ROSTER__DATABASE__URL", format!("sqlite://{}/pipe.db", dir.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command writes its line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
