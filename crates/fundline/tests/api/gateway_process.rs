//! `/gateway/process` and `/gateway/checkcancel`: payments, idempotency,
//! limits, and the double-entry ledger.

use crate::common;
use common::steps::Gateway;

use std::time::Duration;

use common::{spawn_app_with, ts, TestApp};
use fundline::client::{GatewayClient, Signing};
use fundline_api::gateway::process::VelocityLimits;
use fundline_api::ApiConfig;
use fundline_core::money::Cents;
use serde_json::{json, Value};

async fn card_token(app: &TestApp, g: &GatewayClient, pan: &str) -> String {
    let v = json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "CA", "recipient_first_name": "Johnny",
        "recipient_last_name": "Rockets", "account": pan, "expiration_date": "3012", "recipient_address1": "123 Main St",
        "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313", "participant_unique_id1": "v",
        "timestamp": ts(), "version": 11});
    let a = g.verify(&v).await;
    common::steps::accepted(&a);
    a.body["data"]["customer_account_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn check_token(app: &TestApp, g: &GatewayClient) -> String {
    let v = json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "CK", "recipient_is_beneficiary": 1,
        "beneficiary": {"beneficiary_account": "3000000038", "beneficiary_first_name": "Ace", "beneficiary_last_name": "Ventura",
            "beneficiary_address1": "123 Main St.", "beneficiary_city": "Atlanta", "beneficiary_state": "GA", "beneficiary_zip": "30033"},
        "participant_unique_id1": "v", "timestamp": ts(), "version": 11});
    let a = g.verify(&v).await;
    a.body["data"]["customer_account_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn pay(app: &TestApp, token: &str, amount: &str, uid1: &str) -> Value {
    json!({"participant_id": app.tenant.ingopay.participant_id, "customer_account_token": token, "amount": amount,
           "participant_unique_id1": uid1, "participant_unique_id2": "order-7", "timestamp": ts(), "version": 11})
}

/// An app with these velocity limits (in cents), its gateway client and a
/// card token to pay.
async fn with_velocity(
    per_transaction: i64,
    per_token_per_day: i64,
    per_tenant_per_day: i64,
) -> (TestApp, GatewayClient, String) {
    let config = ApiConfig {
        gateway_velocity: VelocityLimits {
            per_transaction: Cents(per_transaction),
            per_token_per_day: Cents(per_token_per_day),
            per_tenant_per_day: Cents(per_tenant_per_day),
        },
        ..ApiConfig::default()
    };
    let app = spawn_app_with(config).await;
    let g = app.gateway();
    let token = card_token(&app, &g, "4111111111111111").await;
    (app, g, token)
}

async fn ledger_balances(app: &TestApp) {
    let (total, unbalanced) = fundline_store::gateway::ledger_check(&app.store)
        .await
        .unwrap();
    assert_eq!((total, unbalanced), (0, 0), "the ledger must balance");
}

#[tokio::test]
async fn an_idempotency_key_makes_one_payment_and_repeats_answer_101() {
    let (app, g) = common::spawn_gateway().await;
    let token = card_token(&app, &g, "4111111111111111").await;
    let key = [("Idempotency-Key", "pay-1")];
    let a = g
        .process(&pay(&app, &token, "25.00", "customer-42"), &key)
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["status"], 100);
    let d = &a.body["data"];
    let tx = d["transaction_id"].as_str().unwrap().to_string();
    assert_eq!(d["amount"], "25.00");
    assert_eq!(d["last_4"], "1111");
    assert_eq!(
        d["estimated_posting_time"],
        "Your payment will post within 5 minutes."
    );
    assert_eq!(d["participant_unique_id1"], "customer-42");
    assert_eq!(d["participant_unique_id2"], "order-7");
    // Spec 002: `time` is a string of seconds.
    assert!(
        a.body["time"]
            .as_str()
            .is_some_and(|t| t.parse::<f64>().is_ok()),
        "{}",
        a.text
    );
    ledger_balances(&app).await;

    // The same key and payment, re-signed a second later with a new
    // timestamp: the original payment, 101.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = g
        .process(&pay(&app, &token, "25.00", "customer-42"), &key)
        .await;
    assert_eq!(again.body["status"], 101, "{}", again.text);
    assert_eq!(again.body["data"]["transaction_id"], tx.as_str());
    // The same key for another payment: 13723, nothing paid.
    let other = g
        .process(&pay(&app, &token, "26.00", "customer-42"), &key)
        .await;
    assert_eq!(other.body["status"], 13723, "{}", other.text);
    let paid =
        fundline_store::gateway::payments_by_uid1(&app.store, &app.tenant.tenant_id, "customer-42")
            .await
            .unwrap();
    assert_eq!(paid.len(), 1);

    // Concurrent identical requests with one key: one payment.
    let body = pay(&app, &token, "10.00", "burst");
    let burst = [("Idempotency-Key", "burst-key")];
    let request = async || g.process(&body, &burst).await;
    let (statuses, ids) = common::steps::burst(10, request, "transaction_id").await;
    assert_eq!(ids.len(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 100).count(), 1);
    let p = fundline_store::gateway::payments_by_uid1(&app.store, &app.tenant.tenant_id, "burst")
        .await
        .unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].amount_cents, 1000);
    ledger_balances(&app).await;
}

#[tokio::test]
async fn participant_unique_id1_is_a_correlation_id_and_an_exact_retry_pays_once() {
    let (app, g) = common::spawn_gateway().await;
    let token = card_token(&app, &g, "4111111111111111").await;
    // Spec 002: the partner's CustomerID, carried on every payout to that
    // customer. Two payouts, two payments.
    let mut ids = Vec::new();
    for amount in ["5.00", "6.00"] {
        let a = g
            .process(&pay(&app, &token, amount, "CUST-0042"), &[])
            .await;
        common::steps::accepted(&a);
        assert_eq!(a.body["data"]["participant_unique_id1"], "CUST-0042");
        ids.push(a.body["data"]["transaction_id"].clone());
    }
    assert_ne!(ids[0], ids[1]);
    let paid =
        fundline_store::gateway::payments_by_uid1(&app.store, &app.tenant.tenant_id, "CUST-0042")
            .await
            .unwrap();
    assert_eq!(paid.len(), 2);

    // The same signed request sent again (a retry after a timeout, inside
    // the same second): the first answer, no second payment, never a 401.
    let bytes = serde_json::to_vec(&pay(&app, &token, "7.00", "CUST-0043")).unwrap();
    let signed = g.sign("/gateway/process", &bytes, &Signing::now());
    let answers = futures::future::join_all((0..5).map(|_| g.send(&signed))).await;
    let first = g.send(&signed).await.unwrap();
    common::steps::accepted(&first);
    for a in answers {
        let a = a.unwrap();
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(
            a.body["data"]["transaction_id"],
            first.body["data"]["transaction_id"]
        );
    }
    let paid =
        fundline_store::gateway::payments_by_uid1(&app.store, &app.tenant.tenant_id, "CUST-0043")
            .await
            .unwrap();
    assert_eq!(paid.len(), 1);
    ledger_balances(&app).await;
}

#[tokio::test]
async fn amounts_must_sit_within_issuer_limits_and_velocity() {
    let (app, g, token) = with_velocity(400_000, 1_000_000, 1_500_000).await;
    let cases = [("0.01", 1050), ("5000.01", 1051), ("4000.01", 1052)];
    for (amount, status) in cases {
        let a = g
            .process(&pay(&app, &token, amount, &format!("lim-{amount}")), &[])
            .await;
        assert_eq!(a.body["status"], status, "{amount}: {}", a.text);
        assert_eq!(a.status, 422);
    }
    for bad in ["-5", "abc", "1.234", ""] {
        let a = g.process(&pay(&app, &token, bad, "bad"), &[]).await;
        assert_eq!(a.body["status"], 13400, "{bad}");
    }
    // Per token per day: 10,000.00.
    for i in 0..2 {
        let a = g
            .process(&pay(&app, &token, "4000.00", &format!("d{i}")), &[])
            .await;
        common::steps::accepted(&a);
    }
    let a = g.process(&pay(&app, &token, "2000.01", "d2"), &[]).await;
    assert_eq!(a.body["status"], 1053);
    // Per tenant per day: 15,000.00 across tokens.
    let other = card_token(&app, &g, "5555555555554444").await;
    assert_eq!(
        g.process(&pay(&app, &other, "4000.00", "t1"), &[])
            .await
            .body["status"],
        100
    );
    // 12,000.00 so far: reaching the limit exactly is allowed, passing it is not.
    let a = g.process(&pay(&app, &other, "3000.01", "t2"), &[]).await;
    assert_eq!(a.body["status"], 1054, "{}", a.text);
    assert_eq!(
        g.process(&pay(&app, &other, "3000.00", "t3"), &[])
            .await
            .body["status"],
        100
    );
    ledger_balances(&app).await;
}

#[tokio::test]
async fn velocity_holds_under_concurrent_payments() {
    let (app, g, token) = with_velocity(500_000, 1_000_000, 100_000_000).await;
    let calls = (0..12).map(|i| {
        let g = g.clone();
        let body = pay(&app, &token, "2000.00", &format!("c{i}"));
        async move { g.process(&body, &[]).await.body["status"].as_i64().unwrap() }
    });
    let statuses = futures::future::join_all(calls).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 100).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 1053).count(),
        7,
        "{statuses:?}"
    );
    ledger_balances(&app).await;
}

#[tokio::test]
async fn a_check_can_be_cancelled_until_it_is_printed() {
    let (app, g) = common::spawn_gateway().await;
    let token = check_token(&app, &g).await;
    let a = g.process(&pay(&app, &token, "100.00", "ck-1"), &[]).await;
    common::steps::accepted(&a);
    assert_eq!(
        a.body["data"]["estimated_posting_time"],
        "Payment will post 7-10 Days"
    );
    let tx = a.body["data"]["transaction_id"]
        .as_str()
        .unwrap()
        .to_string();
    let cancel = |id: &str| json!({"participant_id": app.tenant.ingopay.participant_id, "transaction_id": id, "timestamp": ts(), "version": 11});
    let c = g.ask("/gateway/checkcancel", &cancel(&tx), &[]).await;
    common::steps::accepted(&c);
    assert_eq!(c.body["data"]["status"], "cancelled");
    assert_eq!(
        g.ask("/gateway/checkcancel", &cancel(&tx), &[]).await.body["status"],
        1061
    );
    ledger_balances(&app).await;
    // The cancelled amount is given back to the day's velocity and the entries reverse.
    let entries = fundline_store::gateway::ledger_check(&app.store)
        .await
        .unwrap();
    assert_eq!(entries.0, 0);

    let card = card_token(&app, &g, "4111111111111111").await;
    let b = g.process(&pay(&app, &token, "50.00", "ck-2"), &[]).await;
    let tx2 = b.body["data"]["transaction_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Past the next print run (at most four days ahead, weekends and holidays included).
    app.clock.advance(Duration::from_secs(5 * 24 * 3600));
    let mut s = Signing::at(chrono::Utc::now() + chrono::Duration::seconds(5 * 24 * 3600));
    s.extra_headers.push(("x-nothing".into(), "1".into()));
    let mut late = cancel(&tx2);
    late["timestamp"] = json!(ts() + 5 * 24 * 3600);
    let signed = g.sign(
        "/gateway/checkcancel",
        &serde_json::to_vec(&late).unwrap(),
        &s,
    );
    let c = g.send(&signed).await.unwrap();
    assert_eq!(c.body["status"], 1060, "{}", c.text);

    // Only checks; unknown ids.
    let mut s = Signing::at(chrono::Utc::now() + chrono::Duration::seconds(5 * 24 * 3600));
    s.extra_headers.push(("x-nothing".into(), "2".into()));
    let mut body = pay(&app, &card, "5.00", "ca-1");
    body["timestamp"] = json!(ts() + 5 * 24 * 3600);
    let p = g
        .send(&g.sign("/gateway/process", &serde_json::to_vec(&body).unwrap(), &s))
        .await
        .unwrap();
    common::steps::accepted(&p);
    let ca_tx = p.body["data"]["transaction_id"]
        .as_str()
        .unwrap()
        .to_string();
    for (id, status) in [
        (ca_tx.as_str(), 1062),
        ("00000000-0000-4000-8000-000000000000", 1063),
    ] {
        let s = Signing::at(chrono::Utc::now() + chrono::Duration::seconds(5 * 24 * 3600));
        let signed = g.sign(
            "/gateway/checkcancel",
            &serde_json::to_vec(&cancel(id)).unwrap(),
            &s,
        );
        assert_eq!(g.send(&signed).await.unwrap().body["status"], status);
    }
    ledger_balances(&app).await;
}

#[tokio::test]
async fn process_refuses_unknown_tokens_and_foreign_participants() {
    let (app, g) = common::spawn_gateway().await;
    let a = g
        .process(&pay(&app, "no-such-token", "5.00", "x"), &[])
        .await;
    assert_eq!(a.body["status"], 13400);
    let token = card_token(&app, &g, "4111111111111111").await;
    let mut body = pay(&app, &token, "5.00", "x");
    body["participant_id"] = json!(1);
    assert_eq!(g.process(&body, &[]).await.body["status"], 13401);
    let other = app.other_tenant().await;
    let g2 = GatewayClient::new(&app.base, &other.ingopay.username, &other.ingopay.secret);
    let mut foreign = pay(&app, &token, "5.00", "x");
    foreign["participant_id"] = json!(other.ingopay.participant_id);
    assert_eq!(
        g2.post("/gateway/process", &foreign, &[])
            .await
            .unwrap()
            .body["status"],
        13400,
        "another tenant's token is unknown"
    );
}

#[tokio::test]
async fn bill_pay_posts_on_the_day_verify_promised() {
    let (app, g) = common::spawn_gateway().await;
    // Georgia Power posts after 2 banking days (migration 0004).
    let bp = app.bill_payment(600100, "50.00", "1234567890", "bp-1");
    let v = g.verify(&bp).await;
    common::steps::accepted(&v);
    let promised = v.body["data"]["issuers"][0]["debit_info"]["estimated_posting_date"].clone();
    let promised = if promised.is_null() {
        v.body["data"]["issuers"][0]["credit_info"]["estimated_posting_date"].clone()
    } else {
        promised
    };
    assert!(promised.is_string(), "{}", v.text);
    let token = v.body["data"]["customer_account_token"].as_str().unwrap();
    let p = g.process(&pay(&app, token, "50.00", "bp-1"), &[]).await;
    common::steps::accepted(&p);
    assert_eq!(
        p.body["data"]["estimated_posting_date"], promised,
        "{}",
        p.text
    );
}
