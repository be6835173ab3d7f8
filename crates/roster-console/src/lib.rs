//! # roster-console
//!
//! The coach console: server-rendered HTML pages over the same
//! `roster-domain` use cases as the API, served by the `roster` binary at
//! `/`. Handlers parse a form or a query, run one use case on the blocking
//! pool and render a compiled template (askama); every action is a plain
//! form post answered with a redirect. No rule lives here: what a member
//! may see or change is the domain's to say (`policy`, the use cases).
//!
//! Sessions are the API's sessions: signing in starts one, whose secret
//! travels in an HttpOnly, SameSite=Lax cookie; every state-changing request
//! carries a per-session CSRF token in a hidden field (see [`session`]).

pub mod assets;
mod chart;
mod error;
mod form;
mod pages;
pub mod session;
mod view;

pub use error::{PageError, not_found_page, refusal_page, too_many_requests_page};

use actix_web::HttpRequest;
use actix_web::web;
use roster_domain::attention::AttentionThresholds;
use roster_domain::insights::InsightProvider;
use roster_domain::policy::Caller;
use roster_domain::ports::PasswordHasher;
use roster_domain::values::Password;
use roster_domain::{Context, DomainError, RepoError, SystemClock};
use roster_store::Store;
use std::sync::Arc;

/// What the console's handlers get: the store and clock the API uses, the
/// API's password hasher and insight provider, and a few settings.
pub struct Console {
    /// Persistence.
    pub store: Store,
    /// Time.
    pub clock: SystemClock,
    /// The API's password hasher.
    pub hasher: Arc<dyn PasswordHasher + Send + Sync>,
    /// The API's invitation links (the key from the server secret).
    pub links: roster_domain::invitation::KeyedLinks,
    /// The insight provider in force.
    pub insights: Arc<dyn InsightProvider>,
    /// Settings.
    pub config: ConsoleConfig,
    /// The API's webhook secrets and address rule.
    pub webhooks: WebhookSupport,
    /// The API's slowdown of failed logins, for **Sign in**.
    pub logins: Arc<dyn LoginThrottle>,
}

/// The failed-login slowdown of the API's `POST /auth/login`, which owns
/// its counters and settings (`rate_limit.login_*`): **Sign in** counts and
/// waits with it, so guessing a password through the console is slowed
/// exactly as through the API.
pub trait LoginThrottle: Send + Sync {
    /// Seconds the attempt at `email` from the request's client must wait
    /// (then it is neither checked nor counted), or `None`.
    fn wait(&self, req: &HttpRequest, email: &str) -> ThrottleFuture<Result<Option<i64>, String>>;
    /// Counts how the attempt ended: signed in, or wrong credentials.
    fn record(&self, req: &HttpRequest, email: &str, signed_in: bool) -> ThrottleFuture<()>;
}

/// What a [`LoginThrottle`] answers with.
pub type ThrottleFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

/// What the webhook pages borrow from the API, which owns the delivery
/// worker: the same secret format and the same refusal of internal
/// addresses (`webhooks.allow_networks`), so the console cannot drift from
/// the routes.
pub struct WebhookSupport {
    /// A new endpoint secret (`whsec_…`), to show once.
    pub new_secret: fn() -> String,
    /// Refuses a URL whose host is an address the server may not reach,
    /// naming the address.
    pub check_address: AddressCheck,
}

/// `Err(address)` when a URL's host is an address the server may not reach.
pub type AddressCheck = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

impl std::fmt::Debug for WebhookSupport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSupport").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").field("config", &self.config).finish_non_exhaustive()
    }
}

/// The settings the console reads.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    /// Where the server is reached (links in e-mails; `https` makes the cookie `Secure`).
    pub public_base_url: String,
    /// How long a console session lasts (the API's refresh token lifetime).
    pub session_ttl: chrono::Duration,
    /// How long a password reset link works.
    pub password_reset_ttl: chrono::Duration,
    /// The attention thresholds.
    pub attention: AttentionThresholds,
}

impl ConsoleConfig {
    /// Whether the session cookie is `Secure`.
    pub fn secure_cookie(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }
}

/// The use cases take `&impl PasswordHasher`; this lends them the shared one.
struct Hasher<'a>(&'a (dyn PasswordHasher + Send + Sync));

impl PasswordHasher for Hasher<'_> {
    fn hash(&self, password: &Password) -> Result<String, RepoError> {
        self.0.hash(password)
    }

    fn verify(&self, password: &str, hash: Option<String>) -> bool {
        self.0.verify(password, hash)
    }
}

impl Console {
    /// A use case's context: the console's store and clock, for `caller`.
    pub fn cx(&self, caller: impl Into<Caller>) -> Context<'_, Store> {
        Context::new(&self.store, caller).with_clock(&self.clock)
    }

    fn hasher(&self) -> Hasher<'_> {
        Hasher(&*self.hasher)
    }
}

/// Runs a blocking use case on the thread pool, on one pooled connection.
async fn run<T, F>(console: &web::Data<Console>, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&Console) -> Result<T, DomainError> + Send + 'static,
{
    let console = console.clone().into_inner();
    web::block(move || console.store.pinned(|| f(&console)))
        .await
        .map_err(PageError::internal)?
        .map_err(PageError::from)
}

/// How the console reads forms: one that cannot be read (a field missing
/// or mangled, or too long) is a page too.
fn form_config() -> web::FormConfig {
    web::FormConfig::default().error_handler(|e, _| {
        tracing::debug!(error = %e, "unreadable console form");
        PageError::Page(
            actix_web::http::StatusCode::BAD_REQUEST,
            "This form could not be read",
            "Go back, reload the page and send the form again.".into(),
        )
        .into()
    })
}

/// Registers the console's pages at the root. `limited` wraps the pages
/// whose forms take a password or send mail (sign in, create account,
/// forgot password, export, delete account) in the server's per-address
/// rate limit, as the API's own such endpoints are.
pub fn configure<F, R>(cfg: &mut web::ServiceConfig, console: web::Data<Console>, limited: F)
where
    F: Fn(actix_web::Resource) -> R,
    R: actix_web::dev::HttpServiceFactory + 'static,
{
    cfg.app_data(console)
        .app_data(form_config())
        .configure(assets::configure)
        .configure(|cfg| pages::configure(cfg, limited));
}
