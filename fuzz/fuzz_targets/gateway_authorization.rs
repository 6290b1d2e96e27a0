//! The gateway's `Authorization: hmac username=…, …` header:
//! `fundline_api::gateway::hmac::parse_authorization` must never panic.
//!
//! The checks live in `fundline_fuzz::gateway_authorization` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::gateway_authorization::run(data));
