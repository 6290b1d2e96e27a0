//! Money amounts as written by banks: "$1,234.56", "(12.00)", "-12,00",
//! "+ 10.00", "1.234,56", "11'373.94", "380115," (MT940). Always Decimal.

use rust_decimal::Decimal;

/// Which character separates the fraction. CSV parsing infers this once per
/// column so that "1,234" means the same thing on every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalMark {
    /// Decide per value: with both marks the last one is the decimal mark; a
    /// lone comma is a decimal comma (the OFX reading of "10,50").
    Auto,
    Dot,
    Comma,
}

/// Parse an amount; `None` when the text is not a number (never a guess).
pub(crate) fn parse_amount(raw: &str, mark: DecimalMark) -> Option<Decimal> {
    let mut negative = false;
    let mut s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\'' | '\u{2019}' | '\u{a0}' | '\u{202f}'))
        .collect();

    if s.len() >= 2 && s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s.get(1..s.len() - 1)?.to_string();
    }
    // Credit/debit suffixes as printed on card statements.
    for (suffix, neg) in [("CR", false), ("DR", true), ("Cr", false), ("Dr", true)] {
        if let Some(rest) = s.strip_suffix(suffix) {
            negative ^= neg;
            s = rest.to_string();
            break;
        }
    }
    let s = strip_currency(&s);
    let mut body = s.as_str();
    let mut signs = 0;
    loop {
        if let Some(rest) = body.strip_prefix('-') {
            negative = !negative;
            signs += 1;
            body = strip_currency_str(rest);
        } else if let Some(rest) = body.strip_prefix('+') {
            signs += 1;
            body = strip_currency_str(rest);
        } else if let Some(rest) = body.strip_suffix('-') {
            negative = !negative;
            signs += 1;
            body = rest;
        } else if let Some(rest) = body.strip_suffix('+') {
            signs += 1;
            body = rest;
        } else {
            break;
        }
        if signs > 1 {
            return None;
        }
    }
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    if !body.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let normalised = normalise_marks(body, mark)?;
    let mut text = normalised;
    if text.ends_with('.') {
        text.pop();
    }
    if text.starts_with('.') {
        text.insert(0, '0');
    }
    let value = Decimal::from_str_exact(&text).ok()?;
    Some(if negative { -value } else { value })
}

fn normalise_marks(body: &str, mark: DecimalMark) -> Option<String> {
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let decimal = match mark {
        DecimalMark::Dot => Some('.'),
        DecimalMark::Comma => Some(','),
        DecimalMark::Auto => match (dots, commas) {
            (0, 0) => None,
            (_, 0) if dots == 1 => Some('.'),
            (0, _) if commas == 1 => Some(','),
            // Several of one mark and none of the other: grouping only.
            (_, 0) | (0, _) => None,
            _ => {
                let last_dot = body.rfind('.')?;
                let last_comma = body.rfind(',')?;
                Some(if last_dot > last_comma { '.' } else { ',' })
            }
        },
    };
    let mut out = String::with_capacity(body.len());
    let mut seen_decimal = false;
    let mut after_group = false;
    let mut segment = 0usize;
    for c in body.chars() {
        if c.is_ascii_digit() {
            out.push(c);
            segment += 1;
            continue;
        }
        let is_decimal = Some(c) == decimal;
        // Thousands groups are exactly three digits: anything else ("12..34",
        // "1.2") is garbled, and reading it as a number would invent a value.
        if after_group && segment != 3 {
            return None;
        }
        if segment == 0 && !is_decimal {
            return None;
        }
        if is_decimal {
            if seen_decimal {
                return None;
            }
            seen_decimal = true;
            after_group = false;
            out.push('.');
        } else {
            if seen_decimal {
                return None;
            }
            after_group = true;
        }
        segment = 0;
    }
    if after_group && segment != 3 {
        return None;
    }
    Some(out)
}

const CURRENCY_SYMBOLS: &[char] = &[
    '$', '\u{20ac}', '\u{a3}', '\u{a5}', '\u{20b9}', '\u{20a9}', '\u{20bd}', '\u{20ba}', '\u{20aa}',
];

fn strip_currency(s: &str) -> String {
    strip_currency_str(s).to_string()
}

/// Drop a currency symbol or a three-letter ISO code on either side.
fn strip_currency_str(s: &str) -> &str {
    let mut s = s.trim_matches(|c| CURRENCY_SYMBOLS.contains(&c));
    // "R$", "US$", "C$" leave letters behind the symbol.
    for prefix_len in [3usize, 2, 1] {
        if s.len() > prefix_len {
            if let Some(prefix) = s.get(..prefix_len) {
                if prefix.chars().all(|c| c.is_ascii_uppercase()) {
                    let rest = s.get(prefix_len..).unwrap_or_default();
                    if rest.starts_with(|c: char| {
                        c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | ',' | '$')
                    }) {
                        s = rest.trim_start_matches('$');
                        break;
                    }
                }
            }
        }
    }
    if s.len() > 3 {
        if let Some(suffix) = s.get(s.len() - 3..) {
            if suffix.chars().all(|c| c.is_ascii_uppercase()) {
                s = s.get(..s.len() - 3).unwrap_or_default();
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Option<Decimal> {
        Some(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn formats() {
        use DecimalMark::{Auto, Comma, Dot};
        let cases = [
            ("$1,234.56", Auto, "1234.56"),
            ("(12.00)", Auto, "-12.00"),
            ("-12,00", Auto, "-12.00"),
            ("+ 10.00", Auto, "10.00"),
            ("1.234,56", Auto, "1234.56"),
            ("11'373.94", Auto, "11373.94"),
            ("380115,", Auto, "380115"),
            ("-$5.00", Auto, "-5.00"),
            ("$-5.00", Auto, "-5.00"),
            ("12.50-", Auto, "-12.50"),
            ("EUR 3,50", Auto, "3.50"),
            ("R$ 3,50", Auto, "3.50"),
            ("1,000,000", Auto, "1000000"),
            ("1,000", Dot, "1000"),
            ("1.000", Comma, "1000"),
            (".5", Auto, "0.5"),
        ];
        for (text, mark, want) in cases {
            assert_eq!(parse_amount(text, mark), d(want), "{text:?} {mark:?}");
        }
    }

    #[test]
    fn rejects() {
        let a = DecimalMark::Auto;
        for bad in [
            "",
            "-",
            "abc",
            "12..34",
            "1.2.3,4,5",
            "--5",
            "$",
            "1e5",
            "NaN",
            "99999999999999999999999999999999",
        ] {
            assert_eq!(parse_amount(bad, a), None, "{bad}");
        }
    }
}
