//! Builds the application from settings and returns the bound server.

use crate::auth::{Argon2Hasher, TokenKeys};
use crate::client_addr::{ClientKeyExtractor, TrustedProxies};
use crate::error::{ApiError, PROBLEM_JSON, json_error, path_error, query_error};
use crate::routes::{accounts, athlete, audit, coaches, groups, invitations, members, ops, organizations, plans};
use crate::settings::Settings;
use crate::state::AppState;
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{Governor, GovernorConfig, GovernorConfigBuilder};
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Condition, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{App, HttpServer, ResponseError, web};
use actix_web_prom::PrometheusMetricsBuilder;
use anyhow::Context;
use rand::RngCore;
use roster_domain::SystemClock;
use roster_store::Store;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tracing_actix_web::TracingLogger;
use utoipa_swagger_ui::SwaggerUi;

/// A server bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    store: Store,
    mail_worker: Option<tokio::task::JoinHandle<()>>,
    webhook_worker: Option<tokio::task::JoinHandle<()>>,
    retention_worker: Option<tokio::task::JoinHandle<()>>,
    status_refresher: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("port", &self.port).finish_non_exhaustive()
    }
}

/// The per-client-address rate limit of the public endpoints (login, signup,
/// invitation preview and accept), off when `rate_limit.enabled = false`.
/// Keyed by the client address resolved through `server.trusted_proxies`.
#[derive(Clone)]
pub struct RateLimit {
    enabled: bool,
    config: GovernorConfig<ClientKeyExtractor, NoOpMiddleware>,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit").field("enabled", &self.enabled).finish_non_exhaustive()
    }
}

impl RateLimit {
    fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let limits = &settings.rate_limit;
        let config = GovernorConfigBuilder::default()
            .key_extractor(ClientKeyExtractor)
            .period(Duration::from_millis(60_000 / u64::from(limits.per_minute)))
            .burst_size(limits.burst)
            .finish()
            .context("rate_limit: per_minute and burst must be positive")?;
        Ok(Self { enabled: limits.enabled, config })
    }

    /// The middleware to wrap a public resource in.
    pub fn middleware(&self) -> Condition<Governor<ClientKeyExtractor, NoOpMiddleware>> {
        Condition::new(self.enabled, Governor::new(&self.config))
    }
}

impl Application {
    /// Opens and migrates the store, binds the listener and builds the app.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let url = settings.database_url()?;
        let pool_size = settings.database.pool_size.unwrap_or_else(|| url.default_pool_size());
        // A database that is down at start is not fatal: the server answers
        // 503 (and /readyz not ready) until it comes up, then migrates it.
        let store = Store::open_deferred(&url, pool_size, settings.database.connect_timeout()).context("database")?;
        let secret = jwt_secret_for(&settings)?;
        let store = store
            .with_mail_key(crate::mail::mail_key(&secret))
            .with_webhook_key(crate::webhooks::webhook_key_for(&settings)?);
        let listener = TcpListener::bind(settings.server.bind)
            .with_context(|| format!("server.bind: cannot listen on {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            store: store.clone(),
            clock: SystemClock,
            hasher: Argon2Hasher::new().map_err(|e| anyhow::anyhow!("argon2: {e}"))?,
            tokens: TokenKeys::new(&secret, settings.auth.token_ttl_s),
            links: crate::routes::invitations::links_for(&secret),
            settings: Arc::new(settings.clone()),
            insights: crate::insights_llm::ConfiguredInsights::from_settings(&settings.insights),
            key_limiter: crate::auth::KeyLimiter::from_settings(&settings.rate_limit),
        });
        let prometheus = PrometheusMetricsBuilder::new("roster")
            .endpoint("/metrics")
            .mask_unmatched_patterns("UNMATCHED")
            .build()
            .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
        let console = console_for(&state, &settings);
        let rate_limit = RateLimit::from_settings(&settings)?;
        let trusted_proxies = Arc::new(TrustedProxies::from_settings(&settings.server)?);
        let openapi = crate::openapi::document();

        let mut server = HttpServer::new(move || {
            let limit = || rate_limit.middleware();
            App::new()
                .wrap(ErrorHandlers::new().default_handler(as_problem))
                .wrap_fn(crate::conventions::guard)
                .wrap_fn(echo_request_id)
                .wrap(prometheus.clone())
                .wrap(TracingLogger::default())
                .wrap_fn({
                    let trusted = trusted_proxies.clone();
                    move |mut req, srv| {
                        trusted.mark(&mut req);
                        actix_web::dev::Service::call(srv, req)
                    }
                })
                .app_data(state.clone())
                .app_data(web::JsonConfig::default().limit(1 << 20).error_handler(json_error))
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .service(web::resource("/healthz").route(web::get().to(ops::healthz)))
                .service(web::resource("/readyz").route(web::get().to(ops::readyz)))
                .service(web::resource("/docs").route(web::get().to(crate::conventions::docs_redirect)))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", openapi.clone()))
                .service(
                    web::scope("/api/v1")
                        .service(web::resource("/auth/signup").wrap(limit()).route(web::post().to(accounts::signup)))
                        .service(web::resource("/auth/login").wrap(limit()).route(web::post().to(accounts::login)))
                        .service(web::resource("/auth/me").route(web::get().to(accounts::me)))
                        .service(web::resource("/organizations").route(web::post().to(organizations::create)))
                        .service(
                            web::resource("/organizations/{org_id}")
                                .route(web::get().to(organizations::get))
                                .route(web::patch().to(organizations::patch))
                                .route(web::delete().to(crate::routes::privacy::close_organization)),
                        )
                        .service(
                            web::resource("/organizations/{org_id}/coaches")
                                .route(web::get().to(coaches::list))
                                .route(web::post().to(coaches::add)),
                        )
                        .service(
                            web::resource("/organizations/{org_id}/coaches/{user_id}")
                                .route(web::delete().to(coaches::remove)),
                        )
                        .service(
                            web::resource("/organizations/{org_id}/head-coach")
                                .route(web::post().to(coaches::transfer)),
                        )
                        .service(
                            web::resource("/organizations/{org_id}/user-lookup").route(web::get().to(coaches::lookup)),
                        )
                        .service(
                            web::resource("/organizations/{org_id}/audit-events").route(web::get().to(audit::list)),
                        )
                        .configure(crate::routes::roster_csv::configure)
                        .configure(|cfg| members::configure(cfg, &rate_limit))
                        .configure(|cfg| invitations::configure(cfg, &rate_limit))
                        .configure(|cfg| groups::configure(cfg, &rate_limit))
                        .configure(|cfg| plans::configure(cfg, &rate_limit))
                        .configure(|cfg| athlete::configure(cfg, &rate_limit))
                        .configure(|cfg| crate::routes::profile::configure(cfg, &rate_limit))
                        .configure(crate::routes::calendar::configure)
                        .configure(crate::routes::webhooks::configure)
                        .configure(crate::routes::attention::configure)
                        .configure(crate::routes::api_keys::configure)
                        .configure(|cfg| crate::routes::sessions::configure(cfg, &rate_limit))
                        .configure(|cfg| crate::routes::privacy::configure(cfg, &rate_limit)),
                )
                .configure(|cfg| invitations::configure_root(cfg, &rate_limit))
                .configure(crate::routes::sessions::configure_root)
                .configure(|cfg| roster_console::configure(cfg, console.clone(), |page| page.wrap(limit())))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_s)
        .listen(listener)?;
        // One HTTP worker per two cores: a request's own work (the use case)
        // runs on the blocking threads, as many as pooled connections (one per
        // core), so the workers only parse and serialize; a second worker per
        // two cores only contended for them and idled larger
        // (docs/performance.md).
        let workers = settings
            .server
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |cores| (usize::from(cores) / 2).max(1)));
        // Blocking work (diesel, Argon2) runs on each worker's blocking pool. More
        // threads than pooled connections only queue on the pool, and every extra
        // thread keeps its own malloc arena holding Argon2's 19 MiB buffer: under
        // login load the default (512 / workers) grew the server past 3 GiB.
        let blocking_threads = usize::try_from(pool_size).unwrap_or(usize::MAX).div_ceil(workers).max(2);
        server = server.workers(workers).worker_max_blocking_threads(blocking_threads);
        // The outbox worker needs a Tokio runtime (the server has one; a bare build in a unit test may not).
        let (mail_worker, webhook_worker, retention_worker) = match tokio::runtime::Handle::try_current() {
            Ok(_) => (
                Some(crate::mail::spawn_worker(store.clone(), &settings.mail)?),
                Some(crate::webhooks::spawn_worker(store.clone(), &settings.webhooks)?),
                crate::retention::spawn_worker(store.clone(), &settings.retention),
            ),
            Err(_) => (None, None, None),
        };
        let status_refresher = match (tokio::runtime::Handle::try_current(), settings.attention.refresh_interval_s) {
            (Ok(_), 1..) => Some(crate::refresher::spawn(
                store.clone(),
                settings.attention_thresholds(),
                Duration::from_secs(settings.attention.refresh_interval_s),
            )),
            _ => None,
        };
        Ok(Self { port, server: server.run(), store, mail_worker, webhook_worker, retention_worker, status_refresher })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The store the server uses.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A handle that stops the server (its workers, and with them the
    /// connection pool) from elsewhere, e.g. when an embedding test ends.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped; SIGTERM and SIGINT drain in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        for worker in
            [self.mail_worker, self.webhook_worker, self.retention_worker, self.status_refresher].into_iter().flatten()
        {
            worker.abort();
        }
        result
    }
}

/// The console's state: the API's store, hasher and settings.
fn console_for(state: &web::Data<AppState>, settings: &Settings) -> web::Data<roster_console::Console> {
    let seconds = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 4));
    web::Data::new(roster_console::Console {
        store: state.store.clone(),
        clock: SystemClock,
        hasher: Arc::new(state.hasher.clone()),
        links: state.links.clone(),
        insights: Arc::new(crate::insights_llm::ConfiguredInsights::from_settings(&settings.insights)),
        config: roster_console::ConsoleConfig {
            public_base_url: settings.public_base_url.clone(),
            session_ttl: seconds(settings.auth.refresh_ttl_s),
            password_reset_ttl: seconds(settings.auth.password_reset_ttl_s),
            attention: settings.attention.thresholds(),
        },
        logins: Arc::new(crate::throttle::ConsoleLogins(state.clone())),
        webhooks: roster_console::WebhookSupport {
            new_secret: crate::webhooks::new_secret,
            check_address: {
                let allowed =
                    crate::webhooks::AllowedNetworks::parse(&settings.webhooks.allow_networks).unwrap_or_default();
                Box::new(move |url| allowed.check_url(url).map_err(|refused| refused.0))
            },
        },
    })
}

/// The HS256 secret: from settings, else generated once and kept in the data folder.
pub fn jwt_secret_for(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.auth.jwt_secret {
        return Ok(secret.as_bytes().to_vec());
    }
    let path = settings.data_dir().join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &secret).with_context(|| format!("auth.jwt_secret: cannot keep it in {}", path.display()))?;
    Ok(secret.into_bytes())
}

pub(crate) fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
        f.write_all(contents.as_bytes())
    }
    #[cfg(not(unix))]
    std::fs::write(path, contents)
}

/// Answers with the request id every log line of this request carries, so a
/// client's report can be matched to the server's logs.
fn echo_request_id<S, B>(
    req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<S, B>
where
    S: actix_web::dev::Service<actix_web::dev::ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    use actix_web::HttpMessage;
    let id = req.extensions().get::<tracing_actix_web::RequestId>().map(|id| id.to_string());
    let fut = srv.call(req);
    async move {
        let mut res = fut.await?;
        if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
            res.headers_mut().insert(header::HeaderName::from_static("x-request-id"), value);
        }
        Ok(res)
    }
}

/// Turns every error response that is not already problem+json (actix's own
/// 404 and 405, the rate limiter's 429, ...) into one.
fn as_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let status = res.status();
    let retry_after =
        res.headers().get(header::RETRY_AFTER).or_else(|| res.headers().get("x-ratelimit-after")).cloned();
    let is_page =
        res.response().headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    // A person in the console stopped by the rate limit gets a page (a page
    // that said why itself, such as Sign in's failed-login wait, stays).
    if status == StatusCode::TOO_MANY_REQUESTS && crate::conventions::wants_page(res.request()) && !is_page {
        let mut page = roster_console::too_many_requests_page();
        if let Some(value) = retry_after {
            page.headers_mut().insert(header::RETRY_AFTER, value);
        }
        let (req, _) = res.into_parts();
        return Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, page).map_into_right_body()));
    }
    // Problem bodies, and pages made for people (the join page's 404), are kept as they are.
    let is_problem = is_page || res.response().headers().get(header::CONTENT_TYPE).is_some_and(|v| v == PROBLEM_JSON);
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    // A browser asking for a page outside the API gets the console's 404
    // page, and its 405 page for a method the page does not take.
    if status == StatusCode::NOT_FOUND && crate::conventions::wants_page(res.request()) {
        let (req, _) = res.into_parts();
        let page = roster_console::not_found_page();
        return Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, page).map_into_right_body()));
    }
    if status == StatusCode::METHOD_NOT_ALLOWED && crate::conventions::wants_page(res.request()) {
        let (req, _) = res.into_parts();
        let mut page = roster_console::refusal_page(status, "This page does not take that kind of request.");
        page.headers_mut().insert(header::ALLOW, crate::conventions::allow_header(&req));
        return Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, page).map_into_right_body()));
    }
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => ("not_found", "No such resource."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "This resource does not support that method."),
        StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Too many requests; retry after the time in Retry-After."),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Wrong content type."),
        s if s.is_server_error() => ("internal", "The server failed; the error was logged."),
        _ => ("bad_request", "The request is malformed."),
    };
    let (req, _) = res.into_parts();
    let mut response = ApiError::new(status, code, detail).error_response();
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.headers_mut().insert(header::ALLOW, crate::conventions::allow_header(&req));
    }
    if status == StatusCode::TOO_MANY_REQUESTS && !response.headers().contains_key(header::RETRY_AFTER) {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, response).map_into_right_body()))
}
