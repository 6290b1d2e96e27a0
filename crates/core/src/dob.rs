//! Dates of birth as the check-cashing spec lists them.

use chrono::{Datelike, Months, NaiveDate};

/// Oldest plausible customer; anything earlier is a keying error.
const MAX_AGE_YEARS: u32 = 130;

/// Accepts MM/DD/YYYY, MM-DD-YYYY, YYYY/MM/DD, YYYY-MM-DD, and the
/// two-digit-year forms MM/DD/YY and MM-DD-YY.
/// Two-digit years pivot: 20YY if that date is not in the future, else 19YY.
/// The date must be a real calendar date, not after `today`, and not more
/// than 130 years before it.
///
/// Fields must be zero-padded (`05/31/1988`, not `5/31/1988`) and the two
/// separators must match; surrounding whitespace is ignored because form
/// fields routinely carry it.
pub fn parse_date_of_birth(s: &str, today: NaiveDate) -> Result<NaiveDate, DobError> {
    let s = s.trim();
    // Positional parsing below indexes bytes, which is only sound for ASCII.
    if !s.is_ascii() {
        return Err(DobError::Format);
    }
    let b = s.as_bytes();
    let (year, month, day) = match b.len() {
        10 if is_sep(b[2]) && b[5] == b[2] => {
            let y = digits(&b[6..10]).ok_or(DobError::Format)?;
            (y as i32, field2(b, 0)?, field2(b, 3)?)
        }
        10 if is_sep(b[4]) && b[7] == b[4] => {
            let y = digits(&b[0..4]).ok_or(DobError::Format)?;
            (y as i32, field2(b, 5)?, field2(b, 8)?)
        }
        8 if is_sep(b[2]) && b[5] == b[2] => {
            let yy = field2(b, 6)? as i32;
            let (month, day) = (field2(b, 0)?, field2(b, 3)?);
            // Pivot on the whole date: 20YY unless that day is still to
            // come, then 19YY (12/31/26 read on 2026-12-05 is 1926).
            let y = match NaiveDate::from_ymd_opt(2000 + yy, month, day) {
                Some(d) if d > today => 1900 + yy,
                _ => 2000 + yy,
            };
            (y, month, day)
        }
        _ => return Err(DobError::Format),
    };
    let dob = NaiveDate::from_ymd_opt(year, month, day).ok_or(DobError::Invalid)?;
    if dob > today {
        return Err(DobError::Future);
    }
    // `checked_sub_months` clamps Feb 29 to Feb 28, so the limit is never
    // an impossible date; `None` only happens at chrono's lower bound,
    // where nothing can be older anyway.
    if let Some(oldest) = today.checked_sub_months(Months::new(MAX_AGE_YEARS * 12)) {
        if dob < oldest {
            return Err(DobError::TooOld);
        }
    }
    Ok(dob)
}

/// Full years lived on `today`; 0 if `dob` is after `today`.
///
/// A Feb 29 birthday ticks over on Mar 1 in common years, since Feb 29
/// has not yet been reached on Feb 28.
pub fn age_on(dob: NaiveDate, today: NaiveDate) -> u32 {
    if dob >= today {
        return 0;
    }
    let mut years = today.year() - dob.year();
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DobError {
    #[error("is not in an accepted format (MM/DD/YY, MM-DD-YY, YYYY/MM/DD, YYYY-MM-DD)")]
    Format,
    #[error("is not a valid date")]
    Invalid,
    #[error("cannot be in the future")]
    Future,
    #[error("is too far in the past")]
    TooOld,
}

/// Parses MM-DD-YYYY strictly (for customer attribute dates).
///
/// Exactly ten characters, zero-padded, '-' separators, no surrounding
/// whitespace; year 0000 is refused since no real attribute date uses it.
pub fn parse_mm_dd_yyyy(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[2] != b'-' || b[5] != b'-' {
        return None;
    }
    let month = digits(&b[0..2])?;
    let day = digits(&b[3..5])?;
    let year = digits(&b[6..10])?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

fn is_sep(c: u8) -> bool {
    c == b'/' || c == b'-'
}

fn field2(b: &[u8], at: usize) -> Result<u32, DobError> {
    b.get(at..at + 2).and_then(digits).ok_or(DobError::Format)
}

/// Value of a short run of ASCII digits; `None` if any byte is not a digit.
/// Callers pass at most 4 bytes, so the result cannot overflow.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    fn today() -> NaiveDate {
        d(2026, 3, 15)
    }

    #[test]
    fn reads_against_today() {
        use DobError::*;
        let cases = [
            // Every listed format.
            ("05/31/1988", Ok(d(1988, 5, 31))),
            ("05-31-1988", Ok(d(1988, 5, 31))),
            ("1978-09-11", Ok(d(1978, 9, 11))),
            ("1978/09/11", Ok(d(1978, 9, 11))),
            ("09-11-78", Ok(d(1978, 9, 11))),
            ("09/11/78", Ok(d(1978, 9, 11))),
            // The two-digit year pivot.
            ("01/01/00", Ok(d(2000, 1, 1))),
            ("01/01/25", Ok(d(2025, 1, 1))),
            ("01/01/26", Ok(d(2026, 1, 1))),
            ("01/01/27", Ok(d(1927, 1, 1))),
            ("12/31/99", Ok(d(1999, 12, 31))),
            // Impossible dates.
            ("02/30/1990", Err(Invalid)),
            ("13/01/1990", Err(Invalid)),
            ("00/10/1990", Err(Invalid)),
            ("04/31/1990", Err(Invalid)),
            ("1990-02-00", Err(Invalid)),
            ("02/29/1999", Err(Invalid)),
            ("0000-01-01", Err(TooOld)),
            // Leap-day birthdays.
            ("02/29/2000", Ok(d(2000, 2, 29))),
            ("1996-02-29", Ok(d(1996, 2, 29))),
            ("02-29-00", Ok(d(2000, 2, 29))),
            // No future dates; today is fine.
            ("03/16/2026", Err(Future)),
            ("2030-01-01", Err(Future)),
            ("03/15/2026", Ok(today())),
            // Not more than 130 years.
            ("03/15/1896", Ok(d(1896, 3, 15))),
            ("03/14/1896", Err(TooOld)),
            ("1800-01-01", Err(TooOld)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date_of_birth(text, today()), want, "{text:?}");
        }
    }

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(
            parse_date_of_birth("  05/31/1988\t", today()),
            Ok(d(1988, 5, 31))
        );
    }

    #[test]
    fn two_digit_year_later_this_year_is_last_century() {
        // The pivot is by date: a 20YY day still to come reads as 19YY.
        let t = d(2026, 12, 5);
        assert_eq!(parse_date_of_birth("12/31/26", t), Ok(d(1926, 12, 31)));
        assert_eq!(parse_date_of_birth("12/05/26", t), Ok(d(2026, 12, 5)));
        assert_eq!(parse_date_of_birth("12/04/26", t), Ok(d(2026, 12, 4)));
    }

    #[test]
    fn oldest_limit_when_today_is_leap_day() {
        // 130 years before 2024-02-29 is 1894-02-28 (1894 is not leap).
        let t = d(2024, 2, 29);
        assert_eq!(parse_date_of_birth("1894-02-28", t), Ok(d(1894, 2, 28)));
        assert_eq!(parse_date_of_birth("1894-02-27", t), Err(DobError::TooOld));
    }

    #[test]
    fn rejects_other_formats() {
        let t = today();
        for bad in [
            "",
            "   ",
            "5/31/1988",
            "05/31/88/",
            "05/31-1988",
            "1988-05/31",
            "05.31.1988",
            "05311988",
            "1988531",
            "19880531",
            "May 31 1988",
            "05/31/198",
            "0a/31/1988",
            "1988-05-3x",
            "05/31/19888",
            "+5/31/1988",
            "05/-1/1988",
            "1988-05-31T00:00",
            "31/05",
            "1988/05-31",
            // Multibyte input never panics.
            "05/31/198é",
            "é5/31/1988",
            "05／31／1988",
            "١٩٨٨-٠٥-٣١",
            "🙂🙂/🙂",
            "05/3🙂",
            "05/31/1🙂",
        ] {
            assert_eq!(
                parse_date_of_birth(bad, t),
                Err(DobError::Format),
                "{bad:?}"
            );
            assert_eq!(parse_mm_dd_yyyy(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn extreme_today_values_do_not_panic() {
        assert_eq!(
            parse_date_of_birth("01/01/1990", NaiveDate::MIN),
            Err(DobError::Future)
        );
        assert_eq!(
            parse_date_of_birth("01/01/1990", NaiveDate::MAX),
            Err(DobError::TooOld)
        );
        let _ = parse_date_of_birth("01/01/90", NaiveDate::MIN);
        let _ = parse_date_of_birth("01/01/90", NaiveDate::MAX);
    }

    #[test]
    fn age_in_full_years() {
        let dob = d(1988, 5, 31);
        let leap = d(2000, 2, 29);
        for (born, on, age) in [
            (dob, d(2026, 5, 30), 37),
            (dob, d(2026, 5, 31), 38),
            (dob, d(2026, 6, 1), 38),
            (dob, dob, 0),
            (dob, d(1989, 5, 30), 0),
            (dob, d(1989, 5, 31), 1),
            // A leap-day birthday comes on 1 March in other years.
            (leap, d(2021, 2, 28), 20),
            (leap, d(2021, 3, 1), 21),
            (leap, d(2024, 2, 29), 24),
        ] {
            assert_eq!(age_on(born, on), age, "{born} on {on}");
        }
    }

    #[test]
    fn age_is_zero_for_future_dob() {
        assert_eq!(age_on(d(2030, 1, 1), d(2026, 1, 1)), 0);
        assert_eq!(age_on(NaiveDate::MAX, NaiveDate::MIN), 0);
        assert!(age_on(NaiveDate::MIN, NaiveDate::MAX) > 0);
    }

    #[test]
    fn strict_mm_dd_yyyy() {
        assert_eq!(parse_mm_dd_yyyy("05-31-1988"), Some(d(1988, 5, 31)));
        assert_eq!(parse_mm_dd_yyyy("02-29-2024"), Some(d(2024, 2, 29)));
        assert_eq!(parse_mm_dd_yyyy("12-31-9999"), Some(d(9999, 12, 31)));
        for bad in [
            "",
            "05/31/1988",
            "1988-05-31",
            "5-31-1988",
            "05-31-88",
            " 05-31-1988",
            "05-31-1988 ",
            "02-29-2023",
            "13-01-2020",
            "00-01-2020",
            "01-00-2020",
            "01-01-0000",
            "0a-01-2020",
            "01-01-20x0",
        ] {
            assert_eq!(parse_mm_dd_yyyy(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn digits_helper_rejects_non_digits() {
        assert_eq!(digits(b"0123"), Some(123));
        assert_eq!(digits(b""), None);
        assert_eq!(digits(b"1-"), None);
    }
}
