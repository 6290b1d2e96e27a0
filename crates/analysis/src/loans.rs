//! Potential loans: disbursements and the repayment streams that follow.
//!
//! * Disbursement: a credit the text calls loan proceeds (LOAN,
//!   DISBURSEMENT, ADVANCE, FUNDING, ...), or any credit from a lender-looking
//!   counterparty that is not part of an income stream.
//! * Repayment stream: debits to one counterparty, of near-constant amount
//!   (within ±10% of the median, clustered repeatedly), at least two of them,
//!   where the counterparty looks like a lender, the text says loan payment,
//!   or the same counterparty made a disbursement. Card and mortgage payments
//!   count only in that last case.
//! * A stream belongs to the latest disbursement of the same counterparty
//!   dated before its first repayment, when that repayment comes within two
//!   periods of the disbursement (see `Cadence::first_payment_within_days`).
//!
//! Confidence (0–1): a matched pair starts at 0.5, +0.2 regular repayment
//! cadence, +0.1 repayments within ±5% of their median, +0.1 plausible size
//! (payment below the principal and total repaid ≤ 1.6 × principal), +0.1
//! loan wording or a lender-looking name. A repayment stream without its
//! disbursement (≥ 3 payments) starts at 0.3 with the same additions except
//! size (at most 0.7). A disbursement named as a loan with no repayment yet
//! is 0.3, 0.4 with a lender-looking name.

use crate::cadence::{self, Cadence};
use crate::categorize;
use crate::money::{dec, r2};
use crate::report::Ctx;
use crate::text::title_case;
use crate::LoanMatch;
use chrono::NaiveDate;
use rust_decimal::Decimal;

struct Repayments {
    debits: Vec<usize>,
    cadence: Cadence,
    median: Decimal,
    constant: bool,
    text_evidence: bool,
}

fn median(mut v: Vec<Decimal>) -> Decimal {
    v.sort_unstable();
    v.get(v.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

/// Cadence of a repayment stream; two payments are judged by their one gap.
fn repayment_cadence(dates: &[NaiveDate]) -> Cadence {
    if dates.len() == 2 {
        return match (dates[1] - dates[0]).num_days() {
            1..=4 => Cadence::Daily,
            5..=9 => Cadence::Weekly,
            11..=17 => Cadence::BiWeekly,
            25..=35 => Cadence::Monthly,
            _ => Cadence::Irregular,
        };
    }
    let mut distinct = dates.to_vec();
    distinct.dedup();
    cadence::classify(&distinct).cadence
}

pub(crate) fn detect(ctx: &Ctx) -> Vec<LoanMatch> {
    let mut disb_by_key = disbursements(ctx);
    let mut debits_by_key = repayment_debits(ctx, &disb_by_key);
    let by_date = |v: &mut Vec<usize>| v.sort_unstable_by_key(|&i| (ctx.dates[i], i));
    disb_by_key.iter_mut().for_each(by_date);
    debits_by_key.iter_mut().for_each(by_date);

    let mut out = Vec::new();
    for key in 0..ctx.keys.len() {
        let debits = &debits_by_key[key];
        let disbs = &disb_by_key[key];
        if debits.is_empty() && disbs.is_empty() {
            continue;
        }
        let streams = repayment_streams(ctx, debits);
        let matched = matched_disbursements(ctx, &streams, disbs);
        let name = title_case(&ctx.keys[key]);
        let lender_name = ctx.traits[key].lender;
        for (s, disb) in streams.into_iter().zip(&matched) {
            out.extend(repayment_loan(ctx, s, *disb, lender_name, &name));
        }
        // Loan proceeds no repayment stream took: a loan of unknown terms.
        for &d in disbs {
            if matched.contains(&Some(d)) || ctx.text[d].category != categorize::LOAN_PROCEEDS {
                continue;
            }
            let conf = if lender_name {
                Decimal::new(4, 1)
            } else {
                Decimal::new(3, 1)
            };
            out.push(LoanMatch {
                detected_company_name: name.clone(),
                credit: Some(d),
                debits: Vec::new(),
                confidence: r2(conf),
                repayment_frequency: Cadence::Irregular,
                payment_amount: r2(Decimal::ZERO),
                principal: Some(r2(ctx.amounts[d])),
            });
        }
    }
    let first_date = |m: &LoanMatch| {
        m.credit
            .or(m.debits.first().copied())
            .map(|i| (ctx.dates[i], i))
    };
    out.sort_by_key(|m| first_date(m));
    out
}

/// Money in that looks like a loan paid out, by counterparty key: worded
/// as loan proceeds, or from a lender's name (unless it reads as income,
/// a refund, a fee or a transfer).
fn disbursements(ctx: &Ctx) -> Vec<Vec<usize>> {
    let mut disb_by_key: Vec<Vec<usize>> = vec![Vec::new(); ctx.keys.len()];
    for i in ctx.in_window() {
        if ctx.units[i] <= 0 || ctx.own_transfer[i] {
            continue;
        }
        let c = ctx.text[i].category;
        let by_name = ctx.traits_of(i).lender
            && ctx.cats[i].category != "Income"
            && !matches!(
                c.category,
                "Refunds" | "Fees" | "Transfers" | "Transfers & Adjustments"
            );
        if c == categorize::LOAN_PROCEEDS || by_name {
            disb_by_key[ctx.key_of[i] as usize].push(i);
        }
    }
    disb_by_key
}

/// Money out that may repay a loan, by counterparty key: to a counterparty
/// that paid one out, or worded as a loan payment or to a lender (card and
/// mortgage payments aside).
fn repayment_debits(ctx: &Ctx, disb_by_key: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut debits_by_key: Vec<Vec<usize>> = vec![Vec::new(); ctx.keys.len()];
    for i in ctx.in_window() {
        // A transfer the text names as one (to the customer's account at
        // another bank) is not a repayment, whoever holds that account.
        if ctx.units[i] >= 0
            || ctx.own_transfer[i]
            || ctx.text[i].category == categorize::INTERNAL_TRANSFER
        {
            continue;
        }
        let k = ctx.key_of[i] as usize;
        let c = ctx.text[i].category;
        let has_disb = !disb_by_key[k].is_empty();
        let card_or_home = c == categorize::CARD_PAYMENT || c == categorize::MORTGAGE;
        let wanted =
            has_disb || (!card_or_home && (c == categorize::LOAN_PAYMENT || ctx.traits[k].lender));
        if wanted && c.category != "Fees" {
            debits_by_key[k].push(i);
        }
    }
    debits_by_key
}

/// For each stream, the disbursement that started it: the latest one
/// within the cadence's first-payment lead before its first debit. A
/// disbursement claimed by several streams goes to the longest.
fn matched_disbursements(ctx: &Ctx, streams: &[Repayments], disbs: &[usize]) -> Vec<Option<usize>> {
    let mut matched: Vec<Option<usize>> = streams
        .iter()
        .map(|s| {
            let first = ctx.dates[s.debits[0]];
            let limit = s.cadence.first_payment_within_days();
            disbs
                .iter()
                .copied()
                .filter(|&d| {
                    let lead = (first - ctx.dates[d]).num_days();
                    (0..=limit).contains(&lead)
                })
                .max_by_key(|&d| (ctx.dates[d], d))
        })
        .collect();
    let mut used: Vec<usize> = Vec::new();
    let mut by_len: Vec<usize> = (0..streams.len()).collect();
    by_len.sort_by_key(|&si| std::cmp::Reverse(streams[si].debits.len()));
    for si in by_len {
        if let Some(d) = matched[si] {
            if used.contains(&d) {
                matched[si] = None;
            } else {
                used.push(d);
            }
        }
    }
    matched
}

/// A repayment stream as a loan, with its confidence: a disbursement, a
/// lender's name or loan wording, a regular cadence and a constant amount
/// each add to it. A stream without a disbursement is a loan only with
/// three payments and some evidence in the text.
fn repayment_loan(
    ctx: &Ctx,
    s: Repayments,
    disb: Option<usize>,
    lender_name: bool,
    name: &str,
) -> Option<LoanMatch> {
    let payments: Vec<Decimal> = s.debits.iter().map(|&i| -ctx.amounts[i]).collect();
    let total: Decimal = payments.iter().copied().sum();
    let mut conf;
    let (credit, principal) = match disb {
        Some(d) => {
            let p = ctx.amounts[d];
            conf = Decimal::new(5, 1);
            if s.median < p && total <= p * Decimal::new(16, 1) {
                conf += Decimal::new(1, 1);
            }
            let worded = ctx.text[d].category == categorize::LOAN_PROCEEDS;
            if worded || lender_name || s.text_evidence {
                conf += Decimal::new(1, 1);
            }
            (Some(d), Some(p))
        }
        None => {
            if s.debits.len() < 3 || !(lender_name || s.text_evidence) {
                return None;
            }
            conf = Decimal::new(4, 1);
            (None, None)
        }
    };
    if s.cadence != Cadence::Irregular {
        conf += Decimal::new(2, 1);
    }
    if s.constant {
        conf += Decimal::new(1, 1);
    }
    Some(LoanMatch {
        detected_company_name: name.to_string(),
        credit,
        debits: s.debits,
        confidence: r2(conf.min(Decimal::ONE)),
        repayment_frequency: s.cadence,
        payment_amount: r2(s.median),
        principal: principal.map(r2),
    })
}

/// Near-constant debit clusters of one counterparty (±10% of the median).
fn repayment_streams(ctx: &Ctx, debits: &[usize]) -> Vec<Repayments> {
    let mut rest: Vec<usize> = debits.to_vec();
    let mut out = Vec::new();
    while rest.len() >= 2 && out.len() < 4 {
        let m = median(rest.iter().map(|&i| -ctx.amounts[i]).collect());
        let tol = m / dec(10);
        let (inside, outside): (Vec<usize>, Vec<usize>) = rest
            .iter()
            .partition(|&&i| (-ctx.amounts[i] - m).abs() <= tol);
        if inside.len() < 2 {
            break;
        }
        let dates: Vec<NaiveDate> = inside.iter().map(|&i| ctx.dates[i]).collect();
        let five_pct = m / dec(20);
        let constant = inside
            .iter()
            .all(|&i| (-ctx.amounts[i] - m).abs() <= five_pct);
        let worded = inside
            .iter()
            .filter(|&&i| ctx.text[i].category == categorize::LOAN_PAYMENT)
            .count();
        out.push(Repayments {
            cadence: repayment_cadence(&dates),
            median: m,
            constant,
            text_evidence: 2 * worded >= inside.len(),
            debits: inside,
        });
        rest = outside;
    }
    out
}

/// Categories of matched loans: the disbursement is loan proceeds, the
/// repayments are loan payments.
pub(crate) fn relabel(ctx: &mut Ctx, loans: &[LoanMatch]) {
    for m in loans {
        if let Some(c) = m.credit {
            ctx.cats[c] = categorize::LOAN_PROCEEDS;
        }
        for &d in &m.debits {
            ctx.cats[d] = categorize::LOAN_PAYMENT;
        }
    }
}

pub(crate) struct Stacking {
    pub(crate) max_concurrent: u32,
}

/// Most repayment streams (two or more payments) running on the same day,
/// from each stream's first to last payment.
pub(crate) fn stacking(ctx: &Ctx, loans: &[LoanMatch]) -> Stacking {
    let mut edges: Vec<(NaiveDate, i32)> = Vec::new();
    for m in loans.iter().filter(|m| m.debits.len() >= 2) {
        let (Some(&a), Some(&b)) = (m.debits.first(), m.debits.last()) else {
            continue;
        };
        edges.push((ctx.dates[a], 1));
        if let Some(after) = ctx.dates[b].succ_opt() {
            edges.push((after, -1));
        }
    }
    // Ends sort before starts on the same day.
    edges.sort();
    let (mut now, mut max) = (0i32, 0i32);
    for (_, e) in edges {
        now += e;
        max = max.max(now);
    }
    Stacking {
        max_concurrent: max.max(0) as u32,
    }
}
