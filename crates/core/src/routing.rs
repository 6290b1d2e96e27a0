//! ABA routing transit numbers.

/// ABA routing transit number: 9 digits, checksum
/// 3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) ≡ 0 mod 10, first two digits in
/// 00-12, 21-32, 61-72 or 80.
///
/// `000000000` passes both rules on paper but is a placeholder that shows up
/// in bad data, never a real institution, so it is refused explicitly.
pub fn valid_aba_routing(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d: Vec<u32> = b.iter().map(|c| u32::from(c - b'0')).collect();
    if d.iter().all(|&x| x == 0) {
        return false;
    }
    let prefix = d[0] * 10 + d[1];
    let prefix_ok = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    prefix_ok && sum.is_multiple_of(10)
}

/// A routing number as a request gives it: nine digits that pass
/// [`valid_aba_routing`]. The two errors differ because the payout gateway
/// answers a malformed number as a field error but a failed checksum with
/// its own status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("must be 9 digits")]
    Format,
    #[error("fails the ABA checksum")]
    Checksum,
}

impl RoutingNumber {
    pub fn parse(s: &str) -> Result<RoutingNumber, RoutingError> {
        if s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RoutingError::Format);
        }
        if !valid_aba_routing(s) {
            return Err(RoutingError::Checksum);
        }
        Ok(RoutingNumber(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A US bank account number: 4 to 17 ASCII digits.
#[derive(Clone, PartialEq, Eq)]
pub struct BankAccountNumber(String);

impl BankAccountNumber {
    pub fn parse(s: &str) -> Option<BankAccountNumber> {
        ((4..=17).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| BankAccountNumber(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Only the last four digits, so an account number cannot reach a log.
impl std::fmt::Debug for BankAccountNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last4 = &self.0[self.0.len().saturating_sub(4)..];
        write!(f, "BankAccountNumber(…{last4})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_numbers_and_accounts_parse() {
        assert_eq!(
            RoutingNumber::parse("011000015").map(RoutingNumber::into_string),
            Ok("011000015".to_string())
        );
        assert_eq!(
            RoutingNumber::parse("011000016"),
            Err(RoutingError::Checksum)
        );
        for bad in ["01100001", "0110000155", "01100001a", "", "０１１０００"] {
            assert_eq!(
                RoutingNumber::parse(bad),
                Err(RoutingError::Format),
                "{bad:?}"
            );
        }
        assert!(BankAccountNumber::parse("1234").is_some());
        assert!(BankAccountNumber::parse("12345678901234567").is_some());
        for bad in ["123", "123456789012345678", "12-34", ""] {
            assert!(BankAccountNumber::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            format!("{:?}", BankAccountNumber::parse("22222222").unwrap()),
            "BankAccountNumber(…2222)"
        );
    }

    #[test]
    fn known_valid_numbers() {
        for ok in [
            "011000015", // Federal Reserve Bank of Boston
            "021000021", // JPMorgan Chase
            "026009593", // Bank of America NY
            "121000358", // Bank of America CA
            "111000025", // Federal Reserve Bank of Dallas
            "322271627", // Chase CA
            "011000028", // State Street
        ] {
            assert!(valid_aba_routing(ok), "{ok}");
        }
    }

    #[test]
    fn checksum_failures() {
        assert!(!valid_aba_routing("123456789"));
        assert!(!valid_aba_routing("021000022"));
        assert!(!valid_aba_routing("011000016"));
    }

    #[test]
    fn single_digit_changes_break_checksum() {
        let good = "021000021";
        for s in crate::testing::single_digit_substitutions(good, 0) {
            assert!(!valid_aba_routing(&s), "{s}");
        }
    }

    #[test]
    fn prefix_ranges() {
        // Each of these has a passing checksum, so only the prefix decides.
        fn with_prefix(p: u32) -> String {
            // Solve the last digit so the checksum holds.
            let head = format!("{p:02}000000");
            let d: Vec<u32> = head.bytes().map(|c| u32::from(c - b'0')).collect();
            let partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5]);
            let check = (10 - partial % 10) % 10;
            format!("{head}{check}")
        }
        for p in 0..=99u32 {
            let expect = matches!(p, 0..=12 | 21..=32 | 61..=72 | 80);
            let s = with_prefix(p);
            if s == "000000000" {
                continue;
            }
            assert_eq!(valid_aba_routing(&s), expect, "{s}");
        }
        assert!(!valid_aba_routing(&with_prefix(13)));
        assert!(!valid_aba_routing(&with_prefix(20)));
        assert!(!valid_aba_routing(&with_prefix(33)));
        assert!(!valid_aba_routing(&with_prefix(60)));
        assert!(!valid_aba_routing(&with_prefix(73)));
        assert!(!valid_aba_routing(&with_prefix(79)));
        assert!(!valid_aba_routing(&with_prefix(81)));
        assert!(valid_aba_routing(&with_prefix(80)));
    }

    #[test]
    fn all_zero_placeholder_is_rejected() {
        assert!(!valid_aba_routing("000000000"));
    }

    #[test]
    fn format_rejections() {
        for bad in [
            "",
            "02100002",
            "0210000210",
            "02100002a",
            "021-000-021",
            " 021000021",
            "021000021 ",
            "０２１０００",
            "02100002١",
            "🙂🙂",
        ] {
            assert!(!valid_aba_routing(bad), "{bad:?}");
        }
    }
}
