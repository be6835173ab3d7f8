//! The database goes away and comes back: clients get a prompt `503` they
//! may retry, `/readyz` says so at once, and the server recovers by itself.
//!
//! PostgreSQL is not stopped (other tests share it): the server reaches it
//! through a TCP proxy inside the test, which the test cuts (no new
//! connections, every live one closed) and restores.

use crate::support::{Resp, TestApp, spawn_with};
use reqwest::Method;
use roster_store::testing::{Backend, TestDb};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP proxy to PostgreSQL on a fixed local port that can be cut and restored.
struct Proxy {
    addr: SocketAddr,
    upstream: String,
    accept: Option<JoinHandle<()>>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut proxy = Self { addr, upstream, accept: None, links: Arc::default() };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let (upstream, links) = (self.upstream.clone(), self.links.clone());
        self.accept = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                links.lock().unwrap().push(link);
            }
        }));
    }

    /// Refuses new connections and closes every live one.
    async fn cut(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
            let _ = accept.await;
        }
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
        // Let the aborted tasks drop (and so close) their sockets.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// Accepts connections on the same port again.
    async fn restore(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }
}

/// `postgres://user@host:port/db?query` with its `host:port` replaced by `addr`.
fn through(url: &str, addr: SocketAddr) -> (String, String) {
    let scheme_end = url.find("://").unwrap() + 3;
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let upstream = if hostport.contains(':') { hostport.to_owned() } else { format!("{hostport}:5432") };
    let upstream = upstream.replace("localhost", "127.0.0.1");
    (format!("{}{userinfo}{addr}{}", &url[..scheme_end], &rest[authority_end..]), upstream)
}

/// A PostgreSQL app reached through a proxy, or `None` (said on stderr);
/// with `down`, the proxy is cut before the server starts.
async fn app_behind_proxy(down: bool) -> Option<(TestApp, Proxy)> {
    let db = TestDb::postgres()?;
    let (_, upstream) = through(&db.url, "127.0.0.1:1".parse().unwrap());
    let mut proxy = Proxy::start(upstream).await;
    if down {
        proxy.cut().await;
    }
    let (url, _) = through(&db.url, proxy.addr);
    let app = spawn_with(db, |s| {
        s.database.url = url;
        s.database.pool_size = Some(4);
    })
    .await;
    Some((app, proxy))
}

async fn timed(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (Resp, Duration) {
    let started = Instant::now();
    let res = app.call(method, path, token, body).await;
    (res, started.elapsed())
}

#[track_caller]
fn assert_unavailable(res: &Resp, took: Duration, what: &str) {
    res.assert_problem(503, "database_unavailable");
    let retry: u64 = res.header("retry-after").unwrap_or_else(|| panic!("{what}: no Retry-After")).parse().unwrap();
    assert!(retry >= 1, "{what}: Retry-After {retry}");
    assert!(took < Duration::from_secs(2), "{what} took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_answers_503_at_once_and_the_server_recovers_without_restart() {
    let Some((app, mut proxy)) = app_behind_proxy(false).await else { return };
    assert_eq!(app.backend, Backend::Postgres);
    let ada = app.signup("ada").await;
    app.get("/api/v1/auth/me", &ada.token).await.assert_status(200);

    proxy.cut().await;
    // The pooled connections are now dead and no new one can be made; every
    // request, whether it meets a dead connection or waits for a new one, fails fast.
    for round in 0..3 {
        let (res, took) = timed(&app, Method::GET, "/api/v1/auth/me", Some(&ada.token), None).await;
        assert_unavailable(&res, took, &format!("read {round}"));
        let org = json!({"name": format!("Club {round}")});
        let (res, took) = timed(&app, Method::POST, "/api/v1/organizations", Some(&ada.token), Some(org)).await;
        assert_unavailable(&res, took, &format!("write {round}"));
        let (res, took) = timed(&app, Method::GET, "/readyz", None, None).await;
        res.assert_problem(503, "not_ready");
        assert!(took < Duration::from_secs(1), "/readyz took {took:?}");
        app.call(Method::GET, "/healthz", None, None).await.assert_status(200);
    }

    proxy.restore().await;
    wait_ready(&app).await;
    app.get("/api/v1/auth/me", &ada.token).await.assert_status(200);
    app.post("/api/v1/organizations", &ada.token, json!({"name": "Back again"})).await.assert_status(201);
}

async fn wait_ready(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let res = app.call(Method::GET, "/readyz", None, None).await;
        if res.status == 200 {
            return;
        }
        assert!(Instant::now() < deadline, "not ready 10 s after the database came back: {}", res.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A server started while its database is down does not exit (a supervisor
/// would only restart it into the same outage): it answers `503` and
/// `/readyz` not ready, and migrates and serves once the database answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_started_while_postgres_is_down_answers_503_then_migrates_and_serves() {
    let Some((app, mut proxy)) = app_behind_proxy(true).await else { return };
    app.call(Method::GET, "/healthz", None, None).await.assert_status(200);
    let (res, took) = timed(&app, Method::GET, "/readyz", None, None).await;
    res.assert_problem(503, "not_ready");
    assert!(took < Duration::from_secs(1), "/readyz took {took:?}");
    let body = json!({"email": "early@example.com", "password": "Secret123", "first_name": "E"});
    let (res, took) = timed(&app, Method::POST, "/api/v1/auth/signup", None, Some(body)).await;
    assert_unavailable(&res, took, "signup");

    proxy.restore().await;
    wait_ready(&app).await;
    let ada = app.signup("ada").await;
    app.get("/api/v1/auth/me", &ada.token).await.assert_status(200);
}

/// Many requests at once during an outage do not queue behind each other's
/// connection waits: each is answered within the same 2 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn during_an_outage_a_burst_of_requests_is_answered_503_within_2_s_each() {
    let Some((app, mut proxy)) = app_behind_proxy(false).await else { return };
    let ada = app.signup("ada").await;
    proxy.cut().await;
    let app = std::sync::Arc::new(app);
    for burst in 0..2 {
        let started = Instant::now();
        let requests: Vec<_> = (0..24)
            .map(|_| {
                let (app, token) = (app.clone(), ada.token.clone());
                tokio::spawn(async move { app.get("/api/v1/auth/me", &token).await })
            })
            .collect();
        for request in requests {
            let res = request.await.unwrap();
            assert_unavailable(&res, started.elapsed(), &format!("burst {burst}"));
        }
    }
    proxy.restore().await;
    wait_ready(&app).await;
    app.get("/api/v1/auth/me", &ada.token).await.assert_status(200);
}

#[test]
fn the_proxy_rewrites_only_host_and_port() {
    let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
    assert_eq!(
        through("postgres://postgres@127.0.0.1:5432/x?sslmode=disable", addr),
        ("postgres://postgres@127.0.0.1:4000/x?sslmode=disable".to_owned(), "127.0.0.1:5432".to_owned())
    );
    assert_eq!(
        through("postgresql://localhost/x", addr),
        ("postgresql://127.0.0.1:4000/x".to_owned(), "127.0.0.1:5432".to_owned())
    );
}
