//! What the pool's connections share about their database: whether a
//! storage failure is pending (a SQLite file that could not be written), and
//! whether the last wait for a connection timed out.

use roster_domain::Outage;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What the pool's connections learn about the database they share.
#[derive(Debug)]
pub(crate) struct Health {
    /// What failing to get a connection means on this backend.
    pub(super) outage: Outage,
    /// Bumped by a storage failure: connections opened before it are replaced.
    pub(super) generation: AtomicU64,
    /// A storage failure happened and no write succeeded since.
    faulty: AtomicBool,
    /// That failure, for `/readyz` and the log.
    fault: Mutex<String>,
    /// The last wait for a connection timed out and none was had since.
    pub(super) down: AtomicBool,
}

impl Health {
    pub(super) fn new(outage: Outage) -> Self {
        Self {
            outage,
            generation: AtomicU64::new(0),
            faulty: AtomicBool::new(false),
            fault: Mutex::new(String::new()),
            down: AtomicBool::new(false),
        }
    }

    pub(super) fn storage_failed(&self, cause: String) {
        if let Ok(mut fault) = self.fault.lock() {
            *fault = cause;
        }
        self.faulty.store(true, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// A write went through: the storage works again.
    pub(crate) fn write_succeeded(&self) {
        if self.faulty.load(Ordering::Relaxed) {
            self.faulty.store(false, Ordering::SeqCst);
        }
    }

    /// The storage failure no write has cleared yet.
    pub(crate) fn fault(&self) -> Option<String> {
        if !self.faulty.load(Ordering::SeqCst) {
            return None;
        }
        Some(self.fault.lock().map(|f| f.clone()).unwrap_or_default())
    }
}
