//! The financial report as spec 004 writes it: the engine's report, with
//! each transaction it cites expanded to the spec's transaction object.

use chrono::NaiveDate;
use fundline_analysis::{DataQuality, Report, ScoreComponent};
use fundline_store::reports::{AccountRow, TransactionRow};
use rust_decimal::Decimal;
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use super::zone::{render_date, Zone};

const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// A money or ratio value as a JSON number (2 dp at most, as computed).
pub fn num(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

/// What every transaction object shares: who and when it was loaded.
pub struct Context<'a> {
    pub merchant_id: &'a str,
    pub report_id: &'a str,
    pub accounts: &'a [AccountRow],
    pub zone: Zone,
}

impl Context<'_> {
    /// An account by its number. `accounts` come from the store in
    /// account-number order, so this is a binary search: a file may name
    /// thousands of accounts and a report cite every transaction.
    fn account(&self, account_no: i64) -> Option<&AccountRow> {
        self.accounts
            .binary_search_by_key(&account_no, |a| a.account_no)
            .ok()
            .and_then(|k| self.accounts.get(k))
    }
}

/// A money or ratio value written as the JSON number it is, digit for
/// digit (never through a float).
struct Num(Decimal);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.0.normalize().to_string();
        match serde_json::value::RawValue::from_string(text) {
            Ok(raw) => raw.serialize(s),
            Err(_) => s.serialize_none(),
        }
    }
}

/// The spec's transaction object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransactionJson<'a> {
    id: &'a str,
    account_summary_id: &'a str,
    merchant_id: &'a str,
    request_unique_id: &'a str,
    account_id: i64,
    transaction_id: i64,
    transaction_type: &'static str,
    posted_date: String,
    created_on_date: &'a str,
    amount: Num,
    currency_code: &'a str,
    memo: &'a str,
    category: &'a str,
    sub_category: &'a str,
    is_active: bool,
    created_date: &'a str,
    created_by: &'static str,
    updated_by: Option<()>,
    updated_date: Option<()>,
    deleted_date: Option<()>,
}

/// A transaction's `transactionType`: a negative amount is a "Debit",
/// any other a "Credit".
pub fn transaction_type(amount: Decimal) -> &'static str {
    if amount.is_sign_negative() {
        "Debit"
    } else {
        "Credit"
    }
}

/// A transaction's `category`: the job's, or "Uncategorized".
pub fn category(t: &TransactionRow) -> &str {
    t.category.as_deref().unwrap_or("Uncategorized")
}

fn transaction_json<'a>(
    t: &'a TransactionRow,
    cx: &'a Context,
    created: &'a str,
) -> TransactionJson<'a> {
    let amount: Decimal = t.amount.parse().unwrap_or_default();
    let account_summary_id = cx
        .account(t.account_no)
        .map(|a| a.id.as_str())
        .unwrap_or(ZERO_GUID);
    TransactionJson {
        id: &t.id,
        account_summary_id,
        merchant_id: cx.merchant_id,
        request_unique_id: cx.report_id,
        account_id: t.account_no,
        transaction_id: t.transaction_no,
        transaction_type: transaction_type(amount),
        posted_date: NaiveDate::parse_from_str(&t.posted_date, "%Y-%m-%d")
            .map(render_date)
            .unwrap_or_default(),
        created_on_date: created,
        amount: Num(amount),
        currency_code: &t.currency,
        memo: &t.memo,
        category: category(t),
        sub_category: t.sub_category.as_deref().unwrap_or("Uncategorized"),
        is_active: true,
        created_date: created,
        created_by: "System",
        updated_by: None,
        updated_date: None,
        deleted_date: None,
    }
}

pub fn transaction(t: &TransactionRow, cx: &Context) -> Value {
    let created = cx.zone.render(t.created_at);
    serde_json::to_value(transaction_json(t, cx, &created)).unwrap_or(Value::Null)
}

/// Transactions the report cites, by the engine's index, serialised as they
/// are written (no intermediate JSON tree: a stream can cite tens of
/// thousands of them).
struct Cited<'a> {
    idx: &'a [usize],
    rows: &'a [TransactionRow],
    cx: &'a Context<'a>,
}

impl Serialize for Cited<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.idx.len()))?;
        for &i in self.idx {
            match self.rows.get(i) {
                Some(t) => {
                    let created = self.cx.zone.render(t.created_at);
                    seq.serialize_element(&transaction_json(t, self.cx, &created))?
                }
                None => seq.serialize_element(&Value::Null)?,
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmployerJson<'a> {
    likely_employer_result_id: String,
    employer_name: &'a str,
    occurrence_count: u32,
    frequency: String,
    financial_report_id: &'a str,
    duration: &'a str,
    transactions: Cited<'a>,
    financial_report: Option<()>,
    monthly_income: Num,
    first_date: String,
    last_date: String,
    active: bool,
    probability: Num,
    income_category: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExpenditureJson<'a> {
    monthly_expenditure_id: String,
    category: &'a str,
    total_spent: Num,
    date_paid: String,
    memo: &'a str,
    financial_report_id: &'a str,
    financial_report: Option<()>,
    month: String,
    count: u32,
}

/// The one credit of a loan: an object, not a list.
struct One<'a>(Cited<'a>);

impl Serialize for One<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.idx.first().and_then(|&i| self.0.rows.get(i)) {
            Some(t) => {
                let created = self.0.cx.zone.render(t.created_at);
                transaction_json(t, self.0.cx, &created).serialize(s)
            }
            None => s.serialize_none(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ComponentJson {
    name: &'static str,
    weight: Num,
    value: Num,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportJson<'a> {
    financial_report_id: &'a str,
    score: i32,
    available_balance: Num,
    current_balance: Num,
    average_income_per_month: Num,
    average_annual_income: Num,
    average_expenses_per_month: Num,
    debt_to_income_ratio: Num,
    disposable_income: Num,
    average_daily_balance: Num,
    income_probability: Num,
    monthly_ability_to_pay: Num,
    bi_weekly_ability_to_pay: Num,
    first_transaction_date: Option<String>,
    likely_employer_results: Vec<EmployerJson<'a>>,
    monthly_expenditures: Vec<ExpenditureJson<'a>>,
    potential_loans: Vec<LoanJson<'a>>,
    monthly_expense: Num,
    // Beyond the spec: the rigorous measures (docs/analysis-report.md).
    currency_code: Option<&'a str>,
    window_start_date: Option<String>,
    window_end_date: String,
    months_covered: Num,
    income_detected: bool,
    historical_income_per_month: Num,
    debt_service_per_month: Num,
    debt_service_ratio: Option<Num>,
    essential_spend_per_month: Num,
    residual_income: Num,
    nsf_count30: u32,
    nsf_count60: u32,
    nsf_count90: u32,
    overdraft_count30: u32,
    overdraft_count60: u32,
    overdraft_count90: u32,
    negative_balance_days: u32,
    minimum_balance: Num,
    p10_balance: Num,
    p90_balance: Num,
    average_daily_balance60d: Num,
    average_daily_balance180d: Num,
    balance_anchor: &'static str,
    own_transfer_count: u32,
    max_concurrent_loans: u32,
    loan_stacking: bool,
    score_components: Vec<ComponentJson>,
    data_quality: DataQualityJson<'a>,
}

/// A potential loan; its credit is one transaction object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoanJson<'a> {
    loan_match_id: String,
    credit_transaction: Option<One<'a>>,
    debit_transactions: Cited<'a>,
    detected_company_name: &'a str,
    confidence_score: Num,
    repayment_frequency: String,
    payment_amount: Num,
    principal: Option<Num>,
}

/// The financial report (the `data` of GET …/financialreport) as JSON
/// text. `rows[i]` is the engine's transaction `i`.
pub fn report(
    financial_report_id: &str,
    r: &Report,
    rows: &[TransactionRow],
    cx: &Context,
) -> String {
    let e = &r.extra;
    let doc = ReportJson {
        financial_report_id,
        score: r.score,
        available_balance: Num(r.available_balance),
        current_balance: Num(r.current_balance),
        average_income_per_month: Num(r.average_income_per_month),
        average_annual_income: Num(r.average_annual_income),
        average_expenses_per_month: Num(r.average_expenses_per_month),
        debt_to_income_ratio: Num(r.debt_to_income_ratio),
        disposable_income: Num(r.disposable_income),
        average_daily_balance: Num(r.average_daily_balance),
        income_probability: Num(r.income_probability),
        monthly_ability_to_pay: Num(r.monthly_ability_to_pay),
        bi_weekly_ability_to_pay: Num(r.bi_weekly_ability_to_pay),
        first_transaction_date: r.first_transaction_date.map(render_date),
        likely_employer_results: employers(financial_report_id, r, rows, cx),
        monthly_expenditures: expenditures(financial_report_id, r),
        potential_loans: loans(r, rows, cx),
        monthly_expense: Num(r.monthly_expense),
        currency_code: r.data_quality.currency.as_deref(),
        window_start_date: e.window_start.map(render_date),
        window_end_date: render_date(e.window_end),
        months_covered: Num(e.months_covered),
        income_detected: e.income_detected,
        historical_income_per_month: Num(e.historical_income_per_month),
        debt_service_per_month: Num(e.debt_service_per_month),
        debt_service_ratio: e.debt_service_ratio.map(Num),
        essential_spend_per_month: Num(e.essential_spend_per_month),
        residual_income: Num(e.residual_income),
        nsf_count30: e.nsf_count_30,
        nsf_count60: e.nsf_count_60,
        nsf_count90: e.nsf_count_90,
        overdraft_count30: e.overdraft_count_30,
        overdraft_count60: e.overdraft_count_60,
        overdraft_count90: e.overdraft_count_90,
        negative_balance_days: e.negative_balance_days,
        minimum_balance: Num(e.minimum_balance),
        p10_balance: Num(e.p10_balance),
        p90_balance: Num(e.p90_balance),
        average_daily_balance60d: Num(e.average_daily_balance_60d),
        average_daily_balance180d: Num(e.average_daily_balance_180d),
        balance_anchor: e.balance_anchor,
        own_transfer_count: e.own_transfer_count,
        max_concurrent_loans: e.max_concurrent_loans,
        loan_stacking: e.loan_stacking,
        score_components: components(&e.score_components),
        data_quality: data_quality(&r.data_quality, cx),
    };
    serde_json::to_string(&doc).unwrap_or_else(|_| "{}".into())
}

fn cited<'a>(idx: &'a [usize], rows: &'a [TransactionRow], cx: &'a Context) -> Cited<'a> {
    Cited { idx, rows, cx }
}

fn employers<'a>(
    financial_report_id: &'a str,
    r: &'a Report,
    rows: &'a [TransactionRow],
    cx: &'a Context,
) -> Vec<EmployerJson<'a>> {
    r.likely_employers
        .iter()
        .map(|s| EmployerJson {
            likely_employer_result_id: uuid::Uuid::new_v4().to_string(),
            employer_name: &s.employer_name,
            occurrence_count: s.occurrence_count,
            frequency: s.frequency.to_string(),
            financial_report_id,
            duration: &s.duration,
            transactions: cited(&s.transactions, rows, cx),
            financial_report: None,
            monthly_income: Num(s.monthly_income),
            first_date: render_date(s.first_date),
            last_date: render_date(s.last_date),
            active: s.active,
            probability: Num(s.probability),
            income_category: s.income_category,
        })
        .collect()
}

fn expenditures<'a>(financial_report_id: &'a str, r: &'a Report) -> Vec<ExpenditureJson<'a>> {
    r.monthly_expenditures
        .iter()
        .map(|m| ExpenditureJson {
            monthly_expenditure_id: uuid::Uuid::new_v4().to_string(),
            category: m.category,
            total_spent: Num(m.total_spent),
            date_paid: render_date(m.date_paid),
            memo: &m.memo,
            financial_report_id,
            financial_report: None,
            month: format!("{:04}-{:02}", m.month.0, m.month.1),
            count: m.count,
        })
        .collect()
}

fn loans<'a>(r: &'a Report, rows: &'a [TransactionRow], cx: &'a Context) -> Vec<LoanJson<'a>> {
    r.potential_loans
        .iter()
        .map(|l| LoanJson {
            loan_match_id: uuid::Uuid::new_v4().to_string(),
            credit_transaction: l
                .credit
                .as_ref()
                .map(|c| One(cited(std::slice::from_ref(c), rows, cx))),
            debit_transactions: cited(&l.debits, rows, cx),
            detected_company_name: &l.detected_company_name,
            confidence_score: Num(l.confidence),
            repayment_frequency: l.repayment_frequency.to_string(),
            payment_amount: Num(l.payment_amount),
            principal: l.principal.map(Num),
        })
        .collect()
}

fn components(c: &[ScoreComponent]) -> Vec<ComponentJson> {
    c.iter()
        .map(|s| ComponentJson {
            name: s.name,
            weight: Num(s.weight),
            value: Num(s.value),
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataQualityJson<'a> {
    currency: Option<&'a str>,
    history_days: u32,
    first_transaction_date: Option<String>,
    last_transaction_date: Option<String>,
    statement_start_date: Option<String>,
    statement_end_date: Option<String>,
    data_age_days: Option<u32>,
    balance_source: &'static str,
    owner_name_match: &'static str,
    per_month_not_extrapolated: bool,
    accounts: Vec<AccountQualityJson<'a>>,
    other_currencies: Vec<OtherCurrencyJson<'a>>,
    gaps: Vec<GapJson>,
    warnings: &'a [&'static str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountQualityJson<'a> {
    account_id: u32,
    last_four_digits_of_account_number: Option<&'a str>,
    account_type: Option<&'a str>,
    kind: &'static str,
    included_in_report: bool,
    currency_code: Option<&'a str>,
    currency_inferred: bool,
    owner_name: Option<&'a str>,
    owner_name_match: &'static str,
    balance_source: &'static str,
    current_balance: Option<Num>,
    balance_date: Option<String>,
    statement_count: u32,
    transaction_count: u32,
    possibly_edited: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OtherCurrencyJson<'a> {
    currency_code: &'a str,
    account_count: u32,
    transaction_count: u32,
    total_credits: Num,
    total_debits: Num,
    current_balance: Option<Num>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GapJson {
    account_id: u32,
    from_date: String,
    to_date: String,
}

/// How far the report can be trusted (docs/analysis-report.md, "Data
/// quality"). Accounts are named by their `accountId` and last four digits.
fn data_quality<'a>(q: &'a DataQuality, cx: &'a Context) -> DataQualityJson<'a> {
    let last4 = |no: u32| {
        cx.account(i64::from(no))
            .and_then(|a| a.account_last4.as_deref())
    };
    DataQualityJson {
        currency: q.currency.as_deref(),
        history_days: q.history_days,
        first_transaction_date: q.first_transaction_date.map(render_date),
        last_transaction_date: q.last_transaction_date.map(render_date),
        statement_start_date: q.statement_start.map(render_date),
        statement_end_date: q.statement_end.map(render_date),
        data_age_days: q.data_age_days,
        balance_source: q.balance_source,
        owner_name_match: q.owner_name_match,
        per_month_not_extrapolated: q.per_month_not_extrapolated,
        accounts: q
            .accounts
            .iter()
            .map(|a| AccountQualityJson {
                account_id: a.account,
                last_four_digits_of_account_number: last4(a.account),
                account_type: a.account_type.as_deref(),
                kind: a.kind,
                included_in_report: a.included,
                currency_code: a.currency.as_deref(),
                currency_inferred: a.currency_inferred,
                owner_name: a.owner_name.as_deref(),
                owner_name_match: a.owner_name_match,
                balance_source: a.balance_source,
                current_balance: a.current_balance.map(Num),
                balance_date: a.balance_date.map(render_date),
                statement_count: a.statements,
                transaction_count: a.transactions,
                possibly_edited: a.possibly_edited,
            })
            .collect(),
        other_currencies: q
            .other_currencies
            .iter()
            .map(|c| OtherCurrencyJson {
                currency_code: &c.currency,
                account_count: c.accounts,
                transaction_count: c.transactions,
                total_credits: Num(c.credits),
                total_debits: Num(c.debits),
                current_balance: c.current_balance.map(Num),
            })
            .collect(),
        gaps: q
            .gaps
            .iter()
            .map(|g| GapJson {
                account_id: g.account,
                from_date: render_date(g.from),
                to_date: render_date(g.to),
            })
            .collect(),
        warnings: &q.warnings,
    }
}

/// Timestamps in a stored report were written in UTC; a caller with
/// `X-Timezone` gets them in its zone (dates stay dates).
pub fn rezone(v: &mut Value, zone: &Zone) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k == "createdOnDate" || k == "createdDate" {
                    if let Some(t) = x
                        .as_str()
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                    {
                        *x = json!(zone.render(t.timestamp_micros()));
                    }
                } else {
                    rezone(x, zone);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rezone(x, zone)),
        _ => {}
    }
}
