//! Test helpers shared by the workspace's unit tests.

use chrono::NaiveDate;

/// A date that is known to exist: `d(2026, 3, 16)`.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid test date")
}

/// Every string that differs from `good` in exactly one digit at byte
/// `from` or later: check digits must catch each of them.
pub fn single_digit_substitutions(good: &str, from: usize) -> Vec<String> {
    let mut out = Vec::new();
    for pos in from..good.len() {
        for digit in b'0'..=b'9' {
            let mut bytes = good.as_bytes().to_vec();
            if bytes[pos] != digit {
                bytes[pos] = digit;
                out.push(String::from_utf8(bytes).expect("ASCII"));
            }
        }
    }
    out
}
