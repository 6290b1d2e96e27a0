//! Connect's `Authorization: GCS v1HMAC:<apiKeyId>:<signature>` header:
//! `fundline_api::connect::hmac::parse_authorization` must never panic.
//!
//! The checks live in `fundline_fuzz::connect_authorization` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::connect_authorization::run(data));
