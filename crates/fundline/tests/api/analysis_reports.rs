//! Report requests end to end: the link through the outbox, consent, an
//! uploaded statement, the background report, and every read endpoint.

use crate::common;

use std::time::Duration;

use common::staff::{customer, envelope_ok, Staff};
use common::{captured_logs, sensitive, spawn_app, TestApp};
use serde_json::{json, Value};

const IBA: &str = "/api/v1/instantbankanalysis";

async fn request_for(staff: &Staff, n: u32, via: i64) -> (String, String) {
    let customer_id = staff.create_customer(n).await;
    let r = staff.request_report(&customer_id, via).await;
    envelope_ok(
        &r,
        if via == 2 {
            "Report request created successfully. A verification SMS has been sent to the customer."
        } else {
            "Report request created successfully. A verification email has been sent to the customer."
        },
    );
    (customer_id, r.body["data"].as_str().unwrap().to_string())
}

/// GET `path`, answered "Request successful": its data.
async fn read(staff: &Staff, path: &str) -> Value {
    staff.get_ok(path, "Request successful").await.body["data"].clone()
}

/// The report request list for `query`, answered "Success": its data.
async fn report_requests(staff: &Staff, query: &str) -> Value {
    let path = format!("{IBA}/report-requests?{query}");
    staff.get_ok(&path, "Success").await.body["data"].clone()
}

async fn link_of(app: &TestApp, report_id: &str) -> String {
    app.link_for(report_id).await
}

async fn upload(link: &str, files: Vec<(&str, Vec<u8>)>) -> (u16, Value) {
    let named = files.into_iter().map(|(n, b)| (n.to_string(), b));
    common::sharing::upload(link, named.collect()).await
}

#[tokio::test]
async fn a_customer_shares_an_ofx_statement_and_the_report_is_built() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    let (customer_id, report_id) = request_for(&staff, 1, 1).await;

    // The outbox holds the email with the link.
    let m = &app.message_for(&report_id).await;
    assert_eq!(m["channel"], "email");
    assert_eq!(m["recipient"], "jane1@example.com");
    assert_eq!(m["state"], "recorded", "no relay configured");
    let link = m["link"].as_str().unwrap().to_string();
    assert!(m["text"].as_str().unwrap().contains(&link));
    let token = link.rsplit('/').next().unwrap().to_string();
    sensitive(&token);

    // The page opens; data needs consent first.
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Share your bank information"));
    let end = chrono::Utc::now().date_naive();
    let story = common::ofx::statement(end);
    sensitive(story.account);
    let (code, body) = upload(&link, vec![("march.ofx", story.text.clone().into_bytes())]).await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(common::sharing::consent(&link).await, 200);

    // A bad file among good ones: refused, named, nothing stored.
    let (code, body) = upload(
        &link,
        vec![
            ("good.ofx", story.text.clone().into_bytes()),
            ("notes.txt", b"hello there".to_vec()),
        ],
    )
    .await;
    assert_eq!(code, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().starts_with("notes.txt: "),
        "{body}"
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ba_transactions WHERE report_id = $1")
        .bind(&report_id)
        .fetch_one(app.store.reader())
        .await
        .unwrap();
    assert_eq!(n, 0);
    let (code, body) = upload(&link, vec![]).await;
    assert_eq!(code, 400, "{body}");

    let (code, body) = upload(&link, vec![("march.ofx", story.text.clone().into_bytes())]).await;
    assert_eq!(code, 202, "{body}");
    assert_eq!(body["accounts"], 1);
    common::sharing::report_built(&link, Duration::from_secs(10)).await;
    // Spent: no second upload.
    let (code, _) = upload(&link, vec![("march.ofx", story.text.clone().into_bytes())]).await;
    assert_eq!(code, 410);

    let d = read(&staff, &format!("{IBA}/reportrequests/{report_id}")).await;
    assert_eq!(d["status"], 2);
    assert_eq!(d["customerId"], customer_id.as_str());
    assert_eq!(d["sentVia"], 1);
    assert_eq!(d["requestType"], 1);
    assert!(d["reportScore"].as_i64().unwrap() >= 300);
    assert_eq!(d["reportNumber"].as_str().unwrap().len(), 10);
    assert!(d["endDate"].is_string());

    let accounts = staff
        .get_ok(
            &format!("{IBA}/GetBankAccountByReportId/{report_id}"),
            "Request successful",
        )
        .await;
    let a = &accounts.body["data"][0];
    assert_eq!(a["lastFourDigitsOfAccountNumber"], "6789");
    assert_eq!(a["currentBalance"], 4321.09);
    assert_eq!(a["availableBalance"], 4300.0);
    assert_eq!(a["accountType"], "CHECKING");
    assert_eq!(a["financialInstitutionId"], "011000015");
    assert!(!accounts.body.to_string().contains(story.account));
    let account_id = a["accountId"].as_i64().unwrap();

    let page = staff
        .get(&format!(
            "{IBA}/BankingTransactions/{report_id}/{account_id}?pageNumber=2&pageSize=10"
        ))
        .await;
    assert_eq!(page.status, 200, "{page}");
    let total = page.body["totalCount"].as_i64().unwrap();
    assert!(total > 40, "{total}");
    assert_eq!(page.body["pageNumber"], 2);
    assert_eq!(page.body["pageSize"], 10);
    let rows = page.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    let t = &rows[0];
    assert_eq!(t["requestUniqueId"], report_id.as_str());
    assert_eq!(t["accountId"], account_id);
    assert_eq!(t["createdBy"], "System");
    assert!(t["postedDate"]
        .as_str()
        .unwrap()
        .ends_with("T00:00:00.0000000Z"));
    assert!(t["category"].is_string());
    assert_eq!(
        t["transactionType"],
        if t["amount"].as_f64().unwrap() < 0.0 {
            "Debit"
        } else {
            "Credit"
        }
    );
    let last = staff
        .get(&format!(
            "{IBA}/BankingTransactions/{report_id}/{account_id}?pageNumber=999"
        ))
        .await;
    assert_eq!(last.body["data"], json!([]));
    staff
        .get_refused(
            &format!("{IBA}/BankingTransactions/{report_id}/77"),
            400,
            "Account not found.",
            &["Account not found."],
        )
        .await;
    staff
        .get_refused(
            &format!("{IBA}/BankingTransactions/3fa85f64-5717-4562-b3fc-2c963f66afa6/1"),
            400,
            "Report not found.",
            &["Report not found."],
        )
        .await;

    let r = read(
        &staff,
        &format!("{IBA}/financialreport?reportId={report_id}"),
    )
    .await;
    for field in [
        "financialReportId",
        "score",
        "availableBalance",
        "currentBalance",
        "averageIncomePerMonth",
        "averageAnnualIncome",
        "averageExpensesPerMonth",
        "debtToIncomeRatio",
        "disposableIncome",
        "averageDailyBalance",
        "incomeProbability",
        "monthlyAbilityToPay",
        "biWeeklyAbilityToPay",
        "firstTransactionDate",
        "likelyEmployerResults",
        "monthlyExpenditures",
        "potentialLoans",
        "monthlyExpense",
        "nsfCount90",
        "debtServiceRatio",
        "negativeBalanceDays",
    ] {
        assert!(r.get(field).is_some(), "{field} missing: {r}");
    }
    let employers = r["likelyEmployerResults"].as_array().unwrap();
    let acme = employers
        .iter()
        .find(|e| e["employerName"].as_str().unwrap().contains("ACME"))
        .unwrap_or_else(|| panic!("ACME found: {employers:?}"));
    assert_eq!(acme["frequency"], "Bi-Weekly");
    assert_eq!(
        acme["occurrenceCount"].as_u64().unwrap() as usize,
        story.paydays
    );
    assert_eq!(
        acme["transactions"].as_array().unwrap().len(),
        story.paydays
    );
    assert_eq!(acme["transactions"][0]["transactionType"], "Credit");
    // 1500 × 26 / 12 = 3250.
    assert_eq!(r["averageIncomePerMonth"], 3250.0, "{r}");
    assert_eq!(r["averageAnnualIncome"], 39000.0);
    let income = r["averageIncomePerMonth"].as_f64().unwrap();
    let expenses = r["averageExpensesPerMonth"].as_f64().unwrap();
    assert!((r["disposableIncome"].as_f64().unwrap() - (income - expenses)).abs() < 0.011);
    assert!(
        (r["biWeeklyAbilityToPay"].as_f64().unwrap()
            - r["monthlyAbilityToPay"].as_f64().unwrap() / 2.0)
            .abs()
            < 0.011
    );
    let loans = r["potentialLoans"].as_array().unwrap();
    assert!(
        loans.iter().any(|l| l["detectedCompanyName"]
            .as_str()
            .unwrap()
            .to_uppercase()
            .contains("QUICKCASH")),
        "{loans:?}"
    );
    assert!(!r["monthlyExpenditures"].as_array().unwrap().is_empty());
    assert_eq!(r["currentBalance"], 4321.09);

    // The list shows it, with its filters.
    let list = report_requests(&staff, "status=2&nameQuery=jane1").await;
    assert_eq!(list["totalRecords"], 1);
    let rec = &list["records"][0];
    assert_eq!(rec["id"], report_id.as_str());
    assert_eq!(rec["status"], 2);
    assert_eq!(rec["createdBy"], app.tenant.analysis.email.as_str());
    assert_eq!(rec["email"], "jane1@example.com");
    // A completed request cannot be re-sent.
    staff
        .post_refused(
            &format!("{IBA}/report-request/reset"),
            &json!({"reportRequestId": report_id}),
            400,
            "Report request failed.",
            &["The report request is already completed."],
        )
        .await;
    let logs = captured_logs();
    assert!(!logs.contains(&token) && !logs.contains(story.account));
}

#[tokio::test]
async fn links_expire_and_reset_sends_a_fresh_one() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    let (_, report_id) = request_for(&staff, 1, 2).await;
    let old = link_of(&app, &report_id).await;
    let sms = app.message_for(&report_id).await;
    assert_eq!(sms["channel"], "sms");
    assert_eq!(sms["recipient"], "4045550123");

    // Not ready yet.
    staff
        .get_refused(
            &format!("{IBA}/financialreport?reportId={report_id}"),
            400,
            "Report request failed.",
            &["The report is not ready yet."],
        )
        .await;
    app.clock.advance(Duration::from_secs(73 * 3600));
    let staff = Staff::admin(&app).await;
    let page = reqwest::get(&old).await.unwrap();
    assert_eq!(page.status().as_u16(), 410);
    let got = staff
        .get(&format!("{IBA}/reportrequests/{report_id}"))
        .await;
    assert_eq!(got.body["data"]["status"], 3, "Expired: {got}");
    let expired = staff.get(&format!("{IBA}/report-requests?status=3")).await;
    assert_eq!(expired.body["data"]["totalRecords"], 1);

    let reset = staff.resend(&report_id).await;
    assert_eq!(reset.body["data"], report_id.as_str());
    let fresh = link_of(&app, &report_id).await;
    assert_ne!(fresh, old);
    assert_eq!(
        reqwest::get(&old).await.unwrap().status().as_u16(),
        404,
        "the old link is gone"
    );
    assert_eq!(reqwest::get(&fresh).await.unwrap().status().as_u16(), 200);
    let got = staff
        .get(&format!("{IBA}/reportrequests/{report_id}"))
        .await;
    assert_eq!(got.body["data"]["status"], 1);

    staff
        .post_refused(
            &format!("{IBA}/report-request/reset"),
            &json!({"reportRequestId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}),
            400,
            "Not found.",
            &["Report request not found."],
        )
        .await;
}

#[tokio::test]
async fn report_request_errors_and_filters() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    staff
        .post_refused(
            &format!("{IBA}/report-request"),
            &json!({"customerId": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "sendVia": 1}),
            400,
            "Report request failed.",
            &["Customer not found."],
        )
        .await;
    staff
        .post_refused(
            &format!("{IBA}/report-request"),
            &json!({"sendVia": 9}),
            400,
            "Validation failed for the request.",
            &[
                "Customer ID is required.",
                "Send via must be 1 (email) or 2 (SMS).",
            ],
        )
        .await;
    for (path, error) in [
        (
            "reportrequests/3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "Report not found.",
        ),
        ("GetBankAccountByReportId/nope", "Report not found."),
        ("financialreport", "Report ID is required."),
    ] {
        let path = format!("{IBA}/{path}");
        staff
            .get_refused(&path, 400, "Report request failed.", &[error])
            .await;
    }
    // Customer created with triggerReportRequest gets a request at once.
    let mut c = customer(5);
    c["triggerReportRequest"] = json!(true);
    envelope_ok(
        &staff.post("/api/v1/customer", &c).await,
        "Customer created successfully.",
    );
    request_for(&staff, 6, 1).await;
    let all = report_requests(&staff, "orderBy=FirstName&order=ASC").await;
    assert_eq!(all["totalRecords"], 2);
    assert_eq!(all["records"][0]["firstName"], "Jane5");
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today + chrono::Duration::days(1);
    let window = staff
        .get(&format!(
            "{IBA}/report-requests?orderedDateFrom={tomorrow}&onBoardedDateTo={tomorrow}"
        ))
        .await;
    assert_eq!(window.body["data"]["totalRecords"], 0, "{window}");
    let window = staff
        .get(&format!(
            "{IBA}/report-requests?orderedDateFrom={today}T00:00:00Z&orderedDateTo={tomorrow}"
        ))
        .await;
    assert_eq!(window.body["data"]["totalRecords"], 2, "{window}");
    staff.get_refused(&format!("{IBA}/report-requests?status=9&orderedDateFrom=yesterday&pageNumber=0"), 400, "Bad Request", &[
            "Invalid request parameters.",
            "PageNumber must be greater than 0.",
            "Status must be 1 (Pending), 2 (Completed), 3 (Expired), 4 (Failed) or 5 (Superseded).",
            "OrderedDateFrom must be an ISO-8601 date.",
        ]).await;
    // The sandbox mailbox is not this tenant's: its staff token opens nothing there.
    let mailbox = staff.sandbox_mailbox().await;
    assert_eq!(mailbox.status(), 401);
    assert!(!mailbox.text().await.unwrap().contains("jane5@example.com"));
}

#[tokio::test]
async fn an_unusual_csv_is_read_with_a_column_mapping() {
    let app = spawn_app().await;
    let staff = Staff::admin(&app).await;
    let (_, report_id) = request_for(&staff, 1, 1).await;
    let link = link_of(&app, &report_id).await;
    assert_eq!(common::sharing::consent(&link).await, 200);
    let mut csv = String::from("Buchung;Text;Betrag\n");
    for (i, day) in (1..=28).step_by(3).enumerate() {
        csv.push_str(&format!("{day:02}.03.2026;KAUF {i};-{i},50\n"));
    }
    let form = |mapping: Option<&str>| {
        let mut f = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("konto.csv"),
        );
        if let Some(m) = mapping {
            f = f.text("mapping", m.to_string());
        }
        f
    };
    let post = |f| async {
        reqwest::Client::new()
            .post(format!("{link}/statements"))
            .multipart(f)
            .send()
            .await
            .unwrap()
    };
    let bad = post(form(Some("{\"date\": 1}"))).await;
    assert_eq!(bad.status().as_u16(), 400);
    let ok = post(form(Some(r#"{"date": "Buchung", "amount": "Betrag", "description": "Text", "date_format": "%d.%m.%Y", "delimiter": ";"}"#))).await;
    let status = ok.status().as_u16();
    let body: Value = ok.json().await.unwrap();
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["transactions"], 10);
    common::sharing::report_built(&link, Duration::from_secs(10)).await;
}
