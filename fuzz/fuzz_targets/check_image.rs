//! An uploaded check image: `fundline_checks::image::inspect` reads the
//! header with the default limits and must return Ok or Err, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fundline_checks::image::inspect("front", data, &Default::default());
});
