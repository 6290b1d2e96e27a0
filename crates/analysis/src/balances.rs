//! End-of-day balances over the window, anchored on the balances the
//! statements state and the running sum of transactions between them.
//!
//! Per deposit account (liability accounts — credit card, loan, line of
//! credit, mortgage — are left out; accounts seen only in transactions are
//! deposit accounts), with S(x) the sum of the account's transactions dated
//! on or before x:
//! * every statement with a closing balance `C` dated `B` is an anchor
//!   (B, C); a statement with only an opening balance `O` starting on `A` is
//!   the anchor (A − 1, O); without statements, the account's closing
//!   balance (at its date, else the report's end) or opening balance (before
//!   the first transaction) is the one anchor;
//! * EOD(d) = C + S(d) − S(B) for the first anchor on or after d (rebuilt
//!   backwards from the next statement), or for the last anchor when d is
//!   after all of them (rolled forwards);
//! * no anchor at all: EOD(d) = S(d), a running sum from 0 — not the
//!   customer's balance, and the report says so (`balance_source`
//!   "rebuilt").
//!
//! The account's current balance is the closing balance of its latest
//! statement (latest by closing date; the later statement on a tie), as the
//! file states it; only an account with no closing balance at all gets a
//! rebuilt one (opening balance plus its transactions to the report's end).
//! The available balance is the latest statement's available balance where
//! it has one, else the current balance.
//!
//! The combined balance is the sum over deposit accounts. Average daily
//! balance = mean combined EOD over every calendar day of the window (the
//! last 60 / 180 days for the short forms); minimum, 10th and 90th
//! percentile (nearest rank) likewise. Negative days: days on which any one
//! deposit account ended below zero.

use crate::money::{self, dec, div};
use crate::report::{Ctx, Window};
use crate::text::FnvMap;
use crate::{AccountInput, DayBalance, Input};
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
    /// Per account of the input (and accounts seen only in transactions).
    pub(crate) accounts: Vec<AccountBalance>,
    /// Every day of the window: the combined EOD, and whether any deposit
    /// account ended it below zero.
    pub(crate) daily: Vec<DayBalance>,
}

#[derive(Debug, Clone)]
pub(crate) struct AccountBalance {
    pub(crate) id: u32,
    pub(crate) liability: bool,
    /// Anchored on a balance from the data.
    pub(crate) anchored: bool,
    pub(crate) current: Decimal,
    pub(crate) date: NaiveDate,
}

pub(crate) fn is_liability(account_type: Option<&str>) -> bool {
    type_mentions(
        account_type,
        &["CREDIT", "LOAN", "MORTGAGE", "LIABILITY", "LINE OF"],
    )
}

/// Investment, brokerage and retirement accounts: not bank accounts.
pub fn is_investment(account_type: Option<&str>) -> bool {
    type_mentions(account_type, &["INVEST", "BROKER", "RETIRE", "401K", "IRA"])
}

/// The account type names one of `words` (upper case), in any case.
fn type_mentions(account_type: Option<&str>, words: &[&str]) -> bool {
    account_type.is_some_and(|t| {
        let t = t.to_ascii_uppercase();
        words.iter().any(|w| t.contains(w))
    })
}

/// Balances an account states, as (date, value) in ten-thousandths; an
/// opening balance with no date is `NaiveDate::MIN`. Sorted by date.
#[allow(clippy::type_complexity)]
fn anchors(
    a: &AccountInput,
    end: NaiveDate,
) -> (Vec<(NaiveDate, i64)>, Option<i64>, Option<(NaiveDate, i64)>) {
    use money::to_units;
    let mut out = Vec::new();
    let mut available = None;
    if a.statements.is_empty() {
        if let Some(c) = a.current_balance {
            out.push((a.current_balance_date.unwrap_or(end), to_units(c)));
        } else if let Some(o) = a.opening_balance {
            out.push((NaiveDate::MIN, to_units(o)));
        }
        available = a.available_balance.map(to_units);
        let closing = a
            .current_balance
            .map(|c| (a.current_balance_date.unwrap_or(end), to_units(c)));
        return (out, available, closing);
    }
    let mut latest: Option<(NaiveDate, i64)> = None;
    for p in &a.statements {
        if let Some(c) = p.closing {
            let date = p.closing_date.or(p.end).unwrap_or(end);
            out.push((date, to_units(c)));
            // The later statement wins a tie (statements in upload order).
            if latest.is_none_or(|(l, _)| date >= l) {
                latest = Some((date, to_units(c)));
                available = p.available.map(to_units);
            }
        } else if let Some(o) = p.opening {
            let date = p.start.and_then(|s| s.pred_opt()).unwrap_or(NaiveDate::MIN);
            out.push((date, to_units(o)));
        }
    }
    out.sort_by_key(|&(d, _)| d);
    if available.is_none() {
        available = a.available_balance.map(to_units);
    }
    (out, available, latest)
}

#[derive(Default)]
struct Acc {
    id: u32,
    liability: bool,
    /// (date, value) anchors, and after `prepare` the constant
    /// value − S(date) of each.
    anchors: Vec<(NaiveDate, i64)>,
    constants: Vec<i128>,
    /// The latest closing balance among the anchors (not an opening one).
    latest_closing: Option<(NaiveDate, i64)>,
    available: Option<i64>,
    /// The account's transactions: (date, units), sorted after collection.
    txns: Vec<(NaiveDate, i64)>,
}

impl Acc {
    /// S(x): sum of the transactions dated on or before `x`.
    fn sum_to(&self, x: NaiveDate) -> i128 {
        let k = self.txns.partition_point(|&(d, _)| d <= x);
        self.txns[..k].iter().map(|&(_, u)| i128::from(u)).sum()
    }

    fn prepare(&mut self) {
        self.txns.sort_unstable_by_key(|&(d, _)| d);
        self.constants = self
            .anchors
            .iter()
            .map(|&(d, v)| i128::from(v) - self.sum_to(d))
            .collect();
    }

    /// The closing balance of the latest statement, and its date; without
    /// one, the balance rebuilt to `end`.
    fn current(&self, end: NaiveDate) -> (i128, NaiveDate) {
        match self.latest_closing {
            Some((date, value)) => (i128::from(value), date),
            None => (self.constant_at(end) + self.sum_to(end), end),
        }
    }

    /// EOD(d) − S(d): the constant of the first anchor on or after `d`,
    /// else of the last one; 0 without anchors.
    fn constant_at(&self, d: NaiveDate) -> i128 {
        let k = self.anchors.partition_point(|&(b, _)| b < d);
        self.constants
            .get(k)
            .or(self.constants.last())
            .copied()
            .unwrap_or(0)
    }
}

pub(crate) fn compute(input: &Input, ctx: &Ctx) -> Balances {
    use money::from_units;
    let w = ctx.window;
    let (accs, slots) = accounts_of(input, ctx);
    let start = Start::of(&accs, &w);
    let days = w.days.max(1) as usize;
    let events = day_events(&accs, &slots, ctx);
    let (delta, below) = daily_changes(&accs, events, &start.running, days);
    let negative_days = below.iter().filter(|&&b| b).count() as u32;

    let mut eod = Vec::with_capacity(days);
    let mut total = start.total;
    for d in &delta {
        total += d;
        eod.push(total);
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
    Balances {
        current: from_units(start.current),
        available: from_units(start.available),
        average_daily_balance: mean_last(days),
        average_60d: mean_last(60),
        average_180d: mean_last(180),
        minimum: from_units(sorted.first().copied().unwrap_or_default()),
        p10: rank(10),
        p90: rank(90),
        negative_days,
        anchor: start.anchor,
        accounts: start.per_account,
        daily: w
            .start
            .iter_days()
            .zip(eod.iter().zip(below))
            .map(|(date, (&total, negative))| DayBalance {
                date,
                balance: from_units(total),
                negative,
            })
            .collect(),
    }
}

/// The accounts in dense slots (those the file lists, then those only its
/// transactions name), each with its anchors and transactions, and each
/// transaction's slot.
fn accounts_of(input: &Input, ctx: &Ctx) -> (Vec<Acc>, Vec<usize>) {
    let mut slot_of: FnvMap<u32, usize> = FnvMap::default();
    let mut accs: Vec<Acc> = Vec::new();
    for a in &input.accounts {
        let k = *slot_of.entry(a.id).or_insert_with(|| {
            accs.push(Acc::default());
            accs.len() - 1
        });
        let acc = &mut accs[k];
        acc.id = a.id;
        acc.liability = is_liability(a.account_type.as_deref());
        (acc.anchors, acc.available, acc.latest_closing) = anchors(a, ctx.window.end);
    }
    let mut slots = Vec::with_capacity(ctx.txns.len());
    let mut last: Option<(u32, usize)> = None;
    for (i, t) in ctx.txns.iter().enumerate() {
        let k = match last {
            Some((id, k)) if id == t.account => k,
            _ => *slot_of.entry(t.account).or_insert_with(|| {
                accs.push(Acc {
                    id: t.account,
                    ..Acc::default()
                });
                accs.len() - 1
            }),
        };
        last = Some((t.account, k));
        slots.push(k);
        accs[k].txns.push((t.date, ctx.units[i]));
    }
    accs.iter_mut().for_each(Acc::prepare);
    (accs, slots)
}

/// Where the balances stand: now, and at the end of the day before the
/// window (per account in `running`, and in all).
struct Start {
    current: i128,
    available: i128,
    total: i128,
    running: Vec<i128>,
    per_account: Vec<AccountBalance>,
    /// What the balances are anchored on: "closing", "opening", "mixed" or
    /// "none".
    anchor: &'static str,
}

impl Start {
    fn of(accs: &[Acc], w: &Window) -> Start {
        let mut start = Start {
            current: 0,
            available: 0,
            total: 0,
            running: vec![0i128; accs.len()],
            per_account: Vec::with_capacity(accs.len()),
            anchor: "none",
        };
        let (mut n_closing, mut n_opening, mut n_none) = (0, 0, 0);
        let before_start = w.start.pred_opt().unwrap_or(w.start);
        for (k, a) in accs.iter().enumerate() {
            let (cur, at) = a.current(w.end);
            start.per_account.push(AccountBalance {
                id: a.id,
                liability: a.liability,
                anchored: !a.anchors.is_empty(),
                current: money::from_units(cur),
                date: at,
            });
            if a.liability {
                continue;
            }
            if a.anchors.is_empty() {
                n_none += 1;
            } else if a.latest_closing.is_some() {
                n_closing += 1;
            } else {
                n_opening += 1;
            }
            start.current += cur;
            start.available += a.available.map(i128::from).unwrap_or(cur);
            start.running[k] = a.constant_at(w.start) + a.sum_to(before_start);
            start.total += start.running[k];
        }
        start.anchor = match (n_closing, n_opening, n_none) {
            (0, 0, _) => "none",
            (_, 0, 0) => "closing",
            (0, _, 0) => "opening",
            _ => "mixed",
        };
        start
    }
}

/// Each asset account's changes by day of the window: its transactions,
/// and the step from one anchor's constant to the next the day after an
/// anchor. Liability accounts have none.
fn day_events(accs: &[Acc], slots: &[usize], ctx: &Ctx) -> Vec<Vec<(usize, i128)>> {
    let w = ctx.window;
    let days = w.days.max(1) as usize;
    let mut events: Vec<Vec<(usize, i128)>> = vec![Vec::new(); accs.len()];
    for &i in &ctx.order {
        let k = slots[i];
        if !accs[k].liability {
            events[k].push((
                w.day_index(ctx.dates[i]).min(days - 1),
                i128::from(ctx.units[i]),
            ));
        }
    }
    for (k, a) in accs.iter().enumerate() {
        if a.liability {
            continue;
        }
        for (j, &(b, _)) in a.anchors.iter().enumerate() {
            let (Some(next), Some(step_day)) = (a.constants.get(j + 1), b.succ_opt()) else {
                continue;
            };
            if step_day > w.start && step_day <= w.end {
                let step = next - a.constants[j];
                if step != 0 {
                    events[k].push((w.day_index(step_day), step));
                }
            }
        }
    }
    events
}

/// The combined balance's change on each day (a difference array over
/// days), and for each day whether some account was below zero at its end.
fn daily_changes(
    accs: &[Acc],
    mut events: Vec<Vec<(usize, i128)>>,
    running: &[i128],
    days: usize,
) -> (Vec<i128>, Vec<bool>) {
    let mut delta = vec![0i128; days];
    // +1 where an account goes below zero, −1 where it comes back.
    let mut negative = vec![0i32; days + 1];
    for (k, ev) in events.iter_mut().enumerate() {
        if accs[k].liability {
            continue;
        }
        ev.sort_by_key(|&(d, _)| d);
        let mut since = 0usize;
        let mut run = running[k];
        for &(day, u) in ev.iter() {
            delta[day] += u;
            if day > since {
                if run < 0 {
                    negative[since] += 1;
                    negative[day] -= 1;
                }
                since = day;
            }
            run += u;
        }
        if run < 0 {
            negative[since] += 1;
            negative[days] -= 1;
        }
    }
    let mut open = 0i32;
    let below = negative[..days]
        .iter()
        .map(|n| {
            open += n;
            open > 0
        })
        .collect();
    (delta, below)
}

/// The current balance of an account kept out of the report (another
/// currency): as for the report's accounts, without the daily history.
/// `None` when nothing in the data anchors it.
pub(crate) fn current_of(
    a: &AccountInput,
    txns: &[(NaiveDate, Decimal)],
    end: NaiveDate,
) -> Option<Decimal> {
    let mut acc = Acc::default();
    (acc.anchors, _, acc.latest_closing) = anchors(a, end);
    if acc.anchors.is_empty() {
        return None;
    }
    acc.txns = txns.iter().map(|&(d, x)| (d, money::to_units(x))).collect();
    acc.prepare();
    Some(money::from_units(acc.current(end).0))
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
