//! The spec's ratios (ANALYSIS-NOTES point 10, followed exactly) and the
//! lender's extra measures.
//!
//! * income I = sum of the monthly incomes of the active streams, as listed
//!   (each already rounded to the cent);
//! * expenses E = expenses in the window ÷ months covered;
//! * averageAnnualIncome = I × 12;
//! * disposableIncome = I − E (may be negative);
//! * debtToIncomeRatio = E ÷ I × 100 (0 when I = 0: see `income_detected`);
//! * monthlyAbilityToPay = disposableIncome; biWeeklyAbilityToPay = it ÷ 2;
//! * incomeProbability = the streams' probabilities weighted by their monthly
//!   income (0 with no active stream).
//!
//! Every figure is computed from unrounded inputs and rounded to 2 dp once,
//! when the report is assembled.

use crate::expenses::Expenses;
use crate::money::{dec, div};
use crate::report::Ctx;
use crate::IncomeStream;
use rust_decimal::Decimal;

pub(crate) struct Ratios {
    pub(crate) income: Decimal,
    pub(crate) annual_income: Decimal,
    pub(crate) expenses: Decimal,
    pub(crate) debt_to_income: Decimal,
    pub(crate) disposable: Decimal,
    pub(crate) monthly_ability_to_pay: Decimal,
    pub(crate) bi_weekly_ability_to_pay: Decimal,
    pub(crate) income_probability: Decimal,
    pub(crate) historical_income: Decimal,
    pub(crate) debt_service: Decimal,
    pub(crate) debt_service_ratio: Option<Decimal>,
    pub(crate) essential: Decimal,
    pub(crate) residual_income: Decimal,
}

pub(crate) fn compute(ctx: &Ctx, streams: &[IncomeStream], exp: &Expenses) -> Ratios {
    let months = ctx.window.per_month;
    let active: Vec<&IncomeStream> = streams.iter().filter(|s| s.active).collect();
    let income: Decimal = active.iter().map(|s| s.monthly_income).sum();
    let weighted: Decimal = active
        .iter()
        .map(|s| s.probability * s.monthly_income)
        .sum();
    let income_probability = div(weighted, income);
    let historical: Decimal = streams
        .iter()
        .flat_map(|s| s.transactions.iter())
        .map(|&i| ctx.amounts[i])
        .sum();
    let expenses = div(exp.total, months);
    let disposable = income - expenses;
    let debt_service = div(exp.debt_service_total, months);
    let essential = div(exp.essential_total, months);
    let has_income = income > Decimal::ZERO;
    Ratios {
        income,
        annual_income: income * dec(12),
        expenses,
        debt_to_income: div(expenses * dec(100), income),
        disposable,
        monthly_ability_to_pay: disposable,
        bi_weekly_ability_to_pay: disposable / dec(2),
        income_probability,
        historical_income: div(historical, months),
        debt_service,
        debt_service_ratio: has_income.then(|| div(debt_service * dec(100), income)),
        essential,
        residual_income: income - essential,
    }
}
