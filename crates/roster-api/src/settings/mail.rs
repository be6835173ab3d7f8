//! `mail.*`: how e-mail leaves the server.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `mail.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// `file`, `smtp` or `log`.
    pub transport: MailTransport,
    /// Folder for `.eml` files with the `file` transport.
    pub dir: PathBuf,
    /// SMTP server, with the `smtp` transport.
    pub smtp: SmtpSettings,
    /// The sender, e.g. `roster <no-reply@example.com>`.
    #[serde(default = "default_mail_from")]
    pub from: String,
    /// How often the outbox worker looks for due messages, in milliseconds.
    #[serde(default = "default_mail_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Attempts before a message is given up (its last error is kept).
    #[serde(default = "default_mail_max_attempts")]
    pub max_attempts: u32,
    /// First retry delay in milliseconds; it doubles with every attempt (capped at an hour).
    #[serde(default = "default_mail_retry_base_ms")]
    pub retry_base_ms: u64,
}

pub(super) fn default_mail_from() -> String {
    "roster <no-reply@localhost>".into()
}
pub(super) fn default_mail_poll_interval_ms() -> u64 {
    1000
}
pub(super) fn default_mail_max_attempts() -> u32 {
    8
}
pub(super) fn default_mail_retry_base_ms() -> u64 {
    5000
}

/// How e-mail leaves the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// One `.eml` file per message under `mail.dir`.
    File,
    /// An SMTP server.
    Smtp,
    /// The log only.
    Log,
}

/// `mail.smtp.*`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host.
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// `none`, `starttls` or `tls`.
    pub tls: Option<String>,
}
