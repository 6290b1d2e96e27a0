//! Income streams ("likely employers").
//!
//! 1. Candidates: credits in the window that are not own-account transfers,
//!    refunds or reversals, fee reversals, loan proceeds, card-payment
//!    credits, interest or tax refunds, and whose counterparty is not a
//!    person (a first name, or a name-shaped key or the P2P service itself
//!    on a P2P channel).
//! 2. Grouped by counterparty key; credits of one key on one date are one
//!    pay event (split deposits add up).
//! 3. A group whose event dates have a regular cadence is one stream; the
//!    cadence is read first from the core events (amount within half to
//!    twice the median), so a bonus does not hide the schedule.
//!    Otherwise it is split into amount clusters (±20% of the median,
//!    repeatedly) and each cluster with a regular cadence is a stream; what
//!    is left is an irregular stream if it spans at least 90 days.
//! 4. Every stream has at least 3 pay events (a cluster carved out of a
//!    mixed group, 4). Cash and check deposits count only when regular, with
//!    4 events, weekly to monthly, of steady amount (CV ≤ 0.2) (a paycheck deposited every other Friday);
//!    a daily stream needs 10. Gig platforms are never split by amount.

use crate::cadence::{self, Cadence, Fit};
use crate::categorize::{self, Category};
use crate::money::{self, dec, div, r2, unit};
use crate::report::Ctx;
use crate::IncomeStream;
use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

const MIN_EVENTS: usize = 3;
const IRREGULAR_MIN_SPAN_DAYS: i64 = 90;
const CLUSTER_TOLERANCE_PCT: i64 = 20;

/// Credits of one stream on one date.
#[derive(Debug, Clone)]
struct Event {
    date: NaiveDate,
    amount: Decimal,
    txns: Vec<usize>,
}

/// Longest silence after which an irregular stream is still active.
const IRREGULAR_MAX_QUIET_DAYS: i64 = 183;

fn is_candidate(ctx: &Ctx, i: usize) -> bool {
    if ctx.units[i] <= 0 || ctx.own_transfer[i] {
        return false;
    }
    let c = ctx.text[i].category;
    let excluded = [
        categorize::INTERNAL_TRANSFER,
        categorize::REFUND,
        categorize::REVERSAL,
        categorize::FEE_REVERSAL,
        categorize::NSF_FEE_REVERSAL,
        categorize::OD_FEE_REVERSAL,
        categorize::LOAN_PROCEEDS,
        categorize::INTEREST,
        categorize::TAX_REFUND,
        categorize::CARD_PAYMENT,
    ];
    if excluded.contains(&c) {
        return false;
    }
    // A credit that names no counterparty at all is nobody's pay.
    if ctx
        .keys
        .get(ctx.key_of[i] as usize)
        .is_none_or(|k| &**k == "UNKNOWN")
    {
        return false;
    }
    let t = ctx.traits_of(i);
    if t.person_by_name {
        return false;
    }
    !(c == categorize::P2P && (t.name_shaped || t.p2p_platform))
}

pub(crate) fn detect(ctx: &Ctx) -> Vec<IncomeStream> {
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); ctx.keys.len()];
    for i in ctx.in_window() {
        if is_candidate(ctx, i) {
            groups[ctx.key_of[i] as usize].push(i);
        }
    }
    for g in groups.iter_mut().filter(|g| g.len() >= MIN_EVENTS) {
        g.sort_unstable_by_key(|&i| (ctx.dates[i], i));
    }
    let mut streams = Vec::new();
    for (key, idxs) in groups.iter().enumerate() {
        if idxs.len() < MIN_EVENTS {
            continue;
        }
        let events = to_events(ctx, idxs);
        if events.len() < MIN_EVENTS {
            continue;
        }
        let cash = 2 * idxs
            .iter()
            .filter(|&&i| ctx.text[i].category == categorize::CASH_DEPOSIT)
            .count()
            > idxs.len();
        let gig = ctx.traits[key].gig;
        for (evs, fit) in split(events, cash, gig) {
            if qualifies(&evs, fit, cash) && (!cash || steady_amounts(&evs)) {
                streams.push(build(ctx, &ctx.keys[key], &evs, fit, cash));
            }
        }
    }
    streams.sort_by(|a, b| {
        b.active
            .cmp(&a.active)
            .then(b.monthly_income.cmp(&a.monthly_income))
            .then(a.employer_name.cmp(&b.employer_name))
            .then(a.first_date.cmp(&b.first_date))
    });
    streams
}

fn to_events(ctx: &Ctx, idxs: &[usize]) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    for &i in idxs {
        let date = ctx.dates[i];
        match events.last_mut() {
            Some(e) if e.date == date => {
                e.amount += ctx.amounts[i];
                e.txns.push(i);
            }
            _ => events.push(Event {
                date,
                amount: ctx.amounts[i],
                txns: vec![i],
            }),
        }
    }
    events
}

fn dates(events: &[Event]) -> Vec<NaiveDate> {
    events.iter().map(|e| e.date).collect()
}

fn span_days(events: &[Event]) -> i64 {
    match (events.first(), events.last()) {
        (Some(a), Some(b)) => (b.date - a.date).num_days(),
        _ => 0,
    }
}

/// Stricter floors where chance alone makes a few dates look regular: a
/// daily stream needs 10 events; cash deposits need 4 on a weekly to monthly
/// cadence.
fn qualifies(events: &[Event], fit: Fit, cash: bool) -> bool {
    let n = events.len();
    match fit.cadence {
        Cadence::Daily => n >= 10 && !cash,
        Cadence::Weekly | Cadence::BiWeekly | Cadence::SemiMonthly | Cadence::Monthly => {
            n >= MIN_EVENTS && (!cash || n >= 4)
        }
        Cadence::Quarterly | Cadence::Annual => n >= MIN_EVENTS && !cash,
        Cadence::Irregular => n >= MIN_EVENTS && !cash,
    }
}

/// A deposited paycheck has a steady amount: coefficient of variation at
/// most 0.2 (random cash and check deposits do not).
fn steady_amounts(events: &[Event]) -> bool {
    let amounts: Vec<Decimal> = events.iter().map(|e| e.amount).collect();
    coefficient_of_variation(&amounts) <= 0.2
}

/// The streams of one counterparty's events. Gig platforms are not split by
/// amount: their payouts vary by nature, and a subset of random payouts can
/// look regular by chance.
fn split(events: Vec<Event>, cash: bool, gig: bool) -> Vec<(Vec<Event>, Fit)> {
    // Cadence from the core events first: a bonus or a one-off payment
    // (outside half to twice the median amount) moves no schedule; it stays
    // in the stream.
    if !gig {
        let median = median_amount(&events);
        let core: Vec<NaiveDate> = events
            .iter()
            .filter(|e| e.amount * dec(2) >= median && e.amount <= median * dec(2))
            .map(|e| e.date)
            .collect();
        if core.len() >= MIN_EVENTS && core.len() < events.len() {
            let fit = cadence::classify(&core);
            if fit.regular() {
                return vec![(events, fit)];
            }
        }
    }
    let fit = cadence::classify(&dates(&events));
    if fit.regular() || gig {
        if !fit.regular() && span_days(&events) < IRREGULAR_MIN_SPAN_DAYS {
            return Vec::new();
        }
        return vec![(events, fit)];
    }
    let mut out = Vec::new();
    let mut used = vec![false; events.len()];
    for cluster in amount_clusters(&events) {
        // A cluster carved out of a mixed group needs one event more.
        if cluster.len() < MIN_EVENTS + 1 {
            continue;
        }
        let evs: Vec<Event> = cluster.iter().map(|&k| events[k].clone()).collect();
        let f = cadence::classify(&dates(&evs));
        if f.regular() {
            for &k in &cluster {
                used[k] = true;
            }
            out.push((evs, f));
        }
    }
    let rest: Vec<Event> = events
        .into_iter()
        .zip(&used)
        .filter(|(_, &u)| !u)
        .map(|(e, _)| e)
        .collect();
    if rest.len() >= MIN_EVENTS && !cash {
        let f = if out.is_empty() {
            fit
        } else {
            cadence::classify(&dates(&rest))
        };
        if f.regular() || span_days(&rest) >= IRREGULAR_MIN_SPAN_DAYS {
            out.push((rest, f));
        }
    }
    out
}

fn median_amount(events: &[Event]) -> Decimal {
    let mut a: Vec<Decimal> = events.iter().map(|e| e.amount).collect();
    a.sort_unstable();
    a.get(a.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

/// Indexes of events grouped by amount: the events within ±20% of the
/// median, then the same on what is left, up to four clusters.
fn amount_clusters(events: &[Event]) -> Vec<Vec<usize>> {
    let mut rest: Vec<usize> = (0..events.len()).collect();
    let mut clusters = Vec::new();
    while rest.len() >= MIN_EVENTS && clusters.len() < 4 {
        let mut amounts: Vec<Decimal> = rest.iter().map(|&k| events[k].amount).collect();
        amounts.sort_unstable();
        let median = amounts[(amounts.len() - 1) / 2];
        let tol = median * dec(CLUSTER_TOLERANCE_PCT) / dec(100);
        let (inside, outside): (Vec<usize>, Vec<usize>) = rest
            .iter()
            .partition(|&&k| (events[k].amount - median).abs() <= tol);
        if inside.len() < MIN_EVENTS {
            break;
        }
        clusters.push(inside);
        rest = outside;
    }
    clusters
}

/// Mean after dropping amounts outside [Q1 − 1.5 IQR, Q3 + 1.5 IQR]
/// (nearest-rank quartiles; no trimming below four values).
pub(crate) fn trimmed_mean(values: &[Decimal]) -> Decimal {
    let kept = iqr_kept(values);
    div(kept.iter().copied().sum(), dec(kept.len() as i64))
}

fn iqr_kept(values: &[Decimal]) -> Vec<Decimal> {
    let mut s = values.to_vec();
    s.sort_unstable();
    let n = s.len();
    if n < 4 {
        return s;
    }
    let q1 = s[(n - 1) / 4];
    let q3 = s[3 * (n - 1) / 4];
    let fence = (q3 - q1) * Decimal::new(15, 1);
    s.into_iter()
        .filter(|&v| v >= q1 - fence && v <= q3 + fence)
        .collect()
}

/// Coefficient of variation of the IQR-kept amounts (a statistic, so f64).
fn coefficient_of_variation(values: &[Decimal]) -> f64 {
    let kept: Vec<f64> = iqr_kept(values).iter().filter_map(|v| v.to_f64()).collect();
    if kept.len() < 2 {
        return 0.0;
    }
    let n = kept.len() as f64;
    let mean = kept.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return 1.0;
    }
    let var = kept.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let cv = var.sqrt() / mean;
    if cv.is_finite() {
        cv
    } else {
        1.0
    }
}

/// "1 year(s)" from 12 months on, "N month(s)" from one month, else
/// "N day(s)"; whole units, rounded down, from first to last pay date.
pub(crate) fn duration(first: NaiveDate, last: NaiveDate) -> String {
    let mut months = (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32;
    if last.day() < first.day() {
        months -= 1;
    }
    if months >= 12 {
        format!("{} year(s)", months / 12)
    } else if months >= 1 {
        format!("{months} month(s)")
    } else {
        format!("{} day(s)", (last - first).num_days().max(0))
    }
}

fn build(ctx: &Ctx, key: &str, events: &[Event], fit: Fit, cash: bool) -> IncomeStream {
    let amounts: Vec<Decimal> = events.iter().map(|e| e.amount).collect();
    let typical = trimmed_mean(&amounts);
    let first = events.first().map(|e| e.date).unwrap_or(ctx.window.start);
    let last = events.last().map(|e| e.date).unwrap_or(ctx.window.start);
    let monthly = match fit.cadence.per_month() {
        Some(per_month) => typical * per_month,
        None => div(amounts.iter().copied().sum(), ctx.window.per_month),
    };
    let quiet = (ctx.window.end - last).num_days();
    let active = match fit.cadence.active_grace_days() {
        Some(grace) => quiet <= grace,
        None => irregular_still_active(events, quiet),
    };
    let regularity = if fit.regular() {
        fit.regularity()
    } else {
        month_coverage(events)
    };
    let mut transactions: Vec<usize> = events.iter().flat_map(|e| e.txns.iter().copied()).collect();
    transactions.sort_by_key(|&i| (ctx.dates[i], i));
    let evidence = transactions.iter().any(|&i| ctx.text[i].income_evidence);
    let income_category = income_category(ctx, key, &transactions, fit.regular(), cash);
    let probability = probability(events, &amounts, regularity, active, evidence);
    IncomeStream {
        employer_name: key.to_string(),
        occurrence_count: events.len() as u32,
        frequency: fit.cadence,
        duration: duration(first, last),
        first_date: first,
        last_date: last,
        monthly_income: r2(monthly),
        active,
        probability: r2(probability),
        income_category,
        transactions,
        regularity: r2(regularity),
        typical_amount: r2(typical),
    }
}

/// Irregular income (freelance payouts, a platform's transfers) comes in
/// bursts: a stream quiet for no longer than it has already been quiet
/// before, and under six months, has not ended.
fn irregular_still_active(events: &[Event], quiet: i64) -> bool {
    let mut gaps: Vec<i64> = events
        .windows(2)
        .map(|w| (w[1].date - w[0].date).num_days())
        .collect();
    gaps.sort_unstable();
    let median = gaps
        .get(gaps.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0);
    let longest = gaps
        .last()
        .copied()
        .unwrap_or(0)
        .min(IRREGULAR_MAX_QUIET_DAYS);
    quiet <= (median * 3 / 2).max(30).max(longest)
}

/// How likely the stream is income, 0–100: 30% regularity, 20% amount
/// consistency (1 − CV), 20% longevity (span / 6 months), 20% still
/// active, 10% wording evidence.
fn probability(
    events: &[Event],
    amounts: &[Decimal],
    regularity: Decimal,
    active: bool,
    evidence: bool,
) -> Decimal {
    let consistency = unit(
        Decimal::ONE - Decimal::try_from(coefficient_of_variation(amounts)).unwrap_or(Decimal::ONE),
    );
    let longevity = unit(div(
        dec(span_days(events)),
        money::days_per_month() * dec(6),
    ));
    let weight_if = |yes: bool, percent: i64| {
        if yes {
            Decimal::new(percent, 2)
        } else {
            Decimal::ZERO
        }
    };
    dec(100)
        * (Decimal::new(30, 2) * regularity
            + Decimal::new(20, 2) * consistency
            + Decimal::new(20, 2) * longevity
            + weight_if(active, 20)
            + weight_if(evidence, 10))
}

/// Irregular streams: share of the calendar months from the first to the
/// last event that have an event.
fn month_coverage(events: &[Event]) -> Decimal {
    let month = |d: NaiveDate| d.year() * 12 + d.month() as i32;
    let (Some(a), Some(b)) = (events.first(), events.last()) else {
        return Decimal::ZERO;
    };
    let span = month(b.date) - month(a.date) + 1;
    let mut seen: Vec<i32> = events.iter().map(|e| month(e.date)).collect();
    seen.dedup();
    div(dec(seen.len() as i64), dec(i64::from(span.max(1))))
}

fn income_category(
    ctx: &Ctx,
    key: &str,
    txns: &[usize],
    regular: bool,
    cash: bool,
) -> &'static str {
    if cash {
        return "cash deposit";
    }
    let traits = crate::normalize::traits(key);
    if traits.gig {
        return "gig economy";
    }
    // The most frequent income wording among the stream's credits.
    let mut best: Option<(usize, Category)> = None;
    let mut tally: Vec<(Category, usize)> = Vec::new();
    for &i in txns {
        let c = ctx.text[i].category;
        if c.category != "Income" {
            continue;
        }
        match tally.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => tally.push((c, 1)),
        }
    }
    for (c, n) in tally {
        if best.is_none_or(|(b, _)| n > b) {
            best = Some((n, c));
        }
    }
    match best.map(|(_, c)| c) {
        Some(c) if c == categorize::GIG => "gig economy",
        Some(c) if c == categorize::UNEMPLOYMENT => "unemployment",
        Some(c) if c == categorize::SOCIAL_SECURITY || c == categorize::RETIREMENT => "retirement",
        Some(c) if c == categorize::DISABILITY => "disability",
        Some(c) if c == categorize::MILITARY => "military",
        Some(c) if c == categorize::CHILD_SUPPORT => "child support",
        Some(c) if c == categorize::BENEFITS => "other benefit",
        Some(c) if c == categorize::RENTAL_INCOME => "rental",
        Some(c) if c == categorize::PAYROLL => "salary",
        _ if regular => "salary",
        _ => "other",
    }
}

/// The category a stream's credits get in the report.
fn category_for(income_category: &str) -> Category {
    match income_category {
        "salary" => categorize::PAYROLL,
        "gig economy" => categorize::GIG,
        "unemployment" => categorize::UNEMPLOYMENT,
        "retirement" => categorize::RETIREMENT,
        "disability" => categorize::DISABILITY,
        "military" => categorize::MILITARY,
        "child support" => categorize::CHILD_SUPPORT,
        "other benefit" => categorize::BENEFITS,
        "rental" => categorize::RENTAL_INCOME,
        "cash deposit" => categorize::CASH_DEPOSIT,
        _ => categorize::OTHER_INCOME,
    }
}

/// Stream credits are income in the report's categories; a credit whose text
/// already named a kind of income keeps it.
pub(crate) fn relabel(ctx: &mut Ctx, streams: &[IncomeStream]) {
    for s in streams {
        let cat = category_for(s.income_category);
        for &i in &s.transactions {
            if ctx.cats[i].category != "Income" {
                ctx.cats[i] = cat;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_core::testing::d;

    #[test]
    fn durations() {
        assert_eq!(duration(d(2024, 1, 5), d(2025, 1, 31)), "1 year(s)");
        assert_eq!(duration(d(2024, 1, 5), d(2024, 8, 4)), "6 month(s)");
        assert_eq!(duration(d(2024, 1, 5), d(2024, 1, 25)), "20 day(s)");
    }

    #[test]
    fn trimmed_mean_drops_a_bonus() {
        let mut v = vec![Decimal::from(1000); 11];
        v.push(Decimal::from(5000));
        assert_eq!(trimmed_mean(&v), Decimal::from(1000));
        assert_eq!(trimmed_mean(&[]), Decimal::ZERO);
    }
}
