//! Health, readiness, metrics, the OpenAPI document and its docs page.

mod common;

use common::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-request-id").is_some());
    assert_eq!(
        http.get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.partner().await;
    let m = http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("fundline_http_requests_total{method=\"POST\",route=\"/api/v1/partners/authenticate\",status=\"200\"} 1"), "{m}");
    assert!(m.contains("fundline_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_and_the_docs_page_serves() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(format!("{}/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for m in [
        "authenticate",
        "find-customer",
        "enroll-customer",
        "authenticate-obo",
        "get-registered-cards",
        "add-or-update-card",
        "add-or-update-tokenized-card",
        "get-transaction-history",
        "delete-card",
        "add-customer-attributes",
        "add-session-attributes",
    ] {
        let p = format!("/api/v1/partners/{m}");
        assert!(paths.contains_key(&p), "{p} missing");
        assert!(paths[&p]["post"]["responses"]
            .as_object()
            .unwrap()
            .contains_key("200"));
    }
    for p in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert!(paths.contains_key(p), "{p}");
    }
    let page = reqwest::get(format!("{}/docs", app.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/openapi.json"));
    assert!(!html.contains("https://"), "no external requests");
}

#[tokio::test]
async fn every_documented_route_is_served() {
    // Each documented path answers something other than the router's 404.
    let app = spawn_app().await;
    let doc: Value = reqwest::get(format!("{}/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let r = http
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{}", app.base, path),
                )
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            // A handler may answer 404 itself (an unknown session id); the
            // router's fallback answers {"status":404,"title":"Not Found"}.
            assert!(
                !body.contains(r#""title":"Not Found""#),
                "{method} {path} is not routed"
            );
            assert!(status < 500, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn the_suite_captures_server_logs_for_its_leak_checks() {
    // Every TestApp, when dropped, scans these logs for its tenant's secrets,
    // card numbers and SSNs; this shows the capture really sees the servers.
    let app = spawn_app().await;
    let c = app.partner().await;
    c.call(
        "find-customer",
        &serde_json::json!({"ssn": "123456789", "dateOfBirth": "1988-05-31"}),
    )
    .await
    .unwrap();
    let logs = common::captured_logs();
    assert!(
        logs.contains("/api/v1/partners/find-customer"),
        "request lines are captured"
    );
    assert!(logs.contains("request_id"));
    assert!(!logs.contains("123456789"));
}
