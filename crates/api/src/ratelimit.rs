//! Per-credential rate limits: a token bucket per credential and node
//! (`rate` requests a second on average, bursts up to `burst`). Each product
//! answers 429 in its own envelope with `Retry-After`. Node-local by design:
//! with N nodes behind a balancer a credential gets up to N × the rate,
//! which the operator accounts for when setting it.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Sustained requests per second per credential; 0 turns limits off.
    pub per_second: u32,
    /// Requests allowed at once before the rate applies.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 1_000,
            burst: 2_000,
        }
    }
}

/// Past this many tracked keys in one quota's limiter, a check forgets the
/// idle ones at once instead of waiting for housekeeping.
const PRUNE_ABOVE: usize = 100_000;

/// The least time between two such inline sweeps. A flood of distinct keys
/// that are all still recent survives a sweep; without this, every request
/// of the flood would walk the whole map again.
const INLINE_PRUNE_EVERY: Duration = Duration::from_secs(1);

/// One GCRA limiter (a token bucket in effect) per distinct quota; there
/// are only a handful (the configured rate, the mailbox's, the customer
/// link's), each keyed by credential.
/// A quota as (time to earn one request, burst): `Quota` itself has no `Hash`.
type QuotaKey = (Duration, u32);

#[derive(Default)]
pub struct RateLimiter {
    by_quota: RwLock<HashMap<QuotaKey, Arc<DefaultKeyedRateLimiter<String>>>>,
    /// When a check last swept a limiter (see [`INLINE_PRUNE_EVERY`]).
    last_inline_prune: std::sync::Mutex<Option<std::time::Instant>>,
}

impl RateLimiter {
    /// Takes one request for `key`; `Err(seconds)` says when to come back.
    pub fn check(&self, limit: RateLimit, key: &str) -> Result<(), u64> {
        let Some(rate) = NonZeroU32::new(limit.per_second) else {
            return Ok(());
        };
        self.take(Quota::per_second(rate), limit.burst, key)
    }

    /// Takes one request for `key` from a bucket that refills at
    /// `per_minute` requests a minute and holds up to `burst`, for limits
    /// slower than one a second (the customer link); 0 turns it off.
    /// `Err(seconds)` says when to come back.
    pub fn check_per_minute(&self, key: &str, per_minute: u32, burst: u32) -> Result<(), u64> {
        let Some(rate) = NonZeroU32::new(per_minute) else {
            return Ok(());
        };
        self.take(Quota::per_minute(rate), burst, key)
    }

    fn take(&self, quota: Quota, burst: u32, key: &str) -> Result<(), u64> {
        let quota = quota.allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        let limiter = self.limiter(quota);
        if limiter.len() > PRUNE_ABOVE && self.inline_prune_due() {
            limiter.retain_recent();
        }
        // The key is copied only for a credential the limiter has not seen.
        limiter.check_key(&key.to_string()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            // Whole seconds for Retry-After, rounded up, never 0.
            wait.as_secs()
                .saturating_add(u64::from(wait.subsec_nanos() > 0))
                .max(1)
        })
    }

    fn limiter(&self, quota: Quota) -> Arc<DefaultKeyedRateLimiter<String>> {
        let key = (quota.replenish_interval(), quota.burst_size().get());
        if let Some(l) = self.by_quota.read().ok().and_then(|m| m.get(&key).cloned()) {
            return l;
        }
        let fresh = Arc::new(DefaultKeyedRateLimiter::keyed(quota));
        match self.by_quota.write() {
            Ok(mut m) => m.entry(key).or_insert(fresh).clone(),
            Err(_) => fresh,
        }
    }

    /// Forgets credentials whose bucket is full again (housekeeping calls
    /// it each round), so memory follows the credentials in use.
    /// Whether this check may sweep: no other check is sweeping and the last
    /// sweep is at least [`INLINE_PRUNE_EVERY`] old.
    fn inline_prune_due(&self) -> bool {
        let Ok(mut last) = self.last_inline_prune.try_lock() else {
            return false;
        };
        let now = std::time::Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < INLINE_PRUNE_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }

    pub(crate) fn retain_recent(&self) {
        let limiters: Vec<_> = match self.by_quota.read() {
            Ok(m) => m.values().cloned().collect(),
            Err(_) => return,
        };
        for l in limiters {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate() {
        let l = RateLimiter::default();
        let limit = RateLimit {
            per_second: 1,
            burst: 3,
        };
        assert!(l.check(limit, "a").is_ok());
        assert!(l.check(limit, "a").is_ok());
        assert!(l.check(limit, "a").is_ok());
        assert_eq!(l.check(limit, "a"), Err(1));
        // Another credential has its own bucket.
        assert!(l.check(limit, "b").is_ok());
        // Per minute: a burst, then one every 60 / rate seconds.
        assert!(l.check_per_minute("m", 6, 2).is_ok());
        assert!(l.check_per_minute("m", 6, 2).is_ok());
        assert_eq!(l.check_per_minute("m", 6, 2), Err(10));
        assert!(l.check_per_minute("n", 6, 2).is_ok());
        // One inline sweep a second at most, however many checks ask.
        assert!(l.inline_prune_due());
        assert!(!l.inline_prune_due());
        assert!(l.check_per_minute("m", 0, 0).is_ok());
        assert!(l
            .check(
                RateLimit {
                    per_second: 0,
                    burst: 0
                },
                "a"
            )
            .is_ok());
    }
}
