//! Transfers between the customer's own accounts, found by structure: a
//! debit in one account and a credit of the same absolute amount in another
//! account of the same customer, at most 3 days apart. Only transactions
//! whose text did not already say what they are take part (transfers,
//! uncategorised, deposits, card payments), so a salary never pairs with an
//! unrelated purchase of the same amount.

use crate::categorize::{self, Category};
use crate::report::Window;
use crate::text::FnvMap;
use chrono::NaiveDate;

/// Most candidates looked at for one debit, so that thousands of same-amount
/// credits cannot make the pairing quadratic.
const SCAN_LIMIT: usize = 64;
const MAX_DAYS_APART: i64 = 3;

fn eligible(c: Category) -> bool {
    c == categorize::INTERNAL_TRANSFER
        || c == categorize::TRANSFER
        || c == categorize::UNCATEGORIZED
        || c == categorize::CASH_DEPOSIT
        || c == categorize::CARD_PAYMENT
        || c == categorize::WIRE
}

/// Marks both sides of every pair (indexes as in the input).
pub(crate) fn match_own_transfers(
    dates: &[NaiveDate],
    accounts: &[u32],
    units: &[i64],
    cats: &[Category],
    window: &Window,
) -> Vec<bool> {
    let n = dates.len();
    let mut matched = vec![false; n];
    let in_window = |i: usize| window.contains(dates[i]);
    let first_account = (0..n).find(|&i| in_window(i)).map(|i| accounts[i]);
    if (0..n).all(|i| !in_window(i) || Some(accounts[i]) == first_account) {
        return matched;
    }
    let by_date = |v: &mut Vec<usize>| v.sort_unstable_by_key(|&i| (dates[i], i));
    // Credits by amount, in date order; debits in date order.
    let mut credits: FnvMap<i64, Vec<usize>> = FnvMap::default();
    let mut debits: Vec<usize> = Vec::new();
    for i in 0..n {
        if units[i] == 0 || !in_window(i) || !eligible(cats[i]) {
            continue;
        }
        if units[i] > 0 {
            credits.entry(units[i]).or_default().push(i);
        } else {
            debits.push(i);
        }
    }
    if credits.is_empty() {
        return matched;
    }
    credits.values_mut().for_each(by_date);
    by_date(&mut debits);
    for i in debits {
        let Some(list) = credits.get(&units[i].saturating_neg()) else {
            continue;
        };
        let date = dates[i];
        // First credit no more than MAX_DAYS_APART before the debit.
        let start = list.partition_point(|&j| (date - dates[j]).num_days() > MAX_DAYS_APART);
        let mut best: Option<(i64, usize)> = None;
        for &j in list[start..].iter().take(SCAN_LIMIT) {
            let apart = (dates[j] - date).num_days();
            if apart > MAX_DAYS_APART {
                break;
            }
            if matched[j] || accounts[j] == accounts[i] {
                continue;
            }
            if best.is_none_or(|(b, _)| apart.abs() < b) {
                best = Some((apart.abs(), j));
            }
        }
        if let Some((_, j)) = best {
            matched[i] = true;
            matched[j] = true;
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::dec;

    fn run(txns: &[(u32, u32, i64)], cats: &[Category]) -> Vec<bool> {
        let dates: Vec<NaiveDate> = txns
            .iter()
            .map(|t| NaiveDate::from_ymd_opt(2024, 3, t.1).unwrap())
            .collect();
        let accounts: Vec<u32> = txns.iter().map(|t| t.0).collect();
        let units: Vec<i64> = txns
            .iter()
            .map(|t| crate::money::to_units(dec(t.2)))
            .collect();
        let window = Window {
            start: dates[0],
            end: NaiveDate::from_ymd_opt(2024, 3, 31).unwrap(),
            days: 31,
            months: dec(1),
            per_month: dec(1),
            has_data: true,
        };
        match_own_transfers(&dates, &accounts, &units, cats, &window)
    }

    #[test]
    fn pairs_across_accounts_only() {
        let txns = [
            (1, 1, -500), // pairs with the savings credit two days later
            (2, 3, 500),
            (1, 5, -80), // same account as the credit: no pair
            (1, 5, 80),
            (1, 10, -40), // too far apart
            (2, 20, 40),
        ];
        let cats = vec![categorize::UNCATEGORIZED; txns.len()];
        assert_eq!(run(&txns, &cats), [true, true, false, false, false, false]);
    }

    #[test]
    fn payroll_never_pairs() {
        let txns = [(1, 1, -1000), (2, 1, 1000)];
        let cats = [categorize::UNCATEGORIZED, categorize::PAYROLL];
        assert_eq!(run(&txns, &cats), [false, false]);
    }
}
