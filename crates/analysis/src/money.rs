//! Decimal helpers: input sanitising, rounding, division that cannot panic.

use rust_decimal::{Decimal, RoundingStrategy};

/// Largest magnitude accepted for one amount or balance (10^14). Clamping at
/// the door keeps every sum, product and quotient below `Decimal::MAX`, and
/// every amount in ten-thousandths inside an `i64`, so no arithmetic in the
/// engine can overflow whatever the input.
pub(crate) fn max_amount() -> Decimal {
    Decimal::new(100_000_000_000_000, 0)
}

/// Amounts are kept to 4 decimal places (enough for any currency's minor
/// unit) and clamped to ±10^14.
pub(crate) fn sanitize(a: Decimal) -> Decimal {
    let m = max_amount();
    a.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .max(-m)
        .min(m)
}

/// Rounds to 2 dp, half away from zero, always shown with two decimals.
pub(crate) fn r2(a: Decimal) -> Decimal {
    let mut x = a.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    x.rescale(2);
    x
}

/// `a ÷ b`, 0 when `b` is 0 (callers document what 0 means for them).
pub(crate) fn div(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        Decimal::ZERO
    } else {
        a.checked_div(b).unwrap_or(Decimal::ZERO)
    }
}

/// Clamp to [0, 1].
pub(crate) fn unit(a: Decimal) -> Decimal {
    a.max(Decimal::ZERO).min(Decimal::ONE)
}

pub(crate) fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

/// `n / d` as a Decimal, for fixed constants like 26/12.
pub(crate) fn ratio(n: i64, d: i64) -> Decimal {
    div(Decimal::from(n), Decimal::from(d))
}

/// Days per month used for every "per month" figure: 365.25 / 12.
pub(crate) fn days_per_month() -> Decimal {
    Decimal::new(304375, 4)
}

/// A sanitised amount in ten-thousandths (fixed point), for the sums that run
/// over every transaction: integer adds instead of Decimal adds.
pub(crate) fn to_units(a: Decimal) -> i64 {
    sanitized_to_units(sanitize(a))
}

/// `to_units` of an amount already through `sanitize`.
pub(crate) fn sanitized_to_units(a: Decimal) -> i64 {
    let scale = a.scale().min(4);
    let m = a.mantissa() * 10i128.pow(4 - scale);
    m.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Back from ten-thousandths (saturating at the Decimal range).
pub(crate) fn from_units(u: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(u, 4).unwrap_or(if u < 0 {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_trip() {
        for s in ["0", "1", "-1.5", "1234.5678", "0.00005", "-99.99"] {
            let d: Decimal = s.parse().unwrap();
            assert_eq!(from_units(i128::from(to_units(d))), sanitize(d), "{s}");
        }
        assert_eq!(to_units(Decimal::MAX), 1_000_000_000_000_000_000);
        assert_eq!(r2(div(Decimal::ONE, Decimal::ZERO)), r2(Decimal::ZERO));
    }
}
