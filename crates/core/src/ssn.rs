//! US Social Security Numbers and ITINs.

use std::fmt;

/// A structurally valid SSN or ITIN: exactly 9 ASCII digits.
///
/// Deliberately not `Serialize` and not `Display`: the only ways out are
/// `as_str` (for sealing/fingerprinting) and `last4`, so accidental logging
/// or JSON encoding of the full number cannot compile.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Ssn(String);

impl Ssn {
    /// 9 digits, no formatting. Rejects area 000 or 666, group 00 and
    /// serial 0000; area 9xx is allowed because ITINs live there.
    pub fn parse(s: &str) -> Result<Ssn, SsnError> {
        let b = s.as_bytes();
        if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
            return Err(SsnError::Format);
        }
        // Safe to slice: every byte was just checked to be ASCII.
        let (area, group, serial) = (&s[0..3], &s[3..5], &s[5..9]);
        if area == "000" || area == "666" || group == "00" || serial == "0000" {
            return Err(SsnError::Invalid);
        }
        Ok(Ssn(s.to_owned()))
    }

    /// Full digits. Only for sealing/fingerprinting; never display this.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        // Construction guarantees 9 ASCII bytes, so this index is in range
        // and on a char boundary.
        &self.0[5..]
    }
}

impl fmt::Debug for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssn(*****{})", self.last4())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsnError {
    #[error("must be exactly 9 digits")]
    Format,
    #[error("is not a valid SSN or ITIN")]
    Invalid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ssn() {
        let s = Ssn::parse("123456789").unwrap();
        assert_eq!(s.as_str(), "123456789");
        assert_eq!(s.last4(), "6789");
    }

    #[test]
    fn area_group_and_serial_rules() {
        for (ssn, ok) in [
            // ITIN area 9xx.
            ("912701234", true),
            ("999991234", true),
            // Only the area/group/serial rules apply; no "looks fake" heuristics.
            ("111111111", true),
            ("123121234", true),
            // Forbidden segments.
            ("000123456", false),
            ("666123456", false),
            ("123001234", false),
            ("123450000", false),
            ("000000000", false),
            // Boundary areas are accepted.
            ("001011234", true),
            ("665011234", true),
            ("667011234", true),
            ("899011234", true),
            ("123010001", true),
        ] {
            let want = if ok { Ok(()) } else { Err(SsnError::Invalid) };
            assert_eq!(Ssn::parse(ssn).map(|_| ()), want, "{ssn}");
        }
    }

    #[test]
    fn rejects_formatting_and_wrong_length() {
        for bad in [
            "",
            "12345678",
            "1234567890",
            "123-45-6789",
            "123 45 6789",
            " 123456789",
            "123456789\n",
            "12345678a",
            "+12345678",
            // Multibyte input never panics. 9 bytes but not 9 digits: "१"
            // is a 3-byte Devanagari digit.
            "१२३",
            "१२३४५६७८९",
            "12345678é",
            "１２３４５６７８９",
            "🙂🙂🙂",
        ] {
            assert_eq!(Ssn::parse(bad), Err(SsnError::Format), "{bad:?}");
        }
    }

    #[test]
    fn debug_is_masked() {
        let s = Ssn::parse("123456789").unwrap();
        let dbg = format!("{s:?}");
        assert_eq!(dbg, "Ssn(*****6789)");
        assert!(!dbg.contains("12345"));
        let nested = format!("{:?}", Some(s));
        assert!(!nested.contains("123456789"));
    }

    #[test]
    fn error_messages() {
        assert_eq!(SsnError::Format.to_string(), "must be exactly 9 digits");
        assert_eq!(SsnError::Invalid.to_string(), "is not a valid SSN or ITIN");
    }
}
