//! Any input: `fundline_statements::parse` must return Ok or Err, never
//! panic, overflow the stack or hang. The input is parsed once without a
//! file-name hint, then (as the old crates/statements/fuzz `parse` target
//! did) with the first byte picking a hint, so the name-dependent detection
//! paths are fuzzed too; and once more within tiny `Limits`, so the stops
//! at the transaction and element limits are fuzzed.
//!
//! The checks live in `fundline_fuzz::statements_parse` (fuzz/src/lib.rs), which the
//! test suite also runs over this target's corpus.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| fundline_fuzz::statements_parse::run(data));
