//! The report page lists the transactions behind its NSF and overdraft
//! counts, as the engine recognises them, beside the API's counts.

use crate::common::console::{assert_page_headers, Browser};
use crate::common::staff::Staff;
use crate::common::{self, spawn_app};

/// The hand-made statement with fees added ten, eight and six days before
/// its end: two overdraft fees, one of them refunded, and an NSF fee.
fn with_fees(end: chrono::NaiveDate) -> String {
    let text = common::ofx::statement(end).text;
    let day = |n: i64| {
        (end - chrono::Duration::days(n))
            .format("%Y%m%d")
            .to_string()
    };
    let fees = [
        (day(10), "-35.00", "OVERDRAFT ITEM FEE"),
        (day(8), "-35.00", "OVERDRAFT ITEM FEE"),
        (day(7), "35.00", "OD FEE REFUND"),
        (day(6), "-34.00", "NSF FEE RETURNED ITEM"),
    ]
    .iter()
    .enumerate()
    .map(|(n, (date, amount, memo))| {
        format!(
            "<STMTTRN><TRNTYPE>FEE</TRNTYPE><DTPOSTED>{date}</DTPOSTED><TRNAMT>{amount}</TRNAMT>\
             <FITID>FEE{n}</FITID><NAME>{memo}</NAME><MEMO>{memo}</MEMO></STMTTRN>\n"
        )
    })
    .collect::<String>();
    text.replace("</BANKTRANLIST>", &format!("{fees}</BANKTRANLIST>"))
}

/// The report page's event list, and its rows (each from its date cell on).
fn event_rows(html: &str) -> (&str, Vec<&str>) {
    let list = html
        .split("<h3 id=\"event-list\">")
        .nth(1)
        .expect("the event list");
    let list = &list[..list.find("</table>").unwrap()];
    (list, list.split("<tr><td>").skip(1).collect())
}

#[tokio::test]
async fn the_report_page_lists_the_fees_behind_its_counts() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let end = chrono::Utc::now().date_naive() - chrono::Duration::days(3);
    let shared = common::sharing::share_files(
        &app,
        &api,
        6,
        vec![("fees.ofx".into(), with_fees(end).into_bytes())],
    )
    .await
    .expect("the statement is taken");
    let r = &shared.report;
    assert_eq!(r["overdraftCount90"], 1, "two fees, one refunded: {r}");
    assert_eq!(r["nsfCount90"], 1, "{r}");

    let admin = &app.tenant.analysis;
    let mut b = Browser::new(&app);
    b.login(&admin.email, &admin.password).await;
    let p = b
        .get(&format!("/console/reports/{}", shared.report_id))
        .await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    let (list, rows) = event_rows(&p.html);
    let row = |date: i64, event: &str, amount: &str| {
        let date = (end - chrono::Duration::days(date)).to_string();
        rows.iter().any(|r| {
            r.starts_with(&format!("{date}</td><th scope=\"row\">{event}</th>"))
                && r.contains(&format!("<td>{amount}</td></tr>"))
        })
    };
    assert_eq!(rows.len(), 4, "{list}");
    assert!(row(6, "NSF fee or return", "-34.00"), "{list}");
    assert!(row(7, "Fee reversed", "35.00"), "{list}");
    assert!(row(8, "Overdraft fee", "-35.00"), "{list}");
    assert!(row(10, "Overdraft fee", "-35.00"), "{list}");
    assert!(
        rows[0].starts_with(&(end - chrono::Duration::days(6)).to_string()),
        "newest first"
    );
    assert!(list.contains("*****"), "the account masked: {list}");
}

/// An amount of the API's JSON as the console shows it: to the cent.
fn cents(v: &serde_json::Value) -> String {
    let d: rust_decimal::Decimal = v
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
        .parse()
        .unwrap_or_else(|_| panic!("{v}"));
    format!("{:.2}", d.round_dp(2))
}

/// A real bank's export (Mercury, from the public corpus): a freelancer
/// paid by Upwork and Stripe who moves money in from another bank of their
/// own. The page shows the API's streams and income, and lists as own
/// transfers exactly the file's transfers "from another bank account", the
/// file's own count; the PDF says the same.
#[tokio::test]
async fn a_real_statements_page_lists_the_files_own_transfers_and_the_apis_income() {
    let Some((dir, app, staff)) = crate::analysis_corpus::corpus_app().await else {
        return;
    };
    let file = "ofx/ofx-rs/mercury-checking.ofx";
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let in_file = text
        .split("<STMTTRN>")
        .filter(|t| t.contains("another bank account"))
        .count();
    assert!(in_file > 0);
    let shared = crate::analysis_corpus::share_corpus(&app, &staff, 1, &[file])
        .await
        .expect("the file is taken");
    let r = &shared.report;

    let admin = &app.tenant.analysis;
    let mut b = Browser::new(&app);
    b.login(&admin.email, &admin.password).await;
    let path = format!("/console/reports/{}", shared.report_id);
    let p = b.get(&path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    let streams = r["likelyEmployerResults"].as_array().unwrap();
    assert!(!streams.is_empty(), "{r}");
    for st in streams {
        let row = format!(
            "<th scope=\"row\">{}</th>",
            st["employerName"].as_str().unwrap()
        );
        let at = p.html.find(&row).unwrap_or_else(|| panic!("{row}"));
        let cells = &p.html[at..at + p.html[at..].find("</tr>").unwrap()];
        assert!(cells.contains(&cents(&st["monthlyIncome"])), "{cells}");
    }
    assert!(p
        .html
        .contains(&format!("<dd>{}</dd>", cents(&r["averageIncomePerMonth"]))));
    let (list, rows) = event_rows(&p.html);
    let transfers: Vec<&str> = rows
        .into_iter()
        .filter(|row| row.contains("<th scope=\"row\">Own transfer (as described)</th>"))
        .collect();
    assert_eq!(transfers.len(), in_file, "{list}");
    assert!(transfers.iter().all(|t| t.contains("another bank account")));

    let pdf = b.download(&format!("{path}/report.pdf")).await;
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.unwrap();
    if let Some(text) = crate::common::console::pdf_text(&pdf) {
        for st in streams {
            assert!(
                text.contains(st["employerName"].as_str().unwrap()),
                "{text}"
            );
        }
        assert!(text.contains(&cents(&r["averageIncomePerMonth"])), "{text}");
        assert!(text.contains("Own transfer (as described)"), "{text}");
    }
}
