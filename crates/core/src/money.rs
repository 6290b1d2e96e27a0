//! Money as integer cents.

use serde::{Deserialize, Serialize};

/// Integer cents. Never floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cents(pub i64);

impl Cents {
    /// Parses a non-negative decimal string with at most 2 fraction digits
    /// ("12", "12.3", "12.30"); at most `max_int_digits` integer digits; no
    /// sign, no exponent, no separators.
    ///
    /// At least one integer digit is required and a trailing '.' is refused
    /// (".5" and "5." are ambiguous enough in partner files to be typos).
    /// Leading zeros count toward `max_int_digits`. No whitespace trimming.
    /// Values that do not fit in `i64` cents yield `None`.
    pub fn parse_decimal(s: &str, max_int_digits: usize) -> Option<Cents> {
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if int_part.is_empty()
            || int_part.len() > max_int_digits
            || !int_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let whole = int_part.bytes().try_fold(0i64, |acc, b| {
            acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
        })?;
        let frac = match frac_part {
            None => 0,
            Some(f) => {
                let fb = f.as_bytes();
                if fb.is_empty() || fb.len() > 2 || !fb.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let tens = i64::from(fb[0] - b'0') * 10;
                let ones = fb.get(1).map_or(0, |b| i64::from(b - b'0'));
                tens + ones
            }
        };
        whole.checked_mul(100)?.checked_add(frac).map(Cents)
    }

    /// "12.30", "-0.05". Always two fraction digits.
    pub fn to_decimal_string(&self) -> String {
        // `unsigned_abs` so that i64::MIN formats instead of overflowing.
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    pub fn checked_add(self, o: Cents) -> Option<Cents> {
        self.0.checked_add(o.0).map(Cents)
    }

    pub fn checked_sub(self, o: Cents) -> Option<Cents> {
        self.0.checked_sub(o.0).map(Cents)
    }

    /// Percentage fee in basis points, rounded half up to the cent, never
    /// below `min`.
    ///
    /// Rounding is half away from zero, which is "half up" for the
    /// non-negative amounts fees are charged on and keeps negative inputs
    /// symmetric. The product is computed in i128 and the result saturates
    /// at the i64 bounds, so no amount/rate combination can overflow.
    pub fn percent_fee(self, basis_points: i64, min: Cents) -> Cents {
        let product = i128::from(self.0) * i128::from(basis_points);
        let half = 5_000i128;
        let rounded = if product >= 0 {
            (product + half) / 10_000
        } else {
            (product - half) / 10_000
        };
        let fee = i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN });
        Cents(fee.max(min.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepted_forms() {
        assert_eq!(Cents::parse_decimal("12", 10), Some(Cents(1200)));
        assert_eq!(Cents::parse_decimal("12.3", 10), Some(Cents(1230)));
        assert_eq!(Cents::parse_decimal("12.30", 10), Some(Cents(1230)));
        assert_eq!(Cents::parse_decimal("12.03", 10), Some(Cents(1203)));
        assert_eq!(Cents::parse_decimal("0", 10), Some(Cents(0)));
        assert_eq!(Cents::parse_decimal("0.05", 10), Some(Cents(5)));
        assert_eq!(Cents::parse_decimal("0.00", 10), Some(Cents(0)));
        assert_eq!(Cents::parse_decimal("007.50", 3), Some(Cents(750)));
    }

    #[test]
    fn parse_rejections() {
        for bad in [
            "", ".", ".5", "5.", "-1", "+1", "1e3", "1E3", "1,000", "1 000", "1_000", " 1", "1 ",
            "1.234", "1..2", "1.2.3", "1.-2", "1.+2", "0x10", "NaN", "inf", "1.2a", "١٢", "１２",
            "12🙂", "🙂", "1.🙂", "1.é",
        ] {
            assert_eq!(Cents::parse_decimal(bad, 10), None, "{bad:?}");
        }
    }

    #[test]
    fn parse_max_int_digits() {
        assert_eq!(Cents::parse_decimal("999", 3), Some(Cents(99_900)));
        assert_eq!(Cents::parse_decimal("1000", 3), None);
        assert_eq!(Cents::parse_decimal("0001", 3), None);
        assert_eq!(Cents::parse_decimal("1", 0), None);
        assert_eq!(Cents::parse_decimal("0.50", 1), Some(Cents(50)));
    }

    #[test]
    fn parse_overflow_is_none() {
        // i64::MAX cents is 92233720368547758.07.
        assert_eq!(
            Cents::parse_decimal("92233720368547758.07", 30),
            Some(Cents(i64::MAX))
        );
        assert_eq!(Cents::parse_decimal("92233720368547758.08", 30), None);
        assert_eq!(Cents::parse_decimal("92233720368547759", 30), None);
        assert_eq!(Cents::parse_decimal(&"9".repeat(40), usize::MAX), None);
    }

    #[test]
    fn decimal_string() {
        assert_eq!(Cents(1230).to_decimal_string(), "12.30");
        assert_eq!(Cents(-5).to_decimal_string(), "-0.05");
        assert_eq!(Cents(0).to_decimal_string(), "0.00");
        assert_eq!(Cents(7).to_decimal_string(), "0.07");
        assert_eq!(Cents(100).to_decimal_string(), "1.00");
        assert_eq!(Cents(-12345).to_decimal_string(), "-123.45");
        assert_eq!(Cents(i64::MAX).to_decimal_string(), "92233720368547758.07");
        assert_eq!(Cents(i64::MIN).to_decimal_string(), "-92233720368547758.08");
    }

    #[test]
    fn round_trip() {
        for v in [0i64, 1, 9, 10, 99, 100, 101, 123456, i64::MAX] {
            let s = Cents(v).to_decimal_string();
            assert_eq!(Cents::parse_decimal(&s, 20), Some(Cents(v)), "{s}");
        }
    }

    #[test]
    fn checked_arithmetic() {
        assert_eq!(Cents(100).checked_add(Cents(250)), Some(Cents(350)));
        assert_eq!(Cents(100).checked_sub(Cents(250)), Some(Cents(-150)));
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert_eq!(Cents(i64::MIN).checked_sub(Cents(1)), None);
        assert_eq!(Cents(i64::MIN).checked_add(Cents(-1)), None);
    }

    #[test]
    fn percent_fee() {
        // (amount, basis points, minimum, fee)
        let cases = [
            // 2.5% of $10.00 = $0.25 exactly.
            (1000, 250, 0, 25),
            // 1% of $0.50 = 0.5 cents -> rounds up to 1; of $0.49 -> 0.
            (50, 100, 0, 1),
            (49, 100, 0, 0),
            // 2.9% of $12.34 = 35.786 -> 36.
            (1234, 290, 0, 36),
            // 1.5% of $3.30 = 4.95 -> 5.
            (330, 150, 0, 5),
            (0, 300, 0, 0),
            (1000, 0, 0, 0),
            (1000, 10_000, 0, 1000),
            // The minimum.
            (100, 100, 50, 50),
            (0, 100, 25, 25),
            (1_000_000, 100, 50, 10_000),
            // Exactly at the minimum.
            (5000, 100, 50, 50),
            // Negative amounts round symmetrically.
            (-50, 100, i64::MIN, -1),
            (-49, 100, i64::MIN, 0),
            (-50, 100, 0, 0),
            // Extremes do not overflow.
            (i64::MAX, i64::MAX, 0, i64::MAX),
            (i64::MIN, i64::MAX, i64::MIN, i64::MIN),
            (i64::MAX, 10_000, 0, i64::MAX),
            (i64::MIN, i64::MIN, 0, i64::MAX),
        ];
        for (amount, bp, minimum, fee) in cases {
            assert_eq!(
                Cents(amount).percent_fee(bp, Cents(minimum)),
                Cents(fee),
                "{amount} at {bp} bp, minimum {minimum}"
            );
        }
    }

    #[test]
    fn is_serde() {
        fn assert_serde<T: Serialize + for<'de> Deserialize<'de>>() {}
        assert_serde::<Cents>();
    }

    #[test]
    fn ordering() {
        assert!(Cents(-1) < Cents(0));
        assert!(Cents(100) > Cents(99));
    }
}
