//! The stored-status refresher: every `attention.refresh_interval_s` it
//! brings the stale stored statuses of every organization up to date (the
//! next local midnight, an activity leaving a load window, a write), so that
//! the roster's `sort=attention` and `sort=compliance`, its
//! `compliance_below` filter and the attention queue page through current
//! keys instead of recomputing an organization on a request.

use roster_domain::attention::AttentionThresholds;
use roster_domain::{Clock, SystemClock};
use roster_store::Store;
use std::time::Duration;

/// Starts the refresher on the current Tokio runtime.
pub fn spawn(store: Store, thresholds: AttentionThresholds, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let (store, thresholds) = (store.clone(), thresholds.clone());
            let round =
                tokio::task::spawn_blocking(move || store.refresh_stale_statuses(SystemClock.now(), &thresholds)).await;
            match round {
                Ok(Ok(0)) => {}
                Ok(Ok(orgs)) => tracing::debug!(orgs, "stored statuses refreshed"),
                // A database outage: the next round tries again.
                Ok(Err(e)) => tracing::warn!(error = %e, "could not refresh stored statuses"),
                Err(e) => tracing::error!(error = %e, "status refresher round failed"),
            }
        }
    })
}
