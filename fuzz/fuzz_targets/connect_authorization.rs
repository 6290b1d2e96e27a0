//! Connect's `Authorization: GCS v1HMAC:<apiKeyId>:<signature>` header:
//! `fundline_api::connect::hmac::parse_authorization` must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fundline_api::connect::hmac::parse_authorization(&String::from_utf8_lossy(data));
});
