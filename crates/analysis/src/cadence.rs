//! Cadence (pay frequency) from the dates of a stream.
//!
//! The median gap between consecutive distinct dates picks the candidate;
//! the candidate is accepted only when at least two thirds of the gaps fall
//! inside its band, plus a structural test where two cadences share a band:
//!
//! | cadence | median gap | band (days) | structural test |
//! | --- | --- | --- | --- |
//! | Daily | 1–2 | 1–4 | — |
//! | Weekly | 5–9 | 5–9 | one weekday (below) |
//! | Bi-Weekly | 10–20 | 11–17 | one weekday (below) |
//! | Semi-Monthly | 10–20 | 9–21 | ≥ 80% of dates on two day-of-month anchors 10–20 days apart, each ≥ 25% |
//! | Monthly | 24–36 | 25–35 | — |
//! | Quarterly | 80–100 | 80–100 | — |
//! | Annually | 340–390 | 340–390 | — |
//!
//! "One weekday": at least 70% of the dates on one weekday, or at least 85%
//! on it and the day before (pay moved back for holidays).
//!
//! Two neighbouring gaps outside the band, each within 3 days of it, that
//! add up to two periods count as in band (one payment moved, the schedule
//! kept).
//!
//! Anchors allow for the move to the previous business day: a Friday may
//! stand for the Saturday, Sunday or holiday Monday after it, any other day
//! for the holiday after it; the last day of a month is one anchor ("last").
//! When both Bi-Weekly and Semi-Monthly pass, the stronger of the weekday and
//! anchor shares wins (Bi-Weekly on a tie). Anything else is Irregular.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use std::fmt;

/// Pay or repayment frequency. Serialises and displays as the spec's
/// strings ("Bi-Weekly", "Annually", ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cadence {
    /// Every business day (merchant cash advance repayments).
    Daily,
    Weekly,
    BiWeekly,
    SemiMonthly,
    Monthly,
    Quarterly,
    Annual,
    Irregular,
}

impl Cadence {
    pub const ALL: [Cadence; 8] = [
        Cadence::Daily,
        Cadence::Weekly,
        Cadence::BiWeekly,
        Cadence::SemiMonthly,
        Cadence::Monthly,
        Cadence::Quarterly,
        Cadence::Annual,
        Cadence::Irregular,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Daily => "Daily",
            Cadence::Weekly => "Weekly",
            Cadence::BiWeekly => "Bi-Weekly",
            Cadence::SemiMonthly => "Semi-Monthly",
            Cadence::Monthly => "Monthly",
            Cadence::Quarterly => "Quarterly",
            Cadence::Annual => "Annually",
            Cadence::Irregular => "Irregular",
        }
    }

    /// Pay events per month for a regular cadence (weekly 52/12, bi-weekly
    /// 26/12, semi-monthly 2, monthly 1, quarterly 1/3, annual 1/12); `None`
    /// for Daily and Irregular, whose income is summed instead.
    pub fn per_month(self) -> Option<Decimal> {
        use crate::money::ratio;
        match self {
            Cadence::Weekly => Some(ratio(52, 12)),
            Cadence::BiWeekly => Some(ratio(26, 12)),
            Cadence::SemiMonthly => Some(Decimal::from(2)),
            Cadence::Monthly => Some(Decimal::ONE),
            Cadence::Quarterly => Some(ratio(1, 3)),
            Cadence::Annual => Some(ratio(1, 12)),
            Cadence::Daily | Cadence::Irregular => None,
        }
    }

    /// Days a stream may go quiet before it is no longer active:
    /// 1.5 periods (weekly 10, bi-weekly 21, semi-monthly 22, monthly 45,
    /// quarterly 136, annual 547, daily 5).
    pub(crate) fn active_grace_days(self) -> Option<i64> {
        match self {
            Cadence::Daily => Some(5),
            Cadence::Weekly => Some(10),
            Cadence::BiWeekly => Some(21),
            Cadence::SemiMonthly => Some(22),
            Cadence::Monthly => Some(45),
            Cadence::Quarterly => Some(136),
            Cadence::Annual => Some(547),
            Cadence::Irregular => None,
        }
    }

    /// Longest wait, in days, from a disbursement to the first repayment
    /// for a repayment stream of this cadence (two periods and a few days).
    pub(crate) fn first_payment_within_days(self) -> i64 {
        match self {
            Cadence::Daily => 10,
            Cadence::Weekly => 17,
            Cadence::BiWeekly => 33,
            Cadence::SemiMonthly => 35,
            Cadence::Monthly => 66,
            Cadence::Quarterly => 190,
            Cadence::Annual => 400,
            Cadence::Irregular => 66,
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Cadence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The cadence of a series of dates and how well it fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fit {
    pub(crate) cadence: Cadence,
    /// Gaps inside the chosen (or, when irregular, the candidate's) band.
    pub(crate) in_band: u32,
    pub(crate) gaps: u32,
}

impl Fit {
    pub(crate) fn regular(&self) -> bool {
        self.cadence != Cadence::Irregular
    }

    /// Share of gaps in band, 0–1.
    pub(crate) fn regularity(&self) -> Decimal {
        crate::money::div(Decimal::from(self.in_band), Decimal::from(self.gaps))
    }
}

/// Classifies sorted, distinct dates. Fewer than three dates is Irregular.
pub(crate) fn classify(dates: &[NaiveDate]) -> Fit {
    let n = dates.len();
    let gaps: Vec<i64> = dates.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    let g = gaps.len() as u32;
    let irregular = |in_band: u32| Fit {
        cadence: Cadence::Irregular,
        in_band,
        gaps: g,
    };
    if n < 3 {
        return irregular(0);
    }
    let mut sorted = gaps.clone();
    sorted.sort_unstable();
    let median = sorted[(sorted.len() - 1) / 2];
    let in_band = |lo: i64, hi: i64| count_in_band(&gaps, lo, hi);
    let most = |k: u32| 3 * k >= 2 * g;
    let simple = |cadence: Cadence, lo: i64, hi: i64| {
        let k = in_band(lo, hi);
        if most(k) {
            Fit {
                cadence,
                in_band: k,
                gaps: g,
            }
        } else {
            irregular(k)
        }
    };
    match median {
        1..=2 => simple(Cadence::Daily, 1, 4),
        5..=9 => {
            let k = in_band(5, 9);
            if most(k) && one_weekday(dates) {
                Fit {
                    cadence: Cadence::Weekly,
                    in_band: k,
                    gaps: g,
                }
            } else {
                irregular(k)
            }
        }
        10..=20 => {
            let kb = in_band(11, 17);
            let ks = in_band(9, 21);
            let wd = weekday_mode(dates);
            let an = anchor_cover(dates);
            let bw_ok = most(kb) && one_weekday(dates);
            let sm_ok = most(ks) && 10 * an >= 8 * n;
            let bw = Fit {
                cadence: Cadence::BiWeekly,
                in_band: kb,
                gaps: g,
            };
            let sm = Fit {
                cadence: Cadence::SemiMonthly,
                in_band: ks,
                gaps: g,
            };
            match (bw_ok, sm_ok) {
                (true, true) if an > wd => sm,
                (true, _) => bw,
                (false, true) => sm,
                (false, false) => irregular(kb.max(ks)),
            }
        }
        24..=36 => simple(Cadence::Monthly, 25, 35),
        80..=100 => simple(Cadence::Quarterly, 80, 100),
        340..=390 => simple(Cadence::Annual, 340, 390),
        _ => irregular(0),
    }
}

/// Gaps inside [lo, hi]; two neighbouring gaps outside it, each within 3
/// days of it, that add up to two periods count as in band too (one payment moved for a holiday or a
/// weekend, the schedule kept: Monday pay moved to the Friday before gives
/// gaps of 4 and 10 days).
fn count_in_band(gaps: &[i64], lo: i64, hi: i64) -> u32 {
    let inside = |x: i64| (lo..=hi).contains(&x);
    // A moved payment shifts by a weekend and a holiday at most.
    let near = |x: i64| (lo - 3..=hi + 3).contains(&x);
    let mut k = 0u32;
    let mut i = 0;
    while i < gaps.len() {
        if inside(gaps[i]) {
            k += 1;
            i += 1;
        } else if i + 1 < gaps.len()
            && !inside(gaps[i + 1])
            && near(gaps[i])
            && near(gaps[i + 1])
            && (2 * lo..=2 * hi).contains(&(gaps[i] + gaps[i + 1]))
        {
            k += 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    k
}

fn weekday_counts(dates: &[NaiveDate]) -> [usize; 7] {
    let mut counts = [0usize; 7];
    for d in dates {
        counts[d.weekday().num_days_from_monday() as usize] += 1;
    }
    counts
}

/// How many dates fall on the most common weekday.
fn weekday_mode(dates: &[NaiveDate]) -> usize {
    weekday_counts(dates).into_iter().max().unwrap_or(0)
}

/// Paid on one weekday: at least 70% of dates on it, or at least 85% on it
/// and the day before (pay moved back for holidays).
fn one_weekday(dates: &[NaiveDate]) -> bool {
    let c = weekday_counts(dates);
    let n = dates.len();
    (0..7).any(|w| 10 * c[w] >= 7 * n || 100 * (c[w] + c[(w + 6) % 7]) >= 85 * n)
}

/// How many dates the best pair of day-of-month anchors explains (0 when no
/// pair has both anchors on at least a quarter of the dates).
fn anchor_cover(dates: &[NaiveDate]) -> usize {
    // counts[a]: dates that may stand for nominal day a (31 = last day).
    let mut counts = [0usize; 32];
    for &d in dates {
        let extra = if d.weekday() == Weekday::Fri { 3 } else { 1 };
        let mut mask = 0u32;
        for off in 0..=extra {
            if let Some(nominal) = d.checked_add_days(Days::new(off)) {
                mask |= 1 << anchor_of(nominal);
            }
        }
        for (a, c) in counts.iter_mut().enumerate() {
            if mask & (1 << a) != 0 {
                *c += 1;
            }
        }
    }
    let n = dates.len();
    let mut best = 0;
    for a in 1..=31usize {
        for b in (a + 10)..=(a + 20).min(31) {
            // Anchors 10–20 days apart cannot both be among one date's
            // (at most four consecutive) nominal days, so counts add up.
            if 4 * counts[a] >= n && 4 * counts[b] >= n {
                best = best.max(counts[a] + counts[b]);
            }
        }
    }
    best
}

fn anchor_of(d: NaiveDate) -> u32 {
    let last = d.succ_opt().is_none_or(|next| next.month() != d.month());
    if last {
        31
    } else {
        d.day()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_core::testing::d;

    fn every(start: NaiveDate, step: u64, n: usize) -> Vec<NaiveDate> {
        (0..n)
            .map(|i| start.checked_add_days(Days::new(step * i as u64)).unwrap())
            .collect()
    }

    /// 1st and 15th (or 15th and last), moved back to Friday on weekends.
    fn semi(anchors: (u32, bool), months: u32) -> Vec<NaiveDate> {
        let mut v = Vec::new();
        for i in 0..months {
            let (y, m) = (2024 + (i / 12) as i32, 1 + i % 12);
            let second = if anchors.1 {
                d(y, m, 1)
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap()
                    .pred_opt()
                    .unwrap()
            } else {
                d(y, m, 15)
            };
            for mut day in [d(y, m, anchors.0), second] {
                while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    day = day.pred_opt().unwrap();
                }
                v.push(day);
            }
        }
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn regular_cadences() {
        assert_eq!(
            classify(&every(d(2024, 1, 5), 7, 26)).cadence,
            Cadence::Weekly
        );
        assert_eq!(
            classify(&every(d(2024, 1, 5), 14, 13)).cadence,
            Cadence::BiWeekly
        );
        assert_eq!(classify(&semi((1, false), 6)).cadence, Cadence::SemiMonthly);
        assert_eq!(classify(&semi((15, true), 6)).cadence, Cadence::SemiMonthly);
        let monthly: Vec<NaiveDate> = (1..=12).map(|m| d(2024, m, 3)).collect();
        assert_eq!(classify(&monthly).cadence, Cadence::Monthly);
        let quarterly: Vec<NaiveDate> = [1, 4, 7, 10].iter().map(|&m| d(2024, m, 1)).collect();
        assert_eq!(classify(&quarterly).cadence, Cadence::Quarterly);
        let annual: Vec<NaiveDate> = (2020..2024).map(|y| d(y, 3, 1)).collect();
        assert_eq!(classify(&annual).cadence, Cadence::Annual);
    }

    #[test]
    fn business_daily() {
        let days: Vec<NaiveDate> = (0..60)
            .filter_map(|i| d(2024, 3, 1).checked_add_days(Days::new(i)))
            .filter(|x| !matches!(x.weekday(), Weekday::Sat | Weekday::Sun))
            .collect();
        assert_eq!(classify(&days).cadence, Cadence::Daily);
    }

    #[test]
    fn too_few_or_scattered_is_irregular() {
        assert_eq!(classify(&[]).cadence, Cadence::Irregular);
        assert_eq!(
            classify(&[d(2024, 1, 1), d(2024, 1, 15)]).cadence,
            Cadence::Irregular
        );
        let scattered = [1u32, 4, 12, 13, 24, 30]
            .iter()
            .map(|&x| d(2024, 1, x))
            .collect::<Vec<_>>();
        assert_eq!(classify(&scattered).cadence, Cadence::Irregular);
    }

    #[test]
    fn one_missed_week_is_still_weekly() {
        let mut v = every(d(2024, 1, 5), 7, 20);
        v.remove(7);
        let fit = classify(&v);
        assert_eq!(fit.cadence, Cadence::Weekly);
        assert_eq!((fit.in_band, fit.gaps), (17, 18));
    }

    #[test]
    fn a_payment_moved_for_a_holiday_keeps_the_schedule() {
        // Mondays; four of them paid the Friday before.
        let mut v = every(d(2024, 1, 1), 7, 22);
        for k in [1, 7, 15, 17] {
            v[k] = v[k].checked_sub_days(Days::new(3)).unwrap();
        }
        v.sort();
        assert_eq!(classify(&v).cadence, Cadence::Weekly);
        assert_eq!(count_in_band(&[7, 4, 10, 7, 14], 5, 9), 4);
        assert_eq!(count_in_band(&[42, 17, 29], 25, 35), 1);
    }

    #[test]
    fn spec_strings() {
        assert_eq!(Cadence::BiWeekly.to_string(), "Bi-Weekly");
        assert_eq!(Cadence::Annual.to_string(), "Annually");
    }
}
