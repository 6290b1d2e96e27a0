//! Per-credential rate limits: each product answers 429 in its own envelope.

use crate::common;
use common::steps::Connect;
use common::steps::Partner;

use common::spawn_app_with;
use common::staff::Staff;
use fundline::client::{enrollment, Answer, ConnectClient, GatewayClient};
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

/// The fourth of four requests in a row (the burst is three): a 429 that
/// asks the client to retry after a second.
async fn fourth_of_four(mut request: impl AsyncFnMut(u64) -> Answer) -> Answer {
    for n in 0..3 {
        request(n).await;
    }
    let a = request(3).await;
    assert_eq!(a.status, 429, "{}", a.text);
    assert_eq!(a.headers["retry-after"], "1");
    a
}

#[tokio::test]
async fn every_product_answers_429_in_its_own_envelope() {
    let app = spawn_app_with(config()).await;

    // Check cashing: problem+json with errorCode.
    let c = app.partner().await;
    let a = fourth_of_four(async |n| {
        let body = json!({"ssn": enrollment(n)["ssn"], "dateOfBirth": "1978-09-11"});
        c.ask("find-customer", &body).await
    })
    .await;
    assert_eq!(a.body["errorCode"], "TOO_MANY_REQUESTS");
    assert_eq!(a.body["status"], 429);

    // Payout gateway: its envelope with status 13429.
    let ip = &app.tenant.ingopay;
    let g = GatewayClient::new(&app.base, &ip.username, &ip.secret);
    let a = fourth_of_four(async |n| {
        let body = json!({"participant_id": ip.participant_id, "participant_unique_id1": format!("rl-{n}")});
        g.post("/gateway/search", &body, &[]).await.unwrap()
    })
    .await;
    assert_eq!(a.body["status"], 13429);

    // Token service: Connect's error body.
    let cn = &app.tenant.connect;
    let k = ConnectClient::new(&app.base, &cn.api_key_id, &cn.secret_api_key);
    let path = format!("/v1/{}/tokens/nope", cn.merchant_id);
    let a = fourth_of_four(async |_| k.ask("GET", &path, None).await).await;
    assert_eq!(a.body["errors"][0]["code"], "1429");
    assert_eq!(a.body["errors"][0]["httpStatusCode"], 429);
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
