//! Outgoing e-mail: the transports (`file`, `smtp`, `log`) and the outbox
//! worker that delivers what the store queued, with retries and exponential
//! backoff. Several servers may run workers on one PostgreSQL database: the
//! store hands each due message to one worker only.

use crate::settings::{MailSettings, MailTransport};
use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use roster_domain::invitation::OutboxMessage;
use roster_domain::{Clock, SystemClock};
use roster_store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a claimed message stays with one worker before another may retry it.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// The longest wait between two attempts.
const MAX_BACKOFF_MS: u64 = 3_600_000;
/// Messages claimed per round.
const BATCH: i64 = 20;

/// The key that seals outbox bodies at rest, derived from the token secret
/// (every server of one deployment shares it; the database does not hold it).
pub fn mail_key(secret: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"roster/outbox-seal/v1\0");
    hasher.update(secret);
    hasher.finalize().into()
}

/// A way to deliver one message. Blocking; the worker calls it off the async runtime.
pub trait Transport: Send + Sync {
    /// Delivers `message`, or says why not (kept as the outbox row's last error).
    fn send(&self, message: &OutboxMessage) -> Result<(), String>;
}

/// Builds the MIME message: a plain-text and an HTML alternative.
pub fn mime_message(from: &Mailbox, message: &OutboxMessage) -> Result<lettre::Message, String> {
    let to: Mailbox = message.to.parse().map_err(|e| format!("recipient `{}`: {e}", message.to))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!("<{}@roster>", message.message_id)))
        .date(message.created_at.into())
        .multipart(MultiPart::alternative_plain_html(message.text.clone(), message.html.clone()))
        .map_err(|e| format!("building the message: {e}"))
}

/// One `.eml` file per message under a folder.
#[derive(Debug)]
pub struct FileTransport {
    dir: PathBuf,
    from: Mailbox,
}

impl Transport for FileTransport {
    fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        let mime = mime_message(&self.from, message)?;
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("creating {}: {e}", self.dir.display()))?;
        let name = format!("{}-{}.eml", message.created_at.format("%Y%m%dT%H%M%S"), message.message_id);
        let tmp = self.dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, mime.formatted()).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        // A reader of the folder never sees half a message.
        std::fs::rename(&tmp, self.dir.join(&name)).map_err(|e| format!("renaming {}: {e}", tmp.display()))
    }
}

/// An SMTP server through lettre.
pub struct SmtpTransport {
    inner: lettre::SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport").finish_non_exhaustive()
    }
}

impl Transport for SmtpTransport {
    fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        let mime = mime_message(&self.from, message)?;
        lettre::Transport::send(&self.inner, &mime).map(|_| ()).map_err(|e| format!("smtp: {e}"))
    }
}

/// The log only (for development without a mail folder).
#[derive(Debug)]
pub struct LogTransport;

impl Transport for LogTransport {
    fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        tracing::info!(to = %message.to, subject = %message.subject, text = %message.text, "e-mail (log transport)");
        Ok(())
    }
}

/// The transport the settings ask for.
pub fn transport_from(settings: &MailSettings) -> anyhow::Result<Arc<dyn Transport>> {
    let from: Mailbox = settings.from.parse().with_context(|| format!("mail.from: `{}`", settings.from))?;
    Ok(match settings.transport {
        MailTransport::File => Arc::new(FileTransport { dir: settings.dir.clone(), from }),
        MailTransport::Log => Arc::new(LogTransport),
        MailTransport::Smtp => {
            let smtp = &settings.smtp;
            let host = smtp.host.as_deref().context("mail.smtp.host: required when mail.transport = smtp")?;
            let tls = smtp.tls.as_deref().unwrap_or("starttls");
            let (builder, default_port) = match tls {
                "none" => (lettre::SmtpTransport::builder_dangerous(host), 25),
                "tls" => (lettre::SmtpTransport::relay(host).context("mail.smtp.host")?, 465),
                _ => (lettre::SmtpTransport::starttls_relay(host).context("mail.smtp.host")?, 587),
            };
            let mut builder = builder.port(smtp.port.unwrap_or(default_port)).timeout(Some(Duration::from_secs(20)));
            if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            Arc::new(SmtpTransport { inner: builder.build(), from })
        }
    })
}

/// Retry timing.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before giving up.
    pub max_attempts: u32,
    /// First delay; doubles each attempt.
    pub base_ms: u64,
}

impl RetryPolicy {
    /// When to try again after attempt number `attempts` failed, or `None` to give up.
    ///
    /// ```
    /// use roster_api::mail::RetryPolicy;
    /// let p = RetryPolicy { max_attempts: 3, base_ms: 1000 };
    /// assert_eq!(p.delay(1), Some(std::time::Duration::from_secs(1)));
    /// assert_eq!(p.delay(2), Some(std::time::Duration::from_secs(2)));
    /// assert_eq!(p.delay(3), None);
    /// ```
    pub fn delay(&self, attempts: i32) -> Option<Duration> {
        let attempts = u32::try_from(attempts).unwrap_or(0);
        if attempts >= self.max_attempts {
            return None;
        }
        let factor = 1u64 << attempts.saturating_sub(1).min(30);
        Some(Duration::from_millis(self.base_ms.saturating_mul(factor).min(MAX_BACKOFF_MS)))
    }
}

/// One round: claims the due messages and delivers them. Returns how many
/// were delivered. Blocking (store and transport): call it off the runtime.
pub fn deliver_due(store: &Store, transport: &dyn Transport, policy: RetryPolicy) -> usize {
    let clock = SystemClock;
    let claimed = match store.claim_outbox(clock.now(), LEASE, BATCH) {
        Ok(claimed) => claimed,
        Err(e) => {
            tracing::error!(error = %e, "outbox: cannot claim messages");
            return 0;
        }
    };
    let mut delivered = 0;
    for work in claimed {
        let id = work.message.message_id;
        let result = match transport.send(&work.message) {
            Ok(()) => {
                delivered += 1;
                store.outbox_delivered(id, clock.now())
            }
            Err(error) => {
                let now = clock.now();
                let retry_at =
                    policy.delay(work.attempts).and_then(|d| chrono::Duration::from_std(d).ok()).map(|d| now + d);
                tracing::warn!(message_id = %id, attempts = work.attempts, gave_up = retry_at.is_none(), %error, "outbox: delivery failed");
                store.outbox_failed(id, &error, retry_at, now)
            }
        };
        if let Err(e) = result {
            tracing::error!(message_id = %id, error = %e, "outbox: cannot record the delivery");
        }
    }
    delivered
}

/// Starts the outbox worker on the current Tokio runtime; it runs until aborted.
pub fn spawn_worker(store: Store, settings: &MailSettings) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let transport = transport_from(settings)?;
    let policy = RetryPolicy { max_attempts: settings.max_attempts, base_ms: settings.retry_base_ms };
    let every = Duration::from_millis(settings.poll_interval_ms);
    Ok(tokio::spawn(async move {
        loop {
            let (store, transport) = (store.clone(), transport.clone());
            let round = tokio::task::spawn_blocking(move || deliver_due(&store, transport.as_ref(), policy)).await;
            match round {
                // A full batch: more may be waiting.
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox: worker round failed"),
            }
            tokio::time::sleep(every).await;
        }
    }))
}
