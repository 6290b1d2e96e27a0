//! The lender's console end to end in headless Chromium, against the binary
//! as `serve` starts it: a loan officer signs in with the sandbox staff
//! credentials, creates a customer and asks for a report; the customer, in
//! a second browser, opens the link from the sandbox mailbox, consents and
//! uploads an OFX statement; the officer reads the finished report and
//! downloads its PDF, whose text has the employer and the monthly income.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::common;
use common::binary;
use common::chromium::{consent_and_upload, show_page, Chromium, Cmd};
use common::console::{active_stream, to_the_cent};

/// What the officer types into the new-customer form, by field name.
const CUSTOMER: &[(&str, &str)] = &[
    ("firstName", "Maya"),
    ("lastName", "Okafor"),
    ("userName", "maya.okafor"),
    ("password", "S3cure-pass!"),
    ("email", "maya.okafor@example.com"),
    ("phoneNumber", "4045550123"),
    ("addressLine1", "12 Peachtree St"),
    ("city", "Atlanta"),
    ("state", "GA"),
    ("postalCode", "30303"),
    ("country", "USA"),
    ("ssn", "123450077"),
    ("dob", "1988-02-03"),
    ("employer", "Acme Corp"),
    ("employerName", "Acme Corp"),
    ("occupation", "Machinist"),
    ("monthlyIncome", "3200.00"),
];

#[tokio::test]
async fn a_loan_officer_reads_a_shared_statements_report_and_downloads_its_pdf() {
    let Some(chromium) = Chromium::start().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_database_url(dir.path()).await;
    let server = binary::serve(dir.path(), &db, "console-e2e", &[]).await;
    let creds = binary::sandbox_credentials(dir.path());
    let email = creds["analysis"]["email"].as_str().unwrap().to_string();
    let password = creds["analysis"]["password"].as_str().unwrap().to_string();
    let downloads = tempfile::tempdir().unwrap();
    let statement = dir.path().join("statement.ofx");
    let story = common::ofx::statement(chrono::Utc::now().date_naive());
    std::fs::write(&statement, &story.text).unwrap();

    let officer = chromium.session(Some(downloads.path())).await;
    let customer = chromium.session(None).await;
    let base = server.base.clone();
    let result = async {
        // The officer signs in and creates the customer.
        officer.goto(&format!("{base}/")).await?;
        shot(&officer, "login").await?;
        type_into(&officer, "email", &email).await?;
        type_into(&officer, "password", &password).await?;
        submit(&officer, "Sign in").await?;
        wait_for_path(&officer, "/console/customers").await?;
        officer
            .find(Locator::LinkText("New customer"))
            .await?
            .click()
            .await?;
        for (name, value) in CUSTOMER {
            fill(&officer, name, value).await?;
        }
        shot(&officer, "customer-new").await?;
        submit(&officer, "Create customer").await?;
        let customer_page = wait_for_path_prefix(&officer, "/console/customers/").await?;
        assert!(
            !customer_page.ends_with("/new"),
            "not created: {customer_page}"
        );
        let html = officer.source().await?;
        assert!(
            html.contains("Maya") && html.contains("*****0077"),
            "{html}"
        );
        assert!(!html.contains("123450077"), "the full SSN is on the page");

        // ... and asks for a report by email.
        officer
            .find(Locator::Css("#sendVia"))
            .await?
            .select_by_value("1")
            .await?;
        submit(&officer, "Request a report").await?;
        shot(&officer, "customer").await?;
        if std::env::var_os(SHOTS).is_some() {
            // The report while it waits for the customer.
            officer
                .find(Locator::Css("a[href^='/console/reports/']"))
                .await?
                .click()
                .await?;
            shot(&officer, "report-building").await?;
            officer.back().await?;
        }

        // The customer opens the link from the sandbox mailbox (HTTP Basic
        // with the sandbox staff's credentials, as a browser prompts).
        let host = base.trim_start_matches("http://");
        customer
            .goto(&format!(
                "http://{}:{}@{host}/sandbox/mailbox",
                url_escape(&email),
                url_escape(&password)
            ))
            .await?;
        customer
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::LinkText("Open the link"))
            .await?;
        shot(&customer, "sandbox-mailbox").await?;
        customer
            .find(Locator::LinkText("Open the link"))
            .await?
            .click()
            .await?;
        consent_and_upload(&customer, &statement).await?;
        shot(&customer, "customer-link").await?;

        // Back in the console, the customer's request turns into "Open report".
        officer.goto(&format!("{base}{customer_page}")).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(link) = officer.find(Locator::LinkText("Open report")).await {
                link.click().await?;
                break;
            }
            assert!(Instant::now() < deadline, "the report never completed");
            tokio::time::sleep(Duration::from_millis(500)).await;
            officer.refresh().await?;
        }
        let report_page = wait_for_path_prefix(&officer, "/console/reports/").await?;
        let page = officer.source().await?;
        shot(&officer, "report").await?;
        officer
            .find(Locator::LinkText("Download PDF"))
            .await?
            .click()
            .await?;
        let pdf = downloaded_pdf(downloads.path()).await;
        // The other pages, for the screenshots of docs/console.md.
        if std::env::var_os(SHOTS).is_some() {
            for (path, name) in [
                (format!("{report_page}/transactions"), "transactions"),
                ("/console/customers".to_string(), "customers"),
                ("/console/report-requests".to_string(), "report-requests"),
                ("/console/users".to_string(), "users"),
            ] {
                officer.goto(&format!("{base}{path}")).await?;
                shot(&officer, name).await?;
            }
            officer
                .goto(&format!("{base}/console/report-requests"))
                .await?;
            officer
                .find(Locator::Css("td a[href^='/console/report-requests/']"))
                .await?
                .click()
                .await?;
            shot(&officer, "report-request").await?;
            officer.goto(&format!("{base}/console/users")).await?;
            officer
                .find(Locator::Css("a[href$='/edit']"))
                .await?
                .click()
                .await?;
            shot(&officer, "user-edit").await?;
            std::fs::write(
                Path::new(&std::env::var_os(SHOTS).unwrap()).join("report.pdf"),
                &pdf,
            )
            .unwrap();
        }
        Ok::<_, fantoccini::error::CmdError>((report_page, page, pdf))
    }
    .await;
    if result.is_err() {
        show_page(&officer).await;
        show_page(&customer).await;
    }
    let _ = officer.close().await;
    let _ = customer.close().await;
    let (report_page, page, pdf) = result.expect("the console flow");

    // The figures the API gives for the same report.
    let report_id = report_page.rsplit('/').next().unwrap();
    let token = binary::staff_token(&base, &creds).await;
    let api = common::json_of(
        reqwest::Client::new()
            .get(format!(
                "{base}/api/v1/instantbankanalysis/financialreport?reportId={report_id}"
            ))
            .bearer_auth(&token),
    )
    .await;
    let data = &api["data"];
    let income = to_the_cent(&data["averageIncomePerMonth"]);
    let stream = active_stream(data);
    let employer = stream["employerName"].as_str().unwrap().to_string();
    let stream_income = to_the_cent(&stream["monthlyIncome"]);
    assert!(employer.to_uppercase().contains("ACME"), "{employer}");
    let figures: [&str; 3] = [&employer, &income, &stream_income];

    shows_figures_not_the_account(&page, "on the report page", &figures, story.account);
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let Some(text) = common::console::pdf_text(&pdf) else {
        return;
    };
    shows_figures_not_the_account(&text, "in the PDF", &figures, story.account);
}

/// The console's report (its page's HTML or its PDF's text) shows each of
/// the API's `figures`, and never the full account number.
fn shows_figures_not_the_account(text: &str, place: &str, figures: &[&str], account: &str) {
    for shown in figures {
        assert!(text.contains(shown), "{shown} not {place}:\n{text}");
    }
    assert!(!text.contains(account), "full account number {place}");
}

/// With this set to a folder, the test saves a PNG of each page there
/// (the screenshots of docs/console.md) and the PDF.
const SHOTS: &str = "FUNDLINE_SHOTS";

/// A full-height PNG of the page in `client` as `name`.png in the
/// FUNDLINE_SHOTS folder, when it is set.
async fn shot(client: &Client, name: &str) -> Cmd<()> {
    let Some(dir) = std::env::var_os(SHOTS) else {
        return Ok(());
    };
    // Measured at a small height: a page shorter than the window reports
    // the window's height.
    client.set_window_size(1280, 600).await?;
    let height = client
        .execute("return document.documentElement.scrollHeight", vec![])
        .await?
        .as_u64()
        .unwrap_or(900)
        .clamp(600, 6000);
    client.set_window_size(1280, height as u32).await?;
    let png = client.screenshot().await?;
    std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    Ok(())
}

async fn type_into(client: &Client, id: &str, text: &str) -> Cmd<()> {
    client.find(Locator::Id(id)).await?.send_keys(text).await
}

/// Puts `value` in the form field `name`: typed into a text field, chosen
/// in a select, set on a date field (whose typing is locale-bound).
async fn fill(client: &Client, name: &str, value: &str) -> Cmd<()> {
    let field = client
        .find(Locator::Css(&format!("[name='{name}']")))
        .await?;
    match (
        field.tag_name().await?.as_str(),
        field.attr("type").await?.as_deref(),
    ) {
        ("select", _) => field.select_by_value(value).await,
        (_, Some("date")) => {
            client
                .execute(
                    "arguments[0].value = arguments[1]",
                    vec![serde_json::to_value(&field).unwrap(), Value::from(value)],
                )
                .await?;
            Ok(())
        }
        _ => {
            field.clear().await?;
            field.send_keys(value).await
        }
    }
}

/// Clicks the submit button labelled `label`.
async fn submit(client: &Client, label: &str) -> Cmd<()> {
    client
        .find(Locator::XPath(&format!(
            "//button[@type='submit'][normalize-space()='{label}']"
        )))
        .await?
        .click()
        .await
}

async fn wait_for_path(client: &Client, path: &str) -> Cmd<()> {
    let got = wait_for_path_prefix(client, path).await?;
    assert_eq!(got, path);
    Ok(())
}

/// Waits until the browser is at a path starting with `prefix`; the path.
async fn wait_for_path_prefix(client: &Client, prefix: &str) -> Cmd<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = client.current_url().await?;
        if url.path().starts_with(prefix) {
            return Ok(url.path().to_string());
        }
        assert!(Instant::now() < deadline, "still at {url}, not {prefix}…");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The one PDF the browser saved in `dir`, once it is complete.
async fn downloaded_pdf(dir: &Path) -> Vec<u8> {
    common::eventually("the PDF download", Duration::from_secs(30), async || {
        let files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        match files.as_slice() {
            [one] if one.extension().is_some_and(|e| e == "pdf") => std::fs::read(one).ok(),
            _ => None,
        }
    })
    .await
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
