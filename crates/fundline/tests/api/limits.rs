//! Per-credential rate limits: each product answers 429 in its own envelope.

use crate::common;
use common::steps::Connect;
use common::steps::Partner;

use common::spawn_app_with;
use common::staff::Staff;
use fundline::client::{enrollment, ConnectClient, GatewayClient};
use fundline_api::ratelimit::RateLimit;
use fundline_api::ApiConfig;
use serde_json::json;

fn config() -> ApiConfig {
    ApiConfig {
        rate_limit: RateLimit {
            per_second: 1,
            burst: 3,
        },
        ..ApiConfig::default()
    }
}

#[tokio::test]
async fn every_product_answers_429_in_its_own_envelope() {
    let app = spawn_app_with(config()).await;

    // Check cashing: problem+json with errorCode.
    let c = app.partner().await;
    let mut last = None;
    for n in 0..4 {
        last = Some(
            c.ask(
                "find-customer",
                &json!({"ssn": enrollment(n)["ssn"], "dateOfBirth": "1978-09-11"}),
            )
            .await,
        );
    }
    let a = last.unwrap();
    assert_eq!(a.status, 429, "{}", a.text);
    assert_eq!(a.body["errorCode"], "TOO_MANY_REQUESTS");
    assert_eq!(a.body["status"], 429);
    assert_eq!(a.headers["retry-after"], "1");

    // Payout gateway: its envelope with status 13429.
    let ip = &app.tenant.ingopay;
    let g = GatewayClient::new(&app.base, &ip.username, &ip.secret);
    let mut last = None;
    for n in 0..4 {
        let body = json!({"participant_id": ip.participant_id, "participant_unique_id1": format!("rl-{n}")});
        last = Some(g.post("/gateway/search", &body, &[]).await.unwrap());
    }
    let a = last.unwrap();
    assert_eq!(a.status, 429, "{}", a.text);
    assert_eq!(a.body["status"], 13429);
    assert_eq!(a.headers["retry-after"], "1");

    // Token service: Connect's error body.
    let cn = &app.tenant.connect;
    let k = ConnectClient::new(&app.base, &cn.api_key_id, &cn.secret_api_key);
    let mut last = None;
    for _ in 0..4 {
        last = Some(
            k.ask("GET", &format!("/v1/{}/tokens/nope", cn.merchant_id), None)
                .await,
        );
    }
    let a = last.unwrap();
    assert_eq!(a.status, 429, "{}", a.text);
    assert_eq!(a.body["errors"][0]["code"], "1429");
    assert_eq!(a.body["errors"][0]["httpStatusCode"], 429);
    assert_eq!(a.headers["retry-after"], "1");
    // Its requestId is the request's own id.
    assert_eq!(
        a.body["errors"][0]["requestId"].as_str(),
        a.headers["x-request-id"].to_str().ok()
    );

    // Bank analysis: the product's envelope.
    let s = Staff::admin(&app).await;
    let mut last = None;
    for _ in 0..4 {
        last = Some(s.get("/api/v1/auth/status").await);
    }
    let a = last.unwrap();
    assert_eq!(a.status, 429, "{a}");
    assert_eq!(a.body["success"], false);
    assert_eq!(a.body["message"], "Too many requests.");
}
