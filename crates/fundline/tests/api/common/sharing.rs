//! A customer shares statement files through the link, as a browser would,
//! and the staff user reads what the report made of them.

use std::time::Duration;

use serde_json::{json, Value};

use super::staff::{customer, Staff};
use super::TestApp;

/// What a completed report request holds.
pub struct Shared {
    pub report_id: String,
    /// `data` of GET …/financialreport.
    pub report: Value,
    /// `data` of GET …/GetBankAccountByReportId.
    pub accounts: Vec<Value>,
}

/// A customer `n` (named Jane{n} Smith), a report request by email, consent
/// and one upload of `files`. `Err` holds the upload's refusal.
pub async fn share_files(
    app: &TestApp,
    staff: &Staff,
    n: u32,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Shared, (u16, Value)> {
    let c = staff.post("/api/v1/customer", &customer(n)).await;
    let customer_id = c.body["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("customer: {c}"))
        .to_string();
    let r = staff
        .post(
            "/api/v1/instantbankanalysis/report-request",
            &json!({"customerId": customer_id, "sendVia": 1}),
        )
        .await;
    let report_id = r.body["data"]
        .as_str()
        .or_else(|| r.body["data"]["id"].as_str())
        .unwrap_or_else(|| panic!("report request: {r}"))
        .to_string();
    let link = app
        .outbox()
        .await
        .into_iter()
        .rev()
        .find(|m| m["reportRequestId"] == report_id.as_str())
        .and_then(|m| m["link"].as_str().map(str::to_string))
        .expect("a message with the link");
    let http = reqwest::Client::new();
    let consent = http.post(format!("{link}/consent")).send().await.unwrap();
    assert_eq!(consent.status().as_u16(), 200);
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
    }
    let up = http
        .post(format!("{link}/statements"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = up.status().as_u16();
    let body: Value = up.json().await.unwrap_or(Value::Null);
    if status != 202 {
        return Err((status, body));
    }
    super::eventually(
        "the report to be built",
        Duration::from_secs(30),
        async || {
            let s = super::json_of(http.get(format!("{link}/status"))).await;
            match s["status"].as_str() {
                Some("Completed") => Ok(()),
                Some("Failed") => panic!("the report failed: {s}"),
                _ => Err(s),
            }
        },
    )
    .await;
    let report = staff
        .get(&format!(
            "/api/v1/instantbankanalysis/financialreport?reportId={report_id}"
        ))
        .await;
    assert_eq!(report.status, 200, "{report}");
    let accounts = staff
        .get(&format!(
            "/api/v1/instantbankanalysis/GetBankAccountByReportId/{report_id}"
        ))
        .await;
    assert_eq!(accounts.status, 200, "{accounts}");
    Ok(Shared {
        report_id,
        report: report.body["data"].clone(),
        accounts: accounts.body["data"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    })
}
