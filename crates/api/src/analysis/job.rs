//! The report builder: a background worker on every node claims queued
//! report requests (one node per job, by a guarded update), runs the engine
//! off the async threads and stores the rendered report with the request's
//! completion in one transaction. A node that dies mid-job leaves a claim
//! that goes stale and is taken again.

use std::time::Duration;

use chrono::NaiveDate;
use fundline_analysis::{AccountInput, Input, StatementPeriod, Txn};
use fundline_store::reports::{self, AccountRow, ReportRequest, TransactionRow};
use rust_decimal::Decimal;

use super::render::{self, Context};
use super::zone::Zone;
use crate::AppState;

/// A claim older than this is presumed dead.
const STALE_AFTER: Duration = Duration::from_secs(300);
/// A job failing this many times fails its request.
const MAX_ATTEMPTS: i64 = 3;

/// Claims and builds one report; false when there was nothing to do.
pub async fn run_one(state: &AppState) -> bool {
    let now = state.clock.now_micros();
    let stale = now - STALE_AFTER.as_micros() as i64;
    let job = match reports::claim_job(&state.store, now, stale).await {
        Ok(Some(j)) => j,
        Ok(None) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "report job claim failed");
            return false;
        }
    };
    // Building a report holds all of its transactions (up to 200,000) and
    // their analysis, the same kind of work as a statement parse: it takes
    // a slot of the same cap, so parses and builds together stay bounded.
    let permit = state.statement_parses.clone().acquire_owned().await;
    let built = build(state, &job).await;
    state.release_memory();
    drop(permit);
    if let Err(e) = built {
        tracing::warn!(report_id = %job.id, error = %e, attempts = job.job_attempts, "report build failed");
        if job.job_attempts >= MAX_ATTEMPTS {
            let _ = reports::fail(
                &state.store,
                &job.id,
                "The report could not be built.",
                state.clock.now_micros(),
            )
            .await;
        }
    }
    true
}

fn decimal(s: &Option<String>) -> Option<Decimal> {
    s.as_deref().and_then(|v| v.parse().ok())
}

/// A stored account as the engine reads it: its statements' own balances
/// (see `shared_accounts`), owner name and currency.
fn account_input(a: &AccountRow) -> AccountInput {
    let statements: Vec<StatementPeriod> = a
        .statements
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    AccountInput {
        id: a.account_no as u32,
        account_type: a.account_type.clone(),
        current_balance: decimal(&a.current_balance),
        current_balance_date: a
            .balance_date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        opening_balance: None,
        available_balance: decimal(&a.available_balance),
        currency: (a.currency_source.as_deref() != Some("unknown")).then(|| a.currency.clone()),
        currency_inferred: a.currency_source.as_deref() == Some("inferred"),
        owner_name: a.owner_name.clone(),
        statements,
    }
}

/// The engine's input for request `job`: its stored accounts and
/// transactions (also returned), the applicant's name, today. The report
/// job builds from it, and the console's balance chart reads its days.
pub(crate) async fn input_of(
    state: &AppState,
    job: &ReportRequest,
) -> Result<(Input, Vec<AccountRow>, Vec<TransactionRow>), String> {
    let accounts = reports::accounts(&state.store, &job.id)
        .await
        .map_err(|e| e.to_string())?;
    let rows = reports::transactions(&state.store, &job.id)
        .await
        .map_err(|e| e.to_string())?;
    let applicant = fundline_store::customers::get(&state.store, &job.tenant_id, &job.customer_id)
        .await
        .map_err(|e| e.to_string())?
        .map(|c| format!("{} {}", c.first_name, c.last_name));
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let today = state.clock.now().date_naive();
    let input = Input {
        accounts: accounts.iter().map(account_input).collect(),
        transactions: rows
            .iter()
            .map(|t| Txn {
                account: t.account_no as u32,
                date: date(&t.posted_date).unwrap_or_default(),
                amount: t.amount.parse().unwrap_or_default(),
                memo: t.memo.clone(),
                payee: t.payee.clone(),
                kind: t.kind.clone(),
            })
            .collect(),
        as_of: rows
            .iter()
            .filter_map(|t| date(&t.posted_date))
            .max()
            .unwrap_or(today)
            .min(today),
        applicant_name: applicant,
        today: Some(today),
        stale_after_days: Some(state.config.report_stale_after_days),
    };
    Ok((input, accounts, rows))
}

async fn build(state: &AppState, job: &ReportRequest) -> Result<(), String> {
    let (input, accounts, rows) = input_of(state, job).await?;
    let now = state.clock.now();
    if rows.is_empty() {
        reports::fail(
            &state.store,
            &job.id,
            "No transactions were shared.",
            now.timestamp_micros(),
        )
        .await
        .map_err(|e| e.to_string())?;
        return Ok(());
    }
    let report_id = job.id.clone();
    let merchant = crate::tenancy::merchant_id(state, &job.tenant_id)
        .await
        .map_err(|e| e.to_string())?;
    let financial_report_id = uuid::Uuid::new_v4().to_string();
    let fr_id = financial_report_id.clone();
    let (data, categories, score) = tokio::task::spawn_blocking(move || {
        let report = fundline_analysis::analyze(&input);
        let cx = Context {
            merchant_id: &merchant,
            report_id: &report_id,
            accounts: &accounts,
            zone: Zone(chrono_tz::Tz::UTC),
        };
        // Rows carry their categories when the report is read back.
        let mut rows = rows;
        for (row, c) in rows.iter_mut().zip(&report.categories) {
            row.category = Some(c.category.to_string());
            row.sub_category = Some(c.sub_category.to_string());
        }
        let data = render::report(&fr_id, &report, &rows, &cx);
        let categories: Vec<(i64, String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.transaction_no,
                    r.category.clone().unwrap_or_default(),
                    r.sub_category.clone().unwrap_or_default(),
                )
            })
            .collect();
        (data, categories, i64::from(report.score))
    })
    .await
    .map_err(|_| "the engine stopped".to_string())?;
    reports::complete(
        &state.store,
        &job.id,
        categories,
        financial_report_id,
        data,
        score,
        state.clock.now_micros(),
        state.clock.now_micros(),
    )
    .await
    .map_err(|e| e.to_string())?;
    tracing::info!(report_id = %job.id, score, "report completed");
    Ok(())
}
