//! Test fixtures: the real server on port 0 over a fresh database, driven
//! over HTTP. `apps()` gives one per backend (PostgreSQL when
//! `ROSTER_TEST_POSTGRES_URL` is set), so a test reads as its scenario.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use reqwest::Method;
use reqwest::header::HeaderMap;
use roster_api::{Application, Settings};
use roster_domain::entities::{AuditEvent, Membership};
use roster_domain::plans::{AssignmentRepo, PlanAssignment, PlanRepo};
use roster_domain::ports::OrganizationRepo;
use roster_domain::{Clock, OrgId, PlanId, Role, SystemClock, UserId};
use roster_store::Store;
use roster_store::testing::{Backend, TestDb};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "Secret123";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub store: Store,
    server: actix_web::dev::ServerHandle,
    _db: Option<TestDb>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    /// Stops the server before the test's database is dropped: its workers
    /// own the connection pool, which would otherwise go on reconnecting to
    /// the dropped database in background threads until the process exits.
    fn drop(&mut self) {
        // `stop` sends the command at once; the future only waits for it.
        drop(self.server.stop(false));
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "body: {}", self.text);
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string() && self.body["type"].is_string());
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.text);
        &self.body
    }
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user_id: String,
    pub email: String,
}

impl Session {
    pub fn id(&self) -> UserId {
        self.user_id.parse().unwrap()
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique e-mail for this test process.
pub fn unique_email(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}.{n}.{}@example.com", &uuid_suffix()).to_lowercase()
}

fn uuid_suffix() -> String {
    UserId::new().to_string()[24..].to_owned()
}

/// Starts the app on `db` with test settings, changed by `tweak`.
pub async fn spawn_with(db: TestDb, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let (url, backend) = (db.url.clone(), db.backend);
    let mut app = spawn_on(&url, backend, tweak).await;
    app._db = Some(db);
    app
}

/// A second server on the database of another test app (`url`).
pub async fn spawn_on_url(url: &str, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let backend = if url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
    spawn_on(url, backend, tweak).await
}

async fn spawn_on(url: &str, backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.server.bind = "127.0.0.1:0".parse().unwrap();
    settings.database.url = url.to_owned();
    // Webhook receivers in the tests listen on loopback.
    settings.webhooks.allow_networks = vec!["127.0.0.0/8".into()];
    settings.webhooks.secret_key = Some("7e".repeat(32));
    settings.database.pool_size = Some(8);
    settings.auth.jwt_secret = Some(JWT_SECRET.into());
    settings.rate_limit.enabled = false;
    settings.mail.dir = dir.path().join("mail");
    tweak(&mut settings);
    let app = Application::build(settings).expect("the app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let store = app.store().clone();
    let server = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp { base, client: reqwest::Client::new(), backend, store, server, _db: None, _dir: dir }
}

/// One app per available backend.
pub async fn apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in TestDb::all() {
        apps.push(spawn_with(db, |_| {}).await);
    }
    apps
}

impl TestApp {
    /// Where the outbox worker writes e-mails (`mail.transport = "file"`);
    /// the console's browser tests open the links in them.
    #[allow(dead_code)]
    pub fn mail_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("mail")
    }

    /// Sends a request; `body` goes as JSON.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Self::read(req.send().await.expect("the server answers")).await
    }

    pub async fn read(res: reqwest::Response) -> Resp {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up a new account with a unique e-mail.
    pub async fn signup(&self, prefix: &str) -> Session {
        let email = unique_email(prefix);
        let res = self
            .call(
                Method::POST,
                "/api/v1/auth/signup",
                None,
                Some(json!({"email": email, "password": PASSWORD, "first_name": prefix, "last_name": "Tester"})),
            )
            .await;
        let body = res.assert_status(201);
        Session {
            token: body["access_token"].as_str().unwrap().to_owned(),
            user_id: body["user"]["user_id"].as_str().unwrap().to_owned(),
            email,
        }
    }

    /// A new head coach and their new organization's id.
    pub async fn head_coach(&self) -> (Session, String) {
        let head = self.signup("head").await;
        let res = self.post("/api/v1/organizations", &head.token, json!({"name": "Riverside Runners"})).await;
        let org_id = res.assert_status(201)["org_id"].as_str().unwrap().to_owned();
        (head, org_id)
    }

    /// A new account added to `org_id` as an assistant coach.
    pub async fn assistant_coach(&self, head: &Session, org_id: &str) -> Session {
        let coach = self.signup("coach").await;
        self.post(&format!("/api/v1/organizations/{org_id}/coaches"), &head.token, json!({"user_id": coach.user_id}))
            .await
            .assert_status(201);
        coach
    }

    /// A new account made an athlete of `org_id` straight through the store.
    pub async fn athlete(&self, org_id: &str, coach: Option<&Session>) -> Session {
        let athlete = self.signup("athlete").await;
        let org: OrgId = org_id.parse().unwrap();
        let now = SystemClock.now();
        let mut m = Membership::start(org, athlete.id(), Role::Athlete, now);
        m.assigned_to_coach_id = coach.map(Session::id);
        let event = AuditEvent::new(org, athlete.id(), "member.added", Some(athlete.id()), json!({}), now);
        self.store.add_membership(&m, &event).unwrap();
        athlete
    }
}

// Planned versus done: a plan with workouts on given days, and activities
// (the calendar, compliance and attention tests, the API's and the console's).

fn today_utc() -> chrono::NaiveDate {
    SystemClock.now().date_naive()
}

/// Today (UTC) plus `n` days.
pub fn days_from_today(n: i64) -> NaiveDate {
    let t = today_utc();
    if n >= 0 {
        t.checked_add_days(Days::new(n as u64)).unwrap()
    } else {
        t.checked_sub_days(Days::new((-n) as u64)).unwrap()
    }
}

/// A two-week running plan assigned to `athlete` from `start` (straight
/// through the store: the API refuses a start in the past).
pub async fn plan_from(app: &TestApp, head: &Session, org_id: &str, athlete: &Session, start: NaiveDate) -> String {
    let plan = app
        .post(
            &format!("/api/v1/organizations/{org_id}/training-plans"),
            &head.token,
            json!({"name": "Base", "sport": "run", "duration_weeks": 2, "workouts": [
                {"week": 1, "day": 1, "title": "Easy 5k", "distance_m": 5000},
                {"week": 1, "day": 2, "title": "Tempo", "duration_s": 2000},
                {"week": 1, "day": 3, "title": "Long", "distance_m": 10000},
                {"week": 2, "day": 1, "title": "Today", "distance_m": 6000},
                {"week": 2, "day": 2, "title": "Tomorrow", "distance_m": 6000},
            ]}),
        )
        .await;
    let plan_id: PlanId = plan.assert_status(201)["plan_id"].as_str().unwrap().parse().unwrap();
    let org: OrgId = org_id.parse().unwrap();
    let plan = app.store.plan(org, plan_id).unwrap().unwrap();
    let user: UserId = athlete.user_id.parse().unwrap();
    let assignment = PlanAssignment::new(&plan, user, start, head.id(), SystemClock.now());
    let event = roster_domain::entities::AuditEvent::new(
        org,
        head.id(),
        "plan.assigned",
        Some(user),
        json!({}),
        SystemClock.now(),
    );
    app.store.assign(&assignment, &event).unwrap();
    assignment.assignment_id.to_string()
}

pub async fn activity(
    app: &TestApp,
    org_id: &str,
    athlete: &Session,
    sport: &str,
    at: chrono::DateTime<Utc>,
    distance_m: f64,
    duration_s: i64,
) {
    let body =
        json!({"sport": sport, "start_time": at.to_rfc3339(), "distance_m": distance_m, "duration_s": duration_s});
    let path = format!("/api/v1/organizations/{org_id}/members/{}/activities", athlete.user_id);
    app.post(&path, &athlete.token, body).await.assert_status(201);
}

pub fn noon(date: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(12, 0, 0).unwrap())
}

/// Moves every session of the account back in time, as if signed in long
/// ago (the export's fresh sign-in rule).
pub fn age_sessions(app: &TestApp, user_id: &str) {
    use diesel::prelude::*;
    use roster_store::schema::sessions;
    let old = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(10);
    let mut conn = app.store.conn().unwrap();
    diesel::update(sessions::table.filter(sessions::user_id.eq(user_id)))
        .set(sessions::created_at.eq(old))
        .execute(&mut *conn)
        .unwrap();
}
