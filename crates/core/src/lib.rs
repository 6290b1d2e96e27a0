//! Fundline core value types.
//!
//! Every type here validates on construction so that the rest of the
//! platform can hold a `Pan`, `Ssn` or `Cents` without re-checking it.
//! Everything is pure: no I/O, no clock reads (callers pass `today`), and no
//! panics on any input, because these functions sit directly behind
//! untrusted request data.

pub mod calendar;
pub mod card;
pub mod contact;
pub mod dob;
pub mod iban;
pub mod money;
pub mod routing;
pub mod ssn;

/// Helpers for unit tests, here and in the crates that build on these
/// types (their dev-dependency turns on the `testing` feature).
#[cfg(any(test, feature = "testing"))]
pub mod testing;
