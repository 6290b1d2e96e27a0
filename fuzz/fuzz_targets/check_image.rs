//! An uploaded check image: `fundline_checks::image::inspect` reads the
//! header with the default limits and must return Ok or Err, never panic.
//!
//! The checks live in `fundline_fuzz::check_image` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::check_image::run(data));
