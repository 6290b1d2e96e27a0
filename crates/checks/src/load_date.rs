//! When the money should reach the card.

use chrono::NaiveDate;
use fundline_core::calendar::add_banking_days;

use crate::Funding;

/// Banking days a check deposited for money in days is held before the
/// load: long enough for an unpaid check to come back (returns normally
/// arrive within two to five banking days; ten leaves room for late ones).
pub const DAYS_HOLD_BANKING_DAYS: u32 = 10;

/// The expected load date of a deposit submitted on `submitted` (the
/// tenant's local date; the caller reads the clock).
///
/// * Money in minutes: the same day, weekends and holidays included — the
///   load is a card push, which runs every day.
/// * Money in days: the 10th banking day after `submitted`. A deposit made
///   on a weekend or holiday counts from the next banking day, as a bank
///   would treat it as received then (Saturday → Monday → ten banking
///   days on).
pub fn expected_load_date(submitted: NaiveDate, funding: Funding) -> NaiveDate {
    match funding {
        Funding::Minutes => submitted,
        Funding::Days => add_banking_days(submitted, DAYS_HOLD_BANKING_DAYS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_core::testing::d;

    #[test]
    fn minutes_is_the_same_day() {
        for day in [d(2026, 3, 16), d(2026, 3, 14), d(2026, 12, 25)] {
            assert_eq!(expected_load_date(day, Funding::Minutes), day);
        }
    }

    #[test]
    fn days_is_ten_banking_days_later() {
        for (submitted, loads) in [
            // Mon 2026-03-16 + 10 banking days = Mon 2026-03-30.
            (d(2026, 3, 16), d(2026, 3, 30)),
            // Sat 2026-03-14 counts from Mon 03-16: also 03-30.
            (d(2026, 3, 14), d(2026, 3, 30)),
            // Fri 2026-11-20: skips Thanksgiving (11-26) -> Mon 12-07.
            // 23,24,25,27,30, 1,2,3,4,7.
            (d(2026, 11, 20), d(2026, 12, 7)),
            // Thu 2026-12-17: skips Christmas (Fri 12-25) and New Year (Fri 01-01).
            // 18,21,22,23,24,28,29,30,31, Jan 4.
            (d(2026, 12, 17), d(2027, 1, 4)),
        ] {
            assert_eq!(
                expected_load_date(submitted, Funding::Days),
                loads,
                "{submitted}"
            );
        }
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        assert_eq!(
            expected_load_date(NaiveDate::MAX, Funding::Days),
            NaiveDate::MAX
        );
        let _ = expected_load_date(NaiveDate::MIN, Funding::Days);
    }
}
