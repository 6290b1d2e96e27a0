//! The gateway's `Authorization: hmac username=…, …` header:
//! `fundline_api::gateway::hmac::parse_authorization` must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fundline_api::gateway::hmac::parse_authorization(&String::from_utf8_lossy(data));
});
