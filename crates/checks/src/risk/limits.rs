//! The tenant's deposit limits and how a customer's attributes move them.

use serde::{Deserialize, Serialize};

use super::Attributes;

/// Deposit limits. Tenant settings use the serde field names as keys; a
/// key left out keeps its default.
///
/// Defaults: $5.00 to $5,000.00 per check; 5 checks and $5,000.00 a day;
/// 30 checks and $20,000.00 in 30 days. The per-check maximum equals the
/// daily amount so a single large check can use the whole day, and the
/// 30-day figures allow a weekly payroll check plus occasional others
/// without letting a compromised account drain a card network's limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    pub min_cents: i64,
    pub max_cents: i64,
    pub daily_count: i64,
    pub daily_cents: i64,
    pub count_30d: i64,
    pub cents_30d: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            min_cents: 500,
            max_cents: 500_000,
            daily_count: 5,
            daily_cents: 500_000,
            count_30d: 30,
            cents_30d: 2_000_000,
        }
    }
}

/// A limits setting [`Limits::validate`] refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitsError {
    #[error("{key} must not be negative")]
    Negative { key: &'static str },
    #[error("min_cents must not exceed max_cents")]
    MinAboveMax,
}

impl Limits {
    /// Checks limits before they are saved as tenant settings. [`decide`]
    /// is safe with any values (a negative limit simply declines), but an
    /// operator's typo should be caught when it is made.
    ///
    /// [`decide`]: super::decide
    pub fn validate(&self) -> Result<(), LimitsError> {
        for (key, v) in [
            ("min_cents", self.min_cents),
            ("max_cents", self.max_cents),
            ("daily_count", self.daily_count),
            ("daily_cents", self.daily_cents),
            ("count_30d", self.count_30d),
            ("cents_30d", self.cents_30d),
        ] {
            if v < 0 {
                return Err(LimitsError::Negative { key });
            }
        }
        if self.min_cents > self.max_cents {
            return Err(LimitsError::MinAboveMax);
        }
        Ok(())
    }
}

/// The most the good-standing boost can raise the per-check maximum to:
/// $10,000.00. A tenant maximum already above it is left alone, never
/// lowered.
pub const BOOST_CEILING_CENTS: i64 = 1_000_000;
/// Cards held for fewer months than this are "new".
pub const NEW_CARD_MONTHS: i64 = 3;
/// Per-check maximum on a new card: $1,000.00.
pub const NEW_CARD_MAX_CENTS: i64 = 100_000;
/// Checks cashed in 90 days before the customer's average is trusted as
/// their pattern.
const PATTERN_MIN_CHECKS: i64 = 3;
/// The unusual-amount cap is never below $1,000.00, so a customer who
/// usually cashes small checks can still deposit an ordinary paycheck.
pub const UNUSUAL_AMOUNT_FLOOR_CENTS: i64 = 100_000;

/// The tenant's limits adjusted to one customer. Rules, applied in this
/// order to the result of the previous one (`min_cents` never changes):
///
/// | # | when | effect |
/// |---|---|---|
/// | 1 | `DirectDeposit` true, `Tenure` ≥ 12, no returned checks reported (absent or 0) and no balance on returned checks | `max_cents` × 1.5, capped at $10,000 (never lowered); daily and 30-day amounts raised to at least the new maximum |
/// | 2 | `Tenure` < 3 months | `max_cents` at most $1,000 |
/// | 3 | `NumberOfChecksCashed` ≥ 3 and `AverageCheckCashedAmt` > 0 | `max_cents` at most 3 × the average, but that cap never below $1,000 |
/// | 4 | `NumberOfChecksReturned` ≥ 1 | `max_cents` halved (rounded down); `daily_count` at most 1 |
/// | 5 | `BalanceOnReturnedChecks` > 0 | every maximum and count 0 (and [`decide`] declines with its own code) |
///
/// Attributes the partner did not send leave the limits alone, except
/// that rule 1 reads an absent return count as "none reported": partners
/// report returns when they have them, and the boost still needs direct
/// deposit and a year's tenure.
///
/// Apply this to the **tenant's** limits, once: the rules are not
/// idempotent (rule 4 halves again).
///
/// [`decide`]: super::decide
pub fn effective_limits(base: &Limits, a: &Attributes) -> Limits {
    let mut l = base.clone();
    let returned = a.checks_returned_90d.unwrap_or(0);
    let owes = a.balance_on_returned_checks_cents.unwrap_or(0) > 0;

    // 1. Good standing: the customer's pay arrives on the card and they
    //    have held it a year, so a returned check can be recovered.
    let good_standing = a.direct_deposit == Some(true)
        && a.tenure_months.is_some_and(|t| t >= 12)
        && returned <= 0
        && !owes;
    if good_standing {
        let boosted = (l.max_cents.saturating_mul(3) / 2).min(BOOST_CEILING_CENTS);
        l.max_cents = l.max_cents.max(boosted);
        l.daily_cents = l.daily_cents.max(l.max_cents);
        l.cents_30d = l.cents_30d.max(l.max_cents);
    }

    // 2. New card: most fraud on a card happens in its first months.
    if a.tenure_months.is_some_and(|t| t < NEW_CARD_MONTHS) {
        l.max_cents = l.max_cents.min(NEW_CARD_MAX_CENTS);
    }

    // 3. Unusual amount: a check far above what the customer usually
    //    cashes is the typical shape of a counterfeit-check scam.
    if let (Some(n), Some(avg)) = (a.checks_cashed_90d, a.average_check_cashed_cents) {
        if n >= PATTERN_MIN_CHECKS && avg > 0 {
            let cap = avg.saturating_mul(3).max(UNUSUAL_AMOUNT_FLOOR_CENTS);
            l.max_cents = l.max_cents.min(cap);
        }
    }

    // 4. Recent returns: still allowed, but smaller and one a day.
    if returned >= 1 {
        l.max_cents /= 2;
        l.daily_count = l.daily_count.min(1);
    }

    // 5. Money still owed on returned checks: nothing until it is repaid.
    //    (`min(0)`: a tenant value already below zero is kept, so no
    //    rule ever loosens a limit it did not mean to.)
    if owes {
        l.max_cents = l.max_cents.min(0);
        l.daily_count = l.daily_count.min(0);
        l.daily_cents = l.daily_cents.min(0);
        l.count_30d = l.count_30d.min(0);
        l.cents_30d = l.cents_30d.min(0);
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Limits {
        Limits::default()
    }

    #[test]
    fn defaults() {
        let l = Limits::default();
        assert_eq!(
            (
                l.min_cents,
                l.max_cents,
                l.daily_count,
                l.daily_cents,
                l.count_30d,
                l.cents_30d
            ),
            (500, 500_000, 5, 500_000, 30, 2_000_000)
        );
        assert_eq!(l.validate(), Ok(()));
    }

    #[test]
    fn no_attributes_change_nothing() {
        assert_eq!(effective_limits(&base(), &Attributes::default()), base());
        // Attributes no rule reads on their own.
        let a = Attributes {
            direct_deposit: Some(true),
            checks_cashed_90d: Some(10),
            tenure_months: Some(6),
            ..Attributes::default()
        };
        assert_eq!(effective_limits(&base(), &a), base());
    }

    #[test]
    fn good_standing_boost() {
        let a = Attributes {
            direct_deposit: Some(true),
            tenure_months: Some(12),
            ..Attributes::default()
        };
        let l = effective_limits(&base(), &a);
        // $5,000 × 1.5 = $7,500.
        assert_eq!(l.max_cents, 750_000);
        assert_eq!(l.daily_cents, 750_000);
        assert_eq!(l.cents_30d, 2_000_000);
        assert_eq!(l.daily_count, 5);
        assert_eq!(l.min_cents, 500);

        // Capped at $10,000: $8,000 × 1.5 = $12,000 -> $10,000.
        let big = Limits {
            max_cents: 800_000,
            ..base()
        };
        assert_eq!(effective_limits(&big, &a).max_cents, 1_000_000);
        // A tenant maximum above the ceiling is not lowered.
        let huge = Limits {
            max_cents: 2_000_000,
            ..base()
        };
        assert_eq!(effective_limits(&huge, &a).max_cents, 2_000_000);
        // Odd cents round down: 333 × 1.5 = 499.5 -> 499.
        let odd = Limits {
            max_cents: 333,
            ..base()
        };
        assert_eq!(effective_limits(&odd, &a).max_cents, 499);
        // Overflow-proof.
        let max = Limits {
            max_cents: i64::MAX,
            ..base()
        };
        assert_eq!(effective_limits(&max, &a).max_cents, i64::MAX);
    }

    #[test]
    fn boost_needs_every_condition() {
        let good = Attributes {
            direct_deposit: Some(true),
            tenure_months: Some(18),
            checks_returned_90d: Some(0),
            balance_on_returned_checks_cents: Some(0),
            ..Attributes::default()
        };
        assert_eq!(effective_limits(&base(), &good).max_cents, 750_000);
        for a in [
            Attributes {
                direct_deposit: Some(false),
                ..good.clone()
            },
            Attributes {
                direct_deposit: None,
                ..good.clone()
            },
            Attributes {
                tenure_months: Some(11),
                ..good.clone()
            },
            Attributes {
                tenure_months: None,
                ..good.clone()
            },
        ] {
            assert_eq!(effective_limits(&base(), &a).max_cents, 500_000, "{a:?}");
        }
        let returned = Attributes {
            checks_returned_90d: Some(1),
            ..good.clone()
        };
        assert_eq!(effective_limits(&base(), &returned).max_cents, 250_000);
    }

    #[test]
    fn new_card_cap() {
        for t in [0, 1, 2] {
            let a = Attributes {
                tenure_months: Some(t),
                ..Attributes::default()
            };
            assert_eq!(effective_limits(&base(), &a).max_cents, 100_000);
        }
        let a = Attributes {
            tenure_months: Some(3),
            ..Attributes::default()
        };
        assert_eq!(effective_limits(&base(), &a).max_cents, 500_000);
        // A tenant maximum below the cap stays.
        let small = Limits {
            max_cents: 50_000,
            ..base()
        };
        let a = Attributes {
            tenure_months: Some(1),
            ..Attributes::default()
        };
        assert_eq!(effective_limits(&small, &a).max_cents, 50_000);
    }

    #[test]
    fn unusual_amount_cap() {
        let with = |n: i64, avg: i64| Attributes {
            checks_cashed_90d: Some(n),
            average_check_cashed_cents: Some(avg),
            ..Attributes::default()
        };
        // Average $800: cap $2,400.
        assert_eq!(
            effective_limits(&base(), &with(3, 80_000)).max_cents,
            240_000
        );
        // Average $100: 3 × $100 = $300, floored at $1,000.
        assert_eq!(
            effective_limits(&base(), &with(5, 10_000)).max_cents,
            100_000
        );
        // Average $2,000: $6,000 is above the tenant's $5,000.
        assert_eq!(
            effective_limits(&base(), &with(5, 200_000)).max_cents,
            500_000
        );
        // Too few checks to be a pattern, or no average.
        assert_eq!(
            effective_limits(&base(), &with(2, 10_000)).max_cents,
            500_000
        );
        assert_eq!(effective_limits(&base(), &with(9, 0)).max_cents, 500_000);
        assert_eq!(
            effective_limits(&base(), &with(9, i64::MAX)).max_cents,
            500_000
        );
    }

    #[test]
    fn returned_checks_halve_and_slow() {
        let a = Attributes {
            checks_returned_90d: Some(2),
            ..Attributes::default()
        };
        let l = effective_limits(&base(), &a);
        assert_eq!(l.max_cents, 250_000);
        assert_eq!(l.daily_count, 1);
        assert_eq!(l.daily_cents, 500_000);
        assert_eq!((l.count_30d, l.cents_30d), (30, 2_000_000));
        // Odd maximum rounds down: $0.01 less rather than more.
        let odd = Limits {
            max_cents: 100_001,
            ..base()
        };
        assert_eq!(effective_limits(&odd, &a).max_cents, 50_000);
        // A tenant daily count of 0 stays 0.
        let none = Limits {
            daily_count: 0,
            ..base()
        };
        assert_eq!(effective_limits(&none, &a).daily_count, 0);
        // Halving applies after the new-card cap: $1,000 -> $500.
        let a = Attributes {
            checks_returned_90d: Some(1),
            tenure_months: Some(1),
            ..Attributes::default()
        };
        assert_eq!(effective_limits(&base(), &a).max_cents, 50_000);
    }

    #[test]
    fn returned_balance_zeroes_everything() {
        let a = Attributes {
            balance_on_returned_checks_cents: Some(1),
            direct_deposit: Some(true),
            tenure_months: Some(40),
            ..Attributes::default()
        };
        let l = effective_limits(&base(), &a);
        assert_eq!(
            l,
            Limits {
                min_cents: 500,
                max_cents: 0,
                daily_count: 0,
                daily_cents: 0,
                count_30d: 0,
                cents_30d: 0,
            }
        );
        let paid = Attributes {
            balance_on_returned_checks_cents: Some(0),
            ..Attributes::default()
        };
        assert_eq!(effective_limits(&base(), &paid), base());
    }

    #[test]
    fn validate() {
        assert_eq!(
            Limits {
                daily_count: -1,
                ..base()
            }
            .validate()
            .unwrap_err()
            .to_string(),
            "daily_count must not be negative"
        );
        assert_eq!(
            Limits {
                min_cents: 600_000,
                ..base()
            }
            .validate(),
            Err(LimitsError::MinAboveMax)
        );
    }

    #[test]
    fn settings_keys_default_when_missing() {
        use serde::de::value::{Error, MapDeserializer};
        let given = vec![("daily_count", 3i64), ("cents_30d", 1_000_000)];
        let l = Limits::deserialize(MapDeserializer::<_, Error>::new(given.into_iter())).unwrap();
        assert_eq!(
            l,
            Limits {
                daily_count: 3,
                cents_30d: 1_000_000,
                ..base()
            }
        );
    }
}
