//! US banking days: weekends and Federal Reserve holidays are not banking
//! days.

use chrono::{Datelike, NaiveDate, Weekday};

/// First year the Federal Reserve closed for Juneteenth.
const JUNETEENTH_FROM: i32 = 2022;

/// Fed holidays: New Year's Day, MLK Day (3rd Mon Jan), Presidents Day
/// (3rd Mon Feb), Memorial Day (last Mon May), Juneteenth (Jun 19, from
/// 2022), Independence Day, Labor Day (1st Mon Sep), Columbus Day (2nd Mon
/// Oct), Veterans Day (Nov 11), Thanksgiving (4th Thu Nov), Christmas.
/// A fixed-date holiday on Sunday is observed Monday; the Federal Reserve
/// does NOT close the preceding Friday when one falls on Saturday.
///
/// The holiday's own date is reported as a holiday even on a weekend
/// (e.g. Saturday 2027-12-25), matching the Fed's published list; it
/// makes no difference to `is_banking_day`.
pub fn is_fed_holiday(d: NaiveDate) -> bool {
    let (y, m, day) = (d.year(), d.month(), d.day());

    let fixed = |fm: u32, fd: u32| -> bool {
        if (m, day) == (fm, fd) {
            return true;
        }
        // Sunday holiday observed on the following Monday.
        d.weekday() == Weekday::Mon
            && d.pred_opt()
                .is_some_and(|sun| (sun.month(), sun.day()) == (fm, fd))
    };

    let floating = match m {
        1 => nth_weekday(y, 1, Weekday::Mon, 3) == Some(d),
        2 => nth_weekday(y, 2, Weekday::Mon, 3) == Some(d),
        5 => last_weekday(y, 5, Weekday::Mon) == Some(d),
        9 => nth_weekday(y, 9, Weekday::Mon, 1) == Some(d),
        10 => nth_weekday(y, 10, Weekday::Mon, 2) == Some(d),
        11 => nth_weekday(y, 11, Weekday::Thu, 4) == Some(d),
        _ => false,
    };

    floating
        || fixed(1, 1)
        || (y >= JUNETEENTH_FROM && fixed(6, 19))
        || fixed(7, 4)
        || fixed(11, 11)
        || fixed(12, 25)
}

pub fn is_banking_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_fed_holiday(d)
}

/// The n-th banking day after `d` (n = 0 returns d if it is a banking day,
/// else the next banking day).
///
/// A non-banking `d` is first rolled forward to the next banking day and n
/// is counted from there, so Saturday + 1 is Tuesday (as with an item
/// received on a weekend being treated as received Monday). This keeps
/// `add_banking_days(d, n) == add_banking_days(add_banking_days(d, 0), n)`.
/// Saturates at `NaiveDate::MAX` instead of panicking.
pub fn add_banking_days(d: NaiveDate, n: u32) -> NaiveDate {
    let mut cur = d;
    while !is_banking_day(cur) {
        match cur.succ_opt() {
            Some(next) => cur = next,
            None => return cur,
        }
    }
    for _ in 0..n {
        loop {
            match cur.succ_opt() {
                Some(next) => cur = next,
                None => return cur,
            }
            if is_banking_day(cur) {
                break;
            }
        }
    }
    cur
}

/// The `n`-th (1-based) `wd` of the month, if it exists.
fn nth_weekday(year: i32, month: u32, wd: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, wd, n)
}

fn last_weekday(year: i32, month: u32, wd: Weekday) -> Option<NaiveDate> {
    // The 5th occurrence exists in some months only; otherwise the 4th is
    // the last.
    nth_weekday(year, month, wd, 5).or_else(|| nth_weekday(year, month, wd, 4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    /// Weekday holidays the Fed is closed for, per its published
    /// schedule.
    fn fed_closures(year: i32) -> Vec<NaiveDate> {
        match year {
            2025 => vec![
                d(2025, 1, 1),
                d(2025, 1, 20),
                d(2025, 2, 17),
                d(2025, 5, 26),
                d(2025, 6, 19),
                d(2025, 7, 4),
                d(2025, 9, 1),
                d(2025, 10, 13),
                d(2025, 11, 11),
                d(2025, 11, 27),
                d(2025, 12, 25),
            ],
            2026 => vec![
                d(2026, 1, 1),
                d(2026, 1, 19),
                d(2026, 2, 16),
                d(2026, 5, 25),
                d(2026, 6, 19),
                // Jul 4 is a Saturday: no weekday closure.
                d(2026, 9, 7),
                d(2026, 10, 12),
                d(2026, 11, 11),
                d(2026, 11, 26),
                d(2026, 12, 25),
            ],
            2027 => vec![
                d(2027, 1, 1),
                d(2027, 1, 18),
                d(2027, 2, 15),
                d(2027, 5, 31),
                // Jun 19 is a Saturday.
                d(2027, 7, 5), // Jul 4 is a Sunday.
                d(2027, 9, 6),
                d(2027, 10, 11),
                d(2027, 11, 11),
                d(2027, 11, 25),
                // Dec 25 is a Saturday.
            ],
            _ => unreachable!(),
        }
    }

    #[test]
    fn weekday_closures_2025_to_2027_match_fed_calendar() {
        for year in 2025..=2027 {
            let expected = fed_closures(year);
            let mut got = Vec::new();
            let mut cur = d(year, 1, 1);
            while cur.year() == year {
                let weekend = matches!(cur.weekday(), Weekday::Sat | Weekday::Sun);
                if !weekend && is_fed_holiday(cur) {
                    got.push(cur);
                }
                cur = cur.succ_opt().unwrap();
            }
            assert_eq!(got, expected, "{year}");
        }
    }

    #[test]
    fn saturday_holidays_are_not_observed_friday() {
        assert!(!is_fed_holiday(d(2026, 7, 3)));
        assert!(is_banking_day(d(2026, 7, 3)));
        assert!(is_fed_holiday(d(2026, 7, 4)));
        assert!(!is_banking_day(d(2026, 7, 4)));
        assert!(!is_fed_holiday(d(2026, 7, 6)));

        assert!(!is_fed_holiday(d(2027, 6, 18)));
        assert!(!is_fed_holiday(d(2027, 12, 24)));
        assert!(is_banking_day(d(2027, 12, 24)));
        assert_eq!(d(2027, 12, 25).weekday(), Weekday::Sat);
        assert!(is_fed_holiday(d(2027, 12, 25)));
        assert!(!is_banking_day(d(2027, 12, 25)));
        assert!(!is_fed_holiday(d(2027, 12, 27)));
        assert!(is_banking_day(d(2027, 12, 27)));
    }

    #[test]
    fn new_year_2028_on_saturday() {
        assert_eq!(d(2028, 1, 1).weekday(), Weekday::Sat);
        assert!(is_fed_holiday(d(2028, 1, 1)));
        assert!(!is_fed_holiday(d(2027, 12, 31)));
        assert!(is_banking_day(d(2027, 12, 31)));
        assert!(!is_fed_holiday(d(2028, 1, 3)));
        assert!(is_banking_day(d(2028, 1, 3)));
    }

    #[test]
    fn sunday_holidays_observed_monday() {
        assert_eq!(d(2023, 1, 1).weekday(), Weekday::Sun);
        assert!(is_fed_holiday(d(2023, 1, 2)));
        assert!(!is_banking_day(d(2023, 1, 2)));
        assert!(is_banking_day(d(2023, 1, 3)));
        // Christmas 2022 on Sunday.
        assert!(is_fed_holiday(d(2022, 12, 26)));
        // Juneteenth 2022 on Sunday.
        assert!(is_fed_holiday(d(2022, 6, 20)));
        // Veterans Day 2029 on Sunday.
        assert!(is_fed_holiday(d(2029, 11, 12)));
    }

    #[test]
    fn juneteenth_starts_2022() {
        assert!(!is_fed_holiday(d(2021, 6, 18)));
        assert!(!is_fed_holiday(d(2021, 6, 21)));
        assert!(is_banking_day(d(2021, 6, 18)));
        // Jun 19 2021 was Saturday; the date itself is not a holiday yet.
        assert!(!is_fed_holiday(d(2021, 6, 19)));
        assert!(is_fed_holiday(d(2023, 6, 19)));
        assert!(is_fed_holiday(d(2024, 6, 19)));
    }

    #[test]
    fn floating_holidays_edge_months() {
        // Memorial Day when May has five Mondays vs four.
        assert!(is_fed_holiday(d(2027, 5, 31)));
        assert!(!is_fed_holiday(d(2027, 5, 24)));
        assert!(is_fed_holiday(d(2024, 5, 27)));
        // Thanksgiving is the 4th Thursday, not the last (Nov 2023 had
        // five Thursdays).
        assert!(is_fed_holiday(d(2023, 11, 23)));
        assert!(!is_fed_holiday(d(2023, 11, 30)));
        // Day after Thanksgiving is open.
        assert!(is_banking_day(d(2025, 11, 28)));
    }

    #[test]
    fn ordinary_days() {
        assert!(is_banking_day(d(2026, 3, 16)));
        assert!(!is_banking_day(d(2026, 3, 14)));
        assert!(!is_banking_day(d(2026, 3, 15)));
        assert!(!is_fed_holiday(d(2026, 3, 16)));
        assert!(!is_fed_holiday(d(2026, 12, 24)));
        assert!(!is_fed_holiday(d(2026, 12, 31)));
    }

    #[test]
    fn add_banking_days_skips_weekends_and_holidays() {
        let cases = [
            // Adding zero rolls forward only when needed.
            (d(2026, 3, 16), 0, d(2026, 3, 16)),
            (d(2026, 3, 14), 0, d(2026, 3, 16)),
            (d(2026, 3, 15), 0, d(2026, 3, 16)),
            // Sunday before the Monday MLK holiday.
            (d(2026, 1, 18), 0, d(2026, 1, 20)),
            // Friday + 1 = Monday.
            (d(2026, 3, 13), 1, d(2026, 3, 16)),
            // Wednesday before Thanksgiving + 1 skips Thursday 11/26.
            (d(2026, 11, 25), 1, d(2026, 11, 27)),
            // Christmas Eve 2026 (Thu) + 1 skips Fri 12/25 and the weekend.
            (d(2026, 12, 24), 1, d(2026, 12, 28)),
            // Thu 2026-07-02 + 1 is Fri 07-03: Saturday holidays close nothing.
            (d(2026, 7, 2), 1, d(2026, 7, 3)),
            // Fri 2027-07-02 + 1 skips the weekend and observed Monday 07-05.
            (d(2027, 7, 2), 1, d(2027, 7, 6)),
            // A full week of banking days.
            (d(2026, 3, 16), 5, d(2026, 3, 23)),
            // Saturday rolls to Monday, then +1 is Tuesday.
            (d(2026, 3, 14), 1, d(2026, 3, 17)),
        ];
        for (start, n, want) in cases {
            assert_eq!(add_banking_days(start, n), want, "{start} + {n}");
        }
    }

    #[test]
    fn add_from_non_banking_day_counts_from_rolled_date() {
        for start in 0..30 {
            let s = d(2026, 12, 1) + chrono::Days::new(start);
            for n in 0..10 {
                assert_eq!(
                    add_banking_days(s, n),
                    add_banking_days(add_banking_days(s, 0), n)
                );
            }
        }
    }

    #[test]
    fn add_results_are_always_banking_days() {
        let mut cur = d(2025, 1, 1);
        while cur.year() < 2028 {
            for n in [0, 1, 2, 3, 10] {
                assert!(is_banking_day(add_banking_days(cur, n)));
                assert!(add_banking_days(cur, n) >= cur);
            }
            cur = cur.succ_opt().unwrap();
        }
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let _ = is_fed_holiday(NaiveDate::MIN);
        let _ = is_fed_holiday(NaiveDate::MAX);
        let _ = is_banking_day(NaiveDate::MAX);
        let end = add_banking_days(NaiveDate::MAX - chrono::Days::new(10), 1_000);
        assert_eq!(end, NaiveDate::MAX);
        let _ = add_banking_days(NaiveDate::MIN, 3);
    }
}
