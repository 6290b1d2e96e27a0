//! Which parser a file goes to. Content decides; the file name only breaks
//! ties for content that fits no format strongly (a bare MT940 fragment, a
//! one-column CSV).
//!
//! Order: OFX/QFX (an OFX header or `<OFX>` element), then CAMT (an ISO 20022
//! `Document`), then MT940 (SWIFT blocks or `:20:`-style field tags at line
//! starts), then CSV (a delimited table). OFX goes first because OFX 2.x is
//! XML too, and MT940 before CSV because `:86:` lines often contain `;`.

use crate::error::ParseError;
use crate::text::decode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ofx,
    Camt,
    Mt940,
    Csv,
}

const HEAD: usize = 8192;

pub(crate) fn sniff(bytes: &[u8], file_name: Option<&str>) -> Result<Kind, ParseError> {
    let head_bytes = bytes.get(..bytes.len().min(HEAD)).unwrap_or(bytes);
    let head = decode(head_bytes, None);
    let trimmed = head.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(ParseError::new(None, "empty file: no statement data"));
    }
    let upper = trimmed.to_ascii_uppercase();
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();

    // JSON (an aggregator export, a test's expected output) is never a
    // statement here, even when it quotes OFX or MT940 text.
    if (upper.starts_with('{')
        && !upper.starts_with("{1:")
        && !upper.starts_with("{2:")
        && !upper.starts_with("{4:"))
        || upper.starts_with('[')
    {
        return Err(ParseError::unrecognised());
    }
    if upper.starts_with("OFXHEADER")
        || (ofx_prologue(&upper) && (upper.contains("<?OFX") || has_ofx_element(&upper)))
        || (matches!(ext.as_str(), "ofx" | "qfx" | "qbo") && upper.contains("<OFX"))
    {
        return Ok(Kind::Ofx);
    }
    if upper.starts_with('<')
        && (upper.contains("<DOCUMENT")
            || upper.contains(":DOCUMENT")
            || upper.contains("BKTOCSTMR"))
    {
        return Ok(Kind::Camt);
    }
    if looks_mt940(
        trimmed,
        matches!(
            ext.as_str(),
            "sta" | "940" | "mt940" | "swi" | "942" | "mt942"
        ),
    ) {
        return Ok(Kind::Mt940);
    }
    // Markup is never CSV, whatever its commas suggest.
    if upper.starts_with('<') {
        return Err(ParseError::unrecognised());
    }
    if looks_csv(trimmed) || matches!(ext.as_str(), "csv" | "tsv") {
        return Ok(Kind::Csv);
    }
    Err(ParseError::unrecognised())
}

/// Only OFX header lines ("DATA:OFXSGML", "ENCODING:UTF-8") may come before
/// the first tag of an OFX file; prose quoting OFX (documentation) fails this.
fn ofx_prologue(upper: &str) -> bool {
    let before = upper
        .find('<')
        .map_or(upper, |i| upper.get(..i).unwrap_or_default());
    before
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|l| {
            l.split_once(':').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
}

fn has_ofx_element(upper: &str) -> bool {
    let mut from = 0;
    while let Some(i) = upper.get(from..).and_then(|s| s.find("<OFX")) {
        let at = from + i;
        if matches!(
            upper.as_bytes().get(at + 4),
            Some(b'>') | Some(b' ') | Some(b'\r') | Some(b'\n') | Some(b'\t')
        ) {
            return true;
        }
        from = at + 4;
    }
    false
}

/// A SWIFT field tag at the start of a line: `:20:`, `:28C:`, `:60F:`.
pub(crate) fn swift_tag(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = rest.get(..end)?;
    let b = tag.as_bytes();
    let ok = match b {
        // "NS" is the non-SWIFT field some banks add.
        [b'N', b'S'] => true,
        [a, c] => a.is_ascii_digit() && c.is_ascii_digit(),
        [a, c, l] => a.is_ascii_digit() && c.is_ascii_digit() && l.is_ascii_alphabetic(),
        _ => false,
    };
    ok.then_some(tag)
}

fn looks_mt940(text: &str, name_hint: bool) -> bool {
    // Split on CR too: old Mac exports end lines with a bare CR.
    let first = text
        .split(['\n', '\r'])
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    if first.starts_with("{1:") || first.starts_with("{2:") || first.starts_with("{4:") {
        return true;
    }
    let tags: Vec<&str> = text
        .split(['\n', '\r'])
        .take(400)
        .filter_map(|l| swift_tag(l.trim_start()))
        .collect();
    let core = tags
        .iter()
        .filter(|t| {
            matches!(
                **t,
                "20" | "25"
                    | "28"
                    | "28C"
                    | "60F"
                    | "60M"
                    | "61"
                    | "62F"
                    | "62M"
                    | "64"
                    | "86"
                    | "13D"
                    | "34F"
            )
        })
        .count();
    if swift_tag(first).is_some() && core > 0 {
        return true;
    }
    // Banks put header lines ("ABNANL2A", "940", "0000 01INGBNL2AXXXX00001")
    // ahead of the first field, so two distinct core fields anywhere will do.
    let mut distinct: Vec<&str> = tags
        .iter()
        .copied()
        .filter(|t| {
            matches!(
                *t,
                "20" | "25" | "28" | "28C" | "60F" | "60M" | "61" | "62F" | "62M" | "64" | "86"
            )
        })
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() >= 2 {
        return true;
    }
    // A fragment such as a lone ":NS:" line is only MT940 if the name says so.
    name_hint && first.starts_with(':') && first.get(1..).is_some_and(|r| r.contains(':'))
}

/// Most of the first lines carry the same, non-zero number of one
/// delimiter. Old Mac exports end lines with a bare CR, so split on it too.
fn looks_csv(text: &str) -> bool {
    let lines: Vec<&str> = text
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    if lines.len() < 2 {
        return false;
    }
    [',', ';', '\t', '|'].iter().any(|d| {
        let mut counts: Vec<usize> = lines.iter().map(|l| l.matches(*d).count()).collect();
        counts.sort_unstable();
        let mut best = 0;
        let mut i = 0;
        while let Some(&c) = counts.get(i) {
            let n = counts.iter().skip(i).take_while(|x| **x == c).count();
            if c > 0 {
                best = best.max(n);
            }
            i += n;
        }
        best * 10 >= lines.len() * 6
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str, name: Option<&str>) -> Option<Kind> {
        sniff(s.as_bytes(), name).ok()
    }

    #[test]
    fn sniffs() {
        assert_eq!(
            kind("OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>", None),
            Some(Kind::Ofx)
        );
        assert_eq!(
            kind("\u{feff}\n\nDATA:OFXSGML\n<OFX>\n", None),
            Some(Kind::Ofx)
        );
        assert_eq!(
            kind(
                "<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\"?><OFX>",
                None
            ),
            Some(Kind::Ofx)
        );
        assert_eq!(
            kind("# Notes\nAn OFX file starts with <OFX> and ...", None),
            None
        );
        assert_eq!(kind("<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">", None), Some(Kind::Camt));
        assert_eq!(
            kind("{1:F01X}{2:O940X}{4:\n:20:A\n", None),
            Some(Kind::Mt940)
        );
        assert_eq!(
            kind("ABNANL2A\n940\n:20:X\n:25:1\n", None),
            Some(Kind::Mt940)
        );
        assert_eq!(
            kind("ABNANL2A\r940\r:20:X\r:25:1\r", None),
            Some(Kind::Mt940)
        );
        assert_eq!(kind(":NS:\n", Some("a.sta")), Some(Kind::Mt940));
        assert_eq!(kind(":NS:\n", None), None);
        assert_eq!(kind("Date,Amount\n1,2\n", None), Some(Kind::Csv));
        assert_eq!(kind("{\"a\": \"<OFX>\"}", None), None);
        assert_eq!(kind("just some words", None), None);
    }
}
