//! Each gateway setting of a tenant takes effect.

use crate::common;
use common::steps::Gateway;

use common::{spawn_app, TestApp};
use fundline::client::session_request;
use fundline_api::gateway::settings::{TenantGatewaySettings, PRODUCT};
use serde_json::{json, Value};

async fn configure(app: &TestApp, doc: Value) {
    let parsed = TenantGatewaySettings::parse(&doc.to_string()).unwrap();
    fundline_store::tenants::set_settings(
        &app.store,
        app.tenant.tenant_id.clone(),
        PRODUCT,
        serde_json::to_string(&parsed).unwrap(),
    )
    .await
    .unwrap();
}

fn card(app: &TestApp) -> Value {
    json!({"participant_id": app.tenant.ingopay.participant_id, "account_type": "CA", "recipient_first_name": "Jack",
        "recipient_last_name": "Frost", "account": "4111111111111111", "expiration_date": "3012", "recipient_address1": "123 Main St",
        "recipient_city": "Atlanta", "recipient_state": "GA", "recipient_zip": "30313", "participant_unique_id1": "s",
        "timestamp": chrono::Utc::now().timestamp(), "version": 11})
}

#[tokio::test]
async fn retail_limits_and_velocity_come_from_the_tenant() {
    let app = spawn_app().await;
    configure(
        &app,
        json!({"retail": true, "cvv_required": true,
               "limits": {"CA": {"credit": {"min": "10.00", "max": "100.00"}, "debit": {"min": "1.00", "max": "50.00"}}},
               "velocity": {"per_transaction": "100.00", "per_token_per_day": "150.00", "per_tenant_per_day": "1000.00"}}),
    )
    .await;
    let g = app.gateway();
    let a = g.verify(&card(&app)).await;
    assert_eq!(a.body["status"], 13400);
    for k in ["store_id", "terminal_id", "clerk_id", "cvv"] {
        assert!(a.body["data"][k].is_array(), "{k}: {}", a.text);
    }
    let mut ok = card(&app);
    for (k, v) in [
        ("store_id", "11"),
        ("terminal_id", "22"),
        ("clerk_id", "33"),
        ("cvv", "123"),
    ] {
        ok[k] = json!(v);
    }
    let a = g.verify(&ok).await;
    common::steps::accepted(&a);
    let issuer = &a.body["data"]["issuers"][0];
    assert_eq!(issuer["credit_info"]["min"], "10.00");
    assert_eq!(issuer["debit_enabled"], 1);
    assert_eq!(issuer["debit_info"]["max"], "50.00");
    let token = a.body["data"]["customer_account_token"]
        .as_str()
        .unwrap()
        .to_string();
    let pay = |amount: &str, uid: &str| {
        json!({"participant_id": app.tenant.ingopay.participant_id, "customer_account_token": token, "amount": amount,
               "participant_unique_id1": uid, "store_id": "11", "terminal_id": "22", "clerk_id": "33",
               "timestamp": chrono::Utc::now().timestamp(), "version": 11})
    };
    assert_eq!(
        g.process(&pay("5.00", "p1"), &[]).await.body["status"],
        1050
    );
    assert_eq!(
        g.process(&pay("100.00", "p2"), &[]).await.body["status"],
        100
    );
    assert_eq!(
        g.process(&pay("60.00", "p3"), &[]).await.body["status"],
        1053
    );
}

#[tokio::test]
async fn the_page_offers_the_tenant_destinations_and_applies_its_attempt_limits() {
    let app = spawn_app().await;
    configure(&app, json!({"destinations": ["debit_card"], "attempts": {"recipient_per_page": 5, "account_per_page": 5, "per_session": 2}})).await;
    let g = app.gateway();
    let a = g
        .post(
            "/api/v1/sessions/point-in-time/plugin",
            &session_request("s"),
            &[],
        )
        .await
        .unwrap();
    let (id, url) = app.session_link(&a);
    let html = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(
        html.contains(r#""destinations":["debit_card"]"#),
        "page config"
    );
    let i = html.find("\"pageToken\":\"").unwrap() + 13;
    let token = html[i..].split('"').next().unwrap().to_string();
    let submit = |body: Value| {
        let (base, id, token) = (app.base.clone(), id.clone(), token.clone());
        async move {
            let r = reqwest::Client::new()
                .post(format!("{base}/session/{id}/submit"))
                .header("x-page-token", token)
                .json(&body)
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    let bank = json!({"destination": "bank_account", "first_name": "Jack", "last_name": "Frost", "address1": "123 Main St",
        "city": "Atlanta", "state": "GA", "zip": "30313", "routing_number": "011000015", "account_number": "22222222"});
    assert_eq!(
        submit(bank).await["outcome"],
        "invalid",
        "bank accounts are not offered"
    );
    let wrong = json!({"destination": "debit_card", "first_name": "Jill", "last_name": "Frost", "address1": "123 Main St",
        "city": "Atlanta", "state": "GA", "zip": "30313", "card_number": "4111111111111111", "expiry": "12/30"});
    assert_eq!(submit(wrong.clone()).await["outcome"], "retry");
    let r = submit(wrong).await;
    assert_eq!(r["event"]["event_name"], "TERMINAL_FAILURE", "{r}");
}

#[tokio::test]
async fn a_type_without_push_is_refused_and_oversized_bodies_answer_13413() {
    let app = spawn_app().await;
    configure(
        &app,
        json!({"limits": {"CA": {"credit": null, "debit": {"min": "1.00", "max": "10.00"}}}}),
    )
    .await;
    let g = app.gateway();
    let a = g.verify(&card(&app)).await;
    common::steps::accepted(&a);
    assert_eq!(a.body["data"]["issuers"][0]["credit_enabled"], 0);
    let token = a.body["data"]["customer_account_token"].as_str().unwrap();
    let p = g.process(&json!({"participant_id": app.tenant.ingopay.participant_id, "customer_account_token": token,
            "amount": "5.00", "participant_unique_id1": "np", "timestamp": chrono::Utc::now().timestamp(), "version": 11}), &[]).await;
    assert_eq!(p.body["status"], 1055, "{}", p.text);
    let mut big = card(&app);
    big["participant_unique_id2"] = json!("x".repeat(70 * 1024));
    let a = g.verify(&big).await;
    common::steps::answered(&a, 413, 13413, "a 70 KiB body");
}

#[tokio::test]
async fn a_paypal_enabled_tenant_must_send_the_recipients_email() {
    let (app, g) = common::spawn_gateway().await;
    let mut no_email = session_request("pp-1");
    no_email["recipient_information"]
        .as_object_mut()
        .unwrap()
        .remove("email_address");
    const PATH: &str = "/api/v1/sessions/point-in-time/plugin";
    // Not PayPal-enabled (the default): the email is optional.
    let a = g.post(PATH, &no_email, &[]).await.unwrap();
    common::steps::accepted(&a);
    // PayPal-enabled: spec 001 requires it.
    configure(&app, json!({"paypal_enabled": true})).await;
    // The settings cache holds a document for up to 5 s.
    let answer = common::eventually(
        "the new settings (13400)",
        std::time::Duration::from_millis(7500),
        async || {
            let answer = g.post(PATH, &no_email, &[]).await.unwrap().body;
            common::ok_if(answer["status"] == 13400, answer)
        },
    )
    .await;
    assert_eq!(answer["status"], 13400, "{answer}");
    assert!(
        answer["data"]["recipient_information.email_address"].is_array(),
        "{answer}"
    );
    let with_email = session_request("pp-2");
    let a = g.post(PATH, &with_email, &[]).await.unwrap();
    common::steps::accepted(&a);
}
