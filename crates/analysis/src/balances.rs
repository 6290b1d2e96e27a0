//! End-of-day balances over the window, rebuilt from the statement's
//! balances and the running sum of transactions, carried forward over days
//! without entries.
//!
//! Per deposit account (liability accounts — credit card, loan, line of
//! credit, mortgage — are left out; accounts seen only in transactions are
//! deposit accounts):
//! * with a closing balance `C` at date `B` (the report's end date when not
//!   given): EOD(d) = C + S(d) − S(B), where S(x) is the sum of the account's
//!   transactions dated on or before x;
//! * else with an opening balance `O` (before the first transaction):
//!   EOD(d) = O + S(d);
//! * else EOD(d) = S(d) (opening 0; `balance_anchor` says "none").
//!
//! The combined balance is the sum over deposit accounts. Average daily
//! balance = mean combined EOD over every calendar day of the window (the
//! last 60 / 180 days for the short forms); minimum, 10th and 90th
//! percentile (nearest rank) likewise. Negative days: days on which any one
//! deposit account ended below zero.

use crate::money::{self, dec, div};
use crate::report::Ctx;
use crate::text::FnvMap;
use crate::Input;
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub(crate) struct Balances {
    pub(crate) current: Decimal,
    pub(crate) available: Decimal,
    pub(crate) average_daily_balance: Decimal,
    pub(crate) average_60d: Decimal,
    pub(crate) average_180d: Decimal,
    pub(crate) minimum: Decimal,
    pub(crate) p10: Decimal,
    pub(crate) p90: Decimal,
    pub(crate) negative_days: u32,
    pub(crate) anchor: &'static str,
}

pub(crate) fn is_liability(account_type: Option<&str>) -> bool {
    let Some(t) = account_type else {
        return false;
    };
    let t = t.to_ascii_uppercase();
    ["CREDIT", "LOAN", "MORTGAGE", "LIABILITY", "LINE OF"]
        .iter()
        .any(|w| t.contains(w))
}

#[derive(Default, Clone)]
struct Acc {
    liability: bool,
    closing: Option<(i64, NaiveDate)>,
    opening: Option<i64>,
    available: Option<i64>,
    /// Sum of transactions on or before the closing date (ten-thousandths).
    to_closing: i128,
    /// Sum of transactions before the window.
    before_window: i128,
    /// Sum of transactions up to the window's end.
    to_end: i128,
    /// Running end-of-day balance and the day it has held since (for
    /// negative days).
    running: i128,
    since: usize,
}

impl Acc {
    /// EOD(d) = constant + S(d).
    fn constant(&self) -> i128 {
        match (self.closing, self.opening) {
            (Some((c, _)), _) => i128::from(c) - self.to_closing,
            (None, Some(o)) => i128::from(o),
            (None, None) => 0,
        }
    }
}

pub(crate) fn compute(input: &Input, ctx: &Ctx) -> Balances {
    use money::{from_units, to_units};
    let w = ctx.window;
    // Dense account slots, so the per-transaction loops index arrays.
    let mut slot_of: FnvMap<u32, usize> = FnvMap::default();
    let mut accs: Vec<Acc> = Vec::new();
    for a in &input.accounts {
        let k = *slot_of.entry(a.id).or_insert_with(|| {
            accs.push(Acc::default());
            accs.len() - 1
        });
        let acc = &mut accs[k];
        acc.liability = is_liability(a.account_type.as_deref());
        acc.closing = a
            .current_balance
            .map(|c| (to_units(c), a.current_balance_date.unwrap_or(w.end)));
        acc.opening = a.opening_balance.map(to_units);
        acc.available = a.available_balance.map(to_units);
    }
    let mut slots = Vec::with_capacity(ctx.txns.len());
    let mut last: Option<(u32, usize)> = None;
    for (i, t) in ctx.txns.iter().enumerate() {
        let k = match last {
            Some((id, k)) if id == t.account => k,
            _ => *slot_of.entry(t.account).or_insert_with(|| {
                accs.push(Acc::default());
                accs.len() - 1
            }),
        };
        last = Some((t.account, k));
        slots.push(k);
        let acc = &mut accs[k];
        let u = i128::from(ctx.units[i]);
        if acc.closing.is_some_and(|(_, b)| t.date <= b) {
            acc.to_closing += u;
        }
        if t.date < w.start {
            acc.before_window += u;
        }
        if t.date <= w.end {
            acc.to_end += u;
        }
    }

    let (mut current, mut available, mut start_total) = (0i128, 0i128, 0i128);
    let (mut n_closing, mut n_opening, mut n_none) = (0, 0, 0);
    for a in accs.iter_mut().filter(|a| !a.liability) {
        match (a.closing, a.opening) {
            (Some(_), _) => n_closing += 1,
            (None, Some(_)) => n_opening += 1,
            _ => n_none += 1,
        }
        let cur = a
            .closing
            .map(|(c, _)| i128::from(c))
            .unwrap_or(a.constant() + a.to_end);
        current += cur;
        available += a.available.map(i128::from).unwrap_or(cur);
        a.running = a.constant() + a.before_window;
        start_total += a.running;
    }

    // Combined EOD per day, and intervals of negative balance per account
    // (a difference array over days).
    let days = w.days.max(1) as usize;
    let mut delta = vec![0i128; days];
    let mut negative = vec![0i32; days + 1];
    for &i in &ctx.order {
        let a = &mut accs[slots[i]];
        if a.liability {
            continue;
        }
        let day = w.day_index(ctx.dates[i]).min(days - 1);
        let u = i128::from(ctx.units[i]);
        delta[day] += u;
        if day > a.since {
            if a.running < 0 {
                negative[a.since] += 1;
                negative[day] -= 1;
            }
            a.since = day;
        }
        a.running += u;
    }
    for a in accs.iter().filter(|a| !a.liability && a.running < 0) {
        negative[a.since] += 1;
        negative[days] -= 1;
    }
    let mut negative_days = 0u32;
    let mut open = 0i32;
    for n in &negative[..days] {
        open += n;
        if open > 0 {
            negative_days += 1;
        }
    }

    let mut eod = Vec::with_capacity(days);
    let mut running = start_total;
    for d in &delta {
        running += d;
        eod.push(running);
    }
    let mean_last = |n: usize| {
        let tail = &eod[eod.len().saturating_sub(n)..];
        div(from_units(tail.iter().sum()), dec(tail.len() as i64))
    };
    let mut sorted = eod.clone();
    sorted.sort_unstable();
    let rank = |p: usize| {
        // Nearest rank: the ceil(p% × n)-th smallest value.
        let k = (p * sorted.len()).div_ceil(100).max(1);
        from_units(sorted.get(k - 1).copied().unwrap_or_default())
    };
    let anchor = match (n_closing, n_opening, n_none) {
        (0, 0, _) => "none",
        (_, 0, 0) => "closing",
        (0, _, 0) => "opening",
        _ => "mixed",
    };
    Balances {
        current: from_units(current),
        available: from_units(available),
        average_daily_balance: mean_last(days),
        average_60d: mean_last(60),
        average_180d: mean_last(180),
        minimum: from_units(sorted.first().copied().unwrap_or_default()),
        p10: rank(10),
        p90: rank(90),
        negative_days,
        anchor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liability_types() {
        assert!(is_liability(Some("CREDITLINE")));
        assert!(is_liability(Some("Credit Card")));
        assert!(!is_liability(Some("CHECKING")));
        assert!(!is_liability(None));
    }
}
