//! A MICR line as text: `fundline_checks::micr::parse` must return Ok or
//! Err, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fundline_checks::micr::parse(&String::from_utf8_lossy(data));
});
