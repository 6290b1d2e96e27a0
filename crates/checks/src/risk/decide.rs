//! Approve or decline one deposit.

use super::{Attributes, Limits};
use crate::codes::DeclineReason;

/// What the customer already had accepted, not counting this check:
/// today's and the last 30 days' (today included) counts and amounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Velocity {
    pub today_count: i64,
    pub today_cents: i64,
    pub count_30d: i64,
    pub cents_30d: i64,
}

/// The card's current load limits (GetRegisteredCards'
/// `currentCardMin`/`currentCardMax`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardLimits {
    pub min_cents: i64,
    pub max_cents: i64,
}

/// A decline: `declineReasonCode` and `declineReasonMessage` (see
/// [`crate::codes::DeclineReason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    pub code: i64,
    pub message: &'static str,
}

impl Decline {
    pub fn reason(&self) -> Option<DeclineReason> {
        DeclineReason::from_code(self.code)
    }
}

/// Decides one deposit of `amount_cents`.
///
/// `limits` are the customer's **effective** limits, i.e. the result of
/// [`effective_limits`] on the tenant's limits and these `attrs`; they are
/// used as given (applying the attribute rules twice would halve twice).
/// `attrs` are read here only for the outstanding returned-check balance,
/// which gets its own decline code. The first failing rule wins:
///
/// 1. an outstanding balance on returned checks;
/// 2. the same item presented before (`duplicate_presentment`);
/// 3. amount below the minimum (a zero or negative amount always is);
/// 4. amount above the maximum;
/// 5. amount below the card's minimum load;
/// 6. amount above the card's maximum load;
/// 7. today's count or amount, with this check, above the daily limits;
/// 8. the 30 days' count or amount, with this check, above those limits.
///
/// The standing and duplicate rules come first because they hold whatever
/// the amount; the card limits are compared with the check amount, which
/// is never less than what is loaded.
///
/// [`effective_limits`]: super::effective_limits
pub fn decide(
    amount_cents: i64,
    card: CardLimits,
    limits: &Limits,
    attrs: &Attributes,
    velocity: Velocity,
    duplicate_presentment: bool,
) -> Result<(), Decline> {
    use DeclineReason::*;

    let fail = |r: DeclineReason| Err(r.decline());
    if attrs
        .balance_on_returned_checks_cents
        .is_some_and(|b| b > 0)
    {
        return fail(ReturnedCheckBalance);
    }
    if duplicate_presentment {
        return fail(DuplicatePresentment);
    }
    let l = limits;
    if amount_cents <= 0 || amount_cents < l.min_cents {
        return fail(BelowMinimum);
    }
    if amount_cents > l.max_cents {
        return fail(AboveMaximum);
    }
    if amount_cents < card.min_cents {
        return fail(BelowCardMinimum);
    }
    if amount_cents > card.max_cents {
        return fail(AboveCardMaximum);
    }
    // Saturating: absurd stored totals must decline, not wrap around.
    if velocity.today_count.saturating_add(1) > l.daily_count
        || velocity.today_cents.saturating_add(amount_cents) > l.daily_cents
    {
        return fail(DailyVelocity);
    }
    if velocity.count_30d.saturating_add(1) > l.count_30d
        || velocity.cents_30d.saturating_add(amount_cents) > l.cents_30d
    {
        return fail(Velocity30Day);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::effective_limits;

    const CARD: CardLimits = CardLimits {
        min_cents: 500,
        max_cents: 500_000,
    };

    /// `decide` under the default tenant limits and customer attributes.
    fn plain(amount: i64, card: CardLimits, v: Velocity, duplicate: bool) -> Result<(), Decline> {
        decide(
            amount,
            card,
            &Limits::default(),
            &Attributes::default(),
            v,
            duplicate,
        )
    }

    fn run(amount: i64) -> Result<(), Decline> {
        plain(amount, CARD, Velocity::default(), false)
    }

    fn reason(r: Result<(), Decline>) -> Option<DeclineReason> {
        r.err().and_then(|d| d.reason())
    }

    #[test]
    fn approves_within_every_limit() {
        assert_eq!(run(500), Ok(()));
        assert_eq!(run(1173), Ok(()));
        assert_eq!(run(500_000), Ok(()));
    }

    #[test]
    fn amount_bounds() {
        assert_eq!(reason(run(499)), Some(DeclineReason::BelowMinimum));
        assert_eq!(reason(run(0)), Some(DeclineReason::BelowMinimum));
        assert_eq!(reason(run(-1)), Some(DeclineReason::BelowMinimum));
        assert_eq!(reason(run(i64::MIN)), Some(DeclineReason::BelowMinimum));
        assert_eq!(reason(run(500_001)), Some(DeclineReason::AboveMaximum));
        assert_eq!(reason(run(i64::MAX)), Some(DeclineReason::AboveMaximum));
        let d = run(500_001).unwrap_err();
        assert_eq!(d.code, 202);
        assert_eq!(d.message, "The check amount is above the maximum allowed.");
        // A tenant minimum of zero still refuses a zero check.
        let free = Limits {
            min_cents: 0,
            ..Limits::default()
        };
        let r = decide(
            0,
            CardLimits {
                min_cents: 0,
                max_cents: 10,
            },
            &free,
            &Attributes::default(),
            Velocity::default(),
            false,
        );
        assert_eq!(reason(r), Some(DeclineReason::BelowMinimum));
    }

    #[test]
    fn card_limits() {
        let card = CardLimits {
            min_cents: 1_000,
            max_cents: 250_000,
        };
        let go = |amount| plain(amount, card, Velocity::default(), false);
        assert_eq!(reason(go(999)), Some(DeclineReason::BelowCardMinimum));
        assert_eq!(go(1_000), Ok(()));
        assert_eq!(go(250_000), Ok(()));
        assert_eq!(reason(go(250_001)), Some(DeclineReason::AboveCardMaximum));
        // The tenant's maximum is reported before the card's.
        assert_eq!(reason(go(600_000)), Some(DeclineReason::AboveMaximum));
        // And the tenant's minimum before the card's.
        assert_eq!(reason(go(400)), Some(DeclineReason::BelowMinimum));
    }

    #[test]
    fn daily_velocity() {
        let go = |amount, v| plain(amount, CARD, v, false);
        // Fifth check of the day is fine, the sixth is not.
        let four = Velocity {
            today_count: 4,
            today_cents: 10_000,
            count_30d: 4,
            cents_30d: 10_000,
        };
        assert_eq!(go(10_000, four), Ok(()));
        let five = Velocity {
            today_count: 5,
            ..four
        };
        assert_eq!(reason(go(10_000, five)), Some(DeclineReason::DailyVelocity));
        // $4,000 already today: $1,000 more is exactly $5,000, $1,000.01 is over.
        let spent = Velocity {
            today_count: 1,
            today_cents: 400_000,
            count_30d: 1,
            cents_30d: 400_000,
        };
        assert_eq!(go(100_000, spent), Ok(()));
        assert_eq!(
            reason(go(100_001, spent)),
            Some(DeclineReason::DailyVelocity)
        );
        let absurd = Velocity {
            today_cents: i64::MAX,
            ..Velocity::default()
        };
        assert_eq!(reason(go(500, absurd)), Some(DeclineReason::DailyVelocity));
    }

    #[test]
    fn thirty_day_velocity() {
        let go = |amount, v| plain(amount, CARD, v, false);
        let month = Velocity {
            today_count: 0,
            today_cents: 0,
            count_30d: 29,
            cents_30d: 1_900_000,
        };
        // 30th check, $20,000 exactly.
        assert_eq!(go(100_000, month), Ok(()));
        assert_eq!(
            reason(go(100_001, month)),
            Some(DeclineReason::Velocity30Day)
        );
        let thirty = Velocity {
            count_30d: 30,
            cents_30d: 0,
            ..month
        };
        assert_eq!(reason(go(500, thirty)), Some(DeclineReason::Velocity30Day));
        // Daily is reported before 30-day.
        let both = Velocity {
            today_count: 5,
            ..thirty
        };
        assert_eq!(reason(go(500, both)), Some(DeclineReason::DailyVelocity));
    }

    #[test]
    fn order_of_rules() {
        let owes = Attributes {
            balance_on_returned_checks_cents: Some(2_500),
            ..Attributes::default()
        };
        let full_day = Velocity {
            today_count: 99,
            today_cents: 0,
            count_30d: 99,
            cents_30d: 0,
        };
        // Everything wrong at once: the returned balance is reported.
        let r = decide(10, CARD, &Limits::default(), &owes, full_day, true);
        assert_eq!(reason(r), Some(DeclineReason::ReturnedCheckBalance));
        assert_eq!(r.unwrap_err().code, 401);
        // Then the duplicate, whatever the amount.
        let r = plain(10, CARD, full_day, true);
        assert_eq!(reason(r), Some(DeclineReason::DuplicatePresentment));
        let r = plain(10_000, CARD, Velocity::default(), true);
        assert_eq!(reason(r), Some(DeclineReason::DuplicatePresentment));
        // Then the amount, before velocity.
        let r = plain(10, CARD, full_day, false);
        assert_eq!(reason(r), Some(DeclineReason::BelowMinimum));
        let r = plain(900_000, CARD, full_day, false);
        assert_eq!(reason(r), Some(DeclineReason::AboveMaximum));
    }

    #[test]
    fn attributes_move_the_maximum() {
        let card = CardLimits {
            min_cents: 500,
            max_cents: 2_000_000,
        };
        let go = |amount, a: &Attributes| {
            decide(
                amount,
                card,
                &effective_limits(&Limits::default(), a),
                a,
                Velocity::default(),
                false,
            )
        };
        let good = Attributes {
            direct_deposit: Some(true),
            tenure_months: Some(24),
            ..Attributes::default()
        };
        // $7,500 passes with the boost (daily amount raised with it).
        assert_eq!(go(750_000, &good), Ok(()));
        assert_eq!(
            reason(go(750_001, &good)),
            Some(DeclineReason::AboveMaximum)
        );
        assert_eq!(
            reason(go(750_000, &Attributes::default())),
            Some(DeclineReason::AboveMaximum)
        );
        let returned = Attributes {
            checks_returned_90d: Some(1),
            ..Attributes::default()
        };
        assert_eq!(go(250_000, &returned), Ok(()));
        assert_eq!(
            reason(go(250_001, &returned)),
            Some(DeclineReason::AboveMaximum)
        );
        // One a day after a return.
        let r = decide(
            1_000,
            card,
            &effective_limits(&Limits::default(), &returned),
            &returned,
            Velocity {
                today_count: 1,
                today_cents: 1_000,
                count_30d: 1,
                cents_30d: 1_000,
            },
            false,
        );
        assert_eq!(reason(r), Some(DeclineReason::DailyVelocity));
    }
}
