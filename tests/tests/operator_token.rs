//! `roster token` prints an access token that works against a running
//! server, in a session of its own that signing the account out everywhere
//! revokes. Runs the real binary on SQLite and, when
//! `ROSTER_TEST_POSTGRES_URL` is set, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use roster_store::testing::TestDb;
use serde_json::json;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "operator-test-secret-operator-test-secret";

fn roster_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("roster");
    assert!(bin.exists(), "{} is missing: run `cargo test --workspace` (it builds the binary)", bin.display());
    bin
}

fn roster(url: &str, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(roster_binary());
    cmd.current_dir(dir)
        .env("ROSTER__DATABASE__URL", url)
        .env("ROSTER__AUTH__JWT_SECRET", SECRET)
        .env("ROSTER__RATE_LIMIT__ENABLED", "false")
        .env("ROSTER__LOG__LEVEL", "warn");
    cmd
}

/// Kills the server when the test ends, passed or not.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn an_operators_token_works_until_the_account_signs_out_everywhere() {
    for db in TestDb::all() {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let _server = Running(
            roster(&db.url, dir.path())
                .arg("serve")
                .env("ROSTER__SERVER__BIND", format!("127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let email = format!("op.{}@example.com", uuid::Uuid::new_v4());
        let body = json!({"email": email, "password": "Secret123", "first_name": "Op"});
        let res = client.post(format!("{base}/api/v1/auth/signup")).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let signup: serde_json::Value = res.json().await.unwrap();
        let own = signup["access_token"].as_str().unwrap().to_owned();

        let out = roster(&db.url, dir.path()).args(["token", "--email", &email]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let operator = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let me = |token: String| client.get(format!("{base}/api/v1/auth/me")).bearer_auth(token).send();
        assert_eq!(me(operator.clone()).await.unwrap().status(), 200);

        let res = client.post(format!("{base}/api/v1/auth/logout-all")).bearer_auth(&own).send().await.unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(me(operator).await.unwrap().status(), 401);
    }
}
