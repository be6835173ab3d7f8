//! Requests per API key, on this server, with a map that cannot grow
//! without bound.
//!
//! The limiter counts a key before the database is asked (a flood with one
//! key costs no database work), so any key whose checksum holds gets an
//! entry, live or not. The checksum is public, so anyone can mint millions
//! of well-formed keys: without pruning, every one of them would stay in
//! the map for the life of the process. The map is therefore pruned with
//! governor's `retain_recent` (dropping every entry indistinguishable from
//! a fresh one, i.e. whose requests have all been replenished) whenever it
//! has doubled since the last pruning (at least [`PRUNE_FLOOR`] entries),
//! and at least once every [`PRUNE_EVERY`]. Doubling keeps the cost
//! amortised O(1) per request; what stays is only the keys used within
//! their replenishment window (a single request at 600 a minute: 100 ms).

use actix_governor::governor::clock::{Clock, Reference};
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::governor::{NotUntil, Quota, RateLimiter, state::keyed::HashMapStateStore};
use std::sync::Mutex;
use std::time::Duration;

/// Below this many entries the map is pruned only by time.
pub const PRUNE_FLOOR: usize = 1024;
/// The longest an idle entry survives (plus its replenishment time).
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// A keyed limiter over clock `C` that prunes itself.
pub struct Limiter<C: Clock> {
    limiter: RateLimiter<String, HashMapStateStore<String>, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    /// When the map was last pruned, and how many entries it kept.
    pruned: Mutex<(C::Instant, usize)>,
}

impl<C: Clock + Clone> Limiter<C> {
    /// A limiter allowing `quota` per key.
    pub fn new(quota: Quota, clock: C) -> Self {
        let now = clock.now();
        Self { limiter: RateLimiter::hashmap_with_clock(quota, clock.clone()), clock, pruned: Mutex::new((now, 0)) }
    }

    /// Counts one request with `key`; `Err` when it is past its quota.
    pub fn check(&self, key: &str) -> Result<(), NotUntil<C::Instant>> {
        let outcome = self.limiter.check_key(&key.to_owned());
        self.prune_if_due();
        outcome
    }

    /// How many keys the map holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    fn prune_if_due(&self) {
        // A request that finds another pruning under way skips its turn.
        let Ok(mut pruned) = self.pruned.try_lock() else { return };
        let (at, kept) = *pruned;
        let now = self.clock.now();
        let grown = self.limiter.len() >= PRUNE_FLOOR.max(kept.saturating_mul(2));
        let stale = Duration::from(now.duration_since(at)) >= PRUNE_EVERY;
        if grown || stale {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
            *pruned = (now, self.limiter.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_governor::governor::clock::FakeRelativeClock;
    use std::num::NonZeroU32;

    fn limiter(per_minute: u32) -> (Limiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap());
        (Limiter::new(quota, clock.clone()), clock)
    }

    #[test]
    fn a_flood_of_distinct_keys_keeps_the_map_bounded() {
        // 100 000 well-formed keys, one request each, 1 000 a second: an
        // attacker cycling random key ids. Without pruning, 100 000 entries.
        let (limiter, clock) = limiter(600);
        let mut largest = 0;
        for i in 0..100_000u32 {
            limiter.check(&format!("{i:064x}")).expect("a fresh key is let through");
            clock.advance(Duration::from_millis(1));
            largest = largest.max(limiter.len());
        }
        assert!(largest <= 2 * PRUNE_FLOOR, "the map grew to {largest} entries");
    }

    #[test]
    fn idle_entries_are_dropped_and_busy_ones_keep_their_count() {
        let (limiter, clock) = limiter(3);
        for i in 0..500u32 {
            limiter.check(&format!("idle-{i}")).unwrap();
        }
        for _ in 0..3 {
            limiter.check("busy").unwrap();
        }
        assert_eq!(limiter.len(), 501);
        clock.advance(PRUNE_EVERY + Duration::from_secs(1));
        // "busy" spent its whole burst a minute ago: it is full again, so
        // its entry may go too; a new request with it starts afresh.
        limiter.check("busy").unwrap();
        assert_eq!(limiter.len(), 1, "idle keys are dropped after a minute");
        // The key still in use keeps its count: two more pass, the third is refused.
        limiter.check("busy").unwrap();
        limiter.check("busy").unwrap();
        assert!(limiter.check("busy").is_err());
    }
}
