//! Any input: `fundline_statements::parse` must return Ok or Err, never
//! panic, overflow the stack or hang. The input is parsed once without a
//! file-name hint, then (as the old crates/statements/fuzz `parse` target
//! did) with the first byte picking a hint, so the name-dependent detection
//! paths are fuzzed too; and once more within tiny `Limits`, so the stops
//! at the transaction and element limits are fuzzed.

#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[Option<&str>] = &[
    None,
    Some("statement.ofx"),
    Some("statement.qfx"),
    Some("statement.sta"),
    Some("statement.940"),
    Some("statement.csv"),
    Some("statement.xml"),
];

/// Small enough that fuzzed input reaches the counting paths' stops.
const TINY: fundline_statements::Limits = fundline_statements::Limits {
    max_transactions: 3,
    max_elements: 64,
};

fuzz_target!(|data: &[u8]| {
    let _ = fundline_statements::parse(data, None);
    let _ = fundline_statements::parse_limited(data, None, &TINY);
    if let Some((first, rest)) = data.split_first() {
        let name = NAMES[usize::from(*first) % NAMES.len()];
        let _ = fundline_statements::parse(rest, name);
    }
});
