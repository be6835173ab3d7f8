//! Time as a port, so rules that depend on "now" are testable.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Mutex;

/// A source of the current time. Times are truncated to microseconds, the
/// precision both stores keep, so a value round-trips unchanged.
pub trait Clock: Send + Sync {
    /// The current instant, truncated to microseconds.
    fn now(&self) -> DateTime<Utc>;
}

/// A reference to a clock is a clock: a use case hands `&cx.clock` (a
/// `&&dyn Clock`) to rules that take `&impl Clock`.
impl<T: Clock + ?Sized> Clock for &T {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that says what it is told; for tests.
///
/// ```
/// use roster_domain::{Clock, FixedClock};
/// let clock = FixedClock::at("2026-11-28T15:04:05Z");
/// assert_eq!(clock.now().to_rfc3339(), "2026-11-28T15:04:05+00:00");
/// clock.advance(chrono::Duration::days(1));
/// assert_eq!(clock.now().date_naive().to_string(), "2026-11-29");
/// ```
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    /// A clock stopped at `rfc3339`.
    ///
    /// # Panics
    /// If `rfc3339` is not an RFC 3339 time: this is a test helper.
    #[allow(clippy::expect_used)]
    pub fn at(rfc3339: &str) -> Self {
        let t = DateTime::parse_from_rfc3339(rfc3339).expect("an RFC 3339 time");
        Self(Mutex::new(t.with_timezone(&Utc)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
