//! CSV with a caller-supplied mapping: the mapping comes from the first
//! line of the input, the file from the rest.

#![no_main]

use fundline_statements::{parse_csv_with, CsvMapping};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    let mut parts = head.split('|');
    let mut next = || parts.next().map(str::to_string);
    let mapping = CsvMapping {
        date: next().unwrap_or_default(),
        amount: next(),
        debit: next(),
        credit: next(),
        description: next().unwrap_or_default(),
        date_format: next(),
        delimiter: next().and_then(|s| s.chars().next()),
        negate: head.len() % 2 == 0,
    };
    let _ = parse_csv_with(body.as_bytes(), &mapping);
});
