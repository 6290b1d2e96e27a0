//! The report page's charts and the report's PDF (issue 16): four SVG
//! charts with their text alternatives, negative days marked as the API
//! counts them; the PDF's headers, its text (poppler's `pdftotext`) with
//! the page's and the API's figures, and the same tenancy as the page.

use serde_json::Value;

use crate::common;
use common::console::{active_stream, assert_page_headers, pdf_text, to_the_cent, Browser};
use common::spawn_app;
use common::staff::{customer, Staff};

/// A customer named with typst's and HTML's specials, a report request
/// for them, and their OFX statement ending 120 days ago (stale) whose
/// ledger balance is `ledger`; shared and built. (report id, statement
/// account number, the API's report).
async fn built_report(
    app: &common::TestApp,
    api: &Staff,
    n: u32,
    ledger: &str,
) -> (String, &'static str, Value) {
    let mut c = customer(n);
    c["firstName"] = NAME.0.into();
    c["lastName"] = NAME.1.into();
    let made = api.post("/api/v1/customer", &c).await;
    let customer_id = made.body["data"]["id"].as_str().expect("a customer");
    let r = api.request_report(customer_id, 1).await;
    let report_id = r.body["data"].as_str().expect("a request").to_string();
    let end = chrono::Utc::now().date_naive() - chrono::Duration::days(120);
    let story = common::ofx::statement(end);
    let text = story.text.replace(
        "<BALAMT>4321.09</BALAMT>",
        &format!("<BALAMT>{ledger}</BALAMT>"),
    );
    let shared = common::sharing::share_to(
        app,
        api,
        report_id,
        vec![("march.ofx".into(), text.into_bytes())],
    )
    .await
    .expect("the statement is taken");
    (shared.report_id, story.account, shared.report)
}

/// First and last name: typst markup (`#panic()`, `]`, `$`, `\`) and HTML
/// (`<`) specials, which must come out as text.
const NAME: (&str, &str) = ("Ann #panic()]", "$x <y> \\ Lee");

/// The SVG of the chart headed `id` on the page.
fn chart<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("<h3 id=\"{id}\">"))
        .unwrap_or_else(|| panic!("a chart {id}"));
    let svg = at + html[at..].find("<svg").expect("its SVG");
    &html[svg..svg + html[svg..].find("</svg>").expect("its end")]
}

#[tokio::test]
async fn the_report_page_draws_four_charts_and_marks_the_apis_negative_days() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let mut b = Browser::admin(&app).await;

    // A low closing balance: the months before it were below zero.
    let (report_id, account, r) = built_report(&app, &api, 11, "100.00").await;
    let negative_days = r["negativeBalanceDays"].as_u64().unwrap();
    assert!(negative_days > 0, "{r}");
    let p = b.get(&format!("/console/reports/{report_id}")).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    let charts = p.html.find("<h2 id=\"charts\">").expect("the charts");
    assert!(p.html.find("<h2 id=\"stated\">").unwrap() < charts);
    assert!(charts < p.html.find("<h2 id=\"streams\">").unwrap());
    for id in [
        "chart-balance",
        "chart-income-expenses",
        "chart-categories",
        "chart-loans",
    ] {
        let svg = chart(&p.html, id);
        assert!(
            svg.starts_with(&format!("<svg role=\"img\" aria-labelledby=\"{id}-title\"")),
            "{svg:.200}"
        );
        assert!(svg.contains(&format!("<title id=\"{id}-title\">")), "{id}");
        assert!(
            !svg.contains("style="),
            "the page's CSP allows no style attribute"
        );
    }
    // One red mark per negative day, as many as the API counts.
    let balance = chart(&p.html, "chart-balance");
    assert_eq!(
        balance.matches("<circle").count() as u64,
        negative_days,
        "{balance:.400}"
    );
    assert!(balance.contains(&format!(
        "{negative_days} days with a negative balance, marked in red"
    )));
    // The loan chart names the API's lender; the income chart gives each
    // month's figures as the page does.
    let lender = r["potentialLoans"][0]["detectedCompanyName"]
        .as_str()
        .unwrap();
    assert!(chart(&p.html, "chart-loans").contains(lender));
    assert!(chart(&p.html, "chart-income-expenses").contains("income 3000.00"));
    assert!(!p.html.contains(account), "no full account number");
    assert!(p
        .html
        .contains(&format!("href=\"/console/reports/{report_id}/report.pdf\"")));
    // The page for a screenshot, with the CSP it was sent with.
    if let Ok(dir) = std::env::var("FUNDLINE_SHOTS") {
        std::fs::write(format!("{dir}/report.html"), &p.html).unwrap();
        let csp = p.header("content-security-policy");
        std::fs::write(format!("{dir}/report.csp"), csp).unwrap();
    }

    // A balance that never went below zero: nothing marked.
    let (report_id, _, r) = built_report(&app, &api, 12, "90000.00").await;
    assert_eq!(r["negativeBalanceDays"], 0, "{r}");
    let p = b.get(&format!("/console/reports/{report_id}")).await;
    let balance = chart(&p.html, "chart-balance");
    assert!(!balance.contains("<circle"), "{balance:.400}");
    assert!(balance.contains("0 days with a negative balance."));
}

#[tokio::test]
async fn the_pdf_has_the_pages_figures_as_text_for_the_tenant_only() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let mut b = Browser::admin(&app).await;

    // Pending: the page's message, no PDF.
    let (_, pending) = api.customer_with_request(13).await;
    let r = b
        .download(&format!("/console/reports/{pending}/report.pdf"))
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The report is not ready yet."));

    let (report_id, account, r) = built_report(&app, &api, 14, "4321.09").await;
    let path = format!("/console/reports/{report_id}/report.pdf");
    let page = b.get(&format!("/console/reports/{report_id}")).await;
    let started = std::time::Instant::now();
    let answer = b.download(&path).await;
    let took = started.elapsed();
    assert_eq!(answer.status(), 200);
    let header = |name: &str| answer.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"financial-report-{report_id}.pdf\"")
    );
    assert_eq!(header("cache-control"), "no-store");
    let pdf = answer.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    eprintln!("report PDF: {} bytes in {took:?}", pdf.len());
    if let Ok(dir) = std::env::var("FUNDLINE_SHOTS") {
        std::fs::write(format!("{dir}/report.pdf"), &pdf).unwrap();
    }

    if let Some(text) = pdf_text(&pdf) {
        // The name as typed, none of it read as markup.
        let name = format!("{} {}", NAME.0, NAME.1);
        assert!(
            text.contains(&format!("Financial report: {name}")),
            "{text}"
        );
        assert!(page.html.contains("Ann #panic()] $x &#60;y&#62; \\ Lee"));
        // The warnings, first.
        let stale = format!(
            "Stale data: the newest transaction is {} days old.",
            r["dataQuality"]["dataAgeDays"]
        );
        assert!(text.contains(&stale), "{text}");
        assert!(page.html.contains(&stale));
        assert!(text.find(&stale).unwrap() < text.find("Headline").unwrap());
        // The active stream's employer and monthly amount, the average
        // monthly income: as the page shows them, from the API's answer.
        let stream = active_stream(&r);
        let employer = stream["employerName"].as_str().unwrap();
        let monthly = to_the_cent(&stream["monthlyIncome"]);
        assert!(page
            .html
            .contains(&format!("<th scope=\"row\">{employer}</th>")));
        assert!(page.html.contains(&format!("<td>{monthly}</td>")));
        assert!(
            text.contains(&format!("{employer} Bi-Weekly Yes {monthly}")),
            "{text}"
        );
        let income = to_the_cent(&r["averageIncomePerMonth"]);
        assert!(page.html.contains(&format!("<dd>{income}</dd>")));
        assert!(
            text.contains(&format!(
                "Average monthly income {income} The monthly income"
            )),
            "{text}"
        );
        assert!(text.contains(&format!("Monthly income $3200.50 {income}")));
        assert!(text.contains(&format!("Score {}", r["score"])));
        // Accounts, masked; the charts with their headings.
        assert!(text.contains("*****6789"), "{text}");
        assert!(!text.contains(account), "no full account number");
        for heading in [
            "Daily balance",
            "Monthly income and expenses",
            "Expenses by category",
            "Loan payments",
        ] {
            assert!(text.contains(heading), "{heading}");
        }
    }

    // An analyst may; another tenant and an unknown id may not.
    let mut stranger = Browser::stranger(&app).await;
    let p = stranger.download(&path).await;
    assert_eq!(p.status(), 404);
    assert!(p.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let p = stranger
        .download("/console/reports/00000000-0000-0000-0000-000000000000/report.pdf")
        .await;
    assert_eq!(p.status(), 404);
    // Not signed in: to the sign-in form.
    let p = Browser::new(&app).download(&path).await;
    assert_eq!(p.status(), 303);
}
