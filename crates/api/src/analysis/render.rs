//! The financial report as spec 004 writes it: the engine's report, with
//! each transaction it cites expanded to the spec's transaction object.

use chrono::NaiveDate;
use fundline_analysis::{DataQuality, Report, ScoreComponent};
use fundline_store::reports::{AccountRow, TransactionRow};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::zone::{render_date, Zone};

const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// A money or ratio value as a JSON number (2 dp at most, as computed).
pub fn num(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}

fn opt_num(d: Option<Decimal>) -> Value {
    d.map(num).unwrap_or(Value::Null)
}

/// What every transaction object shares: who and when it was loaded.
pub struct Context<'a> {
    pub merchant_id: &'a str,
    pub report_id: &'a str,
    pub accounts: &'a [AccountRow],
    pub zone: Zone,
}

pub fn transaction(t: &TransactionRow, cx: &Context) -> Value {
    let amount: Decimal = t.amount.parse().unwrap_or_default();
    let account_summary = cx
        .accounts
        .iter()
        .find(|a| a.account_no == t.account_no)
        .map(|a| a.id.as_str())
        .unwrap_or(ZERO_GUID);
    let posted = NaiveDate::parse_from_str(&t.posted_date, "%Y-%m-%d")
        .map(render_date)
        .unwrap_or_default();
    let created = cx.zone.render(t.created_at);
    json!({
        "id": t.id,
        "accountSummaryId": account_summary,
        "merchantId": cx.merchant_id,
        "requestUniqueId": cx.report_id,
        "accountId": t.account_no,
        "transactionId": t.transaction_no,
        "transactionType": if amount.is_sign_negative() { "Debit" } else { "Credit" },
        "postedDate": posted,
        "createdOnDate": created,
        "amount": num(amount),
        "currencyCode": t.currency,
        "memo": t.memo,
        "category": t.category.as_deref().unwrap_or("Uncategorized"),
        "subCategory": t.sub_category.as_deref().unwrap_or("Uncategorized"),
        "isActive": true,
        "createdDate": created,
        "createdBy": "System",
        "updatedBy": Value::Null,
        "updatedDate": Value::Null,
        "deletedDate": Value::Null,
    })
}

fn components(c: &[ScoreComponent]) -> Value {
    c.iter()
        .map(|s| json!({"name": s.name, "weight": num(s.weight), "value": num(s.value)}))
        .collect()
}

/// The `data` object of GET …/financialreport. `rows[i]` is the engine's
/// transaction `i`.
pub fn report(
    financial_report_id: &str,
    r: &Report,
    rows: &[TransactionRow],
    cx: &Context,
) -> Value {
    let tx = |i: &usize| {
        rows.get(*i)
            .map(|t| transaction(t, cx))
            .unwrap_or(Value::Null)
    };
    let e = &r.extra;
    let mut data = json!({
        "financialReportId": financial_report_id,
        "score": r.score,
        "availableBalance": num(r.available_balance),
        "currentBalance": num(r.current_balance),
        "averageIncomePerMonth": num(r.average_income_per_month),
        "averageAnnualIncome": num(r.average_annual_income),
        "averageExpensesPerMonth": num(r.average_expenses_per_month),
        "debtToIncomeRatio": num(r.debt_to_income_ratio),
        "disposableIncome": num(r.disposable_income),
        "averageDailyBalance": num(r.average_daily_balance),
        "incomeProbability": num(r.income_probability),
        "monthlyAbilityToPay": num(r.monthly_ability_to_pay),
        "biWeeklyAbilityToPay": num(r.bi_weekly_ability_to_pay),
        "firstTransactionDate": r.first_transaction_date.map(render_date),
        "likelyEmployerResults": r.likely_employers.iter().map(|s| json!({
            "likelyEmployerResultId": uuid::Uuid::new_v4().to_string(),
            "employerName": s.employer_name,
            "occurrenceCount": s.occurrence_count,
            "frequency": s.frequency.to_string(),
            "financialReportId": financial_report_id,
            "duration": s.duration,
            "transactions": s.transactions.iter().map(tx).collect::<Vec<_>>(),
            "financialReport": Value::Null,
            "monthlyIncome": num(s.monthly_income),
            "firstDate": render_date(s.first_date),
            "lastDate": render_date(s.last_date),
            "active": s.active,
            "probability": num(s.probability),
            "incomeCategory": s.income_category,
        })).collect::<Vec<_>>(),
        "monthlyExpenditures": r.monthly_expenditures.iter().map(|m| json!({
            "monthlyExpenditureId": uuid::Uuid::new_v4().to_string(),
            "category": m.category,
            "totalSpent": num(m.total_spent),
            "datePaid": render_date(m.date_paid),
            "memo": m.memo,
            "financialReportId": financial_report_id,
            "financialReport": Value::Null,
            "month": format!("{:04}-{:02}", m.month.0, m.month.1),
            "count": m.count,
        })).collect::<Vec<_>>(),
        "potentialLoans": r.potential_loans.iter().map(|l| json!({
            "loanMatchId": uuid::Uuid::new_v4().to_string(),
            "creditTransaction": l.credit.as_ref().map(tx),
            "debitTransactions": l.debits.iter().map(tx).collect::<Vec<_>>(),
            "detectedCompanyName": l.detected_company_name,
            "confidenceScore": num(l.confidence),
            "repaymentFrequency": l.repayment_frequency.to_string(),
            "paymentAmount": num(l.payment_amount),
            "principal": opt_num(l.principal),
        })).collect::<Vec<_>>(),
        "monthlyExpense": num(r.monthly_expense),
    });
    // Beyond the spec: the rigorous measures (docs/analysis-report.md).
    let extra = json!({
        "currencyCode": r.data_quality.currency,
        "windowStartDate": e.window_start.map(render_date),
        "windowEndDate": render_date(e.window_end),
        "monthsCovered": num(e.months_covered),
        "incomeDetected": e.income_detected,
        "historicalIncomePerMonth": num(e.historical_income_per_month),
        "debtServicePerMonth": num(e.debt_service_per_month),
        "debtServiceRatio": opt_num(e.debt_service_ratio),
        "essentialSpendPerMonth": num(e.essential_spend_per_month),
        "residualIncome": num(e.residual_income),
        "nsfCount30": e.nsf_count_30,
        "nsfCount60": e.nsf_count_60,
        "nsfCount90": e.nsf_count_90,
        "overdraftCount30": e.overdraft_count_30,
        "overdraftCount60": e.overdraft_count_60,
        "overdraftCount90": e.overdraft_count_90,
        "negativeBalanceDays": e.negative_balance_days,
        "minimumBalance": num(e.minimum_balance),
        "p10Balance": num(e.p10_balance),
        "p90Balance": num(e.p90_balance),
        "averageDailyBalance60d": num(e.average_daily_balance_60d),
        "averageDailyBalance180d": num(e.average_daily_balance_180d),
        "balanceAnchor": e.balance_anchor,
        "ownTransferCount": e.own_transfer_count,
        "maxConcurrentLoans": e.max_concurrent_loans,
        "loanStacking": e.loan_stacking,
        "scoreComponents": components(&e.score_components),
    });
    if let (Some(d), Value::Object(x)) = (data.as_object_mut(), extra) {
        d.extend(x);
        d.insert("dataQuality".into(), data_quality(&r.data_quality, cx));
    }
    data
}

/// How far the report can be trusted (docs/analysis-report.md, "Data
/// quality"). Accounts are named by their `accountId` and last four digits.
fn data_quality(q: &DataQuality, cx: &Context) -> Value {
    let last4 = |no: u32| {
        cx.accounts
            .iter()
            .find(|a| a.account_no == i64::from(no))
            .and_then(|a| a.account_last4.clone())
    };
    json!({
        "currency": q.currency,
        "historyDays": q.history_days,
        "firstTransactionDate": q.first_transaction_date.map(render_date),
        "lastTransactionDate": q.last_transaction_date.map(render_date),
        "statementStartDate": q.statement_start.map(render_date),
        "statementEndDate": q.statement_end.map(render_date),
        "dataAgeDays": q.data_age_days,
        "balanceSource": q.balance_source,
        "ownerNameMatch": q.owner_name_match,
        "perMonthNotExtrapolated": q.per_month_not_extrapolated,
        "accounts": q.accounts.iter().map(|a| json!({
            "accountId": a.account,
            "lastFourDigitsOfAccountNumber": last4(a.account),
            "accountType": a.account_type,
            "kind": a.kind,
            "includedInReport": a.included,
            "currencyCode": a.currency,
            "currencyInferred": a.currency_inferred,
            "ownerName": a.owner_name,
            "ownerNameMatch": a.owner_name_match,
            "balanceSource": a.balance_source,
            "currentBalance": opt_num(a.current_balance),
            "balanceDate": a.balance_date.map(render_date),
            "statementCount": a.statements,
            "transactionCount": a.transactions,
            "possiblyEdited": a.possibly_edited,
        })).collect::<Vec<_>>(),
        "otherCurrencies": q.other_currencies.iter().map(|c| json!({
            "currencyCode": c.currency,
            "accountCount": c.accounts,
            "transactionCount": c.transactions,
            "totalCredits": num(c.credits),
            "totalDebits": num(c.debits),
            "currentBalance": opt_num(c.current_balance),
        })).collect::<Vec<_>>(),
        "gaps": q.gaps.iter().map(|g| json!({
            "accountId": g.account,
            "fromDate": render_date(g.from),
            "toDate": render_date(g.to),
        })).collect::<Vec<_>>(),
        "warnings": q.warnings,
    })
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
