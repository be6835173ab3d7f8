//! The delivery worker: fans marked audit events out to deliveries, claims
//! due deliveries (as many at once as `webhooks.concurrency`), posts them
//! signed, and records each attempt with what follows from it.

use super::network::{AddressRefused, AllowedNetworks, GuardedResolver};
use super::signature_header;
use crate::settings::WebhookSettings;
use chrono::{DateTime, Utc};
use rand::Rng;
use roster_domain::webhooks::DeliveryAttempt;
use roster_domain::{Clock, SystemClock};
use roster_store::{AttemptOutcome, FailingLimit, Store, WebhookWork};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Audit events fanned out per round.
const DISPATCH_BATCH: i64 = 500;
/// The answer's first bytes kept with an attempt.
const KEPT_BODY: usize = 4096;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// How often old attempts are forgotten.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// What an answer (or its absence) is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `2xx`.
    Delivered,
    /// A timeout, a connection failure, `5xx` or `429`: retried, after
    /// `Retry-After` when the answer gave one.
    Retry(Option<Duration>),
    /// `410 Gone`: the endpoint is disabled.
    Gone,
    /// Anything else (a redirect, which is not followed; another `4xx`; an
    /// address that may not be reached): not retried.
    Final,
}

/// Classifies an answer's status.
pub fn classify(status: u16, retry_after: Option<Duration>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        410 => Outcome::Gone,
        429 => Outcome::Retry(retry_after),
        500..=599 => Outcome::Retry(retry_after),
        _ => Outcome::Final,
    }
}

/// The wait before the next attempt after attempt number `attempts` failed
/// (`Retry-After` wins when given), or `None` when the schedule is used up.
/// Scheduled waits are jittered by up to 10 % so that endpoints that fail
/// together do not all come back in the same second.
pub fn retry_delay(schedule: &[u64], attempts: i32, retry_after: Option<Duration>) -> Option<Duration> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    let scheduled = *schedule.get(index)?;
    if let Some(wait) = retry_after {
        return Some(wait.min(MAX_RETRY_AFTER));
    }
    let jitter = 1.0 + rand::thread_rng().gen_range(-0.1..=0.1);
    Some(Duration::from_secs_f64(scheduled as f64 * jitter))
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

fn refused_address(e: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<AddressRefused>() {
            return Some(refused.to_string());
        }
        source = err.source();
    }
    None
}

/// What the worker needs, built once.
#[derive(Debug)]
struct Sender {
    client: reqwest::Client,
    allowed: Arc<AllowedNetworks>,
    schedule: Vec<u64>,
    failing: FailingLimit,
}

impl Sender {
    /// Posts one delivery and says what the attempt was and what follows.
    async fn attempt(&self, work: &WebhookWork) -> (DeliveryAttempt, AttemptOutcome) {
        let started_at = SystemClock.now();
        let started = Instant::now();
        let (outcome, status_code, body, error) = match self.post(work, started_at).await {
            Ok((status, headers, body)) => {
                (classify(status, retry_after(&headers)), Some(i32::from(status)), body, None)
            }
            Err(e) => e,
        };
        let attempt = DeliveryAttempt {
            attempted_at: started_at,
            status_code,
            latency_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            response_body: body,
            error: error.or_else(|| match &outcome {
                Outcome::Final if status_code.is_some_and(|s| (300..400).contains(&s)) => {
                    Some("redirects are not followed".into())
                }
                _ => None,
            }),
        };
        let now = SystemClock.now();
        let stored = match outcome {
            Outcome::Delivered => AttemptOutcome::Delivered,
            Outcome::Gone => AttemptOutcome::Gone,
            Outcome::Final => AttemptOutcome::Failed,
            Outcome::Retry(after) => match retry_delay(&self.schedule, work.attempts, after) {
                Some(wait) => AttemptOutcome::RetryAt(now + chrono::Duration::from_std(wait).unwrap_or_default()),
                None => AttemptOutcome::Failed,
            },
        };
        (attempt, stored)
    }

    #[allow(clippy::type_complexity)]
    async fn post(
        &self,
        work: &WebhookWork,
        at: DateTime<Utc>,
    ) -> Result<(u16, reqwest::header::HeaderMap, String), (Outcome, Option<i32>, String, Option<String>)> {
        let final_error = |e: String| (Outcome::Final, None, String::new(), Some(e));
        self.allowed.check_url(&work.url).map_err(|e| final_error(e.to_string()))?;
        let (id, timestamp) = (work.delivery_id.to_string(), at.timestamp());
        let request = self
            .client
            .post(&work.url)
            .header("content-type", "application/json")
            .header("user-agent", concat!("roster-webhooks/", env!("CARGO_PKG_VERSION")))
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature_header(&work.secrets, &id, timestamp, &work.payload))
            .body(work.payload.clone());
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                if let Some(refused) = refused_address(&e) {
                    return Err(final_error(refused));
                }
                let what = if e.is_timeout() { "timeout" } else { "connection failed" };
                return Err((Outcome::Retry(None), None, String::new(), Some(format!("{what}: {e}"))));
            }
        };
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        let mut kept: Vec<u8> = Vec::new();
        // Only the first 4 KiB are read; a timeout while reading keeps what came.
        while kept.len() < KEPT_BODY {
            match response.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk[..chunk.len().min(KEPT_BODY - kept.len())]),
                _ => break,
            }
        }
        Ok((status, headers, String::from_utf8_lossy(&kept).into_owned()))
    }
}

/// How long a claimed delivery stays with one server: well past its
/// timeout, so that a live server's attempt is never repeated, yet a dead
/// server's claim comes back soon.
fn lease(settings: &WebhookSettings) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(settings.timeout_s).unwrap_or(15) * 2 + 5)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

/// Starts the worker on the current Tokio runtime; it runs until aborted.
pub fn spawn_worker(store: Store, settings: &WebhookSettings) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let allowed = Arc::new(AllowedNetworks::parse(&settings.allow_networks)?);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(settings.timeout_s))
        .dns_resolver(Arc::new(GuardedResolver(allowed.clone())))
        .build()?;
    let failing = FailingLimit(chrono::Duration::hours(i64::try_from(settings.disable_after_failing_h)?));
    let sender = Arc::new(Sender { client, allowed, schedule: settings.retry_schedule_s.clone(), failing });
    let (every, lease) = (Duration::from_millis(settings.poll_interval_ms), lease(settings));
    let retention = chrono::Duration::days(i64::from(settings.log_retention_days));
    let slots = Arc::new(Semaphore::new(settings.concurrency as usize));
    // Attempts are recorded one at a time: the requests' pooled connections
    // (and SQLite's one writer) are not the worker's to take, however many
    // deliveries are in flight.
    let recording = Arc::new(Semaphore::new(1));
    Ok(tokio::spawn(async move {
        let mut purged: Option<Instant> = None;
        loop {
            let s = store.clone();
            let fanned = blocking(move || s.dispatch_webhook_events(SystemClock.now(), DISPATCH_BATCH)).await;
            let fanned = match fanned {
                Some(Ok(n)) => n,
                Some(Err(e)) => {
                    tracing::error!(error = %e, "webhooks: cannot fan events out");
                    0
                }
                None => 0,
            };
            let free = slots.available_permits();
            let mut claimed = 0;
            if free > 0 {
                let s = store.clone();
                let limit = i64::try_from(free).unwrap_or(1);
                match blocking(move || s.claim_webhook_deliveries(SystemClock.now(), lease, limit)).await {
                    Some(Ok(work)) => {
                        claimed = work.len();
                        for work in work {
                            let Ok(permit) = slots.clone().acquire_owned().await else { return };
                            let (store, sender, recording) = (store.clone(), sender.clone(), recording.clone());
                            tokio::spawn(async move {
                                let (attempt, outcome) = sender.attempt(&work).await;
                                let failing = sender.failing;
                                let Ok(_turn) = recording.acquire().await else { return };
                                let recorded =
                                    blocking(move || store.record_webhook_attempt(&work, &attempt, outcome, failing))
                                        .await;
                                if let Some(Err(e)) = recorded {
                                    tracing::error!(error = %e, "webhooks: cannot record an attempt");
                                }
                                drop(permit);
                            });
                        }
                    }
                    Some(Err(e)) => tracing::error!(error = %e, "webhooks: cannot claim deliveries"),
                    None => {}
                }
            }
            if purged.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                purged = Some(Instant::now());
                let s = store.clone();
                if let Some(Err(e)) = blocking(move || s.purge_webhook_log(SystemClock.now() - retention)).await {
                    tracing::warn!(error = %e, "webhooks: cannot forget old attempts");
                }
            }
            // A full round: more may be waiting.
            let busy = fanned as i64 >= DISPATCH_BATCH || (free > 0 && claimed >= free);
            if !busy {
                tokio::time::sleep(every).await;
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified_as_the_issue_says() {
        assert_eq!(classify(204, None), Outcome::Delivered);
        assert_eq!(classify(410, None), Outcome::Gone);
        assert_eq!(classify(503, None), Outcome::Retry(None));
        assert_eq!(classify(429, Some(Duration::from_secs(7))), Outcome::Retry(Some(Duration::from_secs(7))));
        assert_eq!(classify(301, None), Outcome::Final);
        assert_eq!(classify(404, None), Outcome::Final);
    }

    #[test]
    fn retries_follow_the_schedule_with_jitter_then_stop() {
        let schedule = [5, 300];
        let first = retry_delay(&schedule, 1, None).unwrap().as_secs_f64();
        assert!((4.5..=5.5).contains(&first), "{first}");
        let second = retry_delay(&schedule, 2, None).unwrap().as_secs_f64();
        assert!((270.0..=330.0).contains(&second), "{second}");
        assert_eq!(retry_delay(&schedule, 3, None), None);
    }

    #[test]
    fn retry_after_wins_over_the_schedule_but_not_past_it() {
        assert_eq!(retry_delay(&[5], 1, Some(Duration::from_secs(60))), Some(Duration::from_secs(60)));
        assert_eq!(retry_delay(&[5], 2, Some(Duration::from_secs(60))), None);
    }
}
