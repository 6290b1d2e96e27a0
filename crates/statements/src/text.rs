//! Turning bytes into text. Statement files arrive in whatever charset the
//! bank's export used, frequently mislabelled, so the rule is: a BOM wins;
//! then bytes that are valid UTF-8 are UTF-8 (legacy single-byte text with
//! accents is almost never valid UTF-8 by accident, while banks that declare
//! CHARSET:1252 and send UTF-8 are common); otherwise the declared single-byte
//! charset, defaulting to Windows-1252. encoding_rs maps the ISO-8859-1 label
//! to Windows-1252 too, which is a superset for every printable byte, so the
//! Latin-1 fallback never fails and never drops a byte.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Decode `bytes`; `declared` is a charset label found in the file (OFX
/// header CHARSET/ENCODING, XML declaration), used only when the bytes are
/// not UTF-8.
pub(crate) fn decode<'a>(bytes: &'a [u8], declared: Option<&str>) -> Cow<'a, str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, _) = encoding.decode_without_bom_handling(rest);
        return text;
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return text;
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let encoding = declared
        .and_then(single_byte_encoding)
        .unwrap_or(WINDOWS_1252);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    text
}

/// Map a charset label from a file to an encoding, accepting the spellings
/// seen in OFX headers ("1252", "8859-1", "ISO-8859-1", "NONE").
fn single_byte_encoding(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    let upper = label.to_ascii_uppercase();
    let normalised = match upper.as_str() {
        "1252" | "CP1252" | "NONE" | "" | "USASCII" | "US-ASCII" => "windows-1252",
        "8859-1" | "ISO8859-1" | "LATIN1" | "LATIN-1" => "iso-8859-1",
        "8859-15" | "ISO8859-15" => "iso-8859-15",
        _ => label,
    };
    let encoding = Encoding::for_label(normalised.as_bytes())?;
    // UTF-8 was already tried; UTF-16 labels on 8-bit data would garble it.
    if encoding == UTF_8 || encoding == UTF_16LE || encoding == UTF_16BE {
        None
    } else {
        Some(encoding)
    }
}

/// UTF-16 without a BOM shows up as every other byte being NUL in the
/// ASCII-heavy start of a statement file.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..bytes.len().min(64))?;
    if head.len() < 8 {
        return None;
    }
    let even_nuls = head.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_nuls = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let half = head.len() / 2;
    if odd_nuls * 10 >= half * 9 && even_nuls == 0 {
        Some(UTF_16LE)
    } else if even_nuls * 10 >= half * 9 && odd_nuls == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// `s` with each run of white space (line breaks included) as one space,
/// and none at either end: how a bank's wrapped name or memo reads.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 1-based line number of byte offset `pos` in `text`.
pub(crate) fn line_of(text: &str, pos: usize) -> usize {
    let end = pos.min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_wins_over_declared_1252() {
        assert_eq!(decode("caf\u{e9}".as_bytes(), Some("1252")), "caf\u{e9}");
    }

    #[test]
    fn latin1_fallback() {
        assert_eq!(decode(b"caf\xe9", None), "caf\u{e9}");
        assert_eq!(decode(b"\xa6", Some("1252")), "\u{a6}");
    }

    #[test]
    fn boms() {
        assert_eq!(decode(b"\xef\xbb\xbfabc", None), "abc");
        assert_eq!(decode(b"\xff\xfea\0b\0", None), "ab");
    }

    #[test]
    fn lines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
