//! What a completed request holds: the shared accounts, their transactions
//! and the financial report.

use crate::extract::AnyPath;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fundline_store::reports::{self, AccountRow, ReportRequest, TransactionRow};
use serde_json::{json, Value};

use super::auth::Staff;
use super::envelope::{ok, ok_raw};
use super::error::{AnalysisError, Result};
use super::fields::guid;
use super::query::{paging, Params};
use super::render::{self, num, Context};
/// The API's reading of a transaction row, for the console's pages.
pub use super::render::{category, transaction_type};
use super::zone::Zone;
use crate::AppState;

/// The tenant's report request `id`, or `not_found`.
async fn request(
    state: &AppState,
    who: &Staff,
    id: &str,
    not_found: fn() -> AnalysisError,
) -> Result<ReportRequest> {
    let id = guid(id).ok_or_else(not_found)?;
    reports::get(&state.store, &who.tenant_id, &id, state.clock.now_micros())
        .await?
        .ok_or_else(not_found)
}

fn report_not_found() -> AnalysisError {
    AnalysisError::rejected("Report request failed.", ["Report not found."])
}

fn account_not_found() -> AnalysisError {
    AnalysisError::rejected("Account not found.", ["Account not found."])
}

fn not_found() -> AnalysisError {
    AnalysisError::rejected("Report not found.", ["Report not found."])
}

fn decimal(s: &Option<String>) -> Value {
    s.as_deref()
        .and_then(|v| v.parse::<rust_decimal::Decimal>().ok())
        .map(num)
        .unwrap_or(Value::Null)
}

/// GET /api/v1/instantbankanalysis/GetBankAccountByReportId/{reportId}
#[utoipa::path(get, path = "/api/v1/instantbankanalysis/GetBankAccountByReportId/{reportId}", tag = "Bank analysis",
    description = "The bank accounts the customer shared for a report (account numbers as their last four).",
    params(("reportId" = String, Path, description = "Report request ID (GUID)")),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Report not found."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn accounts(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    AnyPath(report_id): AnyPath<String>,
) -> Result<Response> {
    let (r, rows) = accounts_of(&state, &who, &report_id).await?;
    let customer = fundline_store::customers::get(&state.store, &who.tenant_id, &r.customer_id)
        .await
        .ok()
        .flatten();
    let applicant = customer
        .as_ref()
        .map(|c| format!("{} {}", c.first_name, c.last_name));
    let country = customer
        .as_ref()
        .map(|c| c.country.clone())
        .unwrap_or_default();
    let merchant = crate::tenancy::merchant_id(&state, &r.tenant_id).await?;
    Ok(ok(
            "Request successful",
            rows.iter()
                .map(|a| {
                    json!({
                        "id": a.id,
                        "accountId": a.account_no,
                        "accountType": a.account_type,
                        "reportId": r.id,
                        "financialInstitutionLoginAccountId": a.id,
                        "financialInstitutionName": a.institution,
                        "country": country,
                        "financialInstitutionId": a.institution_id,
                        "financialInstitutionHarvestStatus": if a.source == "sandbox" { "Linked" } else { "Uploaded" },
                        "lastFourDigitsOfAccountNumber": a.account_last4,
                        // The name the statement gives (null when it gives
                        // none), and whether it is the applicant's.
                        "accountOwnerName": a.owner_name,
                        "ownerNameMatch": fundline_analysis::owner_name_match(a.owner_name.as_deref(), applicant.as_deref()),
                        "externalAccountType": a.account_type,
                        "accountName": a.account_type.as_deref().map(|t| format!("{t} …{}", a.account_last4.as_deref().unwrap_or(""))),
                        "nameOnAccount": a.owner_name,
                        "lastSuccessfulUpdate": zone.render(a.created_at),
                        "currentBalance": decimal(&a.current_balance),
                        "availableBalance": decimal(&a.available_balance),
                        "currencyCode": a.currency,
                        "merchantId": merchant,
                        "createdDate": zone.render(a.created_at),
                    })
                })
                .collect(),
    ))
}

/// GET /api/v1/instantbankanalysis/BankingTransactions/{ReportId}/{AccountId}
#[utoipa::path(get, path = "/api/v1/instantbankanalysis/BankingTransactions/{ReportId}/{AccountId}", tag = "Bank analysis",
    description = "One shared account's transactions, newest first, paged (pageNumber, pageSize 1–100). Top level {data, totalCount, pageNumber, pageSize}, as the spec shows.",
    params(("ReportId" = String, Path, description = "Report request ID (GUID)"), ("AccountId" = String, Path, description = "accountId from GetBankAccountByReportId")),
    responses((status = 200, content_type = "application/json"), (status = 400, content_type = "application/json", description = "Report not found."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn transactions(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    AnyPath((report_id, account_id)): AnyPath<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let r = request(&state, &who, &report_id, not_found).await?;
    let p = Params::parse(raw.as_deref());
    let mut errors = Vec::new();
    let page = paging(&p, &mut errors);
    if !errors.is_empty() {
        return Err(AnalysisError::bad_parameters(errors));
    }
    let (accounts, total, rows) = account_transactions_of(&state, &r, &account_id, page).await?;
    let merchant = crate::tenancy::merchant_id(&state, &r.tenant_id).await?;
    let cx = Context {
        merchant_id: &merchant,
        report_id: &r.id,
        accounts: &accounts,
        zone,
    };
    Ok((
        StatusCode::OK,
        axum::Json(json!({
            "data": rows.iter().map(|t| render::transaction(t, &cx)).collect::<Vec<_>>(),
            "totalCount": total,
            "pageNumber": page.number,
            "pageSize": page.size,
        })),
    )
        .into_response())
}

/// The tenant's report request `report_id` and the accounts shared for
/// it, in account-number order: what GetBankAccountByReportId answers
/// with, and the console's transactions page.
pub async fn accounts_of(
    state: &AppState,
    who: &Staff,
    report_id: &str,
) -> Result<(ReportRequest, Vec<AccountRow>)> {
    let r = request(state, who, report_id, report_not_found).await?;
    let rows = reports::accounts(&state.store, &r.id).await?;
    Ok((r, rows))
}

/// One page of the transactions of account `account_id` (its
/// `accountId`) of request `r`, newest first: the report's accounts, the
/// account's count and the page. What BankingTransactions answers with;
/// the console reads a whole account as one page of
/// `share::MAX_TRANSACTIONS`, the most a report can hold.
pub async fn account_transactions_of(
    state: &AppState,
    r: &ReportRequest,
    account_id: &str,
    page: fundline_store::Page,
) -> Result<(Vec<AccountRow>, i64, Vec<TransactionRow>)> {
    let account_no = account_id
        .trim()
        .parse::<i64>()
        .map_err(|_| account_not_found())?;
    let accounts = reports::accounts(&state.store, &r.id).await?;
    if !accounts.iter().any(|a| a.account_no == account_no) {
        return Err(if accounts.is_empty() {
            not_found()
        } else {
            account_not_found()
        });
    }
    let (total, rows) =
        reports::account_transactions(&state.store, &r.id, account_no, page).await?;
    Ok((accounts, total, rows))
}

/// Why a request's report cannot be read (its status is not Completed).
pub fn not_ready_reason(status: i64) -> &'static str {
    match status {
        reports::FAILED => "The report could not be built from the customer's data.",
        reports::EXPIRED => "The customer did not share bank data before the link expired.",
        _ => "The report is not ready yet.",
    }
}

/// The tenant's report request `report_id` and, once it is Completed, its
/// stored financial report (JSON text, dates in UTC). What GET
/// …/financialreport answers from, and the console's report page too.
pub async fn report_of(
    state: &AppState,
    who: &Staff,
    report_id: &str,
) -> Result<(ReportRequest, Option<String>)> {
    let r = request(state, who, report_id, report_not_found).await?;
    if r.status != reports::COMPLETED {
        return Ok((r, None));
    }
    let (_, data) = reports::report(&state.store, &r.id)
        .await?
        .ok_or_else(report_not_found)?;
    Ok((r, Some(data)))
}

#[utoipa::path(get, path = "/api/v1/instantbankanalysis/financialreport", tag = "Bank analysis",
    description = "The financial report of a completed request: income streams and likely employers, monthly expenditures, potential loans, ratios and score (definitions: docs/analysis-report.md).",
    params(("reportId" = String, Query, description = "Report request ID (GUID)")),
    responses((status = 200, content_type = "application/json", body = FinancialReportEnvelopeDoc), (status = 400, content_type = "application/json", description = "Report not found, or not completed yet."), (status = 401, content_type = "application/json", description = "Access Denied")))]
pub async fn financial_report(
    State(state): State<AppState>,
    who: Staff,
    zone: Zone,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let p = Params::parse(raw.as_deref());
    let report_id = p.get("reportId").ok_or_else(|| {
        AnalysisError::rejected("Report request failed.", ["Report ID is required."])
    })?;
    let (r, data) = report_of(&state, &who, report_id).await?;
    let Some(data) = data else {
        return Err(AnalysisError::rejected(
            "Report request failed.",
            [not_ready_reason(r.status)],
        ));
    };
    if zone.is_utc() {
        return ok_raw("Request successful", data)
            .ok_or_else(|| AnalysisError::unavailable("stored report is not JSON"));
    }
    let mut v = serde_json::from_str::<Value>(&data)
        .map_err(|e| AnalysisError::unavailable(format!("stored report is not JSON: {e}")))?;
    render::rezone(&mut v, &zone);
    Ok(ok("Request successful", v))
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FinancialReportEnvelopeDoc {
    success: bool,
    message: String,
    data: FinancialReportDoc,
    errors: Option<Vec<String>>,
}

/// The financial report (spec 004 "Generate Financial Report" fields, then
/// the extra measures; every definition in docs/analysis-report.md). Only
/// the fields added beyond the spec's are spelled out here.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct FinancialReportDoc {
    financialReportId: String,
    score: i32,
    /// The currency of every amount in the report (ISO 4217); null when no
    /// statement gave or implied one.
    currencyCode: Option<String>,
    /// How far the report can be trusted.
    dataQuality: DataQualityDoc,
}

/// `dataQuality`: what the data covers and what is wrong with it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct DataQualityDoc {
    /// The report's currency (its primary currency: the bank accounts with
    /// the most transactions).
    currency: Option<String>,
    /// Days from the first to the last transaction, both included.
    historyDays: u32,
    firstTransactionDate: Option<String>,
    lastTransactionDate: Option<String>,
    /// Earliest start and latest end of the statements.
    statementStartDate: Option<String>,
    statementEndDate: Option<String>,
    /// Days from the newest data to the day the report was built.
    dataAgeDays: Option<u32>,
    /// "statement" (balances from the files' own figures), "mixed", or
    /// "rebuilt" (no balance in the data: a running sum from 0).
    balanceSource: String,
    /// "match", "mismatch", "partial" or "unknown": the statements' owner
    /// names against the applicant's name.
    ownerNameMatch: String,
    /// Less than a month of data: per-month figures are the totals seen.
    perMonthNotExtrapolated: bool,
    accounts: Vec<DataQualityAccountDoc>,
    /// Accounts in other currencies, summarised apart, never converted.
    otherCurrencies: Vec<OtherCurrencyDoc>,
    /// Days between statements of an account that no statement covers.
    gaps: Vec<StatementGapDoc>,
    /// stale_data, short_history, under_one_month, owner_mismatch,
    /// mixed_currencies, non_deposit_account, possibly_edited,
    /// no_balance_in_data, currency_inferred, currency_unknown,
    /// statement_gaps.
    warnings: Vec<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct DataQualityAccountDoc {
    accountId: u32,
    lastFourDigitsOfAccountNumber: Option<String>,
    accountType: Option<String>,
    /// "deposit", "credit" (out of the balances) or "investment" (out of
    /// every figure).
    kind: String,
    includedInReport: bool,
    currencyCode: Option<String>,
    currencyInferred: bool,
    ownerName: Option<String>,
    ownerNameMatch: String,
    /// "statement" or "rebuilt".
    balanceSource: String,
    #[schema(value_type = Option<f64>)]
    currentBalance: Option<String>,
    balanceDate: Option<String>,
    statementCount: u32,
    transactionCount: u32,
    /// A statement whose closing balance is not its opening balance plus
    /// its entries.
    possiblyEdited: bool,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct OtherCurrencyDoc {
    currencyCode: String,
    accountCount: u32,
    transactionCount: u32,
    #[schema(value_type = f64)]
    totalCredits: String,
    #[schema(value_type = f64)]
    totalDebits: String,
    #[schema(value_type = Option<f64>)]
    currentBalance: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code, non_snake_case)]
pub struct StatementGapDoc {
    accountId: u32,
    fromDate: String,
    toDate: String,
}
