//! Time as a dependency, so expiry rules are tested without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    fn now_micros(&self) -> i64 {
        self.now().timestamp_micros()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock plus an offset that tests move forward.
#[derive(Default)]
pub struct ShiftedClock {
    offset_micros: AtomicI64,
}

impl ShiftedClock {
    pub fn advance(&self, by: std::time::Duration) {
        self.offset_micros
            .fetch_add(by.as_micros() as i64, Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::microseconds(self.offset_micros.load(Ordering::SeqCst))
    }
}
