//! End to end in headless Chromium: a partner page on 127.0.0.1 frames the
//! authorized_url with our helper script, a customer types a card, the page
//! receives TOKEN_SUCCESS, and /gateway/process pays that token.
//! (Chromium: `common::chromium`.)

use crate::common;
use common::steps::Partner;

use std::time::{Duration, Instant};

use axum::response::Html;
use axum::routing::get;
use common::chromium::{browser, consent_and_upload, show_page, Cmd};
use common::spawn_app;
use fantoccini::Locator;
use fundline::client::{session_request, GatewayClient};
use serde_json::{json, Value};

#[tokio::test]
async fn a_framed_capture_page_tokenizes_a_card_that_process_then_pays() {
    let Some((_chromium, client)) = browser().await else {
        return;
    };
    let app = spawn_app().await;

    // The authorized_url lives 30 s (spec 001), and a cold Chromium can take
    // longer than that to start: stage the session only once the browser is up.
    // The partner's page, on its own origin.
    let parent_port = common::binary::free_port();
    let parent_origin = format!("http://127.0.0.1:{parent_port}");
    let g = GatewayClient::new(
        &app.base,
        &app.tenant.ingopay.username,
        &app.tenant.ingopay.secret,
    );
    let mut req = session_request("browser");
    req["host_uri"] = json!(parent_origin);
    let a = g
        .post("/api/v1/sessions/point-in-time/plugin", &req, &[])
        .await
        .unwrap();
    assert_eq!(a.body["status"], 100, "{}", a.text);
    let (session, url) = app.session_link(&a);
    let parent_html = format!(
        r##"<!doctype html><html><head><title>Partner</title></head><body>
<h1>Partner checkout</h1><div id="pay"></div><pre id="events"></pre>
<script src="{base}/js/fundline-capture.js"></script>
<script>
  window.__events = [];
  FundlineCapture.mount({{ url: {url}, container: "#pay", onEvent: function (e) {{
    window.__events.push(e);
    document.getElementById("events").textContent = JSON.stringify(window.__events);
  }} }});
</script></body></html>"##,
        base = app.base,
        url = serde_json::to_string(&url).unwrap()
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", parent_port))
        .await
        .unwrap();
    let page = parent_html.clone();
    tokio::spawn(async move {
        let router = axum::Router::new().route("/", get(move || async move { Html(page) }));
        let _ = axum::serve(listener, router).await;
    });

    let result = async {
        client.goto(&format!("{parent_origin}/")).await?;
        let frame = client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("iframe"))
            .await?;
        frame.enter_frame().await?;
        client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Id("first_name"))
            .await?;
        for (id, text) in [
            ("first_name", "Jack"),
            ("last_name", "Frost"),
            ("address1", "123 Main St"),
            ("city", "Atlanta"),
            ("state", "GA"),
            ("zip", "30313"),
            ("card_number", "4111 1111 1111 1111"),
            ("expiry", "12/30"),
        ] {
            type_into(&client, id, text).await?;
        }
        let shots = std::env::var("FUNDLINE_SCREENSHOT_DIR").ok();
        if let Some(dir) = &shots {
            client.enter_parent_frame().await?;
            let _ = std::fs::write(
                format!("{dir}/capture-filled.png"),
                client.screenshot().await?,
            );
            client
                .find(Locator::Css("iframe"))
                .await?
                .enter_frame()
                .await?;
        }
        client.find(Locator::Id("submit")).await?.click().await?;
        client.enter_parent_frame().await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let events = client.execute("return window.__events", vec![]).await?;
            if events.as_array().is_some_and(|a| !a.is_empty()) || Instant::now() > deadline {
                if let Some(dir) = &shots {
                    let _ = std::fs::write(
                        format!("{dir}/capture-done.png"),
                        client.screenshot().await?,
                    );
                }
                return Ok::<Value, fantoccini::error::CmdError>(events);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    .await;
    if result.is_err() {
        // Say what the browser was showing: an expired or refused page reads
        // very differently from one that never loaded.
        let url = client.current_url().await.map(|u| u.to_string());
        let source = client.source().await.unwrap_or_default();
        eprintln!(
            "browser at failure: {url:?}\n{}",
            &source[..source.len().min(4000)]
        );
    }
    let _ = client.close().await;
    let events = result.expect("browser flow");
    let ev = &events[0];
    assert_eq!(ev["event_name"], "TOKEN_SUCCESS", "{events}");
    assert_eq!(ev["session_identifier"], session.as_str());
    assert_eq!(ev["funding_destination"], "debit_card");
    assert!(
        !events.to_string().contains("4111111111111111"),
        "no PAN leaves the page"
    );
    let token = ev["customer_account_token"].as_str().unwrap();

    let paid = g
        .post("/gateway/process", &json!({"participant_id": app.tenant.ingopay.participant_id, "customer_account_token": token,
            "amount": "42.00", "participant_unique_id1": "browser-pay", "timestamp": chrono::Utc::now().timestamp(), "version": 11}), &[])
        .await
        .unwrap();
    assert_eq!(paid.body["status"], 100, "{}", paid.text);
}

/// Bank analysis: the customer opens the emailed link, consents, uploads an
/// OFX statement and watches the report complete; staff then read it.
#[tokio::test]
async fn a_customer_link_uploads_an_ofx_statement_and_the_report_completes() {
    let Some((_chromium, client)) = browser().await else {
        return;
    };
    let app = spawn_app().await;
    let staff = common::staff::Staff::admin(&app).await;
    let (_, report_id) = staff.customer_with_request(1).await;
    let link = app.link_for(&report_id).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("statement.ofx");
    let story = common::ofx::statement(chrono::Utc::now().date_naive());
    std::fs::write(&file, &story.text).unwrap();

    let result = async {
        client.goto(&link).await?;
        consent_and_upload(&client, &file).await?;
        final_status(&client, &["Completed", "Failed"], Duration::from_secs(30)).await
    }
    .await;
    if result.is_err() {
        show_page(&client).await;
    }
    let _ = client.close().await;
    let (status, message) = result.expect("browser flow");
    assert_eq!(status, "Completed", "{message}");
    assert!(message.contains("report is complete"), "{message}");
    let fr = staff
        .get(&format!(
            "/api/v1/instantbankanalysis/financialreport?reportId={report_id}"
        ))
        .await;
    assert_eq!(fr.status, 200, "{fr}");
    assert_eq!(fr.body["data"]["averageIncomePerMonth"], 3250.0);
}

/// Check deposits: the customer page, opened with the SSO token from
/// AuthenticateOBO, quotes the fee, uploads both sides and sees the check funded.
#[tokio::test]
async fn the_check_page_deposits_a_check_that_gets_funded() {
    let Some((_chromium, client)) = browser().await else {
        return;
    };
    let app = common::spawn_app_with(fundline_api::ApiConfig {
        job_poll: Duration::from_millis(50),
        ..fundline_api::ApiConfig::default()
    })
    .await;
    let partner = app.partner().await;
    let id = partner.enroll(1).await;
    let pan = fundline::client::test_visa(1);
    assert_eq!(
        partner
            .status_of("add-or-update-card", &fundline::client::card(&id, &pan))
            .await,
        200
    );
    let sso = partner.sso_token(&id).await;
    let dir = tempfile::tempdir().unwrap();
    let png = |w: u32, h: u32, salt: u8| {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0, salt]);
        b
    };
    let (front, back) = (dir.path().join("front.png"), dir.path().join("back.png"));
    std::fs::write(&front, png(1600, 700, 1)).unwrap();
    std::fs::write(&back, png(1600, 700, 2)).unwrap();

    let result = async {
        client
            .goto(&format!("{}/checks#sso={}", app.base, url_escape(&sso)))
            .await?;
        client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("#card option"))
            .await?;
        type_into(&client, "amount", "600.00").await?;
        type_into(&client, "micr", "T021000021T 123456789O 1001").await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut quote = String::new();
        while !quote.contains("Fee $6.00") && Instant::now() < deadline {
            quote = client.find(Locator::Id("quote")).await?.text().await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        type_into(&client, "front", &front.display().to_string()).await?;
        type_into(&client, "back", &back.display().to_string()).await?;
        client.find(Locator::Id("submit")).await?.click().await?;
        let (status, message) =
            final_status(&client, &["funded", "declined"], Duration::from_secs(30)).await?;
        Ok::<_, fantoccini::error::CmdError>((quote, status, message))
    }
    .await;
    if result.is_err() {
        show_page(&client).await;
    }
    let _ = client.close().await;
    let (quote, status, message) = result.expect("browser flow");
    assert!(quote.contains("Fee $6.00"), "{quote}");
    assert_eq!(status, "funded", "{message}");
    assert!(message.contains("$594.00"), "{message}");
}

/// Types `text` into the element with `id`.
async fn type_into(client: &fantoccini::Client, id: &str, text: &str) -> Cmd<()> {
    client.find(Locator::Id(id)).await?.send_keys(text).await
}

/// Polls the page's `#status` (its data-status) every 200 ms until it is one
/// of `done` or `within` has passed; the status and the `#message` text.
async fn final_status(
    client: &fantoccini::Client,
    done: &[&str],
    within: Duration,
) -> Cmd<(String, String)> {
    let deadline = Instant::now() + within;
    loop {
        let status = client
            .find(Locator::Id("status"))
            .await?
            .attr("data-status")
            .await?
            .unwrap_or_default();
        if done.contains(&status.as_str()) || Instant::now() > deadline {
            let message = client.find(Locator::Id("message")).await?.text().await?;
            return Ok((status, message));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
