//! A customer shares statement files through the link, as a browser would,
//! and the staff user reads what the report made of them.

use std::time::Duration;

use serde_json::Value;

use super::staff::Staff;
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
    let (_, report_id) = staff.customer_with_request(n).await;
    share_to(app, staff, report_id, files).await
}

/// Consent and one upload of `files` through report request
/// `report_id`'s link, then its report. `Err` holds the upload's refusal.
pub async fn share_to(
    app: &TestApp,
    staff: &Staff,
    report_id: String,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Shared, (u16, Value)> {
    let link = app.link_for(&report_id).await;
    assert_eq!(consent(&link).await, 200);
    let (status, body) = upload(&link, files).await;
    if status != 202 {
        return Err((status, body));
    }
    report_built(&link, Duration::from_secs(30)).await;
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

/// `files` (name, bytes) uploaded through the link in one request: the
/// status and the JSON answer.
pub async fn upload(link: &str, files: Vec<(String, Vec<u8>)>) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
    }
    let http = reqwest::Client::new();
    super::send(http.post(format!("{link}/statements")).multipart(form)).await
}

/// Waits (at most `within`) until the link's report request is Completed;
/// its last status answer. A Failed report fails the test at once.
pub async fn report_built(link: &str, within: Duration) -> Value {
    super::eventually("the report to be built", within, async || {
        let http = reqwest::Client::new();
        let s = super::json_of(http.get(format!("{link}/status"))).await;
        match s["status"].as_str() {
            Some("Completed") => Ok(s),
            Some("Failed") => panic!("the report failed: {s}"),
            _ => Err(s),
        }
    })
    .await
}

/// The customer's consent through the link: the status it answered.
pub async fn consent(link: &str) -> u16 {
    let http = reqwest::Client::new();
    super::send(http.post(format!("{link}/consent"))).await.0
}
