//! Health, readiness, metrics, the OpenAPI document and its docs page.

use crate::common;
use common::steps::Partner;

use common::spawn_app;

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
    let m = common::text_of(http.get(format!("{}/metrics", app.base))).await;
    assert!(m.contains("fundline_http_requests_total{method=\"POST\",route=\"/api/v1/partners/authenticate\",status=\"200\"} 1"), "{m}");
    assert!(m.contains("fundline_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_and_the_docs_page_serves() {
    let app = spawn_app().await;
    let doc = app.openapi().await;
    let paths = doc["paths"].as_object().unwrap();
    for m in std::iter::once(&"authenticate").chain(common::steps::PARTNER_METHODS) {
        let p = format!("/api/v1/partners/{m}");
        assert!(paths.contains_key(&p), "{p} missing");
        assert!(paths[&p]["post"]["responses"]
            .as_object()
            .unwrap()
            .contains_key("200"));
    }
    // The two read methods also answer GET with their fields in the query.
    for m in ["get-registered-cards", "get-transaction-history"] {
        let p = format!("/api/v1/partners/{m}");
        let params = paths[&p]["get"]["parameters"].as_array().unwrap();
        assert!(
            params
                .iter()
                .any(|q| q["name"] == "customerId" && q["in"] == "query"),
            "{p} GET"
        );
    }
    for p in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert!(paths.contains_key(p), "{p}");
    }
    let page = reqwest::get(format!("{}/docs", app.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = common::header(&page, "content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/openapi.json"));
    assert!(!html.contains("https://"), "no external requests");
}

#[tokio::test]
async fn every_documented_route_is_served() {
    // Each documented path answers something other than the router's 404.
    let app = spawn_app().await;
    let doc = app.openapi().await;
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
    let (_app, c) = common::spawn_partner().await;
    c.ask(
        "find-customer",
        &serde_json::json!({"ssn": "123456789", "dateOfBirth": "1988-05-31"}),
    )
    .await;
    let logs = common::captured_logs();
    assert!(
        logs.contains("/api/v1/partners/find-customer"),
        "request lines are captured"
    );
    assert!(logs.contains("request_id"));
    assert!(!logs.contains("123456789"));
}

/// Path segments that are not UTF-8 once decoded, and repeated query fields,
/// get each surface's own "unknown" answer, never axum's text/plain 400.
#[tokio::test]
async fn malformed_paths_and_queries_answer_in_each_surfaces_own_format() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    for (path, status, kind) in [
        ("/session/%FF?t=1&h=2", 404, "text/html"),
        ("/session/abc?t=1&t=2&h=3", 404, "text/html"),
        ("/connect/%FF", 404, "text/html"),
        ("/connect/%FF/status", 404, "application/json"),
    ] {
        let r = http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with(kind), "{path}: {ct}");
    }
    // A statements upload that is not multipart: JSON, not axum's text.
    let r = http
        .post(format!("{}/connect/abc/statements", app.base))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
}

/// Every error response of a product carries its envelope's schema, and
/// every credentialed operation documents 401 and 429.
#[tokio::test]
async fn error_responses_are_documented_with_their_envelope() {
    let app = spawn_app().await;
    let doc = app.openapi().await;
    let op = &doc["paths"]["/v1/{merchantId}/tokens/{tokenId}"]["delete"]["responses"];
    for status in ["400", "401", "403", "404", "408", "429"] {
        assert_eq!(
            op[status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ConnectErrorDoc",
            "{status}"
        );
    }
    let op = &doc["paths"]["/gateway/verify"]["post"]["responses"];
    assert_eq!(
        op["429"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/GatewayEnvelopeDoc"
    );
    let op = &doc["paths"]["/api/v1/customer"]["post"]["responses"];
    assert_eq!(
        op["400"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/AnalysisEnvelopeDoc"
    );
    let op = &doc["paths"]["/api/v1/checks"]["post"]["responses"];
    assert_eq!(
        op["429"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/ProblemBody"
    );
}

/// RFC 7235 §3.1: a 401 carries a `WWW-Authenticate` challenge — in every
/// product, naming that product's scheme; and schemes match in any case.
#[tokio::test]
async fn every_401_carries_a_challenge_and_schemes_are_case_insensitive() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let cases = [
        ("POST", "/api/v1/partners/authenticate", "Basic"),
        ("POST", "/api/v1/partners/find-customer", "SessionId"),
        ("GET", "/api/v1/checks/cards", "Bearer"),
        ("POST", "/gateway/verify", "hmac"),
        ("POST", "/api/v1/sessions/point-in-time/plugin", "hmac"),
        (
            "GET",
            &format!("/v1/{}/tokens/x", app.tenant.connect.merchant_id),
            "GCS",
        ),
        ("GET", "/api/v1/auth/status", "Bearer"),
        ("GET", "/api/v1/customer/all", "Bearer"),
    ];
    for (method, path, scheme) in cases {
        let r = http
            .request(method.parse().unwrap(), format!("{}{path}", app.base))
            .header("content-type", "application/json")
            .header("deviceId", "device-1")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{method} {path}");
        let challenge = common::header(&r, "www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with(scheme) && challenge.contains("realm="),
            "{method} {path}: {challenge:?}"
        );
    }
    // A staff token sent as "bearer" (lower case) is a Bearer token.
    let a = &app.tenant.analysis;
    let login = common::json_of(
        http.post(format!("{}/api/v1/auth/login", app.base))
            .json(&serde_json::json!({"email": a.email, "password": a.password})),
    )
    .await;
    let token = login["data"]["accessToken"].as_str().unwrap();
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let r = http
            .get(format!("{}/api/v1/auth/status", app.base))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{scheme}");
    }
}

/// An unknown path answers 404 in the envelope of the product whose prefix
/// it carries — the same envelope that product's timeouts and 405s use.
#[tokio::test]
async fn unknown_paths_answer_404_in_each_products_envelope() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let get = |path: &'static str| {
        let http = http.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let r = http.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            let body: serde_json::Value = r.json().await.unwrap();
            (status, ct, body)
        }
    };
    // Check deposits: spec 000's problem+json, naming the path.
    let (status, ct, body) = get("/api/v1/checks/x/y").await;
    assert_eq!(status, 404);
    assert_eq!(ct, "application/problem+json");
    assert_eq!(body["status"], 404);
    assert_eq!(body["instance"], "/api/v1/checks/x/y");
    // Bank analysis: its {success, message, data, errors} envelope.
    let (status, _, body) = get("/api/v1/no-such-resource").await;
    assert_eq!(status, 404);
    assert_eq!(body["success"], false);
    assert_eq!(body["message"], "Not Found");
    assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()));
    // Payout gateway: its envelope with a 13xxx status.
    let (status, _, body) = get("/gateway/no-such-method").await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], 13404);
    // Token service: Connect's error body with the request's id.
    let (status, _, body) = get("/v1/merchant/no-such-resource").await;
    assert_eq!(status, 404);
    assert!(body["errorId"].is_string());
    assert!(body["errors"][0]["code"].is_string());
}
