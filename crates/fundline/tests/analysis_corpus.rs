//! The financial report on real public statement files
//! (`../shared/corpus/statements`), shared through the customer's link as a
//! customer would: the report's balances are the files' own closing
//! balances, and no account mixes currencies. Skipped, saying so, when the
//! corpus folder is absent.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::sharing::share_files;
use common::staff::Staff;
use common::{spawn_app_with, TestApp};
use fundline_api::ApiConfig;
use rust_decimal::Decimal;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/statements")
}

fn corpus() -> Option<PathBuf> {
    let dir = corpus_dir();
    if dir.join("manifest.jsonl").exists() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: statement corpus not found at {} (it lives in the shared folder beside the repository)",
            dir.display()
        );
        None
    }
}

/// A server whose customer links take as many uploads as the test sends.
async fn app() -> TestApp {
    let mut config = ApiConfig::default();
    config.uploads.uploads_per_minute = 0;
    config.uploads.link_requests_per_minute = 0;
    spawn_app_with(config).await
}

fn money(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// As the account listing shows it: the number's last four characters.
fn last4(id: Option<&str>) -> Option<String> {
    let id = id?;
    let n = id.chars().count();
    Some(id.chars().skip(n.saturating_sub(4)).collect())
}

/// One account as the file names it: number, bank, type and currency.
type AccountKey = (Option<String>, Option<String>, Option<String>, String);

/// What the file itself says each account closed at: per account, the
/// closing balance of its latest statement (the later one on a tie).
fn closing_balances(st: &fundline_statements::Statement) -> BTreeMap<AccountKey, Decimal> {
    let mut latest: BTreeMap<AccountKey, (chrono::NaiveDate, Decimal)> = BTreeMap::new();
    for a in &st.accounts {
        if a.account_type
            .as_deref()
            .is_some_and(|t| t.contains("INVEST"))
        {
            continue;
        }
        let Some(close) = &a.closing_balance else {
            continue;
        };
        let Some(currency) = a
            .currency
            .clone()
            .or_else(|| a.transactions.iter().find_map(|t| t.currency.clone()))
        else {
            continue;
        };
        let date = close
            .date
            .or(a.end_date)
            .or(a.transactions.iter().map(|t| t.date).max())
            .unwrap_or_default();
        let key = (
            a.account_id.clone(),
            a.bank_id.clone(),
            a.account_type.clone(),
            currency.to_ascii_uppercase(),
        );
        if latest.get(&key).is_none_or(|(d, _)| date >= *d) {
            latest.insert(key, (date, close.amount));
        }
    }
    latest.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

#[tokio::test]
async fn every_corpus_file_with_balances_reports_its_own_closing_balance() {
    let Some(dir) = corpus() else { return };
    let app = app().await;
    let staff = Staff::admin(&app).await;
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let (mut checked, mut investment, mut mismatched) = (0, 0, Vec::new());
    let mut n = 0u32;
    for line in manifest.lines() {
        let entry: Value = serde_json::from_str(line).unwrap();
        let file = entry["file"].as_str().unwrap();
        if entry["role"] != "statement"
            || !matches!(
                entry["format"].as_str(),
                Some("ofx" | "camt" | "mt940" | "csv")
            )
        {
            continue;
        }
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let name = Path::new(file)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let Ok(st) = fundline_statements::parse(&bytes, Some(&name)) else {
            continue;
        };
        let expected = closing_balances(&st);
        if st.transaction_count() == 0 || expected.is_empty() {
            continue;
        }
        n += 1;
        let shared = match share_files(&app, &staff, n, vec![(name, bytes)]).await {
            Ok(s) => s,
            Err((422, body))
                if st
                    .accounts
                    .iter()
                    .all(|a| a.account_type.as_deref() == Some("INVESTMENT")) =>
            {
                assert!(
                    body["error"].as_str().unwrap().contains("investment"),
                    "{file}: {body}"
                );
                investment += 1;
                continue;
            }
            Err((status, body)) => panic!("{file}: upload refused {status} {body}"),
        };
        checked += 1;
        // Every account of the file with a closing balance is reported at
        // that balance, to the cent, where the customer's accounts are
        // listed and in the report's data quality block.
        let listed: Vec<(Option<String>, String, Option<Decimal>)> = shared
            .accounts
            .iter()
            .map(|a| {
                (
                    a["lastFourDigitsOfAccountNumber"]
                        .as_str()
                        .map(str::to_string),
                    a["currencyCode"].as_str().unwrap_or_default().to_string(),
                    money(&a["currentBalance"]),
                )
            })
            .collect();
        let assessed: Vec<(Option<String>, String, Option<Decimal>)> = shared.report["dataQuality"]
            ["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["lastFourDigitsOfAccountNumber"]
                        .as_str()
                        .map(str::to_string),
                    a["currencyCode"].as_str().unwrap_or_default().to_string(),
                    money(&a["currentBalance"]),
                )
            })
            .collect();
        for ((number, _, _, currency), want) in &expected {
            let l4 = &last4(number.as_deref());
            let want = cents(*want);
            let found = |list: &[(Option<String>, String, Option<Decimal>)]| {
                list.iter()
                    .any(|(a, c, b)| a == l4 && c == currency && b.map(cents) == Some(want))
            };
            if !found(&listed) || !found(&assessed) {
                mismatched.push(format!(
                    "{file}: account …{} {currency} closes at {want}; listed {listed:?}; report {assessed:?}",
                    l4.as_deref().unwrap_or("?")
                ));
            }
        }
        // The report's own balance, when every account is a deposit account
        // in one currency with a closing balance: their sum.
        let currencies: std::collections::BTreeSet<&String> =
            expected.keys().map(|(_, _, _, c)| c).collect();
        let all_deposit = st.accounts.iter().all(|a| {
            a.closing_balance.is_some()
                && !a
                    .account_type
                    .as_deref()
                    .is_some_and(|t| ["CREDIT", "LOAN", "INVEST"].iter().any(|w| t.contains(w)))
        });
        if currencies.len() == 1 && all_deposit {
            let want: Decimal = expected.values().copied().map(cents).sum();
            let got = money(&shared.report["currentBalance"]).map(cents);
            if got != Some(want) {
                mismatched.push(format!(
                    "{file}: report currentBalance {got:?}, file {want}"
                ));
            }
            assert_eq!(
                shared.report["currencyCode"].as_str(),
                currencies.first().map(|c| c.as_str()),
                "{file}: the report states its currency"
            );
        }
        // No account mixes currencies.
        let mixed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ba_transactions t JOIN ba_accounts a \
             ON a.report_id = t.report_id AND a.account_no = t.account_no \
             WHERE t.report_id = $1 AND t.currency <> a.currency",
        )
        .bind(&shared.report_id)
        .fetch_one(app.store.reader())
        .await
        .unwrap();
        if mixed != 0 {
            mismatched.push(format!(
                "{file}: {mixed} transactions in another currency than their account"
            ));
        }
    }
    eprintln!(
        "corpus: {checked} files with balances reported, {investment} investment statements refused, {} mismatches",
        mismatched.len()
    );
    assert!(checked > 250, "only {checked} corpus files were checked");
    assert!(
        mismatched.is_empty(),
        "{} of {checked} files:\n{}",
        mismatched.len(),
        mismatched.join("\n")
    );
}
