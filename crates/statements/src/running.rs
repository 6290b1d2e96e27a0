//! Opening and closing balances from a running balance column (the balance
//! after each row, as most CSV exports carry it).
//!
//! Files come newest-first or oldest-first, and the rows of one day may be
//! in either order whatever the file's overall direction. The dates alone
//! cannot tell which row of a day came last, so the order is the reading
//! under which `balance[i] = balance[previous] + amount[i]` holds for the
//! most rows. Four readings are tried: the file order, the reverse file
//! order, and the rows sorted by date with the rows of one day in file order
//! or in reverse file order. On a tie the reading that agrees with the
//! file's date direction wins; when the dates say nothing (one day), the
//! file order is taken as oldest-first.

use crate::model::{Account, Balance, Transaction};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// How well one reading of the rows fits the running balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Fit {
    /// Consecutive balance-bearing rows where the balance follows from the
    /// previous one and the amounts in between.
    pub(crate) holds: usize,
    /// Consecutive balance-bearing row pairs checked.
    pub(crate) checks: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    File,
    Reversed,
    DatesThenFile,
    DatesThenReversed,
}

fn indices(txs: &[Transaction], reading: Reading) -> Vec<usize> {
    let mut order: Vec<usize> = (0..txs.len()).collect();
    let date = |i: &usize| txs.get(*i).map(|t| t.date);
    match reading {
        Reading::File => {}
        Reading::Reversed => order.reverse(),
        Reading::DatesThenFile => order.sort_by_key(date),
        Reading::DatesThenReversed => {
            order.reverse();
            order.sort_by_key(date);
        }
    }
    order
}

/// How many row pairs of `order` satisfy the running balance equation.
fn fit(txs: &[Transaction], order: &[usize]) -> Fit {
    let mut f = Fit::default();
    let mut last: Option<Decimal> = None;
    let mut since = Decimal::ZERO;
    for t in order.iter().filter_map(|i| txs.get(*i)) {
        since = match since.checked_add(t.amount) {
            Some(s) => s,
            None => return f,
        };
        let Some(balance) = t.balance else {
            continue;
        };
        if let Some(previous) = last {
            f.checks += 1;
            if previous.checked_add(since) == Some(balance) {
                f.holds += 1;
            }
        }
        last = Some(balance);
        since = Decimal::ZERO;
    }
    f
}

/// +1 when the file's dates mostly rise, -1 when they mostly fall, 0 when
/// they say nothing.
fn date_direction(txs: &[Transaction]) -> i8 {
    let (mut up, mut down) = (0usize, 0usize);
    for pair in txs.windows(2) {
        if let [a, b] = pair {
            if b.date > a.date {
                up += 1;
            } else if b.date < a.date {
                down += 1;
            }
        }
    }
    match up.cmp(&down) {
        std::cmp::Ordering::Greater => 1,
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
    }
}

/// The chronological order of the rows (indices into `txs`) and how well
/// the running balances fit it.
pub(crate) fn chronological(txs: &[Transaction]) -> (Vec<usize>, Fit) {
    use Reading::*;
    let preference = match date_direction(txs) {
        1 => [DatesThenFile, File, DatesThenReversed, Reversed],
        -1 => [DatesThenReversed, Reversed, DatesThenFile, File],
        _ => [File, DatesThenFile, Reversed, DatesThenReversed],
    };
    let mut best: Option<(Vec<usize>, Fit)> = None;
    for reading in preference {
        let order = indices(txs, reading);
        let f = fit(txs, &order);
        if best.as_ref().is_none_or(|(_, b)| f.holds > b.holds) {
            best = Some((order, f));
        }
    }
    best.unwrap_or_default()
}

/// Sum of the amounts of `order` rows, `None` on overflow.
fn sum<'a>(mut rows: impl Iterator<Item = &'a Transaction>) -> Option<Decimal> {
    rows.try_fold(Decimal::ZERO, |acc, t| acc.checked_add(t.amount))
}

/// Set the account's opening balance (the balance before its first row:
/// that row's balance minus its amount) and closing balance (the balance
/// after its chronologically last row, dated that row's day) from the
/// transactions' running balances. Balances the file states elsewhere are
/// left as they are. Returns how well the balances fit the chosen order.
pub(crate) fn apply(account: &mut Account) -> Option<Fit> {
    if account.opening_balance.is_some() || account.closing_balance.is_some() {
        return None;
    }
    let txs = &account.transactions;
    if txs.iter().all(|t| t.balance.is_none()) {
        return None;
    }
    let (order, f) = chronological(txs);
    let rows: Vec<&Transaction> = order.iter().filter_map(|i| txs.get(*i)).collect();
    let first_date: Option<NaiveDate> = rows.first().map(|t| t.date);
    let last_date: Option<NaiveDate> = rows.last().map(|t| t.date);
    // Rows without a balance before the first (after the last) balance are
    // carried by their amounts.
    let opening = rows.iter().position(|t| t.balance.is_some()).and_then(|p| {
        let balance = rows.get(p)?.balance?;
        balance.checked_sub(sum(rows.iter().take(p + 1).copied())?)
    });
    let closing = rows
        .iter()
        .rposition(|t| t.balance.is_some())
        .and_then(|p| {
            let balance = rows.get(p)?.balance?;
            if p + 1 == rows.len() {
                return Some(balance);
            }
            balance.checked_add(sum(rows.iter().skip(p + 1).copied())?)
        });
    account.opening_balance = opening.map(|amount| Balance {
        amount,
        date: first_date,
    });
    account.closing_balance = closing.map(|amount| Balance {
        amount,
        date: last_date,
    });
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn tx(date: &str, amount: &str, balance: &str) -> Transaction {
        Transaction {
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            amount: d(amount),
            currency: None,
            id: None,
            name: None,
            memo: String::new(),
            kind: None,
            check_number: None,
            balance: (!balance.is_empty()).then(|| d(balance)),
        }
    }

    fn balances(txs: Vec<Transaction>) -> (Balance, Balance, Fit) {
        let mut a = Account {
            transactions: txs,
            ..Account::default()
        };
        let f = apply(&mut a).unwrap();
        (a.opening_balance.unwrap(), a.closing_balance.unwrap(), f)
    }

    // The csv2ofx Schwab balance cases: the same four rows in several orders.
    const OLDEST: &str = "2022-08-04";

    fn schwab(rows: &[(&str, &str, &str)]) -> (Balance, Balance, Fit) {
        balances(rows.iter().map(|(dt, a, b)| tx(dt, a, b)).collect())
    }

    #[test]
    fn newest_first() {
        let (open, close, f) = schwab(&[
            ("2022-08-17", "20.00", "878.47"),
            ("2022-08-14", "-103.00", "858.47"),
            ("2022-08-09", "-75.00", "961.47"),
            (OLDEST, "-57.27", "1036.47"),
        ]);
        assert_eq!(close.amount, d("878.47"));
        assert_eq!(close.date, NaiveDate::from_ymd_opt(2022, 8, 17));
        assert_eq!(open.amount, d("1093.74"));
        assert_eq!(open.date, NaiveDate::from_ymd_opt(2022, 8, 4));
        assert_eq!((f.holds, f.checks), (3, 3));
    }

    #[test]
    fn oldest_first_and_same_day_rows_in_either_order() {
        // Oldest-first file.
        let (open, close, _) = schwab(&[
            (OLDEST, "-57.27", "1036.47"),
            ("2022-08-09", "-75.00", "961.47"),
            ("2022-08-17", "-103.00", "858.47"),
            ("2022-08-17", "20.00", "878.47"),
        ]);
        assert_eq!((open.amount, close.amount), (d("1093.74"), d("878.47")));
        // Newest-first by day, but a day's rows oldest-first... and a row out
        // of date order: only the balances can tell.
        let (open, close, f) = schwab(&[
            ("2022-08-17", "20.00", "878.47"),
            ("2022-08-17", "-103.00", "858.47"),
            (OLDEST, "-57.27", "1036.47"),
            ("2022-08-09", "-75.00", "961.47"),
        ]);
        assert_eq!((open.amount, close.amount), (d("1093.74"), d("878.47")));
        assert_eq!(f.holds, 3);
        // All one day, newest first: dates say nothing, balances do.
        let (_, close, _) = schwab(&[
            ("2022-08-17", "20.00", "878.47"),
            ("2022-08-17", "-103.00", "858.47"),
            ("2022-08-17", "-75.00", "961.47"),
            ("2022-08-17", "-57.27", "1036.47"),
        ]);
        assert_eq!(close.amount, d("878.47"));
        // All one day, oldest first.
        let (_, close, _) = schwab(&[
            ("2022-08-17", "-57.27", "1036.47"),
            ("2022-08-17", "-75.00", "961.47"),
            ("2022-08-17", "-103.00", "858.47"),
            ("2022-08-17", "20.00", "878.47"),
        ]);
        assert_eq!(close.amount, d("878.47"));
    }

    #[test]
    fn ambiguous_single_day_reads_the_file_as_oldest_first() {
        // -20 then +20 fits both ways round; the file order wins.
        let (open, close, _) = schwab(&[
            ("2022-08-17", "-20.00", "858.47"),
            ("2022-08-17", "20.00", "878.47"),
        ]);
        assert_eq!((open.amount, close.amount), (d("878.47"), d("878.47")));
    }

    #[test]
    fn rows_without_balance_are_carried() {
        let (open, close, f) = balances(vec![
            tx("2024-01-01", "-5", ""),
            tx("2024-01-02", "-10", "85"),
            tx("2024-01-03", "-1", ""),
            tx("2024-01-04", "-4", "80"),
            tx("2024-01-05", "2", ""),
        ]);
        assert_eq!(open.amount, d("100"));
        assert_eq!(close.amount, d("82"));
        assert_eq!((f.holds, f.checks), (1, 1));
    }

    #[test]
    fn stated_balances_are_kept() {
        let mut a = Account {
            closing_balance: Some(Balance {
                amount: d("1"),
                date: None,
            }),
            transactions: vec![tx("2024-01-01", "5", "7")],
            ..Account::default()
        };
        assert!(apply(&mut a).is_none());
        assert_eq!(a.closing_balance.unwrap().amount, d("1"));
        let mut none = Account {
            transactions: vec![tx("2024-01-01", "5", "")],
            ..Account::default()
        };
        assert!(apply(&mut none).is_none());
        assert!(none.opening_balance.is_none());
    }
}
