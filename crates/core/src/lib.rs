//! Fundline core value types.
//!
//! Every type here validates on construction so that the rest of the
//! platform can hold a `Pan`, `Ssn` or `Cents` without re-checking it.
//! Everything is pure: no I/O, no clock reads (callers pass `today`), and no
//! panics on any input, because these functions sit directly behind
//! untrusted request data.

pub mod calendar;
pub mod card;
pub mod contact;
pub mod dob;
pub mod iban;
pub mod money;
pub mod routing;
pub mod ssn;

#[cfg(test)]
mod test_util {
    /// Every string that differs from `good` in exactly one digit at byte
    /// `from` or later: check digits must catch each of them.
    pub(crate) fn single_digit_substitutions(good: &str, from: usize) -> Vec<String> {
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
}
