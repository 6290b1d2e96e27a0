//! The financial report on real public statement files
//! (`../shared/corpus/statements`), shared through the customer's link as a
//! customer would: the report's balances are the files' own closing
//! balances, and no account mixes currencies. Skipped, saying so, when the
//! corpus folder is absent.

use crate::common;

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

/// The corpus, and a server whose customer links take as many uploads as
/// the test sends, with its admin to share them; `None`, and the test is
/// skipped, when the corpus is not there.
pub(crate) async fn corpus_app() -> Option<(PathBuf, TestApp, Staff)> {
    let dir = corpus()?;
    let mut config = ApiConfig::default();
    config.uploads.uploads_per_minute = 0;
    config.uploads.link_requests_per_minute = 0;
    let app = spawn_app_with(config).await;
    let staff = Staff::admin(&app).await;
    Some((dir, app, staff))
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

/// (last four, currency, current balance) of each account of a listing.
fn balances_of(accounts: &[Value]) -> Vec<(Option<String>, String, Option<Decimal>)> {
    accounts
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
        .collect()
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
    let Some((dir, app, staff)) = corpus_app().await else {
        return;
    };
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
        let listed = balances_of(&shared.accounts);
        let assessed = balances_of(shared.report["dataQuality"]["accounts"].as_array().unwrap());
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

pub(crate) async fn share_corpus(
    app: &TestApp,
    staff: &Staff,
    n: u32,
    files: &[&str],
) -> Result<common::sharing::Shared, (u16, Value)> {
    let dir = corpus_dir();
    let files = files
        .iter()
        .map(|f| {
            let path = dir.join(f);
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    share_files(app, staff, n, files).await
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn warnings(r: &Value) -> Vec<&str> {
    r["dataQuality"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// A CAMT file's own figure, read from its text: per account (`Othr/Id` or
/// IBAN), the amount of its `CLBD` balance, signed by `CdtDbtInd`.
fn camt_closings(xml: &str) -> BTreeMap<String, Decimal> {
    let between = |s: &str, a: &str, b: &str| -> Option<String> {
        let i = s.find(a)? + a.len();
        let j = s[i..].find(b)? + i;
        Some(s[i..j].to_string())
    };
    let mut out = BTreeMap::new();
    for stmt in xml.split("<Stmt>").skip(1) {
        let acct = between(stmt, "<Acct>", "</Acct>").unwrap_or_default();
        let id = between(&acct, "<IBAN>", "</IBAN>")
            .or_else(|| between(&acct, "<Othr><Id>", "</Id>"))
            .unwrap_or_default();
        for bal in stmt.split("<Bal>").skip(1) {
            if !bal.contains("<Cd>CLBD</Cd>") {
                continue;
            }
            let amt = between(bal, "\">", "</Amt>").unwrap();
            let mut v = dec(amt.trim());
            if bal
                .split("</Bal>")
                .next()
                .unwrap()
                .contains("<CdtDbtInd>DBIT")
            {
                v = -v;
            }
            out.insert(id.clone(), v);
        }
    }
    out
}

#[tokio::test]
async fn two_monthly_camt_statements_give_the_later_close_and_the_owner_they_name() {
    let Some((dir, app, staff)) = corpus_app().await else {
        return;
    };
    let nov = "camt/camt-to-coda/Other/BE68793230773034-202411.xml";
    let dec_ = "camt/camt-to-coda/Other/BE68793230773034-202412.xml";
    let want = camt_closings(&std::fs::read_to_string(dir.join(dec_)).unwrap());
    assert_eq!(
        want.values().copied().collect::<Vec<_>>(),
        vec![dec("41965.11")]
    );
    // Whichever order the files come in.
    for (n, files) in [(1, [nov, dec_]), (2, [dec_, nov])] {
        let s = share_corpus(&app, &staff, n, &files).await.unwrap();
        assert_eq!(money(&s.report["currentBalance"]), Some(dec("41965.11")));
        assert_eq!(s.accounts.len(), 1, "one account in two statements");
        let a = &s.accounts[0];
        assert_eq!(money(&a["currentBalance"]), Some(dec("41965.11")));
        // The statement's owner, not the applicant (Jane{n} Smith).
        assert_eq!(a["accountOwnerName"], "Vertex Ltd");
        assert_eq!(a["ownerNameMatch"], "mismatch");
        let q = &s.report["dataQuality"];
        assert_eq!(q["ownerNameMatch"], "mismatch");
        assert!(warnings(&s.report).contains(&"owner_mismatch"));
        assert_eq!(q["accounts"][0]["statementCount"], 2);
        assert_eq!(q["accounts"][0]["balanceSource"], "statement");
        assert_eq!(q["gaps"], serde_json::json!([]));
        assert_eq!(s.report["currencyCode"], "EUR");
    }
}

#[tokio::test]
async fn twenty_four_daily_camt_statements_give_the_last_day() {
    let Some((dir, app, staff)) = corpus_app().await else {
        return;
    };
    let days = dir.join("camt/camt-to-coda/LT625883379695428516/CAMT_053");
    let mut names: Vec<String> = std::fs::read_dir(&days)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    names.truncate(24);
    // Each account closes where its latest day's statement says.
    let mut want: BTreeMap<String, Decimal> = BTreeMap::new();
    for n in &names {
        want.extend(camt_closings(
            &std::fs::read_to_string(days.join(n)).unwrap(),
        ));
    }
    let paths: Vec<String> = names
        .iter()
        .map(|n| format!("camt/camt-to-coda/LT625883379695428516/CAMT_053/{n}"))
        .collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let s = share_corpus(&app, &staff, 1, &refs).await.unwrap();
    assert_eq!(s.accounts.len(), want.len(), "{:?}", s.accounts);
    for (id, close) in &want {
        let l4: String = id.chars().skip(id.chars().count() - 4).collect();
        let a = s
            .accounts
            .iter()
            .find(|a| a["lastFourDigitsOfAccountNumber"] == l4.as_str())
            .unwrap_or_else(|| panic!("account …{l4}"));
        assert_eq!(money(&a["currentBalance"]), Some(*close), "account …{l4}");
    }
    let total: Decimal = want.values().sum();
    assert_eq!(money(&s.report["currentBalance"]), Some(total));
    let q = &s.report["dataQuality"];
    assert!(q["accounts"][0]["statementCount"].as_u64().unwrap() > 1);
    // Weekends have no statement, but each Monday opens where Friday
    // closed: no gap.
    assert_eq!(q["gaps"], serde_json::json!([]));
}

#[tokio::test]
async fn a_missing_daily_statement_is_a_gap() {
    let Some((_, app, staff)) = corpus_app().await else {
        return;
    };
    let day = |d: &str| format!("camt/camt-to-coda/LT625883379695428516/CAMT_053/{d}.xml");
    // Friday 8 March is left out: Monday's opening is not Thursday's close
    // for the account that moved; the one that did not move has no gap.
    let (thu, mon) = (day("2024-03-07"), day("2024-03-11"));
    let s = share_corpus(&app, &staff, 1, &[&thu, &mon]).await.unwrap();
    let q = &s.report["dataQuality"];
    let gaps = q["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0]["fromDate"], "2024-03-08T00:00:00.0000000Z");
    assert_eq!(gaps[0]["toDate"], "2024-03-10T00:00:00.0000000Z");
    assert!(warnings(&s.report).contains(&"statement_gaps"));
}

#[tokio::test]
async fn a_csv_balance_column_anchors_the_balances() {
    let Some((dir, app, staff)) = corpus_app().await else {
        return;
    };
    let file = "csv/ofxstatement-lloyds/sample-statement.csv";
    // Newest first: the first row's Balance is the closing balance.
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let first_row = text.lines().nth(1).unwrap();
    let closing = dec(first_row.split(',').nth(7).unwrap());
    assert_eq!(closing, dec("2040.59"));
    let s = share_corpus(&app, &staff, 1, &[file]).await.unwrap();
    let r = &s.report;
    assert_eq!(money(&r["currentBalance"]), Some(closing));
    assert_eq!(r["negativeBalanceDays"], 0);
    assert_eq!(r["balanceAnchor"], "closing");
    assert_eq!(r["dataQuality"]["balanceSource"], "statement");
    // No currency in the file; a UK sort code says pounds, and the report
    // says it inferred that.
    assert_eq!(r["currencyCode"], "GBP");
    assert_eq!(r["dataQuality"]["accounts"][0]["currencyInferred"], true);
    assert!(warnings(r).contains(&"currency_inferred"));
}

#[tokio::test]
async fn a_file_without_balances_says_its_balance_is_rebuilt() {
    let Some((_, app, staff)) = corpus_app().await else {
        return;
    };
    // Date, description, amount: no balance anywhere in the file.
    let s = share_corpus(&app, &staff, 1, &["csv/csv2ofx/creditunion.csv"])
        .await
        .unwrap();
    let r = &s.report;
    assert_eq!(r["dataQuality"]["balanceSource"], "rebuilt");
    assert_eq!(r["dataQuality"]["accounts"][0]["balanceSource"], "rebuilt");
    assert_eq!(r["balanceAnchor"], "none");
    assert!(
        warnings(r).contains(&"no_balance_in_data"),
        "{:?}",
        warnings(r)
    );
    // Nor a currency: the report says it does not know one.
    assert!(
        warnings(r).contains(&"currency_unknown"),
        "{:?}",
        warnings(r)
    );
    assert_eq!(r["currencyCode"], Value::Null);
}

#[tokio::test]
async fn transfers_from_the_owners_other_bank_are_neither_income_nor_loans() {
    let Some((dir, app, staff)) = corpus_app().await else {
        return;
    };
    let file = "ofx/ofx-rs/mercury-checking.ofx";
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let ledger = text.split("<LEDGERBAL>").nth(1).unwrap();
    let closing = dec(ledger
        .split("<BALAMT>")
        .nth(1)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim());
    let s = share_corpus(&app, &staff, 1, &[file]).await.unwrap();
    let r = &s.report;
    assert_eq!(money(&r["currentBalance"]), Some(closing));
    let employers: Vec<(&str, bool)> = r["likelyEmployerResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["employerName"].as_str().unwrap(),
                e["active"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(
        employers.iter().all(|(n, _)| !n.contains("BOEING")),
        "{employers:?}"
    );
    assert_eq!(r["potentialLoans"], serde_json::json!([]), "no loans");
    // The freelance payouts are income, and still active at the file's end
    // (Upwork was quiet 104 days, less than it had been quiet before).
    assert!(employers.contains(&("UPWORK", true)), "{employers:?}");
    assert!(employers.contains(&("STRIPE", true)), "{employers:?}");
    // The transfers are categorised as the customer's own, both ways.
    let mut transfers = 0;
    for row in staff.all_transactions(&s.report_id, &1.into()).await {
        if row["memo"]
            .as_str()
            .unwrap()
            .contains("another bank account")
        {
            assert_eq!(row["subCategory"], "Internal Transfer", "{row}");
            transfers += 1;
        }
    }
    // Spending is named, not left in Misc (76% of it was).
    let (mut misc, mut all) = (Decimal::ZERO, Decimal::ZERO);
    for m in r["monthlyExpenditures"].as_array().unwrap() {
        let spent = money(&m["totalSpent"]).unwrap();
        all += spent;
        if m["category"] == "Misc" {
            misc += spent;
        }
    }
    assert!(misc * Decimal::from(5) < all, "Misc {misc} of {all}");
    let in_file = text
        .split("<STMTTRN>")
        .filter(|t| t.contains("another bank account"))
        .count();
    assert_eq!(transfers, in_file);
}

#[tokio::test]
async fn an_investment_statement_is_refused_with_a_clear_message() {
    let Some((_, app, staff)) = corpus_app().await else {
        return;
    };
    let Err((status, body)) = share_corpus(
        &app,
        &staff,
        1,
        &["ofx/beangulp/beangulp/file_type_testdata/example.qfx"],
    )
    .await
    else {
        panic!("an investment statement was accepted as a bank account");
    };
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"],
        "example.qfx: this is an investment account statement. Please share a bank account statement (checking or savings)."
    );
}

#[tokio::test]
async fn a_one_day_statement_is_not_extrapolated_to_a_month() {
    let Some((dir, app, staff)) = corpus_app().await else {
        return;
    };
    let file = "mt940/wolph-mt940/betterplace/sepa_mt9401.sta";
    let st = fundline_statements::parse(
        &std::fs::read(dir.join(file)).unwrap(),
        Some("sepa_mt9401.sta"),
    )
    .unwrap();
    let debits: Decimal = st
        .accounts
        .iter()
        .flat_map(|a| &a.transactions)
        .filter(|t| t.amount.is_sign_negative())
        .map(|t| -t.amount)
        .sum();
    let s = share_corpus(&app, &staff, 1, &[file]).await.unwrap();
    let r = &s.report;
    let spent = money(&r["averageExpensesPerMonth"]).unwrap();
    // The spending seen, never more than the file's debits (it was
    // 432,202,774.91 "a month" when one day was scaled to a month).
    assert!(
        spent > Decimal::ZERO && spent <= debits,
        "{spent} of {debits}"
    );
    assert!(money(&r["monthsCovered"]).unwrap() < Decimal::ONE);
    assert_eq!(r["dataQuality"]["perMonthNotExtrapolated"], true);
    let w = warnings(r);
    assert!(
        w.contains(&"under_one_month") && w.contains(&"short_history"),
        "{w:?}"
    );
}

#[tokio::test]
async fn a_paypal_activity_file_reports_one_currency_and_lists_the_others() {
    let Some((_, app, staff)) = corpus_app().await else {
        return;
    };
    let file = "csv/oca-bank-statement-import/account_statement_import_paypal/tests/fixtures/activity_en.csv";
    let s = share_corpus(&app, &staff, 1, &[file]).await.unwrap();
    let r = &s.report;
    let mut currencies: Vec<&str> = s
        .accounts
        .iter()
        .map(|a| a["currencyCode"].as_str().unwrap())
        .collect();
    currencies.sort();
    assert_eq!(
        currencies,
        ["AUD", "EUR", "USD"],
        "one account per currency"
    );
    let primary = r["currencyCode"].as_str().unwrap();
    let others: Vec<&str> = r["dataQuality"]["otherCurrencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["currencyCode"].as_str().unwrap())
        .collect();
    assert_eq!(others.len(), 2);
    assert!(!others.contains(&primary));
    assert!(warnings(r).contains(&"mixed_currencies"));
    // Conversions between the customer's own balances, and credits naming
    // nobody, are no one's pay.
    for e in r["likelyEmployerResults"].as_array().unwrap() {
        assert_ne!(e["employerName"], "UNKNOWN", "{e}");
    }
}
