//! What the report covers and how far the data supports it.
//!
//! Scope: the report is in one currency, its *primary* currency — the
//! currency of the bank accounts with the most transactions (ties: the
//! alphabetically first). Accounts in other currencies are summarised apart,
//! never converted or summed with it. Investment accounts are left out of
//! every figure (they are not bank accounts); credit accounts (card, loan,
//! line of credit) stay in the spending figures and out of the balances.
//! An account of unknown currency is taken to be in the primary currency.
//!
//! Data quality: the checks a lender reads before trusting a figure, each
//! with a warning code (see `DataQuality` and docs/analysis-report.md).

use crate::balances::{self, AccountBalance};
use crate::report::Window;
use crate::text::FnvMap;
use crate::{AccountInput, AccountQuality, CurrencySummary, DataQuality, Input, StatementGap};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Newest data older than this is stale, unless the caller says otherwise.
pub const DEFAULT_STALE_AFTER_DAYS: u32 = 45;
/// Less history than this is short.
const SHORT_HISTORY_DAYS: u32 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Deposit,
    Credit,
    Investment,
}

impl Kind {
    fn of(account_type: Option<&str>) -> Kind {
        if balances::is_investment(account_type) {
            Kind::Investment
        } else if balances::is_liability(account_type) {
            Kind::Credit
        } else {
            Kind::Deposit
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Deposit => "deposit",
            Kind::Credit => "credit",
            Kind::Investment => "investment",
        }
    }
}

pub(crate) struct Scope {
    pub(crate) currency: Option<String>,
    /// Per transaction of the input: in the report's figures.
    pub(crate) keep: Vec<bool>,
    included: FnvMap<u32, bool>,
}

impl Scope {
    pub(crate) fn everything(&self) -> bool {
        self.keep.iter().all(|&k| k)
    }

    /// The account takes part in the report's figures (an account the
    /// input does not list is a deposit account of the report's currency).
    pub(crate) fn includes(&self, account: u32) -> bool {
        self.included.get(&account).copied().unwrap_or(true)
    }
}

fn currency_of(a: &AccountInput) -> Option<String> {
    a.currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_ascii_uppercase)
}

pub(crate) fn scope(input: &Input) -> Scope {
    let mut counts: FnvMap<u32, usize> = FnvMap::default();
    for t in &input.transactions {
        *counts.entry(t.account).or_default() += 1;
    }
    let mut per_currency: Vec<(String, usize)> = Vec::new();
    for a in &input.accounts {
        if Kind::of(a.account_type.as_deref()) == Kind::Investment {
            continue;
        }
        let Some(c) = currency_of(a) else { continue };
        let n = counts.get(&a.id).copied().unwrap_or(0);
        match per_currency.iter_mut().find(|(x, _)| *x == c) {
            Some((_, m)) => *m += n,
            None => per_currency.push((c, n)),
        }
    }
    per_currency.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let currency = per_currency.first().map(|(c, _)| c.clone());
    let included: FnvMap<u32, bool> = input
        .accounts
        .iter()
        .map(|a| {
            let in_scope = Kind::of(a.account_type.as_deref()) != Kind::Investment
                && currency_of(a).is_none_or(|c| Some(&c) == currency.as_ref());
            (a.id, in_scope)
        })
        .collect();
    let mut scope = Scope {
        currency,
        keep: Vec::new(),
        included,
    };
    scope.keep = input
        .transactions
        .iter()
        .map(|t| scope.includes(t.account))
        .collect();
    scope
}

/// Upper-case word tokens of a name, without titles.
fn name_tokens(name: &str) -> Vec<String> {
    const TITLES: &[&str] = &[
        "MR", "MRS", "MS", "MISS", "MX", "DR", "PROF", "SIR", "AND", "OR",
    ];
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .filter(|w| !TITLES.contains(&w.as_str()))
        .collect()
}

/// "match" when the owner name holds the applicant's last name and first
/// name (or its initial), in any order; "mismatch" otherwise; "unknown" when
/// either name is missing.
pub fn owner_match(owner: Option<&str>, applicant: Option<&str>) -> &'static str {
    let (Some(owner), Some(applicant)) = (owner, applicant) else {
        return "unknown";
    };
    let (o, a) = (name_tokens(owner), name_tokens(applicant));
    let (Some(first), Some(last)) = (a.first(), a.last()) else {
        return "unknown";
    };
    if o.is_empty() {
        return "unknown";
    }
    let initial = first.chars().next().map(|c| c.to_string());
    let has_last = o.iter().any(|w| w == last);
    let has_first = a.len() == 1 || o.iter().any(|w| w == first || Some(w) == initial.as_ref());
    if has_last && has_first {
        "match"
    } else {
        "mismatch"
    }
}

pub(crate) struct Facts<'a> {
    pub(crate) window: &'a Window,
    /// Balances of the accounts in scope (from the balance history).
    pub(crate) balances: &'a [AccountBalance],
}

pub(crate) fn assess(input: &Input, scope: &Scope, facts: &Facts) -> DataQuality {
    let w = facts.window;
    let seen = Seen::of(input, scope, w.end);
    let balance_of: FnvMap<u32, &AccountBalance> =
        facts.balances.iter().map(|b| (b.id, b)).collect();
    let mut tally = Tally::default();
    for a in &input.accounts {
        let own: &[usize] = seen.per_account.get(&a.id).map_or(&[], Vec::as_slice);
        tally.account(input, scope, a, own, balance_of.get(&a.id).copied(), w.end);
    }
    // Accounts seen only in transactions: deposit accounts with no balance.
    let listed: std::collections::HashSet<u32> = input.accounts.iter().map(|a| a.id).collect();
    tally.rebuilt += facts
        .balances
        .iter()
        .filter(|b| !listed.contains(&b.id) && !b.liability)
        .count();
    tally.finish(input, scope, w, seen)
}

/// The transactions' indexes by account, and the first and last date of
/// those in scope up to the window's end.
struct Seen {
    per_account: FnvMap<u32, Vec<usize>>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl Seen {
    /// One pass, so that accounts are looked up by map however many a file
    /// names.
    fn of(input: &Input, scope: &Scope, end: NaiveDate) -> Seen {
        let mut seen = Seen {
            per_account: FnvMap::default(),
            first: None,
            last: None,
        };
        for (i, (t, &keep)) in input.transactions.iter().zip(&scope.keep).enumerate() {
            seen.per_account.entry(t.account).or_default().push(i);
            if keep && t.date <= end {
                seen.first = Some(seen.first.map_or(t.date, |d| d.min(t.date)));
                seen.last = Some(seen.last.map_or(t.date, |d| d.max(t.date)));
            }
        }
        seen
    }
}

/// What one account's statements say: their span, the days between them
/// no statement covers, and whether any statement's entries fail to add up
/// from its opening to its closing balance.
struct Statements {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    gaps: Vec<StatementGap>,
    possibly_edited: bool,
}

fn statements_of(a: &AccountInput) -> Statements {
    let mut out = Statements {
        start: None,
        end: None,
        gaps: Vec::new(),
        possibly_edited: false,
    };
    // (start, end, opening, closing) of each dated statement.
    type Period = (NaiveDate, NaiveDate, Option<Decimal>, Option<Decimal>);
    let mut periods: Vec<Period> = Vec::new();
    for p in &a.statements {
        if let (Some(o), Some(c)) = (p.opening, p.closing) {
            if o + p.entries_sum != c {
                out.possibly_edited = true;
            }
        }
        if let (Some(s), Some(e)) = (p.start, p.end.or(p.closing_date)) {
            periods.push((s.min(e), e.max(s), p.opening, p.closing));
        }
        if let Some(s) = p.start {
            out.start = Some(out.start.map_or(s, |x| x.min(s)));
        }
        if let Some(e) = p.end.or(p.closing_date) {
            out.end = Some(out.end.map_or(e, |x| x.max(e)));
        }
    }
    periods.sort_by_key(|p| (p.0, p.1));
    // Days between two statements are a gap unless the balances show
    // nothing moved in them: daily statements skip weekends and holidays,
    // with the next opening equal to the last closing.
    let mut covered: Option<(NaiveDate, Option<Decimal>)> = None;
    for (s, e, opening, closing) in periods {
        if let Some((to, last_closing)) = covered {
            let continuous = matches!((last_closing, opening), (Some(c), Some(o)) if c == o);
            if let (Some(from), Some(until)) = (to.succ_opt(), s.pred_opt()) {
                if from <= until && !continuous {
                    out.gaps.push(StatementGap {
                        account: a.id,
                        from,
                        to: until,
                    });
                }
            }
        }
        covered = match covered {
            Some((to, c)) if to > e => Some((to, c)),
            _ => Some((e, closing)),
        };
    }
    out
}

/// An account's current balance, its date, and where it comes from: the
/// balance history, or else the account's own closing balance.
fn current_balance_of(
    input: &Input,
    a: &AccountInput,
    own: &[usize],
    in_history: Option<&AccountBalance>,
    end: NaiveDate,
) -> (Option<Decimal>, Option<NaiveDate>, &'static str) {
    if let Some(b) = in_history {
        let source = if b.anchored { "statement" } else { "rebuilt" };
        return (Some(b.current), Some(b.date), source);
    }
    let txns: Vec<(NaiveDate, Decimal)> = own
        .iter()
        .map(|&i| (input.transactions[i].date, input.transactions[i].amount))
        .collect();
    match balances::current_of(a, &txns, end) {
        Some(c) => (Some(c), None, "statement"),
        None => (None, None, "rebuilt"),
    }
}

/// Money in and money out (both positive) of the transactions `own`.
fn credits_and_debits(input: &Input, own: &[usize]) -> (Decimal, Decimal) {
    own.iter().map(|&i| &input.transactions[i]).fold(
        (Decimal::ZERO, Decimal::ZERO),
        |(cr, db), t| {
            if t.amount.is_sign_negative() {
                (cr, db - t.amount)
            } else {
                (cr + t.amount, db)
            }
        },
    )
}

/// The per-account findings, gathered account by account.
#[derive(Default)]
struct Tally {
    accounts: Vec<AccountQuality>,
    gaps: Vec<StatementGap>,
    other: Vec<CurrencySummary>,
    statement_start: Option<NaiveDate>,
    statement_end: Option<NaiveDate>,
    anchored: usize,
    rebuilt: usize,
    owner_results: Vec<&'static str>,
    warnings: Vec<&'static str>,
}

impl Tally {
    fn account(
        &mut self,
        input: &Input,
        scope: &Scope,
        a: &AccountInput,
        own: &[usize],
        in_history: Option<&AccountBalance>,
        end: NaiveDate,
    ) {
        let kind = Kind::of(a.account_type.as_deref());
        let included = scope.includes(a.id);
        let count = own.len().min(u32::MAX as usize) as u32;
        let owner_name_match =
            owner_match(a.owner_name.as_deref(), input.applicant_name.as_deref());
        if included && kind != Kind::Investment {
            self.owner_results.push(owner_name_match);
        }
        let statements = statements_of(a);
        if included {
            if let Some(s) = statements.start {
                self.statement_start = Some(self.statement_start.map_or(s, |x| x.min(s)));
            }
            if let Some(e) = statements.end {
                self.statement_end = Some(self.statement_end.map_or(e, |x| x.max(e)));
            }
        }
        self.gaps.extend(statements.gaps);
        let (current_balance, balance_date, source) =
            current_balance_of(input, a, own, in_history, end);
        if included && kind == Kind::Deposit {
            if source == "statement" {
                self.anchored += 1;
            } else {
                self.rebuilt += 1;
            }
        }
        if !included && kind != Kind::Investment {
            if let Some(c) = currency_of(a) {
                let deposit_balance = current_balance.filter(|_| kind == Kind::Deposit);
                self.add_other(c, count, credits_and_debits(input, own), deposit_balance);
            }
        }
        if kind != Kind::Deposit {
            push(&mut self.warnings, "non_deposit_account");
        }
        if statements.possibly_edited {
            push(&mut self.warnings, "possibly_edited");
        }
        if included && a.currency_inferred {
            push(&mut self.warnings, "currency_inferred");
        }
        self.accounts.push(AccountQuality {
            account: a.id,
            currency: currency_of(a),
            currency_inferred: a.currency_inferred,
            account_type: a.account_type.clone(),
            kind: kind.label(),
            included: included && kind != Kind::Investment,
            owner_name: a.owner_name.clone(),
            owner_name_match,
            balance_source: source,
            current_balance: current_balance.map(crate::money::r2),
            balance_date,
            statements: a.statements.len() as u32,
            transactions: count,
            possibly_edited: statements.possibly_edited,
        });
    }

    /// Adds an account outside the report's currency to its currency's
    /// summary; `deposit_balance` is its balance when it is a deposit
    /// account (the only ones whose balances add up).
    fn add_other(
        &mut self,
        currency: String,
        transactions: u32,
        (credits, debits): (Decimal, Decimal),
        deposit_balance: Option<Decimal>,
    ) {
        match self.other.iter_mut().find(|o| o.currency == currency) {
            Some(o) => {
                o.accounts += 1;
                o.transactions += transactions;
                o.credits += credits;
                o.debits += debits;
                if let (Some(x), Some(y)) = (o.current_balance, deposit_balance) {
                    o.current_balance = Some(x + y);
                }
            }
            None => self.other.push(CurrencySummary {
                currency,
                accounts: 1,
                transactions,
                credits,
                debits,
                current_balance: deposit_balance,
            }),
        }
    }

    /// The report-wide figures and warnings, after every account.
    fn finish(mut self, input: &Input, scope: &Scope, w: &Window, seen: Seen) -> DataQuality {
        for o in &mut self.other {
            o.credits = crate::money::r2(o.credits);
            o.debits = crate::money::r2(o.debits);
            o.current_balance = o.current_balance.map(crate::money::r2);
        }
        self.other.sort_by(|a, b| a.currency.cmp(&b.currency));
        let (first, last) = (seen.first, seen.last);
        let history_days = match (first, last) {
            (Some(f), Some(l)) => ((l - f).num_days() + 1).clamp(0, i64::from(u32::MAX)) as u32,
            _ => 0,
        };
        let newest = match (last, self.statement_end) {
            (Some(l), Some(e)) => Some(l.max(e)),
            (l, e) => l.or(e),
        };
        let today = input.today.unwrap_or(input.as_of);
        let data_age_days =
            newest.map(|n| (today - n).num_days().clamp(0, i64::from(u32::MAX)) as u32);
        let stale_after = input.stale_after_days.unwrap_or(DEFAULT_STALE_AFTER_DAYS);
        let per_month_not_extrapolated = w.months < Decimal::ONE;
        let owner_name_match = overall_owner_match(&self.owner_results);
        let balance_source = match (self.anchored, self.rebuilt) {
            (_, 0) if self.anchored > 0 => "statement",
            (0, _) => "rebuilt",
            _ => "mixed",
        };
        let has_data = !input.transactions.is_empty();
        // In the order a lender reads them.
        let report_warnings = [
            (data_age_days.is_some_and(|d| d > stale_after), "stale_data"),
            (history_days < SHORT_HISTORY_DAYS, "short_history"),
            (per_month_not_extrapolated, "under_one_month"),
            (self.owner_results.contains(&"mismatch"), "owner_mismatch"),
            (!self.other.is_empty(), "mixed_currencies"),
            (self.anchored == 0 && has_data, "no_balance_in_data"),
            (scope.currency.is_none() && has_data, "currency_unknown"),
            (!self.gaps.is_empty(), "statement_gaps"),
        ];
        for (raised, warning) in report_warnings {
            if raised {
                push(&mut self.warnings, warning);
            }
        }
        DataQuality {
            currency: scope.currency.clone(),
            history_days,
            first_transaction_date: first,
            last_transaction_date: last,
            statement_start: self.statement_start,
            statement_end: self.statement_end,
            data_age_days,
            balance_source,
            owner_name_match,
            accounts: self.accounts,
            other_currencies: self.other,
            gaps: self.gaps,
            per_month_not_extrapolated,
            warnings: self.warnings,
        }
    }
}

/// The accounts' owner-name checks as one: `partial` when some match and
/// some do not.
fn overall_owner_match(results: &[&'static str]) -> &'static str {
    match (results.contains(&"match"), results.contains(&"mismatch")) {
        (true, true) => "partial",
        (false, true) => "mismatch",
        (true, false) => "match",
        (false, false) => "unknown",
    }
}

fn push(warnings: &mut Vec<&'static str>, w: &'static str) {
    if !warnings.contains(&w) {
        warnings.push(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_names() {
        assert_eq!(
            owner_match(Some("Vertex Ltd"), Some("Jane Doe")),
            "mismatch"
        );
        assert_eq!(owner_match(Some("MRS JANE DOE"), Some("Jane Doe")), "match");
        assert_eq!(owner_match(Some("DOE J"), Some("Jane Doe")), "match");
        assert_eq!(
            owner_match(Some("John and Jane Doe"), Some("Jane Doe")),
            "match"
        );
        assert_eq!(
            owner_match(Some("Jane Smith"), Some("Jane Doe")),
            "mismatch"
        );
        assert_eq!(owner_match(None, Some("Jane Doe")), "unknown");
        assert_eq!(owner_match(Some("Jane Doe"), None), "unknown");
    }
}
