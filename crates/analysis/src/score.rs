//! The report score, 300–850 (the range of the spec's sample, 480).
//!
//! score = 300 + round(550 × Σ weightᵢ × valueᵢ), each value in [0, 1]:
//!
//! | component | weight | value |
//! | --- | --- | --- |
//! | income_stability | 0.25 | incomeProbability ÷ 100; 0 without income |
//! | expense_coverage | 0.20 | (1.5 − E ÷ I), clamped: 1 when expenses ≤ half the income, 0 from 1.5 × income; 0 without income |
//! | balance_cushion | 0.20 | average daily balance ÷ monthly expenses, clamped (a month of expenses in the bank is full marks; with no expenses, 1 if the balance is positive) |
//! | nsf_overdraft | 0.15 | 1 − (NSF + overdraft fees in 90 days) ÷ 6, clamped |
//! | negative_days | 0.10 | 1 − (share of window days with a negative balance) ÷ 0.2, clamped |
//! | history_length | 0.05 | months covered ÷ 6, clamped |
//! | loan_stacking | 0.05 | 1 with at most one repayment stream at a time, 0.5 with two, 0 with more |
//!
//! Without any transaction in the window the components that reward an
//! absence (nsf_overdraft, negative_days, loan_stacking) are 0 too.

use crate::money::{dec, div, r2, unit};
use crate::ScoreComponent;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

pub(crate) struct Inputs {
    pub(crate) income_per_month: Decimal,
    pub(crate) expenses_per_month: Decimal,
    pub(crate) income_probability: Decimal,
    pub(crate) average_daily_balance: Decimal,
    pub(crate) nsf_and_overdraft_90: u32,
    pub(crate) negative_days: u32,
    pub(crate) window_days: i64,
    pub(crate) months_covered: Decimal,
    pub(crate) max_concurrent_loans: u32,
    pub(crate) has_data: bool,
}

pub(crate) struct Score {
    pub(crate) score: i32,
    pub(crate) components: Vec<ScoreComponent>,
}

pub(crate) const MIN: i32 = 300;
pub(crate) const MAX: i32 = 850;

pub(crate) fn compute(x: &Inputs) -> Score {
    let has_income = x.income_per_month > Decimal::ZERO;
    let income_stability = if has_income {
        unit(x.income_probability / dec(100))
    } else {
        Decimal::ZERO
    };
    let expense_coverage = if has_income {
        unit(Decimal::new(15, 1) - div(x.expenses_per_month, x.income_per_month))
    } else {
        Decimal::ZERO
    };
    let balance_cushion = if x.expenses_per_month > Decimal::ZERO {
        unit(div(x.average_daily_balance, x.expenses_per_month))
    } else if x.average_daily_balance > Decimal::ZERO {
        Decimal::ONE
    } else {
        Decimal::ZERO
    };
    let absence = |v: Decimal| if x.has_data { unit(v) } else { Decimal::ZERO };
    let nsf_overdraft = absence(Decimal::ONE - dec(i64::from(x.nsf_and_overdraft_90)) / dec(6));
    let negative_share = div(dec(i64::from(x.negative_days)), dec(x.window_days.max(1)));
    let negative_days = absence(Decimal::ONE - negative_share * dec(5));
    let history_length = unit(x.months_covered / dec(6));
    let loan_stacking = absence(match x.max_concurrent_loans {
        0 | 1 => Decimal::ONE,
        2 => Decimal::new(5, 1),
        _ => Decimal::ZERO,
    });
    let parts = [
        ("income_stability", 25, income_stability),
        ("expense_coverage", 20, expense_coverage),
        ("balance_cushion", 20, balance_cushion),
        ("nsf_overdraft", 15, nsf_overdraft),
        ("negative_days", 10, negative_days),
        ("history_length", 5, history_length),
        ("loan_stacking", 5, loan_stacking),
    ];
    let total: Decimal = parts.iter().map(|&(_, w, v)| Decimal::new(w, 2) * v).sum();
    let points = (dec(i64::from(MAX - MIN)) * total)
        .round()
        .to_i32()
        .unwrap_or(0);
    Score {
        score: (MIN + points).clamp(MIN, MAX),
        components: parts
            .iter()
            .map(|&(name, w, v)| ScoreComponent {
                name,
                weight: r2(Decimal::new(w, 2)),
                value: r2(v),
            })
            .collect(),
    }
}
