//! Any input: `parse` must return Ok or Err, never panic, overflow the
//! stack or hang. The first byte picks a file-name hint so that the
//! name-dependent detection paths are fuzzed too.

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

fuzz_target!(|data: &[u8]| {
    let (name, body) = match data.split_first() {
        Some((first, rest)) => (NAMES[usize::from(*first) % NAMES.len()], rest),
        None => (None, data),
    };
    if let Ok(statement) = fundline_statements::parse(body, name) {
        let _ = statement.transaction_count();
    }
});
