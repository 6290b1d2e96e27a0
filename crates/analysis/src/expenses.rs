//! Expenses: every debit in the window except transfers between the
//! customer's own accounts (by text or by structure). Gross: refunds are
//! not netted (they are excluded from income instead).
//!
//! * monthly expenditures: one entry per calendar month × category with the
//!   total spent, and the date and memo of the group's largest debit;
//! * monthly expense: the expenses of the latest calendar month that lies
//!   wholly inside the window (the whole window's when none does);
//! * debt service: recurring (≥ 2 debits to the same counterparty in the
//!   window) loan payments, card payments and mortgage payments;
//! * essential spend: recurring housing, utilities, insurance, childcare,
//!   loan and card payments.

use crate::categorize::{self, Category};
use crate::report::Ctx;
use crate::text::FnvMap;
use crate::MonthlyExpenditure;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

pub(crate) struct Expenses {
    /// All expenses in the window, positive.
    pub(crate) total: Decimal,
    pub(crate) monthly: Vec<MonthlyExpenditure>,
    pub(crate) monthly_expense: Decimal,
    pub(crate) debt_service_total: Decimal,
    pub(crate) essential_total: Decimal,
}

pub(crate) fn is_expense(ctx: &Ctx, i: usize) -> bool {
    ctx.units[i] < 0 && !ctx.own_transfer[i] && ctx.cats[i] != categorize::INTERNAL_TRANSFER
}

fn is_debt_service(c: Category) -> bool {
    c == categorize::LOAN_PAYMENT || c == categorize::CARD_PAYMENT || c == categorize::MORTGAGE
}

fn is_essential(c: Category) -> bool {
    matches!(
        c.category,
        "Housing" | "Utilities" | "Insurance" | "Childcare"
    ) || c == categorize::LOAN_PAYMENT
        || c == categorize::CARD_PAYMENT
}

fn same(a: &'static str, b: &'static str) -> bool {
    // Labels come from a few constants: the pointer test settles most cases.
    std::ptr::eq(a, b) || a == b
}

struct Group {
    category: &'static str,
    /// Ten-thousandths, positive.
    total: i128,
    count: u32,
    /// (amount, date, index) of the largest debit; the latest (then the
    /// last in the input) wins a tie, whatever order the input came in.
    largest: (i64, NaiveDate, usize),
}

pub(crate) fn compute(ctx: &Ctx) -> Expenses {
    use crate::money::from_units;
    let by_month = ByMonth::of(ctx);
    let (debt_service_total, essential_total) = recurring_totals(ctx, &by_month.recurring_keys);
    let full_month = last_full_month(ctx);
    let mut monthly_expense = None;
    let mut monthly: Vec<MonthlyExpenditure> = Vec::new();
    for (slot, (month_total, groups)) in by_month.months.into_iter().enumerate() {
        let no = by_month.first_month + slot as i64;
        let month = ((no.div_euclid(12)) as i32, (no.rem_euclid(12) + 1) as u32);
        if Some(month) == full_month {
            monthly_expense = Some(month_total);
        }
        monthly.extend(month_entries(ctx, month, groups));
    }
    let monthly_expense = match full_month {
        Some(_) => monthly_expense.unwrap_or(0),
        None => by_month.total,
    };
    Expenses {
        total: from_units(by_month.total),
        monthly,
        monthly_expense: from_units(monthly_expense),
        debt_service_total: from_units(debt_service_total),
        essential_total: from_units(essential_total),
    }
}

/// The window's spending: in all, and per calendar month and category.
struct ByMonth {
    total: i128,
    /// The window's first month, as year × 12 + month0.
    first_month: i64,
    /// One bucket per calendar month of the window (at most ~121), each
    /// with a short list of category groups.
    months: Vec<(i128, Vec<Group>)>,
    /// How many essential or debt-service payments each counterparty key
    /// received.
    recurring_keys: FnvMap<u32, u32>,
}

impl ByMonth {
    /// One pass in input order, sequential reads.
    fn of(ctx: &Ctx) -> ByMonth {
        let w = ctx.window;
        let month_no = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
        let first_month = month_no(w.start);
        let n_months = (month_no(w.end) - first_month + 1).max(1) as usize;
        let mut out = ByMonth {
            total: 0,
            first_month,
            months: (0..n_months).map(|_| (0, Vec::new())).collect(),
            recurring_keys: FnvMap::default(),
        };
        for i in ctx.in_window() {
            if !is_expense(ctx, i) {
                continue;
            }
            let spent = ctx.units[i].saturating_neg();
            let date = ctx.dates[i];
            out.total += i128::from(spent);
            let slot = ((month_no(date) - first_month).max(0) as usize).min(n_months - 1);
            let (month_total, groups) = &mut out.months[slot];
            *month_total += i128::from(spent);
            add_to_group(groups, ctx.cats[i].category, spent, date, i);
            if is_essential(ctx.cats[i]) || is_debt_service(ctx.cats[i]) {
                *out.recurring_keys.entry(ctx.key_of[i]).or_default() += 1;
            }
        }
        out
    }
}

fn add_to_group(groups: &mut Vec<Group>, cat: &'static str, spent: i64, date: NaiveDate, i: usize) {
    let k = match groups.iter().position(|g| same(g.category, cat)) {
        Some(k) => k,
        None => {
            groups.push(Group {
                category: cat,
                total: 0,
                count: 0,
                largest: (spent, date, i),
            });
            groups.len() - 1
        }
    };
    let g = &mut groups[k];
    g.total += i128::from(spent);
    g.count += 1;
    if (spent, date, i) >= (g.largest.0, g.largest.1, g.largest.2) {
        g.largest = (spent, date, i);
    }
}

/// Debt service and essential spending paid to a counterparty at least
/// twice (a one-off is not a commitment): (debt service, essential).
fn recurring_totals(ctx: &Ctx, recurring_keys: &FnvMap<u32, u32>) -> (i128, i128) {
    let (mut debt_service_total, mut essential_total) = (0i128, 0i128);
    for i in ctx.in_window() {
        let c = ctx.cats[i];
        if !(is_essential(c) || is_debt_service(c)) || !is_expense(ctx, i) {
            continue;
        }
        if recurring_keys.get(&ctx.key_of[i]).copied().unwrap_or(0) < 2 {
            continue;
        }
        let spent = i128::from(ctx.units[i].saturating_neg());
        if is_debt_service(c) {
            debt_service_total += spent;
        }
        if is_essential(c) {
            essential_total += spent;
        }
    }
    (debt_service_total, essential_total)
}

/// A month's category groups as the report's entries, the largest first.
fn month_entries(ctx: &Ctx, month: (i32, u32), groups: Vec<Group>) -> Vec<MonthlyExpenditure> {
    let mut entries: Vec<MonthlyExpenditure> = groups
        .into_iter()
        .map(|g| MonthlyExpenditure {
            month,
            category: g.category,
            total_spent: crate::money::r2(crate::money::from_units(g.total)),
            date_paid: g.largest.1,
            memo: ctx.txns[g.largest.2].memo.clone(),
            count: g.count,
        })
        .collect();
    entries.sort_by(|a, b| {
        b.total_spent
            .cmp(&a.total_spent)
            .then(a.category.cmp(b.category))
    });
    entries
}

/// The latest calendar month whose first and last days are in the window.
fn last_full_month(ctx: &Ctx) -> Option<(i32, u32)> {
    let w = ctx.window;
    if !w.has_data {
        return None;
    }
    // The month of the window's end if it ends on a month's last day,
    // otherwise the month before.
    let end_is_last = w.end.succ_opt().is_none_or(|n| n.month() != w.end.month());
    let candidate = if end_is_last {
        w.end.with_day(1)?
    } else {
        w.end.with_day(1)?.pred_opt()?.with_day(1)?
    };
    (candidate >= w.start).then_some((candidate.year(), candidate.month()))
}
