//! The console's accounts and transactions page and its CSV export
//! (issue 16), compared with the API's BankingTransactions answer for the
//! same report.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::console::{assert_page_headers, make_analyst, Browser, Page};
use crate::common::sharing::{share_files, Shared};
use crate::common::staff::Staff;
use crate::common::{self, spawn_app, TestApp};

/// A transaction as the page, the CSV and the API all give it: date,
/// description, amount.
type Tx = (String, String, Decimal);

/// A statement ending five days ago (67 transactions) whose utility
/// payments' memo starts with `=`, shared by customer `n`: the report and
/// the API's BankingTransactions rows of its one account, newest first.
async fn report_with_formula_memos(app: &TestApp, api: &Staff, n: u32) -> (Shared, Vec<Tx>) {
    let end = chrono::Utc::now().date_naive() - chrono::Duration::days(5);
    let story = common::ofx::statement(end);
    let text = story
        .text
        .replace("GEORGIA POWER UTILITY", "=GEORGIA POWER UTILITY");
    let shared = share_files(
        app,
        api,
        n,
        vec![("statement.ofx".into(), text.into_bytes())],
    )
    .await
    .expect("the statement is taken");
    assert_eq!(shared.accounts.len(), 1, "{:?}", shared.accounts);
    let account = &shared.accounts[0]["accountId"];
    let txs: Vec<Tx> = api
        .all_transactions(&shared.report_id, account)
        .await
        .iter()
        .map(api_tx)
        .collect();
    assert!(txs.len() > 60, "{}", txs.len());
    assert!(txs.iter().any(|t| t.1.starts_with('=')), "{txs:?}");
    (shared, txs)
}

/// A transaction object of the API's answer.
fn api_tx(t: &Value) -> Tx {
    (
        t["postedDate"].as_str().unwrap()[..10].to_string(),
        t["memo"].as_str().unwrap().to_string(),
        decimal(&t["amount"]),
    )
}

/// An amount of the API's JSON, digit for digit.
fn decimal(v: &Value) -> Decimal {
    v.to_string().parse().unwrap()
}

/// The transactions table's rows of a page: (date, description, amount).
fn rows(p: &Page) -> Vec<Tx> {
    let table = p.html.find("<h2 id=\"transactions\">").expect("the table");
    let body = &p.html[table..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr><td>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.split("</td><td>").collect();
            let amount = cells[5].split("</td>").next().unwrap();
            (
                cells[0].to_string(),
                cells[2].replace("&#38;", "&").replace("&amp;", "&"),
                amount.parse().unwrap(),
            )
        })
        .collect()
}

/// The pager's next-page link, unescaped.
fn next_link(p: &Page) -> Option<String> {
    let end = p.html.find("\" rel=\"next\"")?;
    let start = p.html[..end].rfind("href=\"")? + 6;
    Some(
        p.html[start..end]
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

/// `txs` as a sorted list, to compare sets of rows.
fn sorted(mut txs: Vec<Tx>) -> Vec<Tx> {
    txs.sort();
    txs
}

/// The API's rows that `keep` keeps.
fn only(txs: &[Tx], keep: impl Fn(&Tx) -> bool) -> Vec<Tx> {
    txs.iter().filter(|t| keep(t)).cloned().collect()
}

#[tokio::test]
async fn the_page_lists_the_apis_transactions_searched_filtered_and_paged() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let (shared, txs) = report_with_formula_memos(&app, &api, 6).await;
    let path = format!("/console/reports/{}/transactions", shared.report_id);
    let mut b = Browser::admin(&app).await;

    // The report page links here, and this page back.
    let report = b
        .get(&format!("/console/reports/{}", shared.report_id))
        .await;
    assert!(report
        .html
        .contains(&format!("<a href=\"{path}\">Accounts and transactions</a>")));

    // Every transaction, with the API's amounts, newest first.
    let p = b.get(&format!("{path}?pageSize=100")).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert!(p.html.contains(&format!(
        "href=\"/console/reports/{}\">Back to the report</a>",
        shared.report_id
    )));
    let all = rows(&p);
    assert_eq!(sorted(all.clone()), sorted(txs.clone()));
    assert!(all.windows(2).all(|w| w[0].0 >= w[1].0), "newest first");
    assert!(p.html.contains("<td>1500.00</td>"), "amounts to the cent");
    assert!(p
        .html
        .contains(&format!("{} transactions, page 1 of 1.", txs.len())));
    // The account: masked, with the statement's balances.
    let account = &shared.accounts[0];
    let last4 = account["lastFourDigitsOfAccountNumber"].as_str().unwrap();
    assert!(p.html.contains(&format!("*****{last4}</th>")));
    assert!(p
        .html
        .contains(&format!("<td>{}</td>", decimal(&account["currentBalance"]))));
    assert!(!p.html.contains("000123456789"), "no full account number");

    // Pages of 50 by default; the pager keeps the filters.
    let first = b.get(&path).await;
    assert_eq!(rows(&first).len(), 50);
    assert!(first.html.contains("page 1 of 2"));
    let next = next_link(&first).expect("a next page");
    assert_eq!(next, format!("{path}?pageNumber=2"));
    let second = b.get(&next).await;
    assert!(next_link(&second).is_none());
    assert_eq!(rows(&second).len(), txs.len() - 50);
    assert_eq!([rows(&first), rows(&second)].concat(), all);
    let kroger = b.get(&format!("{path}?search=kroger&pageSize=5")).await;
    let next = next_link(&kroger).expect("a next page");
    assert_eq!(
        next,
        format!("{path}?search=kroger&pageSize=5&pageNumber=2")
    );
    let kroger2 = rows(&b.get(&next).await);
    assert!(kroger2.len() == 5 && kroger2.iter().all(|t| t.1.contains("KROGER")));

    // Text search: case-insensitive, in the description.
    let p = b.get(&format!("{path}?search=kroger&pageSize=100")).await;
    let found = rows(&p);
    assert_eq!(found, only(&all, |t| t.1.contains("KROGER")));
    assert!(found.len() > 30, "{}", found.len());

    // Date range, both ends included.
    let (from, to) = (&all[40].0, &all[10].0);
    let p = b
        .get(&format!("{path}?dateFrom={from}&dateTo={to}&pageSize=100"))
        .await;
    let found = rows(&p);
    assert_eq!(found, only(&all, |t| &t.0 >= from && &t.0 <= to));
    assert!(found.contains(&all[40]) && found.contains(&all[10]));
    assert!(found.len() < all.len());

    // Direction.
    let credits = rows(
        &b.get(&format!("{path}?direction=credits&pageSize=100"))
            .await,
    );
    assert_eq!(credits, only(&all, |t| t.2 > Decimal::ZERO));
    let debits = rows(
        &b.get(&format!("{path}?direction=debits&pageSize=100"))
            .await,
    );
    assert_eq!(debits, only(&all, |t| t.2 < Decimal::ZERO));
    assert_eq!(credits.len() + debits.len(), all.len());

    // Account and category, as the API names them; all filters together.
    let account_no = account["accountId"].to_string();
    let p = b
        .get(&format!(
            "{path}?account={account_no}&direction=debits&search=rent&pageSize=100"
        ))
        .await;
    let rent = rows(&p);
    assert_eq!(
        rent,
        only(&all, |t| t.1.contains("RENT") && t.2 < Decimal::ZERO)
    );
    assert!(!rent.is_empty());
    // Every transaction fits one API page of 100: each one's category.
    let api_page = api
        .get(&format!(
            "/api/v1/instantbankanalysis/BankingTransactions/{}/{account_no}?pageSize=100",
            shared.report_id
        ))
        .await;
    let api_rows = api_page.body["data"].as_array().unwrap();
    let category = api_rows[0]["category"].as_str().unwrap();
    let in_category: Vec<Tx> = api_rows
        .iter()
        .filter(|t| t["category"] == category)
        .map(api_tx)
        .collect();
    assert!(in_category.len() < all.len(), "{category}");
    let p = b
        .get(&format!(
            "{path}?category={}&pageSize=100",
            url::form_urlencoded::byte_serialize(category.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(p.status, 200);
    assert_eq!(sorted(rows(&p)), sorted(in_category));

    // Bad values: a 400 with the message beside the field, never a 500.
    for (query, field, message) in [
        (
            "dateFrom=2024-13-01",
            "dateFrom",
            "Enter a date as YYYY-MM-DD",
        ),
        (
            "dateFrom=2024-03-02&dateTo=2024-03-01",
            "dateTo",
            "The end date is before the start date.",
        ),
        (
            "direction=sideways",
            "direction",
            "Direction is credits or debits.",
        ),
        (
            "account=999",
            "account",
            "Choose an account of this report.",
        ),
        (
            "pageSize=500",
            "page",
            "PageSize must be between 1 and 100.",
        ),
        ("pageNumber=0", "page", "PageNumber must be greater than 0."),
    ] {
        let p = b.get(&format!("{path}?{query}")).await;
        assert_eq!(p.status, 400, "{query}");
        assert!(p.html.contains(message), "{query}: {}", p.html);
        if field != "page" {
            assert!(
                p.html.contains(&format!(
                    "<p class=\"error\" id=\"{field}-error\">{message}"
                )),
                "{query}"
            );
        }
        assert!(rows(&p).is_empty(), "{query}");
    }
    let long = "x".repeat(201);
    assert_eq!(b.get(&format!("{path}?search={long}")).await.status, 400);
}

#[tokio::test]
async fn the_csv_has_every_matching_row_with_the_apis_amounts_and_no_formulas() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let (shared, txs) = report_with_formula_memos(&app, &api, 7).await;
    let csv_path = format!("/console/reports/{}/transactions.csv", shared.report_id);
    let mut b = Browser::admin(&app).await;

    let page = b
        .get(&format!(
            "/console/reports/{}/transactions",
            shared.report_id
        ))
        .await;
    assert!(page
        .html
        .contains(&format!("href=\"{csv_path}?\" download")));
    let p = b.get(&csv_path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_eq!(p.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        p.header("content-disposition"),
        format!(
            "attachment; filename=\"transactions-{}.csv\"",
            shared.report_id
        )
    );
    assert_eq!(p.header("cache-control"), "no-store");
    assert!(!p.html.contains("000123456789"), "no full account number");
    let (header, csv_rows) = parse(&p.html);
    assert_eq!(
        header,
        ["date", "account", "description", "category", "amount"]
    );
    // Every row (more than a page), the API's amounts; the `=` memos prefixed.
    let expected: Vec<Tx> = txs
        .iter()
        .map(|(d, memo, a)| {
            let memo = if memo.starts_with('=') {
                format!("'{memo}")
            } else {
                memo.clone()
            };
            (d.clone(), memo, *a)
        })
        .collect();
    assert_eq!(csv_rows.len(), txs.len());
    assert!(csv_rows.iter().any(|r| r.1.starts_with("'=GEORGIA POWER")));
    assert!(csv_rows.iter().all(|r| !r.1.starts_with('=')));
    assert_eq!(sorted(csv_rows.clone()), sorted(expected));
    // Negative amounts stay plain numbers.
    assert!(p.html.contains(",-1200.00\n"), "{}", p.html);

    // The page's filters, every matching row.
    let p = b
        .get(&format!("{csv_path}?search=KROGER&direction=debits"))
        .await;
    let (_, kroger) = parse(&p.html);
    assert_eq!(
        sorted(kroger),
        sorted(only(&txs, |t| t.1.contains("KROGER") && t.2 < Decimal::ZERO))
    );
    let p = b.get(&format!("{csv_path}?dateFrom=yesterday")).await;
    assert_eq!(p.status, 400);
    assert!(p.html.contains("Enter a date as YYYY-MM-DD"));

    // An analyst of the tenant may download it; another tenant may not.
    make_analyst(&api).await;
    let mut analyst = Browser::analyst(&app).await;
    assert_eq!(analyst.get(&csv_path).await.status, 200);
    let page_path = format!("/console/reports/{}/transactions", shared.report_id);
    assert_eq!(analyst.get(&page_path).await.status, 200);
    let mut stranger = Browser::stranger(&app).await;
    for path in [&page_path, &csv_path] {
        let p = stranger.get(path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(!p.html.contains("KROGER"));
    }
    for path in [
        "/console/reports/not-a-guid/transactions",
        "/console/reports/not-a-guid/transactions.csv",
    ] {
        assert_eq!(b.get(path).await.status, 404, "{path}");
    }
}

/// A CSV file read with the `csv` crate: its header and its rows as
/// (date, description, amount).
fn parse(text: &str) -> (Vec<String>, Vec<Tx>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[0].to_string(),
                rec[2].to_string(),
                rec[4].parse().unwrap(),
            )
        })
        .collect();
    (header, rows)
}
