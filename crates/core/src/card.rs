//! Payment card numbers, networks, expiry dates and BINs.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// Luhn (mod 10) check over a string of ASCII digits.
/// `false` for the empty string or any non-digit character.
pub fn luhn_valid(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Reduce mod 10 as we go so arbitrarily long input cannot overflow.
    let sum = b.iter().rev().enumerate().fold(0u32, |acc, (i, c)| {
        let mut v = u32::from(c - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        (acc + v) % 10
    });
    sum == 0
}

/// The digit that makes `body` + digit pass [`luhn_valid`]; `None` when
/// `body` is empty or not all ASCII digits. Builds test and sandbox numbers.
pub fn luhn_check_digit(body: &str) -> Option<u8> {
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (0..=9u8).find(|d| luhn_valid(&format!("{body}{d}")))
}

/// A primary account number: 12 to 19 ASCII digits with a valid Luhn digit.
///
/// Not `Serialize` and not `Display`, and `Debug` prints the masked form,
/// so a PAN cannot leak into logs or JSON by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Pan(String);

impl Pan {
    /// 12 to 19 ASCII digits and a valid Luhn check digit.
    ///
    /// No separators are stripped: callers that accept "4111 1111 ..."
    /// must normalize first, so that what we store is exactly what we
    /// validated.
    pub fn parse(s: &str) -> Result<Pan, PanError> {
        let b = s.as_bytes();
        if !b.iter().all(u8::is_ascii_digit) {
            return Err(PanError::NotDigits);
        }
        if !(12..=19).contains(&b.len()) {
            return Err(PanError::Length);
        }
        if !luhn_valid(s) {
            return Err(PanError::Luhn);
        }
        Ok(Pan(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        // At least 12 ASCII digits by construction.
        &self.0[self.0.len() - 4..]
    }

    /// First `len` digits, with `len` clamped to 6..=8 (the BIN lengths in
    /// use) and to the PAN length.
    pub fn bin(&self, len: usize) -> &str {
        let n = len.clamp(6, 8).min(self.0.len());
        &self.0[..n]
    }

    pub fn network(&self) -> CardNetwork {
        network_of(&self.0)
    }

    /// All but the last 4 digits replaced by '*'.
    pub fn masked(&self) -> String {
        let hidden = self.0.len() - 4;
        let mut out = "*".repeat(hidden);
        out.push_str(self.last4());
        out
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pan({})", self.masked())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardNetwork {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    DinersClub,
    UnionPay,
    Maestro,
    Unknown,
}

impl CardNetwork {
    pub fn name(&self) -> &'static str {
        match self {
            CardNetwork::Visa => "Visa",
            CardNetwork::Mastercard => "Mastercard",
            CardNetwork::Amex => "Amex",
            CardNetwork::Discover => "Discover",
            CardNetwork::Jcb => "JCB",
            CardNetwork::DinersClub => "Diners Club",
            CardNetwork::UnionPay => "UnionPay",
            CardNetwork::Maestro => "Maestro",
            CardNetwork::Unknown => "Unknown",
        }
    }
}

/// Numeric value of the first `n` digits, or `None` if there are fewer.
fn prefix(digits: &str, n: usize) -> Option<u32> {
    let b = digits.as_bytes().get(..n)?;
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn network_of(digits: &str) -> CardNetwork {
    let in_range =
        |n: usize, lo: u32, hi: u32| prefix(digits, n).is_some_and(|p| (lo..=hi).contains(&p));
    // Order matters where ranges nest: the Discover co-brand range
    // 622126-622925 sits inside UnionPay's 62, and Maestro's 6759/6767xx
    // must not be shadowed by anything broader.
    if in_range(1, 4, 4) {
        CardNetwork::Visa
    } else if in_range(2, 51, 55) || in_range(4, 2221, 2720) {
        CardNetwork::Mastercard
    } else if in_range(2, 34, 34) || in_range(2, 37, 37) {
        CardNetwork::Amex
    } else if in_range(4, 6011, 6011)
        || in_range(3, 644, 649)
        || in_range(2, 65, 65)
        || in_range(6, 622126, 622925)
    {
        CardNetwork::Discover
    } else if in_range(4, 3528, 3589) {
        CardNetwork::Jcb
    } else if in_range(2, 36, 36) || in_range(3, 300, 305) || in_range(2, 38, 39) {
        CardNetwork::DinersClub
    } else if in_range(2, 62, 62) {
        CardNetwork::UnionPay
    } else if in_range(2, 50, 50)
        || in_range(2, 56, 58)
        || in_range(4, 6304, 6304)
        || in_range(4, 6759, 6759)
        || in_range(6, 676770, 676770)
        || in_range(6, 676774, 676774)
    {
        CardNetwork::Maestro
    } else {
        CardNetwork::Unknown
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanError {
    #[error("must contain only digits")]
    NotDigits,
    #[error("must be between 12 and 19 digits")]
    Length,
    #[error("fails the Luhn check")]
    Luhn,
}

/// Card expiry month. `year` is the full year, e.g. 2029.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardExpiry {
    pub month: u32,
    pub year: i32,
}

impl CardExpiry {
    /// Exactly four digits MMYY, month 01-12; YY means 20YY.
    pub fn parse_mmyy(s: &str) -> Result<CardExpiry, ExpiryError> {
        let b = s.as_bytes();
        if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
            return Err(ExpiryError::Format);
        }
        let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
        let month = two(0);
        if !(1..=12).contains(&month) {
            return Err(ExpiryError::Month);
        }
        Ok(CardExpiry {
            month,
            year: 2000 + two(2) as i32,
        })
    }

    /// Exactly four digits YYMM, as the payout gateway's wire carries it.
    pub fn parse_yymm(s: &str) -> Result<CardExpiry, ExpiryError> {
        if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ExpiryError::Format);
        }
        CardExpiry::parse_mmyy(&format!("{}{}", &s[2..], &s[..2]))
    }

    /// A card is valid through the last day of its expiry month.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        // Comparing (year, month) avoids building a "last day of month"
        // date, which could fail for a hand-built out-of-range month.
        (today.year(), today.month()) > (self.year, self.month)
    }

    /// `MMYY`. Fields are public, so tolerate out-of-range values rather
    /// than panic: the year is reduced mod 100.
    pub fn to_mmyy(&self) -> String {
        format!("{:02}{:02}", self.month % 100, self.year.rem_euclid(100))
    }

    /// `YYMM`, as the payout gateway's wire carries it (same tolerance).
    pub fn to_yymm(&self) -> String {
        format!("{:02}{:02}", self.year.rem_euclid(100), self.month % 100)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    #[error("must be four digits MMYY")]
    Format,
    #[error("has an invalid month")]
    Month,
}

/// A card security code: 3 or 4 ASCII digits. Checked and dropped: `Debug`
/// never prints it and there is no way to serialize it.
#[derive(Clone, PartialEq, Eq)]
pub struct Cvv(String);

impl Cvv {
    pub fn parse(s: &str) -> Option<Cvv> {
        ((3..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Cvv(s.to_string()))
    }
}

impl fmt::Debug for Cvv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvv(***)")
    }
}

/// Card BINs as partners send them for tokenized cards: 6 to 8 digits.
pub fn valid_bin(s: &str) -> bool {
    let b = s.as_bytes();
    (6..=8).contains(&b.len()) && b.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    fn expiry(month: u32, year: i32) -> Result<CardExpiry, ExpiryError> {
        Ok(CardExpiry { month, year })
    }

    #[test]
    fn luhn_known_values() {
        for (number, valid) in [
            ("4111111111111111", true),
            ("4111111111111112", false),
            ("79927398713", true),
            ("79927398710", false),
            ("0", true),
            ("18", true),
            ("1", false),
        ] {
            assert_eq!(luhn_valid(number), valid, "{number:?}");
        }
    }

    #[test]
    fn luhn_check_digits_complete_a_number() {
        assert_eq!(luhn_check_digit("411111111111111"), Some(1));
        assert_eq!(luhn_check_digit("7992739871"), Some(3));
        assert_eq!(luhn_check_digit(""), None);
        assert_eq!(luhn_check_digit("41a"), None);
        for n in 0..200u32 {
            let body = format!("4556{n:011}");
            let d = luhn_check_digit(&body).unwrap();
            assert!(luhn_valid(&format!("{body}{d}")));
        }
    }

    #[test]
    fn yymm_expiry_and_cvv() {
        assert_eq!(CardExpiry::parse_yymm("3012"), expiry(12, 2030));
        assert_eq!(CardExpiry::parse_yymm("2013"), Err(ExpiryError::Month));
        assert_eq!(CardExpiry::parse_yymm("301"), Err(ExpiryError::Format));
        assert_eq!(CardExpiry::parse_yymm("30١2"), Err(ExpiryError::Format));
        assert!(Cvv::parse("123").is_some() && Cvv::parse("1234").is_some());
        for bad in ["", "12", "12345", "12a", "١٢٣"] {
            assert!(Cvv::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(format!("{:?}", Cvv::parse("123")), "Some(Cvv(***))");
    }

    #[test]
    fn luhn_rejects_empty_and_non_digits() {
        for bad in [
            "",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "411111111111111a",
            "٤١١١١١١١١١١١١١١١",
            "🙂",
        ] {
            assert!(!luhn_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn luhn_long_input_does_not_overflow() {
        let long = "9".repeat(100_000);
        let _ = luhn_valid(&long);
        assert!(luhn_valid(&"0".repeat(100_000)));
    }

    #[test]
    fn luhn_single_digit_substitution_is_detected() {
        let good = "4012888888881881";
        assert!(luhn_valid(good));
        for s in crate::testing::single_digit_substitutions(good, 0) {
            assert!(!luhn_valid(&s), "{s}");
        }
    }

    #[test]
    fn test_card_numbers_and_networks() {
        let cases = [
            ("4111111111111111", CardNetwork::Visa),
            ("4012888888881881", CardNetwork::Visa),
            ("4222222222222", CardNetwork::Visa),
            ("5555555555554444", CardNetwork::Mastercard),
            ("5105105105105100", CardNetwork::Mastercard),
            ("2223003122003222", CardNetwork::Mastercard),
            ("2221000000000009", CardNetwork::Mastercard),
            ("378282246310005", CardNetwork::Amex),
            ("371449635398431", CardNetwork::Amex),
            ("6011111111111117", CardNetwork::Discover),
            ("6011000990139424", CardNetwork::Discover),
            ("3530111333300000", CardNetwork::Jcb),
            ("3566002020360505", CardNetwork::Jcb),
            ("30569309025904", CardNetwork::DinersClub),
            ("38520000023237", CardNetwork::DinersClub),
            ("36227206271667", CardNetwork::DinersClub),
            ("6200000000000005", CardNetwork::UnionPay),
            ("6759649826438453", CardNetwork::Maestro),
            ("6304000000000000", CardNetwork::Maestro),
        ];
        for (num, net) in cases {
            let pan = Pan::parse(num).unwrap_or_else(|e| panic!("{num}: {e}"));
            assert_eq!(pan.network(), net, "{num}");
        }
    }

    #[test]
    fn network_boundaries() {
        use CardNetwork::*;
        let cases = [
            ("2220999999999999", Unknown),
            ("2221000000000000", Mastercard),
            ("2720999999999999", Mastercard),
            ("2721000000000000", Unknown),
            ("5000000000000000", Maestro),
            ("5600000000000000", Maestro),
            ("5800000000000000", Maestro),
            ("5900000000000000", Unknown),
            ("3400000000000000", Amex),
            ("3500000000000000", Unknown),
            ("3527999999999999", Unknown),
            ("3528000000000000", Jcb),
            ("3589999999999999", Jcb),
            ("3590000000000000", Unknown),
            ("3000000000000000", DinersClub),
            ("3059999999999999", DinersClub),
            ("3060000000000000", Unknown),
            ("3900000000000000", DinersClub),
            ("6440000000000000", Discover),
            ("6490000000000000", Discover),
            ("6430000000000000", Unknown),
            ("6500000000000000", Discover),
            ("6012000000000000", Unknown),
            ("6767700000000000", Maestro),
            ("6767740000000000", Maestro),
            ("6767710000000000", Unknown),
            ("1000000000000000", Unknown),
            ("", Unknown),
            // The Discover range inside UnionPay's.
            ("6221250000000000", UnionPay),
            ("6221260000000000", Discover),
            ("6229250000000000", Discover),
            ("6229260000000000", UnionPay),
            ("6288888888888888", UnionPay),
        ];
        for (digits, network) in cases {
            assert_eq!(network_of(digits), network, "{digits:?}");
        }
    }

    #[test]
    fn network_names() {
        assert_eq!(CardNetwork::Visa.name(), "Visa");
        assert_eq!(CardNetwork::Mastercard.name(), "Mastercard");
        assert_eq!(CardNetwork::Amex.name(), "Amex");
        assert_eq!(CardNetwork::Discover.name(), "Discover");
        assert_eq!(CardNetwork::Jcb.name(), "JCB");
        assert_eq!(CardNetwork::DinersClub.name(), "Diners Club");
        assert_eq!(CardNetwork::UnionPay.name(), "UnionPay");
        assert_eq!(CardNetwork::Maestro.name(), "Maestro");
        assert_eq!(CardNetwork::Unknown.name(), "Unknown");
    }

    #[test]
    fn pan_parse_errors() {
        for (text, error) in [
            ("4111111111111112", PanError::Luhn),
            ("4111 1111 1111 1111", PanError::NotDigits),
            ("4111-1111-1111-1111", PanError::NotDigits),
            (" 4111111111111111", PanError::NotDigits),
            ("-4111111111111111", PanError::NotDigits),
            ("", PanError::Length),
            // 11 digits, Luhn-valid: length is checked before Luhn.
            ("79927398713", PanError::Length),
            ("00000000000000000000", PanError::Length),
            // Multibyte input never panics.
            ("４１１１１１１１１１１１１１１１", PanError::NotDigits),
            ("411111111111111١", PanError::NotDigits),
            ("🙂🙂🙂🙂", PanError::NotDigits),
            ("é", PanError::NotDigits),
            ("4111111111111111\u{0}", PanError::NotDigits),
        ] {
            assert_eq!(Pan::parse(text), Err(error), "{text:?}");
        }
    }

    #[test]
    fn pan_length_bounds() {
        assert!(Pan::parse("000000000000").is_ok());
        assert!(Pan::parse("0000000000000000000").is_ok());
        assert_eq!(Pan::parse("00000000000"), Err(PanError::Length));
    }

    #[test]
    fn pan_accessors() {
        let pan = Pan::parse("4111111111111111").unwrap();
        assert_eq!(pan.as_str(), "4111111111111111");
        assert_eq!(pan.last4(), "1111");
        assert_eq!(pan.masked(), "************1111");
        let amex = Pan::parse("378282246310005").unwrap();
        assert_eq!(amex.masked(), "***********0005");
        assert_eq!(amex.last4(), "0005");
    }

    #[test]
    fn pan_bin_is_clamped() {
        let pan = Pan::parse("4012888888881881").unwrap();
        assert_eq!(pan.bin(0), "401288");
        assert_eq!(pan.bin(6), "401288");
        assert_eq!(pan.bin(7), "4012888");
        assert_eq!(pan.bin(8), "40128888");
        assert_eq!(pan.bin(9), "40128888");
        assert_eq!(pan.bin(usize::MAX), "40128888");
    }

    #[test]
    fn pan_debug_is_masked() {
        let pan = Pan::parse("4111111111111111").unwrap();
        assert_eq!(format!("{pan:?}"), "Pan(************1111)");
        assert!(!format!("{:?}", vec![pan]).contains("4111111111111111"));
    }

    #[test]
    fn expiry_parse() {
        assert_eq!(CardExpiry::parse_mmyy("0129"), expiry(1, 2029));
        assert_eq!(CardExpiry::parse_mmyy("1200"), expiry(12, 2000));
        assert_eq!(CardExpiry::parse_mmyy("0029"), Err(ExpiryError::Month));
        assert_eq!(CardExpiry::parse_mmyy("1329"), Err(ExpiryError::Month));
        assert_eq!(CardExpiry::parse_mmyy("9999"), Err(ExpiryError::Month));
        for bad in [
            "",
            "129",
            "01/29",
            "01290",
            "012a",
            " 0129",
            "0129 ",
            "０１２９",
            "01🙂",
        ] {
            assert_eq!(
                CardExpiry::parse_mmyy(bad),
                Err(ExpiryError::Format),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn expiry_valid_through_end_of_month() {
        let exp = CardExpiry::parse_mmyy("0226").unwrap();
        assert!(!exp.is_expired(d(2026, 1, 31)));
        assert!(!exp.is_expired(d(2026, 2, 1)));
        assert!(!exp.is_expired(d(2026, 2, 28)));
        assert!(exp.is_expired(d(2026, 3, 1)));
        assert!(exp.is_expired(d(2027, 1, 1)));
        assert!(!exp.is_expired(d(2025, 12, 31)));
        let dec = CardExpiry::parse_mmyy("1225").unwrap();
        assert!(!dec.is_expired(d(2025, 12, 31)));
        assert!(dec.is_expired(d(2026, 1, 1)));
    }

    #[test]
    fn expiry_round_trip() {
        for s in ["0129", "1200", "0599", "1130"] {
            assert_eq!(CardExpiry::parse_mmyy(s).unwrap().to_mmyy(), s);
        }
        for s in ["2901", "0012", "9905", "3011"] {
            assert_eq!(CardExpiry::parse_yymm(s).unwrap().to_yymm(), s);
        }
        assert_eq!(CardExpiry::parse_mmyy("0129").unwrap().to_yymm(), "2901");
        // Hand-built values outside the parse range must not panic.
        let odd = CardExpiry {
            month: 123,
            year: -5,
        };
        assert_eq!(odd.to_mmyy().len(), 4);
        let _ = odd.is_expired(d(2026, 1, 1));
    }

    #[test]
    fn bins() {
        assert!(valid_bin("411111"));
        assert!(valid_bin("4111111"));
        assert!(valid_bin("41111111"));
        assert!(!valid_bin("41111"));
        assert!(!valid_bin("411111111"));
        assert!(!valid_bin(""));
        assert!(!valid_bin("41111a"));
        assert!(!valid_bin("4111 11"));
        assert!(!valid_bin("４１１１１１"));
        assert!(!valid_bin("41🙂"));
    }
}
