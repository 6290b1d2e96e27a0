//! Per-credential rate limits: a token bucket per credential and node
//! (`rate` requests a second on average, bursts up to `burst`). Each product
//! answers 429 in its own envelope with `Retry-After`. Node-local by design:
//! with N nodes behind a balancer a credential gets up to N × the rate,
//! which the operator accounts for when setting it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

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

/// Tokens are counted in millionths, so refills need no floating point.
const SCALE: u64 = 1_000_000;

#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (u64, Instant)>>,
}

impl RateLimiter {
    /// Takes one request for `key`; `Err(seconds)` says when to come back.
    pub fn check(&self, limit: RateLimit, key: &str) -> Result<(), u64> {
        if limit.per_second == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let capacity = u64::from(limit.burst.max(1)) * SCALE;
        let Ok(mut map) = self.buckets.lock() else {
            return Ok(());
        };
        // Keep the map bounded: forget idle credentials now and then.
        if map.len() > 100_000 {
            map.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 60);
        }
        let entry = map.entry(key.to_string()).or_insert((capacity, now));
        let elapsed = now.duration_since(entry.1).as_micros() as u64;
        let refill = elapsed.saturating_mul(u64::from(limit.per_second));
        entry.0 = (entry.0.saturating_add(refill)).min(capacity);
        entry.1 = now;
        if entry.0 >= SCALE {
            entry.0 -= SCALE;
            Ok(())
        } else {
            let missing = SCALE - entry.0;
            let per_sec = u64::from(limit.per_second) * SCALE / 1_000_000;
            Err((missing / per_sec.max(1) / 1_000_000).max(1))
        }
    }
}

impl RateLimiter {
    /// Takes one request for `key` from a bucket that refills at
    /// `per_minute` requests a minute and holds up to `burst`, for limits
    /// slower than one a second (the customer link); 0 turns it off.
    /// `Err(seconds)` says when to come back.
    pub fn check_per_minute(&self, key: &str, per_minute: u32, burst: u32) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let capacity = u64::from(burst.max(1)) * SCALE;
        let Ok(mut map) = self.buckets.lock() else {
            return Ok(());
        };
        if map.len() > 100_000 {
            map.retain(|_, (_, at)| now.duration_since(*at).as_secs() < 600);
        }
        let entry = map.entry(key.to_string()).or_insert((capacity, now));
        // SCALE units per token and 60e6 microseconds per minute: a
        // microsecond refills per_minute / 60 units.
        let elapsed = now.duration_since(entry.1).as_micros() as u64;
        let refill = elapsed.saturating_mul(u64::from(per_minute)) / 60;
        if refill > 0 {
            entry.0 = entry.0.saturating_add(refill).min(capacity);
            entry.1 = now;
        }
        if entry.0 >= SCALE {
            entry.0 -= SCALE;
            Ok(())
        } else {
            let missing = SCALE - entry.0;
            // missing units at per_minute/60 units a microsecond.
            let micros = missing.saturating_mul(60) / u64::from(per_minute);
            Err(micros.div_ceil(1_000_000).max(1))
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
