//! What a check deposit costs the customer.
//!
//! Money in minutes is charged a percentage of the check amount (lower for
//! payroll and government checks, which rarely come back unpaid) with a
//! minimum; money in days is free by default, because the check has
//! cleared before the money moves and we carry no return risk.
//!
//! A declined check costs nothing: no fee is charged unless the deposit is
//! approved. That is the caller's concern — [`fee_cents`] prices a deposit,
//! it does not know whether the deposit went ahead.

use fundline_core::money::Cents;
use serde::{Deserialize, Serialize};

use crate::{CheckType, Funding};

/// A tenant's fee schedule. Rates are in basis points (100 = 1%).
///
/// Tenant settings use the serde field names as keys; a key left out keeps
/// its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeeSchedule {
    pub minutes_payroll_bp: i64,
    pub minutes_government_bp: i64,
    /// Personal and other checks.
    pub minutes_other_bp: i64,
    pub minutes_minimum_cents: i64,
    pub days_bp: i64,
    pub days_minimum_cents: i64,
}

impl Default for FeeSchedule {
    fn default() -> Self {
        FeeSchedule {
            minutes_payroll_bp: 100,
            minutes_government_bp: 100,
            minutes_other_bp: 400,
            minutes_minimum_cents: 500,
            days_bp: 0,
            days_minimum_cents: 0,
        }
    }
}

/// The highest rate a schedule may set: 100%.
pub const MAX_BP: i64 = 10_000;

/// A schedule setting outside what [`FeeSchedule::validate`] allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeScheduleError {
    #[error("{key} must be between 0 and {MAX_BP} basis points")]
    Rate { key: &'static str },
    #[error("{key} must not be negative")]
    Minimum { key: &'static str },
}

impl FeeSchedule {
    /// Checks a schedule before it is saved as tenant settings: rates in
    /// 0..=10000 basis points, minimums not negative.
    ///
    /// [`fee_cents`] stays safe with an unvalidated schedule (it clamps),
    /// but an operator typing `-100` or `40000` deserves to be told.
    pub fn validate(&self) -> Result<(), FeeScheduleError> {
        for (key, bp) in [
            ("minutes_payroll_bp", self.minutes_payroll_bp),
            ("minutes_government_bp", self.minutes_government_bp),
            ("minutes_other_bp", self.minutes_other_bp),
            ("days_bp", self.days_bp),
        ] {
            if !(0..=MAX_BP).contains(&bp) {
                return Err(FeeScheduleError::Rate { key });
            }
        }
        for (key, min) in [
            ("minutes_minimum_cents", self.minutes_minimum_cents),
            ("days_minimum_cents", self.days_minimum_cents),
        ] {
            if min < 0 {
                return Err(FeeScheduleError::Minimum { key });
            }
        }
        Ok(())
    }

    /// The rate and minimum that apply to one deposit.
    pub fn rate(&self, check_type: CheckType, funding: Funding) -> (i64, i64) {
        match funding {
            Funding::Minutes => {
                let bp = match check_type {
                    CheckType::Payroll => self.minutes_payroll_bp,
                    CheckType::Government => self.minutes_government_bp,
                    CheckType::Personal | CheckType::Other => self.minutes_other_bp,
                };
                (bp, self.minutes_minimum_cents)
            }
            Funding::Days => (self.days_bp, self.days_minimum_cents),
        }
    }
}

/// The fee in cents: `amount × rate`, rounded half up to the cent, then
/// raised to the minimum, then capped at the amount (a fee may take the
/// whole check, never more, so the load amount is never negative).
///
/// Out-of-range settings are clamped rather than trusted: a rate below 0
/// counts as 0 and above 100% as 100%, a negative minimum as 0. A
/// non-positive amount has no fee.
pub fn fee_cents(
    amount_cents: i64,
    check_type: CheckType,
    funding: Funding,
    s: &FeeSchedule,
) -> i64 {
    if amount_cents <= 0 {
        return 0;
    }
    let (bp, minimum) = s.rate(check_type, funding);
    let bp = bp.clamp(0, MAX_BP);
    let minimum = minimum.max(0);
    // `percent_fee` rounds half away from zero, which is half up for the
    // positive amounts here, and applies the minimum.
    let fee = Cents(amount_cents).percent_fee(bp, Cents(minimum)).0;
    fee.min(amount_cents)
}

/// What reaches the card: the amount less the fee, never negative.
pub fn load_cents(amount_cents: i64, fee_cents: i64) -> i64 {
    amount_cents.saturating_sub(fee_cents).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckType::*;
    use Funding::*;

    fn fee(amount: i64, t: CheckType, f: Funding) -> i64 {
        fee_cents(amount, t, f, &FeeSchedule::default())
    }

    #[test]
    fn minutes_default_schedule_rounds_half_up_to_the_cent() {
        let cases = [
            // $11.73 payroll: 1% = 11.73 cents -> 12, raised to the $5.00 minimum.
            (1173, Payroll, 500),
            // $1,000.00 other: 4% = $40.00; personal is charged as other.
            (100_000, Other, 4000),
            (100_000, Personal, 4000),
            // $600.00 payroll or government: 1% = $6.00.
            (60_000, Payroll, 600),
            (60_000, Government, 600),
            // $500.00 payroll: 1% = $5.00, exactly the minimum.
            (50_000, Payroll, 500),
            // $100.00 other: 4% = $4.00 -> $5.00 minimum.
            (10_000, Other, 500),
            // $5,000.00 other: $200.00.
            (500_000, Other, 20_000),
            // $500.50 payroll: 1% = 500.5 cents -> 501; $500.49 -> 500.
            (50_050, Payroll, 501),
            (50_049, Payroll, 500),
            // $600.49 payroll: 600.49 -> 600; $600.50 -> 601 (601 > minimum).
            (60_049, Payroll, 600),
            (60_050, Payroll, 601),
            // $125.13 other: 4% = 500.52 -> 501.
            (12_513, Other, 501),
            // $125.01 other: 500.04 -> 500 (the minimum anyway).
            (12_501, Other, 500),
        ];
        for (amount, t, want) in cases {
            assert_eq!(fee(amount, t, Minutes), want, "{amount} cents {t:?}");
        }
    }

    #[test]
    fn rounding_without_a_minimum() {
        // With no minimum: $1.50 at 1% = 1.5 cents -> 2; $1.49 -> 1.
        let s = FeeSchedule {
            minutes_minimum_cents: 0,
            ..FeeSchedule::default()
        };
        assert_eq!(fee_cents(150, Payroll, Minutes, &s), 2);
        assert_eq!(fee_cents(149, Payroll, Minutes, &s), 1);
        assert_eq!(fee_cents(49, Payroll, Minutes, &s), 0);
        assert_eq!(fee_cents(50, Payroll, Minutes, &s), 1);
    }

    #[test]
    fn never_more_than_the_amount() {
        // $3.00 payroll: the $5.00 minimum would exceed the check.
        assert_eq!(fee(300, Payroll, Minutes), 300);
        assert_eq!(fee(1, Other, Minutes), 1);
        assert_eq!(load_cents(300, fee(300, Payroll, Minutes)), 0);
        assert_eq!(fee(0, Other, Minutes), 0);
        assert_eq!(fee(-500, Other, Minutes), 0);
        assert_eq!(fee(i64::MIN, Other, Minutes), 0);
    }

    #[test]
    fn days_is_free_by_default() {
        for t in CheckType::ALL {
            assert_eq!(fee(1173, t, Days), 0);
            assert_eq!(fee(500_000, t, Days), 0);
        }
        let s = FeeSchedule {
            days_bp: 50,
            days_minimum_cents: 100,
            ..FeeSchedule::default()
        };
        // 0.5% of $100.00 = 50 cents -> $1.00 minimum; of $1,000.00 = $5.00.
        assert_eq!(fee_cents(10_000, Other, Days, &s), 100);
        assert_eq!(fee_cents(100_000, Payroll, Days, &s), 500);
    }

    #[test]
    fn spec_sample_fee_does_not_follow_this_schedule() {
        // The partner spec's history sample shows fee 59 on 1173 cents;
        // the schedule governs and charges the $5.00 minimum.
        assert_ne!(fee(1173, Payroll, Minutes), 59);
        assert_eq!(load_cents(1173, fee(1173, Payroll, Minutes)), 673);
    }

    #[test]
    fn hostile_settings_are_clamped() {
        let s = FeeSchedule {
            minutes_payroll_bp: -400,
            minutes_government_bp: 1_000_000,
            minutes_other_bp: i64::MAX,
            minutes_minimum_cents: -500,
            days_bp: i64::MIN,
            days_minimum_cents: i64::MIN,
        };
        assert!(s.validate().is_err());
        assert_eq!(fee_cents(10_000, Payroll, Minutes, &s), 0);
        assert_eq!(fee_cents(10_000, Government, Minutes, &s), 10_000);
        assert_eq!(fee_cents(i64::MAX, Other, Minutes, &s), i64::MAX);
        assert_eq!(fee_cents(10_000, Other, Days, &s), 0);
        let huge_min = FeeSchedule {
            minutes_minimum_cents: i64::MAX,
            ..FeeSchedule::default()
        };
        assert_eq!(fee_cents(1234, Payroll, Minutes, &huge_min), 1234);
    }

    #[test]
    fn validate() {
        assert_eq!(FeeSchedule::default().validate(), Ok(()));
        let bad = FeeSchedule {
            minutes_other_bp: 10_001,
            ..FeeSchedule::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "minutes_other_bp must be between 0 and 10000 basis points"
        );
        let bad = FeeSchedule {
            days_minimum_cents: -1,
            ..FeeSchedule::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "days_minimum_cents must not be negative"
        );
        let edge = FeeSchedule {
            days_bp: 10_000,
            minutes_payroll_bp: 0,
            ..FeeSchedule::default()
        };
        assert_eq!(edge.validate(), Ok(()));
    }

    #[test]
    fn settings_keys_are_the_field_names_and_default_when_missing() {
        use serde::de::value::{Error, MapDeserializer};
        let given = vec![("minutes_other_bp", 350i64), ("days_bp", 25)];
        let s =
            FeeSchedule::deserialize(MapDeserializer::<_, Error>::new(given.into_iter())).unwrap();
        assert_eq!(
            s,
            FeeSchedule {
                minutes_other_bp: 350,
                days_bp: 25,
                ..FeeSchedule::default()
            }
        );
        let none: Vec<(&str, i64)> = vec![];
        let s =
            FeeSchedule::deserialize(MapDeserializer::<_, Error>::new(none.into_iter())).unwrap();
        assert_eq!(s, FeeSchedule::default());
    }
}
