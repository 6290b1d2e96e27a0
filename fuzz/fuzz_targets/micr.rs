//! A MICR line as text: `fundline_checks::micr::parse` must return Ok or
//! Err, never panic.
//!
//! The checks live in `fundline_fuzz::micr` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::micr::run(data));
