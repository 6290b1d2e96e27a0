//! Tokenising and small string utilities shared by the categoriser and the
//! counterparty normaliser. No regex: memos are split into upper-case
//! alphanumeric tokens once, into reusable buffers.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the keys hashed here are short strings and small integers, for
/// which SipHash's DoS resistance buys nothing and costs several times the
/// time (the engine hashes each transaction's tokens).
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Upper-case alphanumeric tokens of one or more texts, stored in one buffer.
#[derive(Default)]
pub(crate) struct Tokens {
    buf: String,
    spans: Vec<(usize, usize)>,
}

impl Tokens {
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.spans.clear();
    }

    /// Appends the tokens of `s`: runs of alphanumeric characters, upper-cased.
    /// Apostrophes vanish without splitting ("MCDONALD'S" → "MCDONALDS");
    /// every other character separates ("AT&T" → "AT", "T").
    pub(crate) fn push_text(&mut self, s: &str) {
        if s.is_ascii() {
            self.push_ascii(s.as_bytes());
            return;
        }
        let mut start: Option<usize> = None;
        for c in s.chars() {
            if c == '\'' || c == '\u{2019}' {
                continue;
            }
            if c.is_alphanumeric() {
                if start.is_none() {
                    start = Some(self.buf.len());
                }
                if c.is_ascii() {
                    self.buf.push(c.to_ascii_uppercase());
                } else {
                    self.buf.extend(c.to_uppercase());
                }
            } else if let Some(s0) = start.take() {
                self.spans.push((s0, self.buf.len()));
            }
        }
        if let Some(s0) = start {
            self.spans.push((s0, self.buf.len()));
        }
    }

    /// `push_text` for ASCII input: byte by byte, no UTF-8 decoding.
    fn push_ascii(&mut self, s: &[u8]) {
        let mut start: Option<usize> = None;
        for &b in s {
            if b == b'\'' {
                continue;
            }
            if b.is_ascii_alphanumeric() {
                if start.is_none() {
                    start = Some(self.buf.len());
                }
                self.buf.push(char::from(b.to_ascii_uppercase()));
            } else if let Some(s0) = start.take() {
                self.spans.push((s0, self.buf.len()));
            }
        }
        if let Some(s0) = start {
            self.spans.push((s0, self.buf.len()));
        }
    }

    /// An empty token that no phrase matches: keeps a phrase from spanning
    /// the end of the memo and the start of the payee.
    pub(crate) fn push_break(&mut self) {
        self.spans.push((0, 0));
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    pub(crate) fn get(&self, i: usize) -> &str {
        match self.spans.get(i) {
            Some(&(a, b)) => &self.buf[a..b],
            None => "",
        }
    }
}

/// "CREDIT UNION OF RICHMOND" → "Credit Union Of Richmond".
pub(crate) fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_word_start = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if at_word_start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            at_word_start = false;
        } else {
            out.push(c);
            at_word_start = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_and_upper_case() {
        let mut t = Tokens::default();
        t.push_text("McDonald's #123 at&t");
        t.push_break();
        t.push_text("sq *coffee");
        let v: Vec<&str> = (0..t.len()).map(|i| t.get(i)).collect();
        assert_eq!(v, ["MCDONALDS", "123", "AT", "T", "", "SQ", "COFFEE"]);
    }

    #[test]
    fn title_case_words() {
        assert_eq!(
            title_case("CREDIT UNION OF RICHMOND"),
            "Credit Union Of Richmond"
        );
    }
}
