//! Financial report engine of the bank analysis product (spec 004, "Generate
//! Financial Report").
//!
//! A pure engine: [`analyze`] takes accounts and transactions and returns a
//! [`Report`]. No I/O, no clock (the report's end date is an input), no
//! database. Every definition is stated in `docs/analysis-report.md`; the
//! module names say which definition lives where:
//!
//! | module | what it does |
//! | --- | --- |
//! | `normalize` | counterparty key from payee or memo |
//! | `categorize` | ordered memo rules, merchant dictionary, statement codes |
//! | `transfers` | transfers between the customer's own accounts |
//! | `cadence` | pay frequency from the dates of a stream |
//! | `income` | income streams ("likely employers") |
//! | `loans` | loan disbursements and repayment streams |
//! | `expenses` | expenses, monthly expenditures, debt service |
//! | `balances` | end-of-day balances and their statistics |
//! | `nsf` | NSF and overdraft fee counts |
//! | `ratios` | the spec's ratios and the lender's extra measures |
//! | `score` | the report score |
//! | `report` | the window and the assembly of the report |
//! | `synth` | deterministic synthetic histories with known truth (feature `synth`) |
//! | `recovery` | how many synthetic employers the engine finds (feature `synth`) |
//!
//! Money is [`Decimal`] throughout; `f64` appears only inside a dispersion
//! statistic (coefficient of variation), never for an amount.
#![forbid(unsafe_code)]

mod balances;
mod cadence;
mod categorize;
mod expenses;
mod income;
mod loans;
mod money;
mod normalize;
mod nsf;
mod quality;
mod ratios;
#[cfg(feature = "synth")]
mod recovery;
mod report;
mod score;
#[cfg(feature = "synth")]
pub mod synth;
mod text;
mod transfers;

pub use balances::is_investment;
pub use cadence::Cadence;
pub use categorize::{categorize, categorize_with_kind, Category};
pub use normalize::counterparty_key;
pub use quality::{owner_match as owner_name_match, DEFAULT_STALE_AFTER_DAYS};
#[cfg(feature = "synth")]
pub use recovery::{recovery, CadenceRecovery, RecoveryStats};
pub use report::{analyze, daily_balances, daily_balances_and_events, events, Event, EventKind};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Everything the engine looks at.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Input {
    pub accounts: Vec<AccountInput>,
    /// In any order. The index of a transaction in this vector is its
    /// identity in the report (`IncomeStream::transactions`,
    /// `LoanMatch::credit`, `Report::categories`, ...).
    pub transactions: Vec<Txn>,
    /// Report end date: the last day of the window. Transactions dated after
    /// it are categorised but take part in no measure.
    pub as_of: NaiveDate,
    /// The applicant's name, compared with the statements' owner names.
    #[serde(default)]
    pub applicant_name: Option<String>,
    /// The day the report is built: how old the newest data is, for
    /// `DataQuality` (the report's `as_of` when absent).
    #[serde(default)]
    pub today: Option<NaiveDate>,
    /// Newest data older than this many days is stale (default 45).
    #[serde(default)]
    pub stale_after_days: Option<u32>,
}

/// One bank account as the statement or aggregator describes it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AccountInput {
    pub id: u32,
    /// OFX ACCTTYPE or the aggregator's type ("CHECKING", "SAVINGS",
    /// "CREDITLINE", ...). Liability accounts (credit card, loan, line of
    /// credit, mortgage) are left out of the balance measures.
    pub account_type: Option<String>,
    /// Closing (ledger) balance at `current_balance_date`.
    pub current_balance: Option<Decimal>,
    /// Date of `current_balance`; the report's `as_of` when absent.
    pub current_balance_date: Option<NaiveDate>,
    /// Balance before the account's first transaction; used for the balance
    /// history when no closing balance is given.
    pub opening_balance: Option<Decimal>,
    pub available_balance: Option<Decimal>,
    /// ISO 4217, from the file (or inferred, see `currency_inferred`);
    /// `None`: the report's currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// The currency was inferred (country of the IBAN, sort code, …), not
    /// stated by the file.
    #[serde(default)]
    pub currency_inferred: bool,
    /// The holder's name as the statement gives it.
    #[serde(default)]
    pub owner_name: Option<String>,
    /// The statements the account's data came from, each with the balances
    /// it states. When present they anchor the balance history instead of
    /// `current_balance`/`opening_balance`.
    #[serde(default)]
    pub statements: Vec<StatementPeriod>,
}

/// One statement of an account: the days it covers and the balances it
/// states (all optional: formats differ in what they carry).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatementPeriod {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// Balance before the statement's first entry.
    pub opening: Option<Decimal>,
    /// Booked closing balance, at `closing_date` (else `end`).
    pub closing: Option<Decimal>,
    pub closing_date: Option<NaiveDate>,
    pub available: Option<Decimal>,
    /// Sum and count of the statement's own entries, as in the file (before
    /// entries seen in two overlapping statements are merged).
    pub entries_sum: Decimal,
    pub entries: u32,
}

/// One posted transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Txn {
    pub account: u32,
    pub date: NaiveDate,
    /// Credit positive, debit negative.
    pub amount: Decimal,
    pub memo: String,
    /// Structured counterparty name (OFX NAME, MT940 :86: name, CAMT related
    /// party, aggregator merchant); preferred over the memo when present.
    pub payee: Option<String>,
    /// Statement transaction code: OFX TRNTYPE, MT940 code, CAMT code or
    /// purpose ("DIRECTDEP", "NTRF", "PMNT/RCDT/SALA", ...).
    pub kind: Option<String>,
}

/// One day of the report's window (`daily_balances`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayBalance {
    pub date: NaiveDate,
    /// The combined end-of-day balance of the deposit accounts.
    pub balance: Decimal,
    /// A deposit account ended the day below zero (a negative-balance day).
    pub negative: bool,
}

/// A detected income stream (spec: `likelyEmployerResults[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncomeStream {
    /// Counterparty key, upper case ("TASTY BITES").
    pub employer_name: String,
    /// Pay events (credits of the stream on distinct dates).
    pub occurrence_count: u32,
    pub frequency: Cadence,
    /// Spec style: "1 year(s)", "7 month(s)", "20 day(s)".
    pub duration: String,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    /// Average monthly income of the stream (see the docs for the method).
    pub monthly_income: Decimal,
    /// Last pay date + 1.5 periods reaches the report's end date.
    pub active: bool,
    /// Likelihood that the stream is continuing income, 0–100.
    pub probability: Decimal,
    /// "salary", "gig economy", "unemployment", "retirement", "disability",
    /// "military", "child support", "rental", "cash deposit",
    /// "other benefit" or "other".
    pub income_category: &'static str,
    /// Indexes into `Input::transactions`, by date.
    pub transactions: Vec<usize>,
    /// Fraction of gaps inside the cadence's band (0–1, 2 dp).
    pub regularity: Decimal,
    /// Typical amount of one pay event (IQR-trimmed mean).
    pub typical_amount: Decimal,
}

/// One month × category of spending (spec: `monthlyExpenditures[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyExpenditure {
    /// (year, month).
    pub month: (i32, u32),
    pub category: &'static str,
    /// Sum of the debits, positive.
    pub total_spent: Decimal,
    /// Date of the largest debit of the group (latest on a tie).
    pub date_paid: NaiveDate,
    /// Memo of that debit.
    pub memo: String,
    /// Number of debits in the group.
    pub count: u32,
}

/// A potential loan (spec: `potentialLoans[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanMatch {
    /// Lender name, title case ("Credit Union Of Richmond").
    pub detected_company_name: String,
    /// The disbursement, when it is inside the window.
    pub credit: Option<usize>,
    /// The repayments, by date.
    pub debits: Vec<usize>,
    /// 0–1, 2 dp.
    pub confidence: Decimal,
    /// Cadence of the repayments (`Daily` for merchant cash advances).
    pub repayment_frequency: Cadence,
    /// Median repayment, positive.
    pub payment_amount: Decimal,
    /// Disbursed amount, when the disbursement is in the window.
    pub principal: Option<Decimal>,
}

/// One term of the score (see `score`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreComponent {
    pub name: &'static str,
    /// Weight in the score, the weights add up to 1.
    pub weight: Decimal,
    /// 0–1, 2 dp.
    pub value: Decimal,
}

/// Measures a lender wants beyond the spec's fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtraMeasures {
    /// First and last day of the window (`None`: no transaction in it).
    pub window_start: Option<NaiveDate>,
    pub window_end: NaiveDate,
    pub window_days: u32,
    /// Window length in months: days ÷ 30.4375, 2 dp.
    pub months_covered: Decimal,
    /// False when no income stream is active: the ratios that divide by
    /// income are then reported as 0 (spec fields) or `None` (extra fields).
    pub income_detected: bool,
    /// All stream income in the window ÷ months covered (active or not).
    pub historical_income_per_month: Decimal,
    /// Recurring loan, card and mortgage payments per month.
    pub debt_service_per_month: Decimal,
    /// `debt_service_per_month` ÷ income × 100; `None` without income.
    pub debt_service_ratio: Option<Decimal>,
    /// Recurring essential spend per month (housing, utilities, insurance,
    /// loan and card payments, childcare).
    pub essential_spend_per_month: Decimal,
    /// Income − essential spend, per month.
    pub residual_income: Decimal,
    pub nsf_count_30: u32,
    pub nsf_count_60: u32,
    pub nsf_count_90: u32,
    pub overdraft_count_30: u32,
    pub overdraft_count_60: u32,
    pub overdraft_count_90: u32,
    /// Days of the window on which any deposit account ended the day below 0.
    pub negative_balance_days: u32,
    pub minimum_balance: Decimal,
    pub p10_balance: Decimal,
    pub p90_balance: Decimal,
    pub average_daily_balance_60d: Decimal,
    pub average_daily_balance_180d: Decimal,
    /// How the balance history was anchored: "closing", "opening", "mixed"
    /// (some accounts each way) or "none" (no balance given: opening 0).
    pub balance_anchor: &'static str,
    /// Transactions recognised as transfers between own accounts.
    pub own_transfer_count: u32,
    /// Most repayment streams running at the same time.
    pub max_concurrent_loans: u32,
    /// Two or more repayment streams overlapping.
    pub loan_stacking: bool,
    pub score_components: Vec<ScoreComponent>,
}

/// The financial report (spec: `data` of GET .../financialreport).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// 300–850.
    pub score: i32,
    pub available_balance: Decimal,
    pub current_balance: Decimal,
    pub average_income_per_month: Decimal,
    pub average_annual_income: Decimal,
    pub average_expenses_per_month: Decimal,
    /// Percent: expenses ÷ income × 100.
    pub debt_to_income_ratio: Decimal,
    pub disposable_income: Decimal,
    pub average_daily_balance: Decimal,
    /// 0–100.
    pub income_probability: Decimal,
    pub monthly_ability_to_pay: Decimal,
    pub bi_weekly_ability_to_pay: Decimal,
    pub first_transaction_date: Option<NaiveDate>,
    pub monthly_expense: Decimal,
    pub likely_employers: Vec<IncomeStream>,
    pub monthly_expenditures: Vec<MonthlyExpenditure>,
    pub potential_loans: Vec<LoanMatch>,
    /// One per input transaction, same order.
    pub categories: Vec<Category>,
    pub extra: ExtraMeasures,
    pub data_quality: DataQuality,
}

/// How far the report can be trusted: what the data covers and what is
/// wrong with it (`docs/analysis-report.md`, "Data quality").
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DataQuality {
    /// The currency of every amount in the report (`None`: not known).
    pub currency: Option<String>,
    /// Days from the first to the last transaction, both included.
    pub history_days: u32,
    pub first_transaction_date: Option<NaiveDate>,
    pub last_transaction_date: Option<NaiveDate>,
    /// Earliest start and latest end of the statements.
    pub statement_start: Option<NaiveDate>,
    pub statement_end: Option<NaiveDate>,
    /// Days from the newest data to the day the report was built.
    pub data_age_days: Option<u32>,
    /// "statement" (every included deposit account anchored on the file's
    /// own balances), "mixed", or "rebuilt" (no balance in the data: the
    /// history is a running sum from 0, not the customer's balance).
    pub balance_source: &'static str,
    /// "match", "mismatch", "partial" (some accounts each way) or "unknown"
    /// (no owner name in the data, or no applicant name).
    pub owner_name_match: &'static str,
    pub accounts: Vec<AccountQuality>,
    /// Accounts in other currencies, summarised apart (never converted).
    pub other_currencies: Vec<CurrencySummary>,
    /// Days between consecutive statements of an account not covered by any.
    pub gaps: Vec<StatementGap>,
    /// Less than a month of data: per-month figures are the totals seen,
    /// not extrapolated to a month.
    pub per_month_not_extrapolated: bool,
    /// Codes, see the docs: stale_data, short_history, under_one_month,
    /// owner_mismatch, mixed_currencies, non_deposit_account,
    /// possibly_edited, no_balance_in_data, currency_inferred,
    /// currency_unknown, statement_gaps.
    pub warnings: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountQuality {
    pub account: u32,
    pub currency: Option<String>,
    pub currency_inferred: bool,
    pub account_type: Option<String>,
    /// "deposit", "credit" (card, loan, line of credit: left out of the
    /// balances) or "investment" (left out of every figure).
    pub kind: &'static str,
    /// In the report's figures (deposit or credit account in the report's
    /// currency).
    pub included: bool,
    pub owner_name: Option<String>,
    pub owner_name_match: &'static str,
    /// "statement" or "rebuilt".
    pub balance_source: &'static str,
    pub current_balance: Option<Decimal>,
    pub balance_date: Option<NaiveDate>,
    pub statements: u32,
    pub transactions: u32,
    /// A statement whose closing balance is not its opening balance plus
    /// its entries.
    pub possibly_edited: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrencySummary {
    pub currency: String,
    pub accounts: u32,
    pub transactions: u32,
    pub credits: Decimal,
    pub debits: Decimal,
    pub current_balance: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementGap {
    pub account: u32,
    /// First and last day no statement covers.
    pub from: NaiveDate,
    pub to: NaiveDate,
}
