//! Steps every format shares once its accounts are built: statements of one
//! account joined, currencies filled in and never mixed within an account,
//! and the statement period defaulted from the transactions.

use crate::model::{Account, Balance};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Currencies are compatible when equal or when either is unknown.
fn compatible(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    }
}

/// Join the statements of one account (same account id, compatible
/// currency) into one [`Account`], in order of first appearance. Several
/// statements of one account in a file are a bank's daily or monthly
/// statements (or pages of one statement); one account per real account
/// keeps a report from counting its balance twice.
///
/// Transactions are concatenated in file order. The opening balance is the
/// earliest statement's (by date, then file order), the closing and
/// available balances the latest statement's, so a file that lists its
/// statements newest-first still ends on the latest balance. The period
/// runs from the earliest start to the latest end. Statements without an
/// account id are never joined.
pub(crate) fn merge_statements(statements: Vec<Account>) -> Vec<Account> {
    let mut groups: Vec<Vec<Account>> = Vec::new();
    // Groups by account id, so a file of many accounts stays linear.
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for s in statements {
        let found = s.account_id.as_ref().and_then(|id| {
            by_id.get(id)?.iter().copied().find(|&i| {
                let currency = groups
                    .get(i)
                    .and_then(|g| g.iter().find_map(|a| a.currency.as_deref()));
                compatible(currency, s.currency.as_deref())
            })
        });
        match found.and_then(|i| groups.get_mut(i)) {
            Some(group) => group.push(s),
            None => {
                if let Some(id) = &s.account_id {
                    by_id.entry(id.clone()).or_default().push(groups.len());
                }
                groups.push(vec![s]);
            }
        }
    }
    groups.into_iter().filter_map(combine).collect()
}

/// When a statement starts: its opening balance date, else its period
/// start, else its first transaction.
fn start_key(a: &Account) -> Option<NaiveDate> {
    let first = || a.transactions.iter().map(|t| t.date).min();
    edge_key(a.opening_balance.as_ref(), a.start_date, first)
}

/// When a statement ends: its closing balance date, else its period end,
/// else its last transaction.
fn end_key(a: &Account) -> Option<NaiveDate> {
    let last = || a.transactions.iter().map(|t| t.date).max();
    edge_key(a.closing_balance.as_ref(), a.end_date, last)
}

/// The balance's date, else the period's, else the transactions'.
fn edge_key(
    balance: Option<&Balance>,
    period: Option<NaiveDate>,
    transactions: impl FnOnce() -> Option<NaiveDate>,
) -> Option<NaiveDate> {
    balance
        .and_then(|b| b.date)
        .or(period)
        .or_else(transactions)
}

fn combine(members: Vec<Account>) -> Option<Account> {
    if members.len() <= 1 {
        return members.into_iter().next();
    }
    // Dated statements before undated ones; earliest first; file order.
    let opening: Option<Balance> = members
        .iter()
        .enumerate()
        .filter(|(_, a)| a.opening_balance.is_some())
        .min_by_key(|(i, a)| {
            let k = start_key(a);
            (k.is_none(), k, *i)
        })
        .and_then(|(_, a)| a.opening_balance.clone());
    // Dated after undated; latest last; file order.
    let latest = |pick: fn(&Account) -> Option<&Balance>| -> Option<Balance> {
        members
            .iter()
            .enumerate()
            .filter(|(_, a)| pick(a).is_some())
            .max_by_key(|(i, a)| {
                let k = pick(a).and_then(|b| b.date).or_else(|| end_key(a));
                (k.is_some(), k, *i)
            })
            .and_then(|(_, a)| pick(a).cloned())
    };
    let closing = latest(|a| a.closing_balance.as_ref());
    let available = latest(|a| a.available_balance.as_ref());
    let start_date = members.iter().filter_map(|a| a.start_date).min();
    let end_date = members.iter().filter_map(|a| a.end_date).max();
    let mut iter = members.into_iter();
    let mut out = iter.next()?;
    for next in iter {
        out.transactions.extend(next.transactions);
        for (field, value) in [
            (&mut out.bank_id, next.bank_id),
            (&mut out.account_type, next.account_type),
            (&mut out.currency, next.currency),
            (&mut out.institution, next.institution),
            (&mut out.owner_name, next.owner_name),
        ] {
            if field.is_none() {
                *field = value;
            }
        }
    }
    out.opening_balance = opening;
    out.closing_balance = closing;
    out.available_balance = available;
    out.start_date = start_date;
    out.end_date = end_date;
    Some(out)
}

/// Currency and period for every account:
///
/// - an account without a currency takes the one all its transactions
///   share; transactions without one take the account's;
/// - an account whose transactions still carry different currencies is
///   split into one account per currency (same account id, bank, owner and
///   period); the stated balances stay with the part in the account's own
///   currency (or the first part when the account had none);
/// - a statement period the file does not give runs from the first to the
///   last transaction date.
pub(crate) fn finish(accounts: Vec<Account>) -> Vec<Account> {
    let mut out = Vec::with_capacity(accounts.len());
    for mut account in accounts {
        printable(&mut account);
        fill_currency(&mut account);
        split_currencies(account, &mut out);
    }
    for account in &mut out {
        if account.start_date.is_none() {
            account.start_date = account.transactions.iter().map(|t| t.date).min();
        }
        if account.end_date.is_none() {
            account.end_date = account.transactions.iter().map(|t| t.date).max();
        }
    }
    out
}

/// Control characters in the file's text (a NUL or a stray form feed in a
/// memo) read as spaces: they are nothing a person wrote, and a database
/// refuses a NUL.
fn printable(account: &mut Account) {
    let clean = |s: &mut String| {
        if s.chars().any(char::is_control) {
            let spaced: String = s
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            *s = crate::text::collapse(&spaced);
        }
    };
    let clean_opt = |s: &mut Option<String>| {
        if let Some(s) = s {
            clean(s);
        }
    };
    for field in [
        &mut account.account_id,
        &mut account.bank_id,
        &mut account.account_type,
        &mut account.currency,
        &mut account.institution,
        &mut account.owner_name,
    ] {
        clean_opt(field);
    }
    for t in &mut account.transactions {
        clean(&mut t.memo);
        for field in [
            &mut t.currency,
            &mut t.id,
            &mut t.name,
            &mut t.kind,
            &mut t.check_number,
        ] {
            clean_opt(field);
        }
    }
}

fn fill_currency(account: &mut Account) {
    if account.currency.is_none() {
        let mut currencies = account
            .transactions
            .iter()
            .filter_map(|t| t.currency.as_deref());
        if let Some(first) = currencies.next() {
            if currencies.all(|c| c == first) {
                account.currency = Some(first.to_string());
            }
        }
    }
    if let Some(c) = &account.currency {
        for t in account
            .transactions
            .iter_mut()
            .filter(|t| t.currency.is_none())
        {
            t.currency = Some(c.clone());
        }
    }
}

fn split_currencies(mut account: Account, out: &mut Vec<Account>) {
    // Currencies in order of first appearance, and where each is.
    let mut currencies: Vec<Option<String>> = Vec::new();
    let mut part_of: HashMap<Option<String>, usize> = HashMap::new();
    for t in &account.transactions {
        if !part_of.contains_key(&t.currency) {
            part_of.insert(t.currency.clone(), currencies.len());
            currencies.push(t.currency.clone());
        }
    }
    if currencies.len() <= 1 {
        out.push(account);
        return;
    }
    let main = if currencies.contains(&account.currency) {
        account.currency.clone()
    } else {
        currencies.first().cloned().flatten()
    };
    let transactions = std::mem::take(&mut account.transactions);
    let template = Account {
        opening_balance: None,
        closing_balance: None,
        available_balance: None,
        transactions: Vec::new(),
        ..account.clone()
    };
    account.currency.clone_from(&main);
    let mut parts: Vec<Account> = currencies
        .iter()
        .map(|c| {
            if *c == main {
                Account {
                    transactions: Vec::new(),
                    ..account.clone()
                }
            } else {
                Account {
                    currency: c.clone(),
                    ..template.clone()
                }
            }
        })
        .collect();
    for t in transactions {
        if let Some(part) = part_of.get(&t.currency).and_then(|i| parts.get_mut(*i)) {
            part.transactions.push(t);
        }
    }
    out.append(&mut parts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Transaction;
    use rust_decimal::Decimal;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn tx(day: &str, amount: i64, currency: Option<&str>) -> Transaction {
        Transaction {
            date: date(day),
            amount: Decimal::from(amount),
            currency: currency.map(str::to_string),
            id: None,
            name: None,
            memo: String::new(),
            kind: None,
            check_number: None,
            balance: None,
        }
    }

    fn bal(amount: i64, day: &str) -> Option<Balance> {
        Some(Balance {
            amount: Decimal::from(amount),
            date: Some(date(day)),
        })
    }

    fn statement(open: (i64, &str), close: (i64, &str), txs: Vec<Transaction>) -> Account {
        Account {
            account_id: Some("NL01".into()),
            currency: Some("EUR".into()),
            opening_balance: bal(open.0, open.1),
            closing_balance: bal(close.0, close.1),
            start_date: Some(date(open.1)),
            end_date: Some(date(close.1)),
            transactions: txs,
            ..Account::default()
        }
    }

    #[test]
    fn statements_of_one_account_join_on_the_latest_closing() {
        // Newest statement first in the file.
        let jan2 = statement(
            (110, "2024-01-02"),
            (100, "2024-01-03"),
            vec![tx("2024-01-03", -10, None)],
        );
        let jan1 = statement(
            (100, "2024-01-01"),
            (110, "2024-01-02"),
            vec![tx("2024-01-02", 10, None)],
        );
        let other = Account {
            account_id: Some("NL02".into()),
            ..Account::default()
        };
        let merged = merge_statements(vec![jan2, other, jan1]);
        assert_eq!(merged.len(), 2);
        let a = &merged[0];
        assert_eq!(a.transactions.len(), 2);
        assert_eq!(a.opening_balance, bal(100, "2024-01-01"));
        assert_eq!(a.closing_balance, bal(100, "2024-01-03"));
        assert_eq!(a.start_date, Some(date("2024-01-01")));
        assert_eq!(a.end_date, Some(date("2024-01-03")));
        // Same dates: file order decides (first opening, last closing).
        let p1 = statement((1, "2024-01-01"), (2, "2024-01-01"), vec![]);
        let p2 = statement((2, "2024-01-01"), (3, "2024-01-01"), vec![]);
        let m = merge_statements(vec![p1, p2]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].opening_balance, bal(1, "2024-01-01"));
        assert_eq!(m[0].closing_balance, bal(3, "2024-01-01"));
    }

    #[test]
    fn different_currencies_or_no_id_stay_apart() {
        let eur = statement((1, "2024-01-01"), (1, "2024-01-01"), vec![]);
        let usd = Account {
            currency: Some("USD".into()),
            ..eur.clone()
        };
        assert_eq!(merge_statements(vec![eur.clone(), usd]).len(), 2);
        let anon = Account {
            account_id: None,
            ..eur
        };
        assert_eq!(merge_statements(vec![anon.clone(), anon]).len(), 2);
    }

    #[test]
    fn currency_filled_and_split() {
        let a = Account {
            account_id: Some("X".into()),
            transactions: vec![tx("2024-01-01", 1, Some("GBP")), tx("2024-01-02", 2, None)],
            ..Account::default()
        };
        // One currency among the transactions: the account takes it, and the
        // transaction without one takes the account's.
        let out = finish(vec![a]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].currency.as_deref(), Some("GBP"));
        assert!(out[0]
            .transactions
            .iter()
            .all(|t| t.currency.as_deref() == Some("GBP")));
        assert_eq!(out[0].start_date, Some(date("2024-01-01")));
        assert_eq!(out[0].end_date, Some(date("2024-01-02")));

        let mixed = Account {
            account_id: Some("X".into()),
            currency: Some("EUR".into()),
            closing_balance: bal(5, "2024-01-03"),
            transactions: vec![
                tx("2024-01-01", 1, Some("USD")),
                tx("2024-01-02", 2, Some("EUR")),
                tx("2024-01-03", 3, None),
            ],
            ..Account::default()
        };
        let out = finish(vec![mixed]);
        assert_eq!(out.len(), 2);
        let eur = out
            .iter()
            .find(|a| a.currency.as_deref() == Some("EUR"))
            .unwrap();
        let usd = out
            .iter()
            .find(|a| a.currency.as_deref() == Some("USD"))
            .unwrap();
        assert_eq!(eur.transactions.len(), 2);
        assert_eq!(eur.closing_balance, bal(5, "2024-01-03"));
        assert_eq!(usd.transactions.len(), 1);
        assert!(usd.closing_balance.is_none());
        assert_eq!(usd.account_id.as_deref(), Some("X"));
    }
}
