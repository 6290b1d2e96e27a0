//! `/gateway/verify` for every account type, and `/gateway/search`.

use crate::common;
use common::steps::Gateway;

use std::collections::HashSet;

use common::{ts, TestApp};
use fundline::client::GatewayClient;
use serde_json::{json, Value};

fn card(app: &TestApp, pan: &str, expiry_yymm: &str) -> Value {
    json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "CA", "amount": "1010.50",
           "recipient_first_name": "Johnny", "recipient_last_name": "Rockets", "account": pan, "expiration_date": expiry_yymm,
           "cvv": "123", "recipient_address1": "123 Main St", "recipient_address2": "Apt 2", "recipient_city": "Atlanta",
           "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": "1231231234",
           "participant_unique_id1": "1f2739ed-3531-4af2-ae36-e6faf7936462",
           "participant_unique_id2": "90759390-01c7-47e7-8a90-6faa89b18ff6", "timestamp": ts(), "version": 11})
}

fn bank(app: &TestApp, routing: &str) -> Value {
    json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "AC", "recipient_first_name": "Luke",
           "recipient_last_name": "Skywalker", "account": "22222222", "routing_number": routing,
           "recipient_address1": "123 Main St.", "recipient_address2": "Apt 2", "recipient_city": "Atlanta",
           "recipient_state": "GA", "recipient_zip": "30313", "recipient_phone": 1231231234,
           "participant_unique_id1": "5bf1e2c3", "participant_unique_id2": "80525360", "amount": "1010.50",
           "timestamp": ts().to_string(), "version": 11})
}

#[tokio::test]
async fn a_card_is_tokenized_with_its_issuer_information() {
    let (app, g) = common::spawn_gateway().await;
    let a = g.verify(&card(&app, "4111111111111111", "3012")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["status"], 100);
    assert!(!a.text.contains("4111111111111111"));
    let d = &a.body["data"];
    let token = d["customer_account_token"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&token).is_ok());
    assert_eq!(d["last_4"], "1111");
    assert_eq!(d["expiration_date"], "3012");
    assert_eq!(d["count"], 1);
    assert_eq!(
        d["participant_unique_id1"],
        "1f2739ed-3531-4af2-ae36-e6faf7936462"
    );
    let issuer = &d["issuers"][0];
    assert_eq!(issuer["issuing_network"], "Visa");
    assert_eq!(issuer["credit_enabled"], 1);
    assert_eq!(issuer["debit_enabled"], 0);
    assert_eq!(issuer["credit_info"]["min"], "0.05");
    assert_eq!(issuer["credit_info"]["max"], "5000.00");
    assert_eq!(issuer["credit_info"]["card_type"], "Debit");
    assert_eq!(
        issuer["credit_info"]["estimated_posting_time"],
        "Your payment will post within 5 minutes."
    );
    assert!(issuer.get("debit_info").is_none());

    // The same data: the same token. By token alone: the same answer.
    let again = g.verify(&card(&app, "4111111111111111", "3012")).await;
    assert_eq!(again.body["data"]["customer_account_token"], token.as_str());
    let by_token = json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "CA",
        "customer_account_token": token, "participant_unique_id1": "x", "timestamp": ts(), "version": 11});
    let t = g.verify(&by_token).await;
    common::steps::accepted(&t);
    assert_eq!(t.body["data"]["last_4"], "1111");
    // Other data (another expiry), another token; Mastercard 2-series recognized.
    let other = g.verify(&card(&app, "4111111111111111", "3101")).await;
    assert_ne!(other.body["data"]["customer_account_token"], token.as_str());
    let mc = g.verify(&card(&app, "2221000000000009", "3012")).await;
    assert_eq!(
        mc.body["data"]["issuers"][0]["issuing_network"], "Mastercard",
        "{}",
        mc.text
    );

    // Another tenant does not know the token.
    let other_tenant = app.other_tenant().await;
    let g2 = GatewayClient::new(
        &app.base,
        &other_tenant.ingopay.username,
        &other_tenant.ingopay.secret,
    );
    let mut foreign = by_token.clone();
    foreign["participant_id"] = json!(other_tenant.ingopay.participant_id);
    let a = g2.post("/gateway/verify", &foreign, &[]).await.unwrap();
    assert_eq!(a.body["status"], 13400);
    assert!(a.body["data"]["customer_account_token"].is_array());
}

#[tokio::test]
async fn accounts_that_cannot_be_paid_answer_700() {
    let (app, g) = common::spawn_gateway().await;
    for (pan, exp) in [
        ("4111111111111111", "2001"),
        ("4000000000000002", "3012"),
        ("4000056655665556", "3012"),
        // A Luhn-valid card of no known network (BIN 990000): outside the
        // network, docs/sandbox.md.
        ("9900000000000002", "3012"),
    ] {
        let a = g.verify(&card(&app, pan, exp)).await;
        assert_eq!(a.body["status"], 700, "{pan}: {}", a.text);
        assert_eq!(
            a.body["client_message"],
            "Account not currently available for payment"
        );
        assert!(a.body["data"]["request_timestamp"].is_i64());
        assert!(!a.text.contains(pan));
    }
}

#[tokio::test]
async fn a_bank_account_posts_the_next_banking_day_and_bad_routing_is_1042() {
    let (app, g) = common::spawn_gateway().await;
    let a = g.verify(&bank(&app, "011000015")).await;
    common::steps::accepted(&a);
    let i = &a.body["data"]["issuers"][0];
    assert_eq!(i["credit_info"]["card_type"], "DDA");
    assert_eq!(i["issuing_network"], "NA");
    // "Today" is the banking day in US Eastern time, not the UTC date.
    let today = fundline_api::gateway::issuer::banking_today(chrono::Utc::now());
    let next = fundline_core::calendar::add_banking_days(today, 1);
    assert_eq!(
        i["credit_info"]["estimated_posting_date"],
        next.format("%m/%d/%Y").to_string()
    );
    assert_eq!(a.body["data"]["last_4"], "2222");
    assert!(!a.text.contains("22222222"));
    let bad = g.verify(&bank(&app, "011000016")).await;
    assert_eq!(bad.body["status"], 1042, "{}", bad.text);
    // Not nine digits is a format error, not a checksum failure.
    let malformed = g.verify(&bank(&app, "01100001A")).await;
    assert_eq!(malformed.body["status"], 13400, "{}", malformed.text);
    assert!(malformed.body["data"]["routing_number"].is_array());

    // A token with a routing number beside it: what is sent is checked.
    let token = a.body["data"]["customer_account_token"].as_str().unwrap();
    let mut by_token = json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "AC",
        "customer_account_token": token, "participant_unique_id1": "5bf1e2c3", "timestamp": ts(), "version": 11});
    let ok = g.verify(&by_token).await;
    common::steps::accepted(&ok);
    by_token["routing_number"] = json!("011000016");
    let a = g.verify(&by_token).await;
    assert_eq!(a.body["status"], 1042, "{}", a.text);
}

#[tokio::test]
async fn bill_pay_uses_the_biller_directory() {
    let (app, g) = common::spawn_gateway().await;
    let found = g.ask("/gateway/search", &json!({"participant_id": app.tenant.ingopay.participant_id, "payee_name": "jersey", "timestamp": ts(), "version": 11}), &[]).await;
    common::steps::accepted(&found);
    assert_eq!(found.body["data"]["payees"][0]["payee_id"], "123457");
    let bp = app.bill_payment(123457, "1010.50", "12345678", "f8f68709");
    let a = g.verify(&bp).await;
    common::steps::accepted(&a);
    assert_eq!(
        a.body["data"]["issuers"][0]["payee_name"],
        "First Service Middle Jersey"
    );
    assert_eq!(a.body["data"]["issuers"][0]["payee_zip"], "07032-0310");
    assert_eq!(a.body["data"]["last_4"], "5678");
    let mut wrong = bp.clone();
    wrong["account"] = json!("12");
    assert_eq!(g.verify(&wrong).await.body["status"], 700);
    let mut unknown = bp.clone();
    unknown["payee_id"] = json!(999999);
    let a = g.verify(&unknown).await;
    assert_eq!(a.body["status"], 13400);
    assert!(a.body["data"]["payee_id"].is_array());

    // By token: the token wins, and a payee_id sent beside it must be its own.
    let first = g.verify(&bp).await;
    let token = first.body["data"]["customer_account_token"]
        .as_str()
        .unwrap();
    let by_token = |payee: Value| {
        json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "BP", "customer_account_token": token,
            "payee_id": payee, "participant_unique_id1": "f8f68709", "timestamp": ts(), "version": 11})
    };
    let a = g.verify(&by_token(json!(123457))).await;
    common::steps::accepted(&a);
    for other in [json!(999999), json!(526263)] {
        let a = g.verify(&by_token(other.clone())).await;
        assert_eq!(a.body["status"], 13400, "{other}: {}", a.text);
        assert!(a.body["data"]["payee_id"].is_array(), "{}", a.text);
    }
}

#[tokio::test]
async fn a_check_payee_posts_in_7_to_10_days() {
    let (app, g) = common::spawn_gateway().await;
    let beneficiary = json!({"beneficiary_account": "3000000038", "beneficiary_first_name": "Ace", "beneficiary_last_name": "Ventura",
        "beneficiary_address1": "123 Main St.", "beneficiary_address2": " Apt 3", "beneficiary_city": "Atlanta",
        "beneficiary_state": "GA", "beneficiary_zip": "30033", "beneficiary_phone": "5551234567"});
    let ck = json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "CK", "recipient_is_beneficiary": 1,
        "beneficiary": beneficiary, "participant_unique_id1": "35a792a5", "participant_unique_id2": "2d4ebd46",
        "timestamp": ts(), "version": 11});
    let a = g.verify(&ck).await;
    common::steps::accepted(&a);
    assert_eq!(a.body["data"]["last_4"], "0038");
    assert_eq!(
        a.body["data"]["estimated_posting_time"],
        "Payment will post 7-10 Days"
    );
    assert!(!a.text.contains("3000000038"));
    let mut to_other = ck.clone();
    to_other["recipient_is_beneficiary"] = json!(0);
    let a = g.verify(&to_other).await;
    assert_eq!(a.body["status"], 13400);
    to_other["recipient"] = json!({"recipient_line1": "Elmer Fudd", "recipient_address1": "225 Baker St NE",
        "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30022", "recipient_phone": "5557654321"});
    let b = g.verify(&to_other).await;
    common::steps::accepted(&b);
    common::steps::differ_in(&b, &a, "customer_account_token");
}

#[tokio::test]
async fn the_envelope_rules_hold() {
    let (app, g) = common::spawn_gateway().await;
    // Spec 002: the participant may declare what it accepts; JSON is all we
    // produce, so a type that excludes it is a 406 in the envelope.
    let v = card(&app, "4111111111111111", "3012");
    let xml = g
        .ask("/gateway/verify", &v, &[("Accept", "application/xml")])
        .await;
    assert_eq!(
        (xml.status, &xml.body["status"]),
        (406, &json!(13406)),
        "{}",
        xml.text
    );
    let json_ok = g
        .ask("/gateway/verify", &v, &[("Accept", "application/json")])
        .await;
    common::steps::accepted(&json_ok);
    let mut v = card(&app, "4111111111111111", "3012");
    v["participant_id"] = json!(99999);
    let a = g.verify(&v).await;
    common::steps::answered(&a, 401, 13401, "another participant");
    assert_eq!(a.body["developer_message"], "participant_id_mismatch");
    let mut v = card(&app, "4111111111111111", "3012");
    v["version"] = json!(10);
    v["account_type"] = json!("XX");
    let a = g.verify(&v).await;
    assert_eq!(a.body["status"], 13400);
    common::steps::field_errors(
        &a,
        &[
            ("version", "The Version field must be 11."),
            (
                "account_type",
                "The AccountType field must be AC, CA, BP or CK.",
            ),
        ],
    );
    let unknown = g.post("/gateway/nothing", &json!({}), &[]).await.unwrap();
    assert_eq!(
        (unknown.status, unknown.body["status"].as_i64()),
        (404, Some(13404))
    );
}

#[tokio::test]
async fn concurrent_identical_verifies_make_one_token() {
    let (app, g) = common::spawn_gateway().await;
    let body = card(&app, "5555555555554444", "3012");
    let answers =
        futures::future::join_all((0..10).map(|_| g.post("/gateway/verify", &body, &[]))).await;
    let tokens: HashSet<String> = answers
        .into_iter()
        .map(|a| {
            let a = a.unwrap();
            common::steps::accepted(&a);
            a.body["data"]["customer_account_token"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(tokens.len(), 1);
}
