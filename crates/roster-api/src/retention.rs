//! The retention worker: erases what removed members leave behind in their
//! organization once `retention.removed_member_days` have passed.

use crate::settings::RetentionSettings;
use roster_domain::SystemClock;
use roster_domain::services::privacy::erase_lapsed_memberships;
use roster_store::Store;
use std::time::Duration;

/// One sweep; how many memberships it erased. Blocking.
pub fn sweep(store: &Store, days: u32) -> u64 {
    match erase_lapsed_memberships(store, &SystemClock, days) {
        Ok(n) => {
            if n > 0 {
                tracing::info!(memberships = n, days, "retention: erased the attributes of removed members");
            }
            n
        }
        Err(e) => {
            tracing::error!(error = %e, "retention: sweep failed");
            0
        }
    }
}

/// Starts the worker on the current Tokio runtime when a retention period is
/// set; it runs until aborted.
pub fn spawn_worker(store: Store, settings: &RetentionSettings) -> Option<tokio::task::JoinHandle<()>> {
    let days = settings.removed_member_days?;
    let every = Duration::from_secs(settings.sweep_interval_s.max(1));
    Some(tokio::spawn(async move {
        loop {
            let store = store.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || sweep(&store, days)).await {
                tracing::error!(error = %e, "retention: sweep panicked");
            }
            tokio::time::sleep(every).await;
        }
    }))
}
