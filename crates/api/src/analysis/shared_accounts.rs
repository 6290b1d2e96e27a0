//! From parsed statements to the accounts and transactions a report is built
//! from: an account that appears in several files (monthly or daily
//! statements) is one account holding every statement's own balances, a
//! posting seen in two overlapping statements is one posting, and the
//! account's balance is the closing balance of its latest statement
//! (docs/analysis-report.md, "Balance sources").

use std::collections::HashMap;

use fundline_analysis::StatementPeriod;
use fundline_statements::{Account, Statement};
use fundline_store::reports::{NewAccount, NewTransaction};
use fundline_vault::TenantKeys;
use rust_decimal::Decimal;

use super::fields::last4;

/// Accounts and transactions ready to store, from any source.
#[derive(Default)]
pub struct Shareable {
    pub accounts: Vec<NewAccount>,
    pub transactions: Vec<NewTransaction>,
    /// The statements of `accounts[i]`, written into it by `finish`.
    periods: Vec<Vec<StatementPeriod>>,
    /// Which account a statement belongs to: (number, bank, type,
    /// currency) → index in `accounts`. Held only while the upload is
    /// read (the numbers are in the parsed files anyway), so matching a
    /// statement to its account is a lookup, however many accounts a file
    /// names.
    index: HashMap<AccountKey, usize>,
}

type AccountKey = (String, Option<String>, Option<String>, String);

/// Investment and brokerage statements are not bank accounts: their
/// purchases are not spending and their holdings not a balance.
pub fn is_investment(a: &Account) -> bool {
    fundline_analysis::is_investment(a.account_type.as_deref())
}

/// The statement's own period and balances.
fn period(a: &Account) -> StatementPeriod {
    let first = a.transactions.iter().map(|t| t.date).min();
    let last = a.transactions.iter().map(|t| t.date).max();
    let closing_date = a.closing_balance.as_ref().and_then(|b| b.date);
    StatementPeriod {
        start: a
            .start_date
            .or(a.opening_balance.as_ref().and_then(|b| b.date))
            .or(first),
        end: a.end_date.or(closing_date).or(last),
        opening: a.opening_balance.as_ref().map(|b| b.amount),
        closing: a.closing_balance.as_ref().map(|b| b.amount),
        closing_date: closing_date.or(a.end_date).or(last),
        available: a.available_balance.as_ref().map(|b| b.amount),
        entries_sum: a.transactions.iter().map(|t| t.amount).sum(),
        entries: a.transactions.len().min(u32::MAX as usize) as u32,
    }
}

/// The account's currency and where it came from: the file, else an
/// inference from its identifiers (`fundline_statements::infer_currency`).
fn currency(a: &Account) -> (Option<String>, &'static str) {
    if let Some(c) = a
        .currency
        .clone()
        .or_else(|| a.transactions.iter().find_map(|t| t.currency.clone()))
    {
        return (Some(c.to_ascii_uppercase()), "file");
    }
    match fundline_statements::infer_currency(a) {
        Some((c, _why)) => (Some(c), "inferred"),
        None => (None, "unknown"),
    }
}

/// Adds a parsed statement (investment accounts left out, see
/// `is_investment`).
pub fn add_statement(into: &mut Shareable, keys: &TenantKeys, st: &Statement, source: &str) {
    let mut seen: std::collections::HashSet<PostingKey> = into
        .transactions
        .iter()
        .map(|t| {
            (
                t.account_no,
                t.posted_date.clone(),
                t.amount.clone(),
                t.memo.clone(),
            )
        })
        .collect();
    for a in st.accounts.iter().filter(|a| !is_investment(a)) {
        let (slot, known) = into.slot_for(keys, a, source);
        into.periods[slot].push(period(a));
        into.add_transactions(slot, a, known, &mut seen);
    }
}

/// What makes two postings of one account the same: (account, date,
/// amount, memo).
type PostingKey = (i64, String, String, String);

impl Shareable {
    /// The index of the account a statement's account `a` is, and whether
    /// an earlier statement already added it; a new account is added.
    fn slot_for(&mut self, keys: &TenantKeys, a: &Account, source: &str) -> (usize, bool) {
        let (currency, currency_source) = currency(a);
        // Unknown currency is stored as the report's default and said so.
        let currency_code = currency.unwrap_or_else(|| "USD".into());
        let key = a.account_id.clone().map(|n| {
            (
                n,
                a.bank_id.clone(),
                a.account_type.clone(),
                currency_code.clone(),
            )
        });
        if let Some(k) = key.as_ref().and_then(|k| self.index.get(k).copied()) {
            let x = &mut self.accounts[k];
            if x.owner_name.is_none() {
                x.owner_name = a.owner_name.clone();
            }
            return (k, true);
        }
        let id = uuid::Uuid::new_v4().to_string();
        // Bound to the account's row.
        let account_number_sealed = a
            .account_id
            .as_deref()
            .map(|n| keys.seal_row("ba_accounts", "account_number", &id, n.as_bytes()));
        self.accounts.push(NewAccount {
            id,
            account_no: self.accounts.len() as i64 + 1,
            account_type: a.account_type.clone(),
            institution: a.institution.clone(),
            institution_id: a.bank_id.clone(),
            account_number_sealed,
            account_last4: a.account_id.as_deref().map(last4),
            currency: currency_code,
            current_balance: None,
            available_balance: None,
            balance_date: None,
            source: source.to_string(),
            owner_name: a.owner_name.clone(),
            currency_source: currency_source.to_string(),
            statements: String::new(),
        });
        self.periods.push(Vec::new());
        let slot = self.accounts.len() - 1;
        if let Some(k) = key {
            self.index.insert(k, slot);
        }
        (slot, false)
    }

    /// Adds `a`'s transactions to the account at `slot`. The same posting
    /// in two overlapping statements of a `known` account is one posting;
    /// two identical postings in one file are both kept.
    fn add_transactions(
        &mut self,
        slot: usize,
        a: &Account,
        known: bool,
        seen: &mut std::collections::HashSet<PostingKey>,
    ) {
        let account_no = self.accounts[slot].account_no;
        let currency = self.accounts[slot].currency.clone();
        for t in &a.transactions {
            let key = (
                account_no,
                t.date.to_string(),
                t.amount.normalize().to_string(),
                t.memo.clone(),
            );
            if t.id.is_some() && known && seen.contains(&key) {
                continue;
            }
            seen.insert(key);
            self.transactions.push(NewTransaction {
                id: uuid::Uuid::new_v4().to_string(),
                account_no,
                posted_date: t.date.to_string(),
                amount: t.amount.normalize().to_string(),
                currency: t
                    .currency
                    .as_deref()
                    .map(str::to_ascii_uppercase)
                    .unwrap_or_else(|| currency.clone()),
                memo: if t.memo.is_empty() {
                    t.name.clone().unwrap_or_default()
                } else {
                    t.memo.clone()
                },
                payee: t.name.clone(),
                kind: t.kind.clone(),
            });
        }
    }
}

fn text(d: Decimal) -> String {
    d.normalize().to_string()
}

impl Shareable {
    /// Writes each account's statements and takes its balance from the
    /// latest statement that states one (by closing date; the later file
    /// on a tie).
    pub fn finish(mut self) -> Self {
        for (a, periods) in self.accounts.iter_mut().zip(&self.periods) {
            let latest = periods
                .iter()
                .enumerate()
                .filter(|(_, p)| p.closing.is_some())
                .max_by_key(|(k, p)| (p.closing_date.or(p.end), *k))
                .map(|(_, p)| p);
            if let Some(p) = latest {
                a.current_balance = p.closing.map(text);
                a.available_balance = p.available.map(text);
                a.balance_date = p.closing_date.or(p.end).map(|d| d.to_string());
            }
            a.statements = serde_json::to_string(periods).unwrap_or_else(|_| "[]".into());
        }
        self.periods.clear();
        self.index.clear();
        self
    }
}
