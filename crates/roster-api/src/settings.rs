//! Typed settings: built-in defaults, then `config/default.toml`, then
//! `config/{ROSTER_ENV}.toml`, then `ROSTER__SECTION__KEY` environment
//! variables. A bad setting stops start-up with one line naming it.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use roster_store::DatabaseUrl;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

mod mail;
mod retention;
mod signals;
mod webhooks;

pub use mail::{MailSettings, MailTransport, SmtpSettings};
use mail::{default_mail_from, default_mail_max_attempts, default_mail_poll_interval_ms, default_mail_retry_base_ms};
pub use retention::RetentionSettings;
pub use signals::{AttentionSettings, InsightsSettings};
pub use webhooks::WebhookSettings;

/// All settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// HTTP server.
    pub server: ServerSettings,
    /// Database.
    pub database: DatabaseSettings,
    /// Base of links in e-mails (`{public_base_url}/join/{token}`).
    pub public_base_url: String,
    /// Tokens.
    pub auth: AuthSettings,
    /// Outgoing mail.
    pub mail: MailSettings,
    /// Rate limits on public endpoints.
    pub rate_limit: RateLimitSettings,
    /// Logging.
    pub log: LogSettings,
    /// Optional language-model insights.
    #[serde(default)]
    pub insights: InsightsSettings,
    /// Attention-signal thresholds.
    #[serde(default)]
    pub attention: AttentionSettings,
    /// The training calendar's coverage bands.
    #[serde(default)]
    pub calendar: roster_domain::calendar::Bands,
    /// Webhook delivery.
    #[serde(default)]
    pub webhooks: WebhookSettings,
    /// How long removed members' organization-only attributes are kept.
    #[serde(default)]
    pub retention: RetentionSettings,
}

/// `server.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// HTTP worker threads (default: one per two cores, at least one).
    pub workers: Option<usize>,
    /// Seconds to let in-flight requests finish on SIGTERM.
    pub shutdown_timeout_s: u64,
    /// Reverse proxies (CIDRs, e.g. `10.0.0.0/8`) whose `forwarded_header`
    /// names the client; from anyone else the header is ignored. A list, or
    /// one comma-separated string (`ROSTER__SERVER__TRUSTED_PROXIES`).
    #[serde(default, deserialize_with = "crate::client_addr::list_or_commas")]
    pub trusted_proxies: Vec<String>,
    /// The header trusted proxies name the client in: `x-forwarded-for` or `forwarded`.
    #[serde(default)]
    pub forwarded_header: crate::client_addr::ForwardedHeader,
}

/// `database.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH`, a plain path, or `postgres://…`.
    pub url: String,
    /// Pool size; default depends on the backend.
    pub pool_size: Option<u32>,
    /// Seconds a request waits for a database connection before it is
    /// answered `503 database_unavailable` (`storage_unavailable` on SQLite).
    #[serde(default = "default_connect_timeout_s")]
    pub connect_timeout_s: u64,
}

fn default_connect_timeout_s() -> u64 {
    1
}

impl DatabaseSettings {
    /// [`DatabaseSettings::connect_timeout_s`] as a duration.
    pub fn connect_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.connect_timeout_s)
    }
}

/// `auth.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// HS256 secret. Generated on first start and kept in the data folder
    /// unless set; must be set when `ROSTER_ENV=production`.
    pub jwt_secret: Option<String>,
    /// Access-token lifetime in seconds: short, since a refresh token gets a
    /// new one (a revoked session's access tokens are refused at once anyway).
    pub token_ttl_s: u64,
    /// Refresh-token lifetime in seconds, renewed by each refresh.
    #[serde(default = "default_refresh_ttl_s")]
    pub refresh_ttl_s: u64,
    /// Password-reset-token lifetime in seconds.
    #[serde(default = "default_password_reset_ttl_s")]
    pub password_reset_ttl_s: u64,
}

fn default_password_reset_ttl_s() -> u64 {
    30 * 60
}

fn default_refresh_ttl_s() -> u64 {
    30 * 24 * 3600
}

/// `rate_limit.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// On by default; off for load tests.
    pub enabled: bool,
    /// Sustained requests per minute per client address.
    pub per_minute: u32,
    /// Requests allowed in a burst.
    pub burst: u32,
    /// `user-lookup` requests per account per minute.
    pub user_lookup_per_minute: u32,
    /// Requests per organization API key per minute (and in a burst), per server.
    pub api_key_per_minute: u32,
    /// Failed logins for one account (from addresses it never signed in from) before it is slowed down.
    pub login_failures_per_account: u32,
    /// Failed logins from one client address (any accounts) before it is slowed down.
    pub login_failures_per_address: u32,
    /// Seconds without failures (after any delay) that clear a run of failures.
    pub login_forget_after_s: u64,
    /// The first delay, in milliseconds; it doubles with every further failure.
    pub login_first_delay_ms: u64,
    /// The longest delay, in seconds.
    pub login_max_delay_s: u64,
    /// Days an address stays known to an account after a successful login from it.
    pub login_known_address_days: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_minute: 60,
            burst: 20,
            user_lookup_per_minute: 30,
            api_key_per_minute: 600,
            login_failures_per_account: 5,
            login_failures_per_address: 20,
            login_forget_after_s: 900,
            login_first_delay_ms: 1000,
            login_max_delay_s: 900,
            login_known_address_days: 90,
        }
    }
}

/// `log.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` or `json` (default: json when `ROSTER_ENV=production`).
    pub format: Option<String>,
    /// A tracing filter such as `info,roster_api=debug` (`RUST_LOG` wins).
    pub level: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            server: ServerSettings {
                bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
                workers: None,
                shutdown_timeout_s: 30,
                trusted_proxies: Vec::new(),
                forwarded_header: crate::client_addr::ForwardedHeader::default(),
            },
            database: DatabaseSettings {
                url: "sqlite://data/roster.db".into(),
                pool_size: None,
                connect_timeout_s: default_connect_timeout_s(),
            },
            public_base_url: "http://127.0.0.1:8080".into(),
            auth: AuthSettings {
                jwt_secret: None,
                token_ttl_s: 900,
                refresh_ttl_s: default_refresh_ttl_s(),
                password_reset_ttl_s: default_password_reset_ttl_s(),
            },
            mail: MailSettings {
                transport: MailTransport::File,
                dir: "data/mail".into(),
                smtp: SmtpSettings::default(),
                from: default_mail_from(),
                poll_interval_ms: default_mail_poll_interval_ms(),
                max_attempts: default_mail_max_attempts(),
                retry_base_ms: default_mail_retry_base_ms(),
            },
            rate_limit: RateLimitSettings::default(),
            log: LogSettings { format: None, level: "info".into() },
            insights: InsightsSettings::default(),
            attention: AttentionSettings::default(),
            calendar: roster_domain::calendar::Bands::default(),
            webhooks: WebhookSettings::default(),
            retention: RetentionSettings::default(),
        }
    }
}

/// A setting that cannot be used; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("bad setting: {0}")]
pub struct SettingsError(pub String);

impl Settings {
    /// The attention thresholds in force, with the calendar's bands (which
    /// decide what compliance counts as completed).
    pub fn attention_thresholds(&self) -> roster_domain::attention::AttentionThresholds {
        roster_domain::attention::AttentionThresholds { bands: self.calendar, ..self.attention.thresholds() }
    }

    /// Loads the layered settings from the current folder and environment.
    pub fn load() -> Result<Self, SettingsError> {
        let env = std::env::var("ROSTER_ENV").ok();
        let mut figment =
            Figment::from(Serialized::defaults(Settings::default())).merge(Toml::file("config/default.toml"));
        if let Some(env) = &env {
            figment = figment.merge(Toml::file(format!("config/{env}.toml")));
        }
        let settings: Settings =
            figment.merge(Env::prefixed("ROSTER__").split("__")).extract().map_err(|e| SettingsError(one_line(&e)))?;
        settings.validate(env.as_deref() == Some("production"))?;
        Ok(settings)
    }

    /// Checks what types alone cannot.
    pub fn validate(&self, production: bool) -> Result<(), SettingsError> {
        DatabaseUrl::parse(&self.database.url).map_err(|e| SettingsError(format!("database.url: {e}")))?;
        if self.database.pool_size == Some(0) {
            return Err(SettingsError("database.pool_size: must be at least 1".into()));
        }
        if !(1..=60).contains(&self.database.connect_timeout_s) {
            return Err(SettingsError("database.connect_timeout_s: must be between 1 and 60".into()));
        }
        if !(self.public_base_url.starts_with("http://") || self.public_base_url.starts_with("https://")) {
            return Err(SettingsError("public_base_url: must start with http:// or https://".into()));
        }
        match &self.auth.jwt_secret {
            Some(s) if s.len() < 32 => {
                return Err(SettingsError("auth.jwt_secret: must be at least 32 characters".into()));
            }
            None if production => {
                return Err(SettingsError("auth.jwt_secret: must be set when ROSTER_ENV=production".into()));
            }
            _ => {}
        }
        if self.auth.token_ttl_s == 0 {
            return Err(SettingsError("auth.token_ttl_s: must be positive".into()));
        }
        if self.auth.refresh_ttl_s == 0 {
            return Err(SettingsError("auth.refresh_ttl_s: must be positive".into()));
        }
        if self.auth.password_reset_ttl_s == 0 {
            return Err(SettingsError("auth.password_reset_ttl_s: must be positive".into()));
        }
        if self.rate_limit.per_minute == 0 || self.rate_limit.burst == 0 {
            return Err(SettingsError("rate_limit: per_minute and burst must be positive".into()));
        }
        crate::throttle::validate(&self.rate_limit)?;
        crate::client_addr::TrustedProxies::from_settings(&self.server)?;
        if self.mail.transport == MailTransport::Smtp && self.mail.smtp.host.is_none() {
            return Err(SettingsError("mail.smtp.host: required when mail.transport = smtp".into()));
        }
        if let Some(f) = &self.log.format
            && f != "json"
            && f != "pretty"
        {
            return Err(SettingsError(format!("log.format: `{f}` is not json or pretty")));
        }
        if let Some(url) = self.insights.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(SettingsError("insights.base_url: must start with http:// or https://".into()));
            }
            if self.insights.model.as_deref().is_none_or(|m| m.trim().is_empty()) {
                return Err(SettingsError("insights.model: required when insights.base_url is set".into()));
            }
        }
        if !(1..=60_000).contains(&self.insights.timeout_ms) {
            return Err(SettingsError("insights.timeout_ms: must be between 1 and 60000".into()));
        }
        self.attention.thresholds().validate().map_err(|e| SettingsError(format!("attention.{e}")))?;
        self.calendar.validate().map_err(|e| SettingsError(format!("calendar.{e}")))?;
        self.webhooks.validate()?;
        if let Some(tls) = &self.mail.smtp.tls
            && !matches!(tls.as_str(), "none" | "starttls" | "tls")
        {
            return Err(SettingsError(format!("mail.smtp.tls: `{tls}` is not none, starttls or tls")));
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(SettingsError(format!("mail.from: `{}` is not an address", self.mail.from)));
        }
        if self.mail.poll_interval_ms == 0 || self.mail.max_attempts == 0 {
            return Err(SettingsError("mail: poll_interval_ms and max_attempts must be positive".into()));
        }
        Ok(())
    }

    /// The parsed database URL.
    pub fn database_url(&self) -> Result<DatabaseUrl, SettingsError> {
        DatabaseUrl::parse(&self.database.url).map_err(|e| SettingsError(format!("database.url: {e}")))
    }

    /// The folder that holds generated state (the SQLite file's folder, else `data`).
    pub fn data_dir(&self) -> PathBuf {
        match self.database_url() {
            Ok(DatabaseUrl::Sqlite(path)) => {
                path.parent().filter(|p| !p.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), PathBuf::from)
            }
            _ => PathBuf::from("data"),
        }
    }
}

/// figment's error on one line, with the setting's dotted name.
fn one_line(e: &figment::Error) -> String {
    let path = e.path.join(".");
    let kind = e.kind.to_string();
    if path.is_empty() { kind } else { format!("{path}: {kind}") }
}

#[cfg(test)]
mod tests;
