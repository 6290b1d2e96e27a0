//! Payout gateway and capture-session request bodies (specs 001 and 002).
//! Any bytes go through every body validator, with the tenant default
//! settings (and a retail tenant that requires the CVV):
//!
//! - `gateway::verify::parse` (`/gateway/verify`, all account types);
//! - `gateway::process::parse_process` (`/gateway/process`) and
//!   `parse_check_cancel` (`/gateway/checkcancel`);
//! - `gateway::search::parse` (`/gateway/search`);
//! - `gateway::sessions::parse` (`/api/v1/sessions/point-in-time/plugin`);
//! - the hosted page's `Submission` (its JSON read), its field checks
//!   (`hosted::read_form`, every destination) and `hosted::recipient_matches`.
//!
//! Besides never panicking, a body must never get a 5xx answer: a parser's
//! `GatewayError::Unavailable` (answered 13503) is treated as a crash, and
//! verify's errors are 13400 or 1042 only.
//!
//! The checks live in `fundline_fuzz::gateway_bodies` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::gateway_bodies::run(data));
