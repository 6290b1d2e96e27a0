//! Dates in the shapes statement files use. A date that cannot be read is
//! `None`, never a fallback: an invented date silently moves money between
//! periods.

use chrono::{Datelike, NaiveDate};

/// Years outside this window are misreads (a two-digit year taken as year 15 AD).
fn plausible(d: NaiveDate) -> Option<NaiveDate> {
    (1950..=2100).contains(&d.year()).then_some(d)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).and_then(plausible)
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// OFX dates: `YYYYMMDD[HHMMSS[.XXX]][[gmt offset[:tz name]]]`. The calendar
/// date is taken as written (the bank's local date, which is what the
/// customer sees), not converted to UTC. Six digits are read as DDMMYY, the
/// variant attested in the wild (HSBC Brasil); all zeros means absent.
pub(crate) fn ofx_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    let lead: &str = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or(s, |i| s.get(..i).unwrap_or_default());
    if lead.bytes().all(|b| b == b'0') && !lead.is_empty() {
        return None;
    }
    if lead.len() >= 8 {
        let y = digits(lead.get(0..4)?)?;
        let m = digits(lead.get(4..6)?)?;
        let d = digits(lead.get(6..8)?)?;
        return ymd(i32::try_from(y).ok()?, m, d);
    }
    if lead.len() == 6 && lead.len() == s.len() {
        let d = digits(lead.get(0..2)?)?;
        let m = digits(lead.get(2..4)?)?;
        let y = digits(lead.get(4..6)?)?;
        return ymd(2000 + i32::try_from(y).ok()?, m, d);
    }
    // Odd exports write ISO or slashed dates into OFX date fields.
    ["%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"]
        .iter()
        .find_map(|f| parse_with(s, f))
}

/// SWIFT `YYMMDD`. SWIFT has no century; 80-99 are read as 19xx.
pub(crate) fn yymmdd(s: &str) -> Option<NaiveDate> {
    if s.len() != 6 {
        return None;
    }
    let y = digits(s.get(0..2)?)?;
    let m = digits(s.get(2..4)?)?;
    let d = digits(s.get(4..6)?)?;
    let year = if y >= 80 { 1900 + y } else { 2000 + y };
    ymd(i32::try_from(year).ok()?, m, d)
}

/// Formats tried on CSV date columns, in order of preference. Month-first
/// comes before day-first because most exports handled are US ones; a column
/// is only read day-first when some value rules month-first out.
pub(crate) const CSV_DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%Y%m%d",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%b %d, %Y",
    "%d %B %Y",
    "%B %d, %Y",
];

/// Parse `raw` with a chrono format, ignoring a trailing time ("2021-09-06
/// 6:11:59", "2024-01-15T10:00:00Z").
pub(crate) fn parse_with(raw: &str, format: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, format) {
        return plausible(d);
    }
    let words = format.split_whitespace().count().max(1);
    let mut cut = s.len();
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            seen += 1;
            if seen == words {
                cut = i;
                break;
            }
        }
    }
    let mut head = s.get(..cut).unwrap_or(s);
    if !format.contains('T') {
        if let Some(i) = head.find('T') {
            if head
                .get(..i)
                .is_some_and(|p| p.ends_with(|c: char| c.is_ascii_digit()))
            {
                head = head.get(..i).unwrap_or(head);
            }
        }
    }
    if head.len() == s.len() {
        return None;
    }
    NaiveDate::parse_from_str(head, format)
        .ok()
        .and_then(plausible)
}

/// The format that reads the most of `values` (all of them, ideally);
/// `None` when none reads at least half.
pub(crate) fn infer_format<'a>(
    values: impl Iterator<Item = &'a str> + Clone,
) -> Option<&'static str> {
    let total = values.clone().filter(|v| !v.trim().is_empty()).count();
    if total == 0 {
        return None;
    }
    let mut best: Option<(&'static str, usize)> = None;
    for format in CSV_DATE_FORMATS {
        let ok = values
            .clone()
            .filter(|v| !v.trim().is_empty())
            .filter(|v| parse_with(v, format).is_some())
            .count();
        if ok == total {
            return Some(format);
        }
        if best.is_none_or(|(_, n)| ok > n) {
            best = Some((format, ok));
        }
    }
    best.filter(|(_, n)| *n * 2 >= total && *n > 0)
        .map(|(f, _)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn ofx() {
        assert_eq!(ofx_date("20240115"), d(2024, 1, 15));
        assert_eq!(ofx_date("20240115120000.000[-5:EST]"), d(2024, 1, 15));
        assert_eq!(ofx_date("20240115120000[+1]"), d(2024, 1, 15));
        assert_eq!(ofx_date("150124"), d(2024, 1, 15));
        assert_eq!(ofx_date("00000000"), None);
        assert_eq!(ofx_date("20120231"), None);
        assert_eq!(ofx_date(""), None);
        assert_eq!(ofx_date("2024-01-15"), d(2024, 1, 15));
    }

    #[test]
    fn swift() {
        assert_eq!(yymmdd("240115"), d(2024, 1, 15));
        assert_eq!(yymmdd("991231"), d(1999, 12, 31));
        assert_eq!(yymmdd("24011"), None);
    }

    #[test]
    fn csv_inference() {
        let us = ["6/12/15", "12/31/2015"];
        assert_eq!(
            infer_format(["6/12/2015", "12/31/2015"].into_iter()),
            Some("%m/%d/%Y")
        );
        assert_eq!(
            infer_format(["24/03/2022", "08/04/2022"].into_iter()),
            Some("%d/%m/%Y")
        );
        assert_eq!(
            infer_format(["6/12/15", "6/13/15"].into_iter()),
            Some("%m/%d/%y")
        );
        assert_eq!(
            infer_format(["2021-09-06 6:11:59"].into_iter()),
            Some("%Y-%m-%d")
        );
        assert_eq!(infer_format(["31.03.2019"].into_iter()), Some("%d.%m.%Y"));
        assert_eq!(infer_format(["hello", "world"].into_iter()), None);
        assert_eq!(parse_with(us[0], "%m/%d/%y"), d(2015, 6, 12));
        assert_eq!(
            parse_with("2024-01-15T10:00:00Z", "%Y-%m-%d"),
            d(2024, 1, 15)
        );
        assert_eq!(parse_with("15 Jan 2024", "%d %b %Y"), d(2024, 1, 15));
    }
}
